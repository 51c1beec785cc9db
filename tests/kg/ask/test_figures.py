"""Figures read from passage text, and the dimension a question asks for."""

from __future__ import annotations

from kg.ask.figures import Figure, fits, text_figures
from kg.ask.store import Passage


def test_figures_numbers_with_units_from_text() -> None:
    passage = Passage(0, "d", 1, "bullet", "Keeps data 5 days and costs $0.02 per GB", 10, 10)
    found = {(f.text, f.dimension) for f in text_figures(passage)}
    assert ("5 days", "time") in found
    assert ("$0.02", "money") in found


def test_figures_fit_the_asked_dimension() -> None:
    day = Figure("5 days", 5.0, "days", "", "time", 1)
    assert fits(day, "time") and not fits(day, "money") and fits(day, "")


def test_figures_a_question_asking_two_figures_is_told_apart() -> None:
    from kg.ask.compose import NUMBER_ASK_RE

    assert len(NUMBER_ASK_RE.findall("How many pools can one hold, and how many at start?")) == 2
    assert len(NUMBER_ASK_RE.findall("What is the maximum message size?")) == 1
