"""The pipeline's own choices: when the example phrasings' vote decides the answer's shape."""

from __future__ import annotations

from kg.ask.parse import AnswerType, parse
from kg.ask.pipeline import voted_answer


def test_pipeline_a_yes_no_question_without_a_figure_keeps_its_shape() -> None:
    parsed = parse("Will the objects already there get copied automatically?", [])
    assert parsed.verdict
    assert voted_answer(parsed, AnswerType.NUMBER) is parsed.answer


def test_pipeline_a_yes_no_question_with_a_figure_may_ask_for_one() -> None:
    parsed = parse("Can a message be larger than 256 KB?", [])
    assert voted_answer(parsed, AnswerType.NUMBER) is AnswerType.NUMBER


def test_pipeline_a_question_without_a_verdict_takes_the_vote() -> None:
    parsed = parse("Tell me about shard splitting", [])
    assert voted_answer(parsed, AnswerType.NUMBER) is AnswerType.NUMBER
