"""Cue patterns of ingest/data/cues.jsonl: each pattern's test sentence, and the matcher rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import spacy

from ingest.cues import CueKind, CuePattern, make_cue_matcher, read_patterns, resolve
from ingest.extract import extract_facts
from ingest.relations import Span
from ingest.segment import segment_slide
from kg.registry import RELATIONS, RelationKind
from kg.types import Entity, Fact, Slide

PATTERNS = read_patterns()
blank = spacy.blank("en")


def bullet_facts(
    sentence: str, find: Callable[[str], list[Span]], gazetteer: dict[str, Entity]
) -> list[Fact]:
    """Facts of a one-bullet slide whose title names nothing."""
    slide = Slide("cues", 1, "Notes", "", 1, 2, ((2, f"• {sentence}"),))
    return extract_facts(slide, segment_slide(slide), find, gazetteer)


@pytest.mark.parametrize(
    "pattern", PATTERNS, ids=[f"{n}-{p.label}-{p.side}" for n, p in enumerate(PATTERNS)]
)
def test_cues_every_pattern_matches_its_sentence(
    pattern: CuePattern, find: Callable[[str], list[Span]], gazetteer: dict[str, Entity]
) -> None:
    alone = make_cue_matcher([pattern], blank)
    assert alone(pattern.example), f"{pattern.pattern} does not match {pattern.example!r}"
    if not pattern.expect:
        return
    # With every other pattern present, the sentence yields the relation the pattern cues.
    subject, obj = pattern.expect
    found = {
        (f.subject, f.relation, f.object)
        for f in bullet_facts(pattern.example, find, gazetteer)
        if f.kind == "relation" and not f.negated
    }
    kind = RelationKind(pattern.label)
    undirected = not RELATIONS[kind].directed
    expected = {(subject, kind, obj)} | ({(obj, kind, subject)} if undirected else set())
    assert found & expected, f"{pattern.example!r} gave {found}"


def test_cues_every_relation_kind_has_a_pattern() -> None:
    cued = {p.label for p in PATTERNS}
    # partOf comes from the gazetteer, adjacency from diagram label groups: no sentence cues.
    assert {k.value for k in RelationKind} - cued == {"partOf", "adjacent", "migrates"}
    assert {k.value for k in CueKind} <= cued


def test_cues_lazy_gap_takes_the_nearest_preposition() -> None:
    cues = resolve(make_cue_matcher()("Firehose writes records to S3 and copies them to Redshift"))
    flows = [c for c in cues if c.kind is not None]
    assert flows[0].text == "writes records to"


def test_cues_a_cue_inside_an_entity_name_is_not_a_cue(
    find: Callable[[str], list[Span]], gazetteer: dict[str, Entity]
) -> None:
    # "Streams" in "Kinesis Data Streams" is a name, not the verb "streams ... to".
    facts = bullet_facts("Kinesis Data Streams to Amazon S3 is a common pair", find, gazetteer)
    assert not [f for f in facts if f.kind == "relation"]


def test_cues_unknown_label_is_rejected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cues.jsonl"
    path.write_text('{"label": "befriends", "pattern": [{"LOWER": "x"}], "example": "x"}\n')
    with pytest.raises(ValueError, match="befriends"):
        read_patterns(path)
