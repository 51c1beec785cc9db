"""The answer's budget: parts fill it in order, a part that does not fit is cut or left out."""

from __future__ import annotations

from kg.ask.quote import fill


def test_quote_fill_keeps_parts_that_fit() -> None:
    assert fill(["a" * 10, "b" * 10], budget=30) == "a" * 10 + " " + "b" * 10


def test_quote_fill_cuts_a_long_last_part() -> None:
    text = fill(["a" * 100, "b" * 400], budget=200)
    assert len(text) <= 200 and text.endswith("…") and "b" in text


def test_quote_fill_drops_a_part_with_too_little_room() -> None:
    assert fill(["a" * 180, "b" * 100], budget=200) == "a" * 180


BLOCK = '"No chaining: A replicates to B; B to C" (slide 9, Replication (Notes)).'


def test_quote_fill_drops_a_line_quoted_again_after_its_block() -> None:
    again = '"No chaining: B to C" (slide 9, Replication (Notes)).'
    assert fill([BLOCK, again]) == BLOCK


def test_quote_fill_drops_repeats_inside_a_composed_part() -> None:
    other = '"Only new objects replicate" (slide 9, Replication (Notes)).'
    composed = f'"No chaining: A replicates to B" (slide 9, Replication (Notes)). {other}'
    assert fill([BLOCK, composed]) == f"{BLOCK} {other}"


def test_quote_fill_keeps_a_quote_that_adds_a_line() -> None:
    more = '"No chaining: A replicates to B; Only new objects" (slide 9, Replication (Notes)).'
    assert fill([BLOCK, more]) == f"{BLOCK} {more}"
