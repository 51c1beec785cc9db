"""List answers: the entities on the other side of an integration, each with its slides."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kg.graph import entity_iri, id_from_iri, rendered_query, run_select
from kg.kb import KB
from kg.passages import (
    cite,
    label,
    list_from_passages,
    listing,
    passage_answer,
    plain_label,
)
from kg.question import (
    Parsed,
    excluded_spans,
)
from kg.retrieve import (
    Scored,
    slide_key,
    source_ref,
    sources_from,
)
from kg.types import Answer, Item, SourceRef
from ontology.terms import KG

IN = ("sources_of", "target", KG.writesTo)


OUT = ("destinations_of", "source", KG.writesTo)


LIST_QUERIES = {
    "writes_to": ([IN], "receives data from"),
    "sources": ([IN], "reads data from"),
    "reads_from": ([OUT], "is read by"),
    "destinations": ([OUT], "sends data to"),
    "triggered_by": ([("sources_of", "target", KG.triggers)], "is triggered by"),
    "triggers": ([("destinations_of", "source", KG.triggers)], "triggers"),
    "integrations": ([IN, OUT], "exchanges data with"),
}


MANAGED_TYPES = ("Service", "Feature")


def list_rows(kb: KB, parsed: Parsed, entity: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of the relation queries the intent needs, and their rendered SPARQL."""
    specs, _ = LIST_QUERIES[parsed.intent]
    rows: list[dict[str, Any]] = []
    sparql = []
    for query, var, predicate in specs:
        bindings: dict[str, Any] = {var: entity_iri(entity), "predicate": predicate}
        rows += run_select(kb.store, kb.book, query, **bindings)
        sparql.append(rendered_query(kb.book, query, **bindings))
    return rows, sparql


def keep_row(kb: KB, parsed: Parsed, entity: str, other: str, kind: str) -> bool:
    """Whether a related entity belongs in the list the question asks for."""
    if other == entity or other in parsed.excluded or kb.parts.get(other) in parsed.excluded:
        return False
    if kb.parts.get(other) == entity:
        return False
    if parsed.types and kind not in parsed.types:
        return False
    return not (parsed.managed_only and kind not in MANAGED_TYPES)


def group_items(kb: KB, parsed: Parsed, entity: str, rows: Sequence[dict[str, Any]]) -> list[Item]:
    """One item per related entity with its slides; features also credit their parent service."""
    grouped: dict[str, list[SourceRef]] = {}
    for row in rows:
        other = id_from_iri(row["entity"])
        if not keep_row(kb, parsed, entity, other, row["type"]):
            continue
        info = kb.slides.get(row["slide"])
        if info is None:
            continue
        owner = other
        parent = kb.parts.get(other)
        # A feature stands for its service in a list ("Redshift Streaming Ingestion" -> Redshift).
        if (
            row["type"] == "Feature"
            and parent
            and parent != entity
            and kb.parts.get(entity) != parent
            and parent not in parsed.excluded
            and kb.entities.get(parent) is not None
            and kb.entities[parent].type == "Service"
        ):
            owner = parent
        refs = grouped.setdefault(owner, [])
        if all(r.slide != info.number for r in refs):
            refs.append(source_ref(info, 1.0, row["text"]))
    items = [
        Item(plain_label(kb, e), str(entity_iri(e)), tuple(refs)) for e, refs in grouped.items()
    ]
    return sorted(items, key=lambda item: (-len(item.sources), item.label))


GENERIC = frozenset(
    """which what where services service data write writes load loads read reads
send sends deliver delivers stream streams consume consumes source sources destination destinations
target targets list slides mention mentions directly managed libraries library store stores
amazon across course count both push ingest ingests into from""".split()
)


def focus_items(kb: KB, parsed: Parsed, items: list[Item]) -> list[Item]:
    """For a short, specific question, the items whose statements use its specific words."""

    text = parsed.text.lower()
    for start, end in excluded_spans(parsed.text):
        text = text[:start] + " " * (end - start) + text[end:]
    labels = " ".join(kb.labels.get(e, "").lower() for e in parsed.entities)
    words = [w for w in re.findall(r"[a-z]{5,}", text) if w not in GENERIC and w[:6] not in labels]
    if not words or len(parsed.text.split()) > 15:
        return items
    stems = [w[:6] for w in words]
    matched = [
        item
        for item in items
        if any(stem in ref.text.lower() for ref in item.sources for stem in stems)
    ]
    return matched if len(matched) >= 3 and len(matched) >= 0.4 * len(items) else items


def list_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored], entity: str) -> Answer:
    """Entities on the other side of a directional relation, each with its slides."""
    rows, sparql = list_rows(kb, parsed, entity)
    items = focus_items(kb, parsed, group_items(kb, parsed, entity, rows))
    name = label(kb, entity)
    verb = LIST_QUERIES[parsed.intent][1]
    if not items:
        found = list_from_passages(kb, parsed, scored, types=parsed.types)
        if found:
            listed = listing(found)
            text = (
                f"The graph states no '{verb}' edge for {name}; the closest slide names: {listed}."
            )
            return Answer(
                question=parsed.text,
                answer=text,
                intent=parsed.intent,
                items=tuple(found),
                sources=sources_from(kb, scored),
                sparql="\n\n".join(sparql),
                confidence=0.45,
                entities=parsed.entities,
            )
        return passage_answer(
            kb,
            parsed,
            scored,
            confidence=0.3,
            lead=(f"The graph states no '{verb}' edge for {name}; the closest passages"),
        )
    asserted = [slide_key(s.deck, s.slide) for item in items for s in item.sources]
    listed = listing(items)
    text = f"{name} {verb} {len(items)} entit{'y' if len(items) == 1 else 'ies'}: {listed}."
    return Answer(
        question=parsed.text,
        answer=text,
        intent=parsed.intent,
        items=tuple(items),
        sources=sources_from(kb, scored, first=ranked_slides(asserted)),
        sparql="\n\n".join(sparql),
        confidence=0.9,
        entities=parsed.entities,
    )


def ranked_slides(keys: Sequence[str]) -> list[str]:
    """Slide keys by how many facts they assert, most first."""
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts, key=lambda key: -counts[key])


def relation_verdict(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> Answer | None:
    """Yes when the graph has the asked edge between the two entities, no when it denies it."""
    entity, other = parsed.entities[0], parsed.entities[1]
    rows, sparql = list_rows(kb, parsed, entity)
    for row in rows:
        if id_from_iri(row["entity"]) in (other, kb.parts.get(other)):
            info = kb.slides.get(row["slide"])
            where = f" ({cite([info.number])})" if info else ""
            text = f'Yes. The deck says: "{row["text"]}"{where}.'
            return Answer(
                question=parsed.text,
                answer=text,
                intent=parsed.intent,
                verdict="yes",
                sources=sources_from(kb, scored, first=[row["slide"]]),
                sparql="\n\n".join(sparql),
                confidence=0.9,
                entities=parsed.entities,
            )
    for row in run_select(kb.store, kb.book, "negations_of", entity=entity_iri(entity)):
        if {id_from_iri(row["subject"]), id_from_iri(row["object"])} == {entity, other}:
            info = kb.slides.get(row["slide"])
            where = f" ({cite([info.number])})" if info else ""
            return Answer(
                question=parsed.text,
                answer=f'No. The deck says: "{row["text"]}"{where}.',
                intent=parsed.intent,
                verdict="no",
                sources=sources_from(kb, scored, first=[row["slide"]]),
                sparql=rendered_query(kb.book, "negations_of", entity=entity_iri(entity)),
                confidence=0.9,
                entities=parsed.entities,
            )
    stated = group_items(
        kb, replace(parsed, excluded=(), types=(), managed_only=False), entity, rows
    )
    listed = ", ".join(item.label for item in stated[:12])
    verb = LIST_QUERIES[parsed.intent][1]
    text = (
        f"The deck does not say that {label(kb, entity)} {verb} {label(kb, other)}, nor that "
        f"it does not."
        + (f" It states that {label(kb, entity)} {verb}: {listed}." if listed else "")
    )
    return Answer(
        question=parsed.text,
        answer=text,
        intent=parsed.intent,
        verdict=None,
        items=tuple(stated),
        sources=sources_from(kb, scored),
        sparql="\n\n".join(sparql),
        confidence=0.5,
        entities=parsed.entities,
    )
