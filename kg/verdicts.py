"""Security and yes/no answers: features by category, offering services, verdicts with evidence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from kg.figures import segment_scores
from kg.graph import entity_iri, id_from_iri, rendered_query, run_select
from kg.kb import KB
from kg.lists import (
    MANAGED_TYPES,
)
from kg.passages import (
    cite,
    label,
    listing,
    passage_answer,
    passages,
    plain_label,
    verdict_of,
)
from kg.question import (
    Parsed,
    yes_no_clause,
)
from kg.retrieve import (
    Scored,
    lexical,
    rank,
    segment_text,
    slide_key,
    source_ref,
    sources_from,
    word_overlap,
)
from kg.types import Answer, Item, SourceRef
from kg.vectors import segment_key

CATEGORY_WORDS = {
    "encryption at rest": re.compile(r"\bat rest\b", re.IGNORECASE),
    "encryption in transit": re.compile(r"\bin (?:transit|flight)\b", re.IGNORECASE),
    "access control": re.compile(r"\baccess\b|\bpermission", re.IGNORECASE),
    "network isolation": re.compile(r"\bnetwork|\bVPC\b|\bprivate", re.IGNORECASE),
    "auditing": re.compile(r"\baudit", re.IGNORECASE),
    "authentication": re.compile(r"\bauthenticat", re.IGNORECASE),
}


MECHANISM = re.compile(
    r"\b(?:KMS|Key Management|HSM|CloudHSM|TLS|SSL|HTTPS|IAM|Identity|VPC|PrivateLink|"
    r"Kerberos|SAML|Cognito|CloudTrail|LUKS|SSE|Secrets|Lake Formation|"
    r"Macie|Certificate|encryption|security)\b",
    re.IGNORECASE,
)


OFFER = re.compile(
    r"^\s*(?:which|what)\s+(?:\w+\s+){0,3}?(?:services?|products?|entities)\b", re.IGNORECASE
)


def security_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> Answer:
    """Security features by category with their mechanisms, plus the closest passages."""
    focus = parsed.entities[0] if parsed.entities else None
    if focus is None or (OFFER.search(parsed.text) and kb.entities[focus].type != "Service"):
        return offering_answer(kb, parsed, scored, focus)
    rows = run_select(kb.store, kb.book, "security_of", entity=entity_iri(focus))
    wanted = [cat for cat, pattern in CATEGORY_WORDS.items() if pattern.search(parsed.text)]
    by_category: dict[str, set[str]] = {}
    mechanisms: dict[str, list[SourceRef]] = {}
    for row in rows:
        category = row["categoryLabel"]
        by_category.setdefault(category, set())
        mechanism = id_from_iri(row["mechanism"]) if row["mechanism"] else None
        if mechanism is None or mechanism == focus or kb.parts.get(mechanism) == focus:
            continue
        if not MECHANISM.search(kb.labels.get(mechanism, "")):
            continue
        by_category[category].add(label(kb, mechanism))
        info = kb.slides.get(row["slide"])
        if wanted and category in wanted and info is not None:
            mechanisms.setdefault(mechanism, []).append(source_ref(info, 1.0, row["text"]))
    summary = "; ".join(
        f"{cat}" + (f" with {', '.join(sorted(mechs))}" if mechs else "")
        for cat, mechs in sorted(by_category.items())
        if not wanted or cat in wanted
    )
    base = passage_answer(
        kb,
        parsed,
        scored,
        confidence=0.7,
        lead=f"{label(kb, focus)} security: {summary}" if summary else "",
    )
    items = tuple(
        Item(plain_label(kb, m), str(entity_iri(m)), tuple(refs[:3]))
        for m, refs in mechanisms.items()
    )
    return replace(
        base,
        intent="security",
        items=items,
        sparql=rendered_query(kb.book, "security_of", entity=entity_iri(focus)),
    )


def offering_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored], focus: str | None) -> Answer:
    """Which services state a security feature named like the question's feature."""
    phrases = [kb.labels[focus]] + list(kb.entities[focus].aliases) if focus else []
    phrases += re.findall(r"\b(?:row|column|cell)[- ]level\b", parsed.text, re.IGNORECASE)
    if not phrases:
        return passage_answer(kb, parsed, scored, confidence=0.4)
    keys = {re.sub(r"[^a-z]+", " ", p.lower()).replace(" security", "").strip() for p in phrases}
    grouped: dict[str, list[SourceRef]] = {}
    for row in run_select(kb.store, kb.book, "security_features"):
        # "Row and Cell-Level Security" states row-level security too.
        expanded = re.sub(
            r"(\w+) and (\w+)[- ]level", r"\1-level and \2-level", row["text"], flags=re.IGNORECASE
        )
        text = re.sub(r"[^a-z]+", " ", expanded.lower())
        entity = id_from_iri(row["entity"])
        if any(k and k in text for k in keys) and row["type"] in MANAGED_TYPES and entity != focus:
            info = kb.slides.get(row["slide"])
            if info is not None:
                grouped.setdefault(entity, []).append(source_ref(info, 1.0, row["text"]))
    items = tuple(
        Item(plain_label(kb, e), str(entity_iri(e)), tuple(refs[:3])) for e, refs in grouped.items()
    )
    listed = listing(items)
    what = kb.labels[focus] if focus else "it"
    text = f"{len(items)} services offer {what}: {listed}." if items else "The deck does not say."
    return Answer(
        question=parsed.text,
        answer=text,
        intent="security",
        items=items,
        sources=sources_from(
            kb, scored, first=[slide_key(s.deck, s.slide) for i in items for s in i.sources]
        ),
        sparql=rendered_query(kb.book, "security_features"),
        confidence=0.8,
        entities=parsed.entities,
    )


def yes_no_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> Answer:
    """A verdict: no when a negation or anti-pattern matches, yes when a statement does."""
    by_segment = segment_scores(scored)
    evidence = []
    for entity in parsed.entities:
        for row in run_select(kb.store, kb.book, "negations_of", entity=entity_iri(entity)):
            ends = {id_from_iri(row["subject"]), id_from_iri(row["object"])}
            if len(parsed.entities) >= 2 and set(parsed.entities[:2]) <= ends:
                evidence.append((1.0, "no", row["text"], row["slide"]))
        for row in run_select(kb.store, kb.book, "anti_patterns_of", entity=entity_iri(entity)):
            info = kb.slides.get(row["slide"])
            if info is None:
                continue
            score = by_segment.get((info.deck, info.number, row["lineStart"]), 0.0)
            score += 0.05 * word_overlap(parsed.text, row["text"]) + 0.15
            if score > 0.65:
                alt = f" (use {row['alternativeLabel']} instead)" if row["alternativeLabel"] else ""
                key = segment_key(info.deck, info.number, row["lineStart"])
                follow = kb.next_segments.get(key, [])[:1]
                text = row["text"] + alt + "".join(f"; {t}" for t in follow if not alt)
                evidence.append((score, "no", text, row["slide"]))
    clause = yes_no_clause(parsed.text)
    if clause != parsed.text and len(clause.split()) >= 4:
        scored = lexical(rank(kb, kb.embed_query(clause), parsed.entities), clause)
    best = sorted(
        passages(scored, n=3, kb=kb), key=lambda p: -word_overlap(clause, segment_text(p.hit))
    )
    entity_words = " ".join(kb.labels.get(e, "") for e in parsed.entities).lower()
    shared = (
        word_overlap(clause, segment_text(best[0].hit))
        - word_overlap(entity_words, segment_text(best[0].hit))
        if best
        else 0
    )
    if best and shared >= 1 and (best[0].score > 0.5 or shared > 2):
        top = best[0]
        evidence.append(
            (
                top.score - 0.05,
                verdict_of(kb, top),
                segment_text(top.hit),
                slide_key(top.hit.deck, top.hit.slide),
            )
        )
    if not evidence:
        base = passage_answer(
            kb,
            parsed,
            scored,
            confidence=0.3,
            lead="The deck does not say directly; closest passages",
        )
        return replace(base, intent="yes_no", verdict=None)
    evidence.sort(key=lambda e: -e[0])
    score, verdict, text, slide = evidence[0]
    info = kb.slides.get(slide)
    where = f" ({cite([info.number])})" if info else ""
    more = [segment_text(p.hit) for p in best if segment_text(p.hit) != text]
    more += kb.next_segments.get(best[0].hit.key, [])[:1] if best else []
    extra = " ".join(f'"{t}"' for t in more[:2])
    answer = f'{verdict.capitalize()}. The deck says: "{text}"{where}. {extra}'.strip()
    return Answer(
        question=parsed.text,
        answer=answer,
        intent="yes_no",
        verdict="yes" if verdict == "yes" else "no",
        sources=sources_from(kb, scored, first=[slide]),
        confidence=round(min(0.95, score), 2),
        entities=parsed.entities,
        sparql=rendered_query(kb.book, "negations_of", entity=entity_iri(parsed.entities[0]))
        if parsed.entities
        else None,
    )
