"""Recall of relation statements on 60 seeded slides of the real deck, and the precision audit.

tests/data/recall-sample.jsonl lists, by hand, the relation statements the text of 60 slides makes
(slides drawn with random.Random(9) from the deck's content slides); tests/data/fact-audit.jsonl
holds 100 facts of the graph (audit_draw: relations, listings and limits, ranked by a seeded hash)
each judged against its slide: verdict and reason. Run with `-s` to see the tables.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest

from ingest.pipeline import Extraction, extract_decks
from ingest.slides import read_deck
from kg.registry import RELATIONS, RelationKind
from kg.settings import SHARED_DECK
from kg.types import Entity, Fact

DATA = Path(__file__).parent.parent / "data"
SAMPLE = DATA / "recall-sample.jsonl"
AUDIT = DATA / "fact-audit.jsonl"
SEED = 9
SLIDES = 60
# The table reports kinds at this grain: refinements count for their family.
FAMILY = {
    RelationKind.LOADS: RelationKind.FLOW,
    RelationKind.QUERIES_IN_PLACE: RelationKind.FLOW,
    RelationKind.MIGRATION_SOURCE: RelationKind.MIGRATES,
    RelationKind.MIGRATION_TARGET: RelationKind.MIGRATES,
}
# Floors under the figures measured when written (recall 0.90, precision 0.93): regressions fail.
RECALL_FLOOR = 0.85
PRECISION_FLOOR = 0.90
# Share of audited facts that must still be in the graph for the audit to describe it.
STILL_PRESENT = 0.9

pytestmark = [pytest.mark.slow, pytest.mark.deck]


@pytest.fixture(scope="module")
def extraction(gazetteer: dict[str, Entity]) -> Extraction:
    """Facts of the real deck; skipped when the deck is absent."""
    if not SHARED_DECK.exists():
        pytest.skip(f"the real deck is not at {SHARED_DECK}")
    return extract_decks([SHARED_DECK], gazetteer)


def sampled_slides() -> list[int]:
    """The 60 slides of the recall sample: seeded draw among content slides."""
    slides = [
        s for s in read_deck(SHARED_DECK) if s.body and s.domain not in ("", "Exam Preparation")
    ]
    return sorted(random.Random(SEED).sample([s.number for s in slides], SLIDES))


def family(kind: RelationKind | None) -> str:
    """The kind as the recall table reports it."""
    return str(FAMILY.get(kind, kind)) if kind is not None else ""


def same_end(found: str, wanted: str, gazetteer: Mapping[str, Entity]) -> bool:
    """An end matches itself or, for a part, its parent ("Redshift COPY" for Redshift)."""
    return found == wanted or gazetteer.get(found, Entity("", "", "")).part_of == wanted


def holds(statement: dict[str, object], facts: list[Fact], gazetteer: Mapping[str, Entity]) -> bool:
    """Whether a fact of the statement's slide, kind and polarity joins its two ends."""
    kind = RelationKind(str(statement["kind"]))
    undirected = not RELATIONS[kind].directed
    for fact in facts:
        if fact.slide != statement["slide"] or family(fact.relation) != kind.value:
            continue
        if fact.negated != statement["negated"] or fact.object is None:
            continue
        # A query in place is a read: "Athena queries S3" is the flow S3 -> Athena.
        forward = (fact.subject, fact.object)
        if fact.relation is RelationKind.QUERIES_IN_PLACE:
            forward = (fact.object, fact.subject)
        ends = [forward] + ([forward[::-1]] if undirected else [])
        if any(
            same_end(a, str(statement["subject"]), gazetteer)
            and same_end(b, str(statement["object"]), gazetteer)
            for a, b in ends
        ):
            return True
    return False


def test_recall_sample_is_the_seeded_draw() -> None:
    if not SHARED_DECK.exists():
        pytest.skip(f"the real deck is not at {SHARED_DECK}")
    statements = [json.loads(line) for line in SAMPLE.read_text().splitlines()]
    assert {s["slide"] for s in statements} <= set(sampled_slides())


def test_recall_of_hand_listed_statements(
    extraction: Extraction, gazetteer: dict[str, Entity]
) -> None:
    statements = [json.loads(line) for line in SAMPLE.read_text().splitlines()]
    relations = [f for f in extraction.facts if f.kind == "relation"]
    total, found = Counter[str](), Counter[str]()
    for statement in statements:
        total[statement["kind"]] += 1
        found[statement["kind"]] += holds(statement, relations, gazetteer)
    print("\nkind            found/listed")
    for kind in sorted(total):
        print(f"{kind:15} {found[kind]:3}/{total[kind]:3}  {found[kind] / total[kind]:.2f}")
    overall = sum(found.values()) / sum(total.values())
    print(f"{'overall':15} {sum(found.values()):3}/{sum(total.values()):3}  {overall:.2f}")
    assert overall >= RECALL_FLOOR


def audit_kind(fact: Fact) -> str:
    """The kind an audited fact is reported under: its relation kind, or its fact kind."""
    return str(fact.relation) if fact.relation is not None else str(fact.kind)


def text_digest(text: str) -> str:
    """A plain-text member as the fixture keeps it: a digest, so the fixture quotes no deck text
    (the member is read on its slide's lines)."""
    return "text#" + hashlib.sha256(text.encode()).hexdigest()[:12]


def describe(fact: Fact) -> str:
    """A fact as the audit fixture writes it."""
    if fact.kind == "listing":
        members = ", ".join(m.entity or text_digest(m.text) for m in fact.members)
        return f"{fact.subject} listing[{fact.role}] {fact.header!r}: {members}"
    if fact.limit is not None:
        q = fact.limit
        return f"{fact.subject} limit {q.quantity} = {q.value:g} {q.unit} [{q.qualifier}]"
    negated = "NOT " if fact.negated else ""
    return f"{negated}{fact.subject} {fact.relation} {fact.object}"


def audited(fact: Fact) -> bool:
    """Whether a fact is in the audit's population: what the graph states between entities
    (relations, listings) and the figures; not mentions, and not diagram adjacency, which
    claims only that two boxes are drawn side by side."""
    if fact.kind == "relation":
        return fact.relation is not RelationKind.ADJACENT
    return fact.kind in ("listing", "limit")


def audit_rank(row: tuple[str, int, int, int]) -> str:
    """A fact's place in the seeded draw: a hash of the seed and the fact, so a change to a
    few facts of the graph changes only their own places, not the whole sample."""
    return hashlib.sha256(f"{SEED}|{row}".encode()).hexdigest()


def audit_draw(facts: list[Fact], size: int = 100) -> list[dict[str, object]]:
    """The seeded sample of facts the audit judges (the `size` lowest audit_rank), as fixture
    rows without verdicts."""
    rows = {
        (describe(f), f.slide, f.line_start, f.line_end): audit_kind(f) for f in facts if audited(f)
    }
    drawn = sorted(rows, key=audit_rank)[:size]
    return [
        {"fact": fact, "kind": rows[(fact, slide, a, b)], "slide": slide, "lines": [a, b]}
        for fact, slide, a, b in sorted(drawn, key=lambda row: (row[1], row[2], row[0]))
    ]


def test_recall_audit_describes_the_current_graph(extraction: Extraction) -> None:
    """The audited facts are (nearly all) still facts of the graph: an audit of an older graph
    is stale, and must be drawn and judged again (audit_draw)."""
    verdicts = [json.loads(line) for line in AUDIT.read_text().splitlines()]
    current = {(describe(f), f.slide) for f in extraction.facts if audited(f)}
    present = sum((row["fact"], row["slide"]) in current for row in verdicts)
    print(f"\naudited facts still in the graph: {present}/{len(verdicts)}")
    assert present >= STILL_PRESENT * len(verdicts)


def test_recall_audit_precision() -> None:
    verdicts = [json.loads(line) for line in AUDIT.read_text().splitlines()]
    assert len(verdicts) == 100
    by_kind: dict[str, Counter[str]] = {}
    for row in verdicts:
        by_kind.setdefault(row["kind"], Counter())[row["verdict"]] += 1
    print("\nkind            correct/audited")
    for kind, counts in sorted(by_kind.items()):
        print(f"{kind:15} {counts['correct']:3}/{sum(counts.values()):3}")
    correct = sum(1 for row in verdicts if row["verdict"] == "correct")
    print(f"{'overall':15} {correct:3}/100")
    assert correct / 100 >= PRECISION_FLOOR
