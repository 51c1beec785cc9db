"""Reported confidence: the measured rate of the answer's shape, lowered for a one-item list and
an open verdict."""

from __future__ import annotations

from kg.ask.confidence import calibrated, table
from kg.types import Answer, Item


def test_confidence_one_item_list_is_low_and_longer_list_takes_the_base() -> None:
    one = Answer("q", "A", "sources", items=(Item("A", "a"),))
    two = Answer("q", "A; B", "listing", items=(Item("A", "a"), Item("B", "b")))
    assert calibrated(one) == table()["adjust"]["single_item_list"]
    assert calibrated(two) == table()["base"]["list"]
    assert calibrated(one) < calibrated(two)


def test_confidence_open_verdict_and_unknown_shape() -> None:
    assert calibrated(Answer("q", "The deck does not say.", "yes_no")) == 0.3
    assert calibrated(Answer("q", "Yes.", "yes_no", verdict="yes")) == table()["base"]["yes_no"]
    assert calibrated(Answer("q", "x", "something_new")) == table()["base"]["search"]


def test_confidence_figures_are_shares() -> None:
    figures = table()
    assert all(0.0 < v <= 0.9 for v in [*figures["base"].values(), *figures["adjust"].values()])
