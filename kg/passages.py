"""Answers composed from ranked passages: definitions, attributes, comparisons, verdicts, lists."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rdflib import URIRef

from kg.graph import entity_iri, id_from_iri, run_select
from kg.kb import KB
from kg.question import CLAUSE, Parsed
from kg.retrieve import Scored, segment_text, slide_key, source_ref, sources_from
from kg.types import Answer, Item

NEGATIVE = re.compile(
    r"\b(?:not|no|cannot|can't|can’t|never|don't|doesn't|isn't|aren't|"
    r"won't|without|instead|only)\b|n't\b|n’t\b",
    re.IGNORECASE,
)
MIN_WORDS = 4


def label(kb: KB, entity_id: str) -> str:
    """The canonical label, with its acronym when the gazetteer has one ("... (DAX)")."""
    entity = kb.entities.get(entity_id)
    if entity is None:
        return entity_id
    acronyms = [
        a
        for a in entity.aliases
        if re.fullmatch(r"[A-Z][A-Z0-9]{1,5}", a) and a not in entity.label
    ]
    return f"{entity.label} ({acronyms[0]})" if acronyms else entity.label


def cite(numbers: Sequence[int]) -> str:
    """ "slide 12" or "slides 12, 40"."""
    unique = sorted(set(numbers))
    return ("slide " if len(unique) == 1 else "slides ") + ", ".join(map(str, unique))


def passages(
    scored: Sequence[Scored], *, n: int = 3, about: Sequence[str] = (), kb: KB | None = None
) -> list[Scored]:
    """The best distinct segment passages of four words or more."""
    picked: list[Scored] = []
    for item in scored:
        if item.hit.kind != "segment":
            continue
        text = segment_text(item.hit)
        header = (
            kb is not None
            and len(kb.next_segments.get(item.hit.key, [])) >= 2
            and not text.endswith(".")
        )
        if (len(text.split()) < MIN_WORDS and not header) or any(
            segment_text(p.hit) == text for p in picked
        ):
            continue
        picked.append(item)
        if len(picked) == n:
            break
    return picked


def listing(items: Sequence[Item]) -> str:
    """Items with the slides that state them: "A (slide 3); B (slides 4, 9)"."""
    return "; ".join(f"{i.label} ({cite([s.slide for s in i.sources])})" for i in items)


def quote(items: Sequence[Scored], kb: KB | None = None) -> str:
    """Passages quoted with their slide numbers; a short header brings the bullets under it."""
    out = []
    for p in items:
        text = segment_text(p.hit)
        if kb is not None and len(text.split()) <= 5 and not text.endswith("."):
            text = f"{text}: " + "; ".join(kb.next_segments.get(p.hit.key, []))
        out.append(f'"{text}" ({cite([p.hit.slide])}).')
    return " ".join(out)


def names(kb: KB, parsed: Parsed) -> str:
    """The asked entities as "A and B"."""
    return " and ".join(label(kb, e) for e in parsed.entities[:3])


def passage_answer(
    kb: KB,
    parsed: Parsed,
    scored: Sequence[Scored],
    *,
    confidence: float,
    lead: str = "",
    n: int = 3,
) -> Answer:
    """The best passages, quoted with their slides."""
    best = passages(scored, n=n, kb=kb)
    if not best:
        return Answer(
            question=parsed.text,
            answer="The deck does not say.",
            intent=parsed.intent,
            confidence=0.0,
            entities=parsed.entities,
        )
    lead = lead or (f"About {names(kb, parsed)}" if parsed.entities else "Most relevant")
    return Answer(
        question=parsed.text,
        answer=f"{lead}: {quote(best, kb)}",
        intent=parsed.intent,
        sources=sources_from(kb, scored, first=[slide_key(p.hit.deck, p.hit.slide) for p in best]),
        confidence=round(min(confidence, best[0].hit.score), 2),
        entities=parsed.entities,
    )


def comparison_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> Answer:
    """The best passages for each compared entity, side by side."""
    picked: list[Scored] = []
    for entity in parsed.entities[:3] or [""]:
        words = (
            [w.lower() for w in ([kb.entities[entity].label] + list(kb.entities[entity].aliases))]
            if entity in kb.entities
            else []
        )
        own = [s for s in scored if not words or any(w in s.hit.text.lower() for w in words)]
        picked += [p for p in passages(own, n=3, kb=kb) if p not in picked]
    picked += [p for p in passages(scored, n=2, kb=kb) if p not in picked]
    base = passage_answer(
        kb,
        parsed,
        scored,
        confidence=0.6,
        lead=f"Comparing {names(kb, parsed)}" if parsed.entities else "",
    )
    return Answer(
        question=parsed.text,
        answer=f"Comparing {names(kb, parsed)}: {quote(picked, kb)}",
        intent="comparison",
        sources=base.sources,
        confidence=base.confidence,
        entities=parsed.entities,
    )


def slide_entities(kb: KB, slide: str) -> list[dict[str, str]]:
    """Entities a slide names, with their type and parent."""
    return run_select(kb.store, kb.book, "entities_on_slide", slide=URIRef(slide))


def typed_mentions(
    kb: KB, parsed: Parsed, scored: Sequence[Scored], types: Sequence[str]
) -> list[Item]:
    """Entities of the wanted types named by the best passages that name any."""
    skip = set(parsed.entities) | set(parsed.excluded)
    found: dict[str, Item] = {}
    first: float | None = None
    for item in [s for s in scored if s.hit.kind == "segment"][:10]:
        if first is not None and item.score < first - 0.05:
            break
        info = kb.slides.get(slide_key(item.hit.deck, item.hit.slide))
        for entity in kb.mentions_in(item.hit.text):
            known = kb.entities.get(entity)
            if known is None or known.type not in types or entity in skip or info is None:
                continue
            first = item.score if first is None else first
            found.setdefault(
                entity,
                Item(known.label, str(entity_iri(entity)), (source_ref(info, item.hit.score),)),
            )
    return list(found.values())


def list_from_passages(
    kb: KB,
    parsed: Parsed,
    scored: Sequence[Scored],
    *,
    types: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> list[Item]:
    """Entities of the wanted types named on the best slide (when the graph has no edge)."""
    if types:
        return typed_mentions(kb, parsed, scored, types)
    best = passages(scored, n=1)
    if not best:
        return []
    slide = slide_key(best[0].hit.deck, best[0].hit.slide)
    info = kb.slides.get(slide)
    items = []
    skip = set(parsed.entities) | set(parsed.excluded) | set(exclude)
    for row in slide_entities(kb, slide):
        entity = id_from_iri(row["entity"])
        if entity in skip or kb.parts.get(entity) in skip or (types and row["type"] not in types):
            continue
        if not types and row["type"] in ("DataFormat", "Concept"):
            continue
        if info is not None:
            items.append(
                Item(
                    plain_label(kb, entity),
                    str(entity_iri(entity)),
                    (source_ref(info, best[0].hit.score),),
                )
            )
    named = {item.iri for item in items}
    # A part named beside its parent is the more exact answer ("Glue Data Catalog", not "Glue").
    return [
        item
        for item in items
        if not any(kb.parts.get(id_from_iri(other)) == id_from_iri(item.iri) for other in named)
    ]


def slide_listing(kb: KB, scored: Sequence[Scored], *, limit: int = 16) -> tuple[str, str]:
    """The best passage's slide as a compact list of its statements, and the slide key."""
    best = passages(scored, n=1)
    if not best:
        return "", ""
    key = slide_key(best[0].hit.deck, best[0].hit.slide)
    info = kb.slides.get(key)
    lines = kb.slide_segments.get(key, [])[:limit]
    title = info.title if info else ""
    return f"{title} ({cite([best[0].hit.slide])}): " + "; ".join(lines) + ".", key


def attribute_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> Answer:
    """Attribute values stated for each asked entity, with the closest passages."""
    lines = []
    cited: list[str] = []
    words = set(re.findall(r"[a-z]{4,}", parsed.text.lower()))
    for entity in parsed.entities[:4]:
        rows = run_select(kb.store, kb.book, "attributes_of", entity=entity_iri(entity))
        values: dict[str, list[int]] = {}
        for row in rows:
            name = re.sub(r"(?<!^)([A-Z])", r" \1", row["name"]).lower()
            if (
                not any(w.rstrip("s") in name for w in words)
                and row["value"].lower() not in parsed.text.lower()
            ):
                continue
            info = kb.slides.get(row["slide"])
            value = label(kb, row["value"]) if row["value"] in kb.entities else row["value"]
            values.setdefault(value, []).append(info.number if info else 0)
            cited.append(row["slide"])
        if values:
            lines.append(
                f"{label(kb, entity)}: " + ", ".join(f"{v} ({cite(n)})" for v, n in values.items())
            )
    items: list[Item] = []
    if parsed.types or re.search(r"\b(?:where|which)\b", parsed.text, re.IGNORECASE):
        items = list_from_passages(kb, parsed, scored, types=parsed.types)
    best = passages(scored, n=3)
    stated = "; ".join(lines)
    listed = ", ".join(i.label for i in items)
    listing = ""
    if (not stated and not items) or len(CLAUSE.split(parsed.text)) > 1:
        listing, key = slide_listing(kb, scored)
        cited.append(key)
    text = " ".join(
        part
        for part in (
            f"{stated}." if stated else "",
            f"Named on the closest slide: {listed}." if listed else "",
            listing,
            f"The deck says: {quote(best, kb)}" if best and not listing else "",
        )
        if part
    )
    return Answer(
        question=parsed.text,
        answer=text or "The deck does not say.",
        intent="attribute",
        items=tuple(items),
        sources=sources_from(kb, scored, first=cited[:3]),
        confidence=0.7 if stated or items else 0.4,
        entities=parsed.entities,
    )


def verdict_of(kb: KB, item: Scored) -> str:
    """ "no" when the passage or the next one on its slide negates, else "yes"."""
    texts = [segment_text(item.hit)] + kb.next_segments.get(item.hit.key, [])[:1]
    return "no" if any(NEGATIVE.search(text) for text in texts) else "yes"


def plain_label(kb: KB, entity_id: str) -> str:
    """The canonical label alone."""
    entity = kb.entities.get(entity_id)
    return entity.label if entity else entity_id
