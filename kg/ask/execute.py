"""Run a plan: the only stage that touches the store and the index."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from kg.ask.index import AskIndex
from kg.ask.parse import Direction, Intent
from kg.ask.plan import Plan, entity_stems
from kg.ask.retrieve import Ranked, rank_blocks
from kg.ask.text import known_stems
from kg.graph import entity_iri, id_from_iri, rendered_query, run_select
from kg.kb import KB
from kg.registry import RELATIONS, RelationKind, Side

# What a flow intent looks up around its focus: the relation kind and the focus's end ("in": the
# focus receives, so its partners are subjects).
FLOW_LOOKUPS: dict[Intent, tuple[tuple[RelationKind, tuple[str, ...]], ...]] = {
    Intent.WRITES_TO: ((RelationKind.FLOW, ("in",)),),
    Intent.SOURCES: ((RelationKind.FLOW, ("in",)),),
    Intent.READS_FROM: ((RelationKind.FLOW, ("out",)),),
    Intent.DESTINATIONS: ((RelationKind.FLOW, ("out",)),),
    Intent.TRIGGERED_BY: ((RelationKind.TRIGGERS, ("in",)),),
    Intent.TRIGGERS: ((RelationKind.TRIGGERS, ("out",)),),
    # "what does X integrate / work with": stated integrations and data flow either way.
    Intent.INTEGRATIONS: (
        (RelationKind.INTEGRATES, ("in", "out")),
        (RelationKind.FLOW, ("in", "out")),
    ),
}
FLIP = {"in": "out", "out": "in"}


@dataclass
class Evidence:
    """What the plan found: ranked blocks (whole question and each clause) and graph rows."""

    ranked: list[Ranked]
    clauses: list[list[Ranked]] = field(default_factory=list)
    sides: list[list[Ranked]] = field(default_factory=list)
    shared: list[list[Ranked]] = field(default_factory=list)
    relation_rows: list[dict[str, Any]] = field(default_factory=list)
    sparql: list[str] = field(default_factory=list)


def ask_index(kb: KB) -> AskIndex:
    """The KB's answering index; it is built when the KB is loaded with its encoder."""
    if kb.ask is None:
        raise RuntimeError("this KB was loaded without its passage index")
    index: AskIndex = kb.ask
    return index


def anchors(kb: KB, entities: Sequence[str]) -> tuple[dict[tuple[str, int], int], set[int]]:
    """Slides about or mentioning the entities (or their parts), and blocks naming them."""
    index = ask_index(kb)
    slides: dict[tuple[str, int], int] = {}
    blocks: set[int] = set()
    for entity in dict.fromkeys(entities):
        for slide, about in (kb.entity_slides or {}).get(str(entity_iri(entity)), {}).items():
            info = kb.slides.get(slide)
            if info is not None:
                # A slide about two of the asked entities ("X vs Y") counts for both.
                place = (info.deck, info.number)
                slides[place] = slides.get(place, 0) + about
        blocks |= index.entity_blocks.get(entity, set())
    return slides, blocks


def search(
    kb: KB,
    text: str,
    vector: np.ndarray[Any, Any] | None,
    entities: Sequence[str],
    named: Collection[str] = (),
    scope: Sequence[str] = (),
) -> list[Ranked]:
    """Blocks ranked for a text, anchored on its entities; the words of entity names (`named`)
    are left to the anchors, which know every alias, instead of matching on their own."""
    index = ask_index(kb)
    slides, blocks = anchors(kb, entities)
    stems = known_stems(text, index.store.idf)
    return rank_blocks(
        index.store,
        index.scores,
        query_stems=stems,
        damped=named,
        scope=scope,
        query_vector=vector,
        vectors=kb.vectors,
        anchor_slides=slides,
        anchor_blocks=blocks,
    )


def relation_rows(kb: KB, intent: Intent, focus: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Graph rows of the flow relation around the focus entity and its parts, with the SPARQL."""
    family = [focus, *parts_of(kb, focus)]
    rows: list[dict[str, Any]] = []
    sparql: list[str] = []
    lookups = []
    for kind, ends in FLOW_LOOKUPS[intent]:
        spec = RELATIONS[kind]
        lookups.append((spec.predicate, ends))
        if spec.inverse is not None and spec.inverse != spec.predicate:
            # X readsFrom Y (or queries Y in place) says Y's data flows into X.
            lookups.append((spec.inverse, tuple(FLIP[end] for end in ends)))
    members = [entity_iri(member) for member in family]
    predicates = list(dict.fromkeys(predicate for predicate, _ in lookups))
    # One runnable query for the answer: every (entity, property) pair the rows came from.
    sparql.append(rendered_query(kb.book, "related", entity=members, predicate=predicates))
    for predicate, wanted in lookups:
        for member in family:
            bindings: dict[str, Any] = {"entity": entity_iri(member), "predicate": predicate}
            for row in run_select(kb.store, kb.book, "related", **bindings):
                other = id_from_iri(row["other"])
                known = kb.entities.get(other)
                if row["direction"] not in wanted or known is None or other == focus:
                    continue
                rows.append(
                    row | {"entity": row["other"], "label": known.label, "type": known.type}
                )
    return rows, sparql


def parts_of(kb: KB, entity: str) -> list[str]:
    """The entity's parts, and theirs, in the gazetteer's part-of tree."""
    children: dict[str, list[str]] = {}
    for part, parent in kb.parts.items():
        children.setdefault(parent, []).append(part)
    out: list[str] = []
    stack = list(children.get(entity, []))
    while stack:
        part = stack.pop()
        if part not in out:
            out.append(part)
            stack.extend(children.get(part, []))
    return out


def related_rows(
    kb: KB, kind: RelationKind, focus: str, asked: Side
) -> tuple[list[dict[str, Any]], list[str]]:
    """Graph rows of a registry relation (and its sub-properties) at the focus entity, keeping the
    asked end: its subjects ("what uses X") or its objects ("what does X use")."""
    spec = RELATIONS[kind]
    bindings: dict[str, Any] = {"entity": entity_iri(focus), "predicate": spec.predicate}
    rows = run_select(kb.store, kb.book, "related", **bindings)
    wanted = "in" if asked is Side.SUBJECT else "out"
    kept = []
    for row in rows:
        if spec.directed and row["direction"] != wanted:
            continue
        other = id_from_iri(row["other"])
        entity = kb.entities.get(other)
        kept.append(row | {"entity": row["other"], "type": entity.type if entity else ""})
    return kept, [rendered_query(kb.book, "related", **bindings)]


def comparison_sides(kb: KB, plan: Plan) -> list[str]:
    """The compared sides: as the question words them, else its entities' labels."""
    if plan.parsed.sides:
        return list(plan.parsed.sides)
    if plan.intent is Intent.COMPARISON and len(plan.linked.entities) >= 2:
        return [kb.labels.get(e, e) for e in plan.linked.entities[:3]]
    return []


def side_query(plan: Plan, side: str) -> str:
    """One compared side with what the question asks about it ("FIFO queues: ordering")."""
    rest = plan.text
    for other in plan.parsed.sides:
        if other != side:
            rest = rest.replace(other, " ")
    return f"{side}: {rest}"


def sharing_queries(plan: Plan) -> list[tuple[str, str]]:
    """For "what do X and Y have in common", the question once for each of the two: "both P of X
    and Q of Y" splits at its "and" (the head kept for each), else the other's name is left out."""
    if not plan.parsed.shared:
        return []
    mentions = {m.entity: m for m in plan.linked.mentions}
    named = sorted(
        (mentions[e] for e in plan.linked.entities[:2] if e in mentions), key=lambda m: m.start
    )
    if len(named) < 2:
        return []
    text = plan.text
    both = BOTH_RE.search(text, 0, named[0].start)
    joint = AND_RE.search(text, named[0].end, named[1].start)
    first, second = named[0].entity, named[1].entity
    if both is not None and joint is not None:
        head = text[: both.start()]
        return [(text[: joint.start()], first), (head + text[joint.end() :], second)]
    return [
        (text[: named[1].start] + text[named[1].end :], first),
        (text[: named[0].start] + text[named[0].end :], second),
    ]


# "both" opens the two parts of a shared question; "and" between the two names splits them.
BOTH_RE: Final = re.compile(r"\bboth\b\s*", re.IGNORECASE)
AND_RE: Final = re.compile(r"\s+and\s+", re.IGNORECASE)


def execute(plan: Plan, kb: KB, vector: np.ndarray[Any, Any] | None = None) -> Evidence:
    """Retrieve blocks for the question and its clauses; read graph edges for relation plans."""
    labels = " ".join(kb.labels.get(e, e) for e in plan.linked.entities)
    clauses = [
        clause if any(m.text in clause for m in plan.linked.mentions) else f"{labels}: {clause}"
        for clause in (plan.parsed.clauses if plan.parsed.clauses != (plan.text,) else [])
    ]
    sides = [side_query(plan, side) for side in comparison_sides(kb, plan)]
    sharing = sharing_queries(plan)
    texts = [*clauses, *sides, *(text for text, _ in sharing)]
    if vector is None:
        vector = kb.embed_query(plan.text)
    entities = plan.linked.entities
    name_stems = entity_stems(plan.text, plan.linked)
    scope = plan.scope_stems
    evidence = Evidence(ranked=search(kb, plan.text, vector, entities, name_stems, scope))
    if texts:
        vectors = kb.embed_queries(texts)
        # Each part of a shared question is anchored on its own entity only.
        anchored = [entities] * (len(clauses) + len(sides)) + [[e] for _, e in sharing]
        found = [
            search(kb, text, vectors[i], anchored[i], name_stems) for i, text in enumerate(texts)
        ]
        evidence.clauses = found[: len(clauses)]
        evidence.sides = found[len(clauses) : len(clauses) + len(sides)]
        evidence.shared = found[len(clauses) + len(sides) :]
    if plan.flow is not None and plan.focus is not None:
        directed = plan.flow.direction is not Direction.ANY
        intent = plan.flow.intent if directed else Intent.INTEGRATIONS
        evidence.relation_rows, evidence.sparql = relation_rows(kb, intent, plan.focus)
    reading = plan.parsed.reading
    reading_focus = plan.linked.mentions[reading.focus].entity if reading is not None else None
    if (
        not evidence.relation_rows
        and reading is not None
        and reading_focus is not None
        and plan.focus in (None, reading_focus)
    ):
        focus = reading_focus
        evidence.relation_rows, evidence.sparql = related_rows(
            kb, reading.kind, focus, reading.asked
        )
    return evidence
