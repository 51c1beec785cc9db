"""Restrictions: what an "only" keeps, in the deck and in a question."""

from __future__ import annotations

from kg.ask.restrictions import CONDITION_RE, LIST_SPLIT_RE, asks_restriction, restricted_span


def test_restrictions_the_span_follows_the_word_or_precedes_a_closing_one() -> None:
    assert restricted_span("Volumes can only be attached at launch").strip() == (
        "be attached at launch"
    )
    assert restricted_span("Csv, tsv, xml only").strip() == "Csv, tsv, xml"


def test_restrictions_a_question_restricts_with_only_or_limited_to() -> None:
    assert asks_restriction("Is the loader limited to CSV files?")
    assert asks_restriction("Can the queue only take text?")
    assert not asks_restriction("Can the queue take text?")


def test_restrictions_members_and_conditions_are_read_from_the_line() -> None:
    assert [m for m in LIST_SPLIT_RE.split("XML, CSV / TSV and text") if m] == [
        "XML",
        "CSV",
        "TSV",
        "text",
    ]
    match = CONDITION_RE.search("be attached when launching a cluster")
    assert match and match.group(1) == "launching a cluster"
