"""Verdict cues: every pattern of kg/data/verdict_cues.toml reads its own example sentence."""

from __future__ import annotations

import tomllib

import pytest

from kg.ask.verdicts import (
    AFTER_CREATION_RE,
    ANTI_PATTERN_HEADER,
    ANTI_PATTERN_TITLE,
    CUES_FILE,
    NEED_RE,
    addressed_text,
    says,
)

CUES = tomllib.loads(CUES_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "kind,row", [(kind, row) for kind, rows in CUES.items() for row in rows], ids=str
)
def test_verdicts_cue_reads_its_example(kind: str, row: dict[str, str]) -> None:
    assert says(kind, row["example"])


def test_verdicts_a_plain_statement_is_no_negation() -> None:
    assert not says("negation", "Snapshots are copied to a second region every hour")


def test_verdicts_a_set_aside_alternative_is_not_what_a_passage_speaks_of() -> None:
    text = addressed_text("Works against collections instead of provisioned domains; scales")
    assert "provisioned" not in text and "collections" in text and "scales" in text
    assert "Bob" not in addressed_text("Alice rather than Bob edits")


def test_verdicts_no_need_is_no_negation_of_a_capability() -> None:
    assert not says("negation", "Interactive SQL: No need to load data, it stays in S3")
    assert says("unneeded", "Interactive SQL: No need to load data, it stays in S3")
    assert NEED_RE.search("Do I need to load data first?")
    assert not NEED_RE.search("Can it query Parquet?")


def test_verdicts_an_anti_pattern_no_longer_is_none() -> None:
    assert ANTI_PATTERN_TITLE.search("Queue anti-patterns")
    assert not ANTI_PATTERN_TITLE.search("No longer an anti-pattern: streaming")
    assert ANTI_PATTERN_HEADER.match("Anti Pattern")
    assert not ANTI_PATTERN_HEADER.match("Anti Pattern: use RDS instead of joins here")


def test_verdicts_a_hedge_before_an_asked_word_denies_it() -> None:
    from kg.ask.link import Linked
    from kg.ask.parse import parse
    from kg.ask.plan import make_plan
    from kg.ask.verdicts import hedged

    def plan_of(text: str):  # type: ignore[no-untyped-def]
        return make_plan(parse(text, []), Linked((), (), (), ()))

    text = "Fully managed; Near real time; Automated scaling"
    assert hedged(plan_of("Is it real time?"), text)
    assert not hedged(plan_of("Is it near real time?"), text)
    assert not hedged(plan_of("Is it fully managed?"), text)


def test_verdicts_set_at_creation_denies_doing_it_later() -> None:
    assert AFTER_CREATION_RE.search("Can I add an index after it has been created?")
    assert AFTER_CREATION_RE.search("Can I turn it on for an existing table?")
    assert not AFTER_CREATION_RE.search("Can I add an index to a table?")
    assert says("creation", "Must be defined at table creation time")
    assert says("creation", "Can only be turned on when a bucket is created")


def test_verdicts_a_contrast_pair_reads_its_example_and_question() -> None:
    from kg.ask.verdicts import contrasts

    rows = CUES["contrast"]
    assert len(contrasts()) == len(rows)
    for (kept, asked), row in zip(contrasts(), rows, strict=True):
        assert kept.search(row["example"]) and asked.search(row["question"])
        assert not asked.search(row["example"])


def test_verdicts_a_label_is_a_short_name_before_a_colon() -> None:
    from kg.ask.verdicts import LABEL_RE

    match = LABEL_RE.match("Task node: runs tasks, hosts no data")
    assert match and match.group(1) == "Task node"
    assert not LABEL_RE.match("Runs tasks, then: hosts no data")
    assert not LABEL_RE.match("Header only:")


def test_verdicts_optional_denies_only_what_happens_on_its_own() -> None:
    from kg.ask.verdicts import ON_ITS_OWN_RE

    assert says("optional", "Optionally, you can copy the old rows with a batch job")
    assert ON_ITS_OWN_RE.search("Will old rows be copied when I turn it on?")
    assert ON_ITS_OWN_RE.search("Are old rows copied automatically?")
    assert not ON_ITS_OWN_RE.search("Can I copy the old rows?")


def test_verdicts_no_limit_is_unbounded_not_only_a_negation() -> None:
    assert says("unbounded", "No limit to how many rows a table holds")
    assert says("unbounded", "Can a table hold an unlimited number of rows?")
    assert not says("unbounded", "Max of 10 rows per call")


def test_verdicts_the_clause_of_the_asked_feature_states_the_other_state() -> None:
    from kg.ask.link import Linked
    from kg.ask.parse import parse
    from kg.ask.plan import make_plan
    from kg.ask.verdicts import opposite_state

    def plan_of(text: str):  # type: ignore[no-untyped-def]
        return make_plan(parse(text, []), Linked((), (), (), ()))

    line = "Deletion guard on by default, auto-stop off"
    assert opposite_state(plan_of("Is the deletion guard off by default?"), line)
    assert not opposite_state(plan_of("Is the deletion guard on by default?"), line)
    assert opposite_state(plan_of("Is auto-stop enabled by default?"), line)
    assert not opposite_state(plan_of("Is auto-stop off by default?"), line)


def test_verdicts_an_opposite_pair_reads_its_example_and_question() -> None:
    from kg.ask.verdicts import cue_pairs

    for (stated, asked), row in zip(cue_pairs("opposite"), CUES["opposite"], strict=True):
        assert stated.search(row["example"]) and asked.search(row["question"])
