"""The pipeline's own choices: when the example phrasings' vote decides the answer's shape."""

from __future__ import annotations

from kg.ask.parse import AnswerType, parse
from kg.ask.pipeline import spelled, voted_answer
from kg.linking import Mention


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


def test_pipeline_a_shorthand_the_deck_hardly_writes_is_spelled_out() -> None:
    text = "How big can a FQ message be in SB?"
    mentions = [
        Mention("fast-queue", "FQ", 14, 16, 1.0, ()),
        Mention("service-bus", "SB", 31, 33, 1.0, ()),
    ]
    labels = {"fast-queue": "Fast Queue", "service-bus": "Service Bus"}
    postings = {"fq": [], "sb": [1, 2, 3, 4]}
    assert spelled(text, mentions, labels, postings) == "How big can a Fast Queue message be in SB?"
