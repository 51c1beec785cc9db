"""The question parser on invented sentences: every rule of the table fires on its own example."""

from __future__ import annotations

import re

import pytest

from kg.ask.parse import (
    AnswerType,
    Direction,
    Intent,
    as_asked,
    comparison_sides,
    excluded_spans,
    in_deck_words,
    mask,
    parse,
    parse_options,
    phrasings,
    points_back,
    rules,
    split_clauses,
)
from kg.linking import Mention


def placeholders(text: str) -> list[Mention]:
    """Mentions for the X and Y placeholders of a rule example."""
    found = re.finditer(r"\b[XY]\b", text)
    return [Mention(f"e{i}", m.group(0), m.start(), m.end(), 1.0, ()) for i, m in enumerate(found)]


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: f"{rule.group}-{rule.id}")
def test_parse_every_rule_fires_on_its_example(rule) -> None:  # type: ignore[no-untyped-def]
    parsed = parse(rule.example, placeholders(rule.example))
    if rule.group == "flow":
        assert parsed.flow is not None and parsed.flow.rule == rule.id
    else:
        assert rule.id in parsed.rules


@pytest.mark.parametrize("row", phrasings(), ids=lambda row: row.id)
def test_parse_every_phrasing_rewrites_its_example(row) -> None:  # type: ignore[no-untyped-def]
    assert in_deck_words(row.example) == row.rewritten


def test_parse_mask_replaces_the_focus_and_the_others() -> None:
    text = "Can Glue read from Kinesis?"
    mentions = [Mention("glue", "Glue", 4, 8, 1.0, ()), Mention("kds", "Kinesis", 19, 26, 1.0, ())]
    assert mask(text, mentions) == "Can X read from X?"
    assert mask(text, mentions, 1) == "Can Y read from X?"


def test_parse_words_inside_a_name_are_not_cues() -> None:
    text = "Which logs does Security Lake collect?"
    mention = Mention("security-lake", "Security Lake", 16, 29, 1.0, ())
    parsed = parse(text, [mention])
    assert parsed.intent is not Intent.SECURITY
    assert "Security" not in parsed.masked


@pytest.mark.parametrize(
    "text,direction,intent",
    [
        ("Which tools can push records into X?", Direction.IN, Intent.WRITES_TO),
        ("Where does X deliver its output?", Direction.OUT, Intent.DESTINATIONS),
        ("What can consume data from X?", Direction.OUT, Intent.READS_FROM),
        ("What triggers X?", Direction.IN, Intent.TRIGGERED_BY),
        ("Where do X get delivered to?", Direction.OUT, Intent.DESTINATIONS),
        ("Where does X get its records?", Direction.IN, Intent.SOURCES),
        ("Which databases does X support migrating from?", Direction.IN, Intent.SOURCES),
    ],
)
def test_parse_flow_direction_is_read_around_the_entity(
    text: str, direction: Direction, intent: Intent
) -> None:
    flow = parse(text, placeholders(text)).flow
    assert flow is not None and flow.direction is direction and flow.intent is intent


@pytest.mark.parametrize(
    "text,rule",
    [
        ("X tiers: which is the default and what else is there?", "values"),
        ("What distinguishes a warm X from a cold one?", "compare"),
        ("X or Y, how many times cheaper is X?", "number-ratio"),
        ("Who can run X jobs - what controls that?", "security"),
    ],
)
def test_parse_other_wordings_read_the_same_answer_kind(text: str, rule: str) -> None:
    assert rule in parse(text, placeholders(text)).rules


def test_parse_yes_no_inside_a_second_sentence() -> None:
    text = "We keep clickstream data in X. Does X compress it automatically?"
    parsed = parse(text, placeholders(text))
    assert parsed.verdict
    assert "automatically" in parsed.qualifiers


def test_parse_figure_question_names_its_dimension() -> None:
    text = "How long does X keep records?"
    parsed = parse(text, placeholders(text))
    assert parsed.answer is AnswerType.NUMBER and parsed.dimension == "time"


def test_parse_exclusions_cover_the_set_aside_phrase() -> None:
    text = "Apart from Y and Z, which stores does X support?"
    (start, end), *_ = excluded_spans(text)
    assert text[start:end].strip() == "Y and Z"
    text = "Where can I keep the index rather than the built-in store on Y, for X?"
    (start, end), *_ = excluded_spans(text)
    assert text[start:end].strip() == "the built-in store on Y"
    text = "Not counting Y, Z code or W, which tools read X?"
    (start, end), *_ = excluded_spans(text)
    assert text[start:end].strip() == "Y, Z code or W"


def test_parse_options_of_a_closed_question() -> None:
    text = "Which of these can stream to X: the agent, Y, a CLI or the console?"
    assert parse_options(text) == ("agent", "Y", "CLI", "console")


def test_parse_clauses_need_their_own_topic_words() -> None:
    assert split_clauses("How big can an item be, and how many can one call write?") == (
        "How big can an item be",
        "how many can one call write?",
    )
    assert len(split_clauses("Gateway vs interface: what's the difference?")) == 1
    assert split_clauses("What does the pool hold, and in what order does it drain?") == (
        "What does the pool hold",
        "in what order does it drain?",
    )


def test_parse_clauses_leave_out_the_scene_setting() -> None:
    text = "Apart from plain web logs, which services' logs can Athena query in S3?"
    assert split_clauses(text) == ("which services' logs can Athena query in S3?",)
    text = "Our apps moved to the new SDK. What can read those records?"
    assert split_clauses(text) == ("What can read those records?",)
    assert split_clauses("Which services can write to S3?") == ("Which services can write to S3?",)


def test_parse_comparison_sides() -> None:
    assert comparison_sides("Hot vs cold tiers: which costs less?") == ("Hot tiers", "cold tiers")
    assert comparison_sides("How do warm nodes differ from cold nodes?") == (
        "warm nodes",
        "cold nodes",
    )
    assert comparison_sides("What distinguishes tape from disk?") == ("tape", "disk")
    assert comparison_sides("Tape vs disk - which is cheaper?") == ("Tape", "disk")
    assert comparison_sides("Hot tier vs cold tier for archives?") == (
        "Hot tier for archives",
        "cold tier for archives",
    )
    assert comparison_sides("Difference between a queue and a topic?") == ("queue", "topic")
    assert comparison_sides("Should I pick tape or disk for backups?") == (
        "tape for backups",
        "disk for backups",
    )
    assert comparison_sides("Foo or Bar, what's the difference?") == ("Foo", "Bar")


def test_parse_scope_phrases_say_where_to_look() -> None:
    text = "On the X pricing slide, what does X charge?"
    assert parse(text, placeholders(text)).scope == ("pricing",)


def test_parse_registry_words_read_a_typed_relation() -> None:
    text = "Which engine is X built on?"
    reading = parse(text, placeholders(text)).reading
    assert reading is not None and reading.kind.value == "uses"
    assert reading.asked.value == "object"


def test_parse_a_choice_between_two_is_a_comparison_not_a_verdict() -> None:
    parsed = parse("For backups, should I pick tape or disk? How do they differ?", [])
    assert not parsed.verdict and parsed.intent is Intent.COMPARISON
    assert parse("Should I encrypt the bucket?", []).verdict


def test_parse_the_scene_set_before_the_question_carries_no_relation() -> None:
    text = "Our producers moved to X. What can unpack those records?"
    parsed = parse(text, placeholders(text))
    assert parsed.flow is None
    assert parsed.asking == "What can unpack those records?"
    whole = "What can write to X?"
    assert parse(whole, placeholders(whole)).flow is not None


def test_parse_that_noun_repeating_an_earlier_noun_is_an_anaphor() -> None:
    assert points_back("The library keeps checkpoints in a table. What limits that table?")
    assert not points_back("The library that already has the logic. What does it do?")
    assert not points_back("Which table stores that data?")


@pytest.mark.parametrize(
    "text,asked",
    [
        ("Quick question: what is S3 Select?", "what is S3 Select?"),
        ("Hey team, which services write to Redshift?", "which services write to Redshift?"),
        ("OK so, I turned on replication. Will it copy?", "I turned on replication. Will it copy?"),
        ("Athena, what formats?", "Athena, what formats?"),
        ("How, exactly, does it work?", "How, exactly, does it work?"),
        ("Redshift WLM: how many queues?", "Redshift WLM: how many queues?"),
    ],
)
def test_parse_a_chat_opener_is_left_out(text: str, asked: str) -> None:
    assert as_asked(text) == asked


def test_parse_a_question_without_a_final_mark_reads_as_one() -> None:
    assert as_asked("which services write to redshift") == "which services write to redshift?"
    assert as_asked("Tell me about Athena.") == "Tell me about Athena."


@pytest.mark.parametrize(
    "text,asked",
    [
        ("Can you tell me which services write to Redshift?", "Which services write to Redshift?"),
        ("Do you know if Glue can read from S3?", "Can Glue read from S3?"),
        ("I'd like to know whether Athena reads ORC", "Does Athena reads ORC?"),
        ("Can you tell me if I add a table, what reads it?", "If I add a table, what reads it?"),
        ("Tell me about Athena.", "Tell me about Athena."),
    ],
)
def test_parse_a_request_around_the_question_is_unwrapped(text: str, asked: str) -> None:
    assert as_asked(text) == asked


def test_parse_what_a_feature_can_do_is_prose_and_who_may_use_it_is_security() -> None:
    text = "What can X do for my reports?"
    assert parse(text, placeholders(text)).answer is AnswerType.VALUES
    text = "What controls who can read tables in X?"
    assert parse(text, placeholders(text)).intent is Intent.SECURITY
    text = "What can write to X?"
    assert parse(text, placeholders(text)).answer is AnswerType.ENTITIES
