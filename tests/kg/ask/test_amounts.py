"""kg/ask/amounts.py: amounts with their units, in base units, and how formulas show them."""

from __future__ import annotations

import pytest

from kg.ask.amounts import Measure, ceil, read_amounts, show, show_duration


@pytest.mark.parametrize(
    ("text", "measure", "base", "shown"),
    [
        ("16 eventually consistent reads per second", Measure.RATE, 16, "16 reads/s"),
        ("120 items per minute", Measure.RATE, 2, "120 items/min"),
        ("3000 records/s", Measure.RATE, 3000, "3,000 records/s"),
        ("12 KB", Measure.SIZE, 12 * 1024, "12 KB"),
        ("5 kilobytes", Measure.SIZE, 5 * 1024, "5 KB"),
        ("1MB/s", Measure.BYTERATE, 1024**2, "1 MB/s"),
        ("2 MB/sec", Measure.BYTERATE, 2 * 1024**2, "2 MB/s"),
        ("1Gbps", Measure.BITRATE, 1e9, "1 Gbps"),
        ("500 Mbps", Measure.BITRATE, 5e8, "500 Mbps"),
        ("30K seconds", Measure.TIME, 30_000, "30,000 seconds"),
        ("12 days", Measure.TIME, 12 * 86_400, "12 days"),
        ("$0.023", Measure.MONEY, 0.023, "$0.023"),
        ("99.9%", Measure.PERCENT, 99.9, "99.9%"),
        ("7 shards", Measure.COUNT, 7, "7"),
    ],
)
def test_amounts_read_their_unit_and_base(
    text: str, measure: Measure, base: float, shown: str
) -> None:
    (amount,) = read_amounts(text)
    assert amount.measure is measure
    assert amount.base == pytest.approx(base)
    assert amount.shown == shown


def test_amounts_fold_math_italics() -> None:
    # The deck's formulas print units in mathematical italics.
    (amount,) = read_amounts("4 \U0001d43e\U0001d435")
    assert (amount.measure, amount.unit) == (Measure.SIZE, "KB")


def test_amounts_count_keeps_the_noun_after_it() -> None:
    (amount,) = read_amounts("7 shards")
    assert amount.noun == "shards"


def test_amounts_show_numbers_and_durations() -> None:
    assert [show(3000), show(4.5), show(0.0036), show(5.333333)] == [
        "3,000",
        "4.5",
        "0.0036",
        "5.33",
    ]
    assert show_duration(30 * 3600) == "30 hours"
    assert show_duration(12 * 86_400) == "12 days"
    assert show_duration(86_400) == "24 hours"
    assert show_duration(3 * 365 * 86_400) == "3 years"


def test_amounts_ceil_forgives_float_noise() -> None:
    assert ceil(3.0000000000001) == 3
    assert ceil(3.2) == 4
