"""Names the question writes: runs of capitalised words stand out unless the question is in title
case."""

from __future__ import annotations

from kg.ask.compose import name_runs, title_cased


def test_abstain_name_runs_skip_the_first_word_and_function_words() -> None:
    assert name_runs("What is the size of an Azure Blob Storage block blob?") == [
        "Azure Blob Storage"
    ]
    assert name_runs("How do I set up Route 53 health checks?") == ["Route 53"]
    assert name_runs("A link to X. Which AWS resources can Y reach?") == []


def test_abstain_title_case_questions_have_no_standing_out_names() -> None:
    assert title_cased("What Is The Maximum Size Of A Queue Message?")
    assert not title_cased("What is the maximum size of an Azure Blob Storage blob?")
