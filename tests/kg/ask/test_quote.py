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
