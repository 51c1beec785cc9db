"""Locating a slide's facts in its text (invented slide text)."""

from __future__ import annotations

from api.ui.marks import Span, candidates, locate, mark_text, normalise

SLIDE = (
    "• Inputs: Alpha Stream, Beta Logs\n• Outputs:\n• Gamma Store\n"
    "• Fully managed and near real-\ntime delivery"
)


def marked(spans: list[Span]) -> list[tuple[str, tuple[int, ...]]]:
    return [(span.text, span.facts) for span in spans if span.facts]


def test_marks_normalise_joins_broken_words_and_collapses_space() -> None:
    text, origin = normalise("near real-\n  time\n\nDelivery")
    assert text == "near real-time delivery"
    assert len(origin) == len(text)
    assert (origin[9], origin[10]) == (9, 13)  # the hyphen, then the "t" after the line break


def test_marks_candidates_try_the_bullet_after_its_header() -> None:
    assert candidates("Outputs: Gamma Store") == ["Outputs: Gamma Store", "Gamma Store"]
    assert candidates("plain sentence") == ["plain sentence"]


def test_marks_locate_whole_sentence() -> None:
    start, end = locate(SLIDE, "Inputs: Alpha Stream, Beta Logs") or (0, 0)
    assert SLIDE[start:end] == "Inputs: Alpha Stream, Beta Logs"


def test_marks_locate_bullet_under_its_header() -> None:
    start, end = locate(SLIDE, "Outputs: Gamma Store") or (0, 0)
    assert SLIDE[start:end] == "Gamma Store"


def test_marks_locate_sentence_broken_over_lines() -> None:
    start, end = locate(SLIDE, "Fully managed and near real-time delivery") or (0, 0)
    assert SLIDE[start:end] == "Fully managed and near real-\ntime delivery"


def test_marks_locate_missing_phrase() -> None:
    assert locate(SLIDE, "Delta Engine reads from Gamma Store") is None


def test_marks_mark_text_keeps_every_character_and_shares_spans() -> None:
    spans = mark_text(SLIDE, ["Outputs: Gamma Store", "Gamma Store", "not on the slide"])
    assert "".join(span.text for span in spans) == SLIDE
    assert marked(spans) == [("Gamma Store", (0, 1))]
