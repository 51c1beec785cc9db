"""Bounds: the figure a yes/no question states against the limits a line states."""

from __future__ import annotations

from kg.ask.bounds import Dimension, asked_amount, stated_bounds, within


def test_bounds_a_question_states_one_figure_in_base_units() -> None:
    asked = asked_amount("Can a queue message be 1 MB?")
    assert asked is not None and asked.dimension is Dimension.SIZE and asked.value == 2.0**20
    year = asked_amount("Can the log keep entries for a full year?")
    assert year is not None and year.dimension is Dimension.TIME and year.value == 365 * 86400


def test_bounds_a_rate_or_two_figures_ask_no_single_figure() -> None:
    assert asked_amount("Can a shard take 2 MB/s?") is None
    assert asked_amount("Can it take 2 MB per second?") is None
    assert asked_amount("Is it 2 MB or 4 MB?") is None
    assert asked_amount("Can it read Parquet?") is None


def test_bounds_a_bound_word_or_a_range_makes_a_limit() -> None:
    upper = stated_bounds("Largest payload: max is 900 seconds (15 min)", Dimension.TIME)
    assert {b.side for b in upper} == {"upper"} and upper[0].amount.value == 900
    assert stated_bounds("Records are at most 400 KB", Dimension.SIZE)[0].side == "upper"
    assert stated_bounds("A 2 MB message size limit", Dimension.SIZE)[0].side == "upper"
    ranged = stated_bounds("Kept between 1 day to 30 days", Dimension.TIME)
    assert sorted(b.side for b in ranged) == ["lower", "upper"]
    assert not stated_bounds("A default of 1 MB, configurable", Dimension.SIZE)
    assert not stated_bounds("Max is 900 seconds", Dimension.SIZE)


def test_bounds_an_asked_figure_inside_or_outside_the_limit() -> None:
    limit = stated_bounds("Max message size is 256KB", Dimension.SIZE)
    big, small = asked_amount("be 1 MB?"), asked_amount("be 200 KB?")
    assert big is not None and small is not None
    assert not within(big, limit) and within(small, limit)
    kept = stated_bounds("Retention from 1 minute to 14 days", Dimension.TIME)
    month, hour = asked_amount("for a month?"), asked_amount("for an hour?")
    assert month is not None and hour is not None
    assert not within(month, kept) and within(hour, kept)


def test_bounds_a_default_is_the_figure_nearest_the_word() -> None:
    from kg.ask.bounds import same_amount, stated_default

    default = stated_default("Default retention: 4 days, max 14 days", Dimension.TIME)
    four, week = asked_amount("be 4 days?"), asked_amount("be 7 days?")
    assert default is not None and four is not None and week is not None
    assert same_amount(four, default) and not same_amount(week, default)
    assert stated_default("Up to 14 days", Dimension.TIME) is None
    mb, kb = asked_amount("be 1 MB?"), asked_amount("be 1,024 KB?")
    assert mb is not None and kb is not None and same_amount(mb, kb)


def test_bounds_more_than_the_maximum_is_outside() -> None:
    from kg.ask.bounds import BEYOND_RE, Amount, Bound, Dimension, within

    limit = [Bound(Amount(Dimension.TIME, 900.0, "900 seconds"), "upper")]
    asked = Amount(Dimension.TIME, 900.0, "15 minutes")
    assert within(asked, limit)
    assert not within(asked, limit, beyond=True)
    assert BEYOND_RE.search("Can it run for more than 15 minutes?")
    assert not BEYOND_RE.search("Can it run for 15 minutes?")
