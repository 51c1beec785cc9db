"""Words and stems: word forms of one idea meet at one stem; stopwords carry no topic."""

from __future__ import annotations

import tomllib

import pytest

from kg.ask.text import (
    FAMILIES_FILE,
    compound_parts,
    content_stems,
    families,
    known_stems,
    stem,
    used_stems,
)


def test_text_word_forms_meet_at_one_stem() -> None:
    assert stem("replicated") == stem("replication") == stem("replicates")
    assert stem("aggregate") == stem("aggregation")


def test_text_british_and_american_spellings_meet() -> None:
    assert stem("analysing") == stem("analyze") == stem("analysis")
    assert stem("optimise") == stem("optimize")


def test_text_short_words_and_numbers_keep_their_form() -> None:
    assert stem("kms") == "kms"
    assert stem("10,000") == "10000"


def test_text_content_stems_drop_question_words() -> None:
    assert content_stems("What is the maximum retention of a queue?") == [
        "max",
        "retent",
        "queue",
    ]


def test_text_unknown_compound_splits_into_known_words() -> None:
    known = {stem("data"), stem("shares"), stem("stream")}
    assert known_stems("datashares retention", known) == ["data", "share", "retent"]
    assert compound_parts("zzzqqq", known) == []


def test_text_a_superlative_meets_its_bound() -> None:
    assert content_stems("the largest object") == content_stems("the max object")
    assert content_stems("Maximum object size") == content_stems("max object size")
    assert content_stems("smallest billable size") == content_stems("minimum billable size")


def test_text_a_direction_particle_pairs_with_its_verb() -> None:
    assert "scale_down" in content_stems("In which way does the pool scale down?", pairs=True)
    assert "scale_down" not in content_stems("Scale-up first, then wait", pairs=True)
    assert "scale_down" not in content_stems("In which way does the pool scale down?")
    assert "scale_down" in known_stems("scales down", {stem("scale")})


FAMILIES = tomllib.loads(FAMILIES_FILE.read_text(encoding="utf-8"))["family"]


@pytest.mark.parametrize("row", FAMILIES, ids=lambda row: str(row["id"]))
def test_text_a_word_family_joins_its_example(row: dict[str, str]) -> None:
    asked = set(content_stems(row["question"])) & set(families())
    assert asked and used_stems(asked, content_stems(row["passage"])) == asked


def test_text_words_of_no_family_need_their_own_stem() -> None:
    assert used_stems({stem("encrypt")}, content_stems("Data is scaled and moved")) == set()
