"""A question in, an exact answer out: graph traversal for facts, vector search for sources."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kg.errors import BadQuery
from kg.graph import entity_iri, id_from_iri, rendered_query, run_select
from kg.kb import KB
from kg.linking import link_entities
from kg.passages import (
    attribute_answer,
    cite,
    comparison_answer,
    label,
    list_from_passages,
    passage_answer,
    passages,
    verdict_of,
)
from kg.question import (
    ASKS_ONE,
    CLAUSE,
    Parsed,
    classify_knn,
    parse_question,
    yes_no_clause,
)
from kg.retrieve import Scored, rank, segment_text, slide_key, source_ref, sources_from
from kg.types import Answer, Item, SourceRef, Value
from ontology.terms import KG

MAX_QUESTION_CHARS = 2000
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
ANAPHORA = re.compile(
    r"\b(?:that|this|the same) (?:service|database|engine|store|tool|node|"
    r"cache|caching service|library|product|system)\b|\bits\b",
    re.IGNORECASE,
)
MANAGED_TYPES = ("Service", "Feature")
STOP = frozenset(
    """what which how the and for can does are is was with that this from into
long many much large big max maximum default there their its have has per any each when""".split()
)


def check_question(question: str) -> str:
    """The question stripped; BadQuery when it is empty or too long."""
    text = question.strip()
    if not text:
        raise BadQuery(
            "the question is empty: ask something like 'which services write to Amazon Redshift?'"
        )
    if len(text) > MAX_QUESTION_CHARS:
        raise BadQuery(
            f"the question is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS}"
        )
    return text


def plain_label(kb: KB, entity_id: str) -> str:
    """The canonical label alone."""
    entity = kb.entities.get(entity_id)
    return entity.label if entity else entity_id


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
    from kg.question import excluded_spans

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
            listed = "; ".join(f"{i.label} ({cite([s.slide for s in i.sources])})" for i in found)
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
    listed = "; ".join(f"{item.label} ({cite([s.slide for s in item.sources])})" for item in items)
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


def segment_scores(scored: Sequence[Scored]) -> dict[tuple[str, int, int], float]:
    """(deck, slide, first line) of each ranked segment -> its re-ranked score."""
    out = {}
    for item in scored:
        if item.hit.kind == "segment":
            deck, slide, line = item.hit.key.split(":")[1:]
            out[(deck, int(slide), int(line))] = item.score
    return out


def format_number(value: float) -> str:
    """A figure as the deck would print it: 10,000 not 10000.0."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}".rstrip("0").rstrip(".")


def word_overlap(question: str, text: str) -> int:
    """How many content words of the question the text repeats."""
    words = {w for w in re.findall(r"[a-z]{3,}", question.lower()) if w not in STOP}
    return sum(1 for w in words if re.search(rf"\b{w}", text.lower()))


DIMENSION_WORDS = (
    (
        re.compile(
            r"\bhow (?:long|much time)\b|\bduration\b|\bretain|\bretention|\bttl\b|"
            r"\btime ?out|\bhow often|\bhow far back",
            re.IGNORECASE,
        ),
        ("time",),
    ),
    (re.compile(r"\bhow (?:large|big)\b|\bsize\b", re.IGNORECASE), ("data size", "count")),
    (re.compile(r"\bcost|\bprice|\bcharge|\bpay\b|\$", re.IGNORECASE), ("money",)),
    (re.compile(r"\bper second\b|\bthroughput|\brate\b", re.IGNORECASE), ("rate",)),
    (re.compile(r"\bhow many\b", re.IGNORECASE), ("count", "rate")),
)


def limit_score(question: str, row: dict[str, Any], base: float) -> float:
    """How well a limit row answers the question: passage rank, shared words, quantity, unit."""
    quantity = row["quantity"].lower()
    score = base + 0.06 * word_overlap(question, f"{row['text']} {row['qualifier'] or ''}")
    if all(re.search(rf"\b{re.escape(w)}", question.lower()) for w in quantity.split()):
        score += 0.25
    dimension = (row.get("dimension") or "").lower()
    for pattern, dimensions in DIMENSION_WORDS:
        if pattern.search(question):
            score += 0.12 if any(d in dimension for d in dimensions) else -0.05
            break
    return score


def limit_answer(
    kb: KB,
    parsed: Parsed,
    scored: Sequence[Scored],
    entities: Sequence[str] = (),
    *,
    margin: float = 0.05,
) -> Answer:
    """The figure whose sentence best matches the question, with its unit and qualifier."""
    by_segment = segment_scores(scored)
    candidates = []
    for entity in entities or parsed.entities:
        for row in run_select(kb.store, kb.book, "limits_of", entity=entity_iri(entity)):
            info = kb.slides.get(row["slide"])
            if info is None:
                continue
            base = by_segment.get((info.deck, info.number, row["lineStart"]), 0.0)
            candidates.append((limit_score(parsed.text, row, base), row, info))
    if not candidates:
        return passage_answer(kb, parsed, scored, confidence=0.4, lead="From the slides")
    candidates.sort(key=lambda c: -c[0])
    best_score, best, info = candidates[0]
    same = [c for c in candidates if c[1]["text"] == best["text"] and c[2] == info]
    runner = [c for c in candidates if c[1]["text"] != best["text"] and c[0] > best_score - margin]
    chosen = same + runner[:1]
    figures = "; ".join(
        f"{format_number(c[1]['value'])} {c[1]['symbol']}"
        + (f" ({c[1]['qualifier']})" if c[1]["qualifier"] else "")
        for c in chosen
    )
    owner = id_from_iri(best["owner"])
    statements = " / ".join(
        dict.fromkeys(f'"{c[1]["text"]}" ({cite([c[2].number])})' for c in chosen)
    )
    text = f"{label(kb, owner)} {best['quantity']}: {figures}. The deck says {statements}."
    value = Value(
        text=f"{format_number(best['value'])} {best['symbol']}",
        value=float(best["value"]),
        unit=best["symbol"],
        quantity=best["quantity"],
    )
    items: tuple[Item, ...] = ()
    if owner not in parsed.entities and (
        kb.parts.get(owner) not in parsed.entities or ANAPHORA.search(parsed.text)
    ):
        items = (Item(plain_label(kb, owner), str(entity_iri(owner)), (source_ref(info, 1.0),)),)
    return Answer(
        question=parsed.text,
        answer=text,
        intent="limit",
        value=value,
        items=items,
        sources=sources_from(kb, scored, first=[c[1]["slide"] for c in chosen]),
        sparql=rendered_query(kb.book, "limits_of", entity=entity_iri(owner)),
        confidence=round(min(0.95, 0.5 + best_score / 2), 2),
        entities=parsed.entities,
    )


LIMIT_WORDS = re.compile(
    r"\b(?:max|maximum|min|minimum|limit|size|retention|how long|"
    r"how many|throughput|price|cost)\b",
    re.IGNORECASE,
)


def compare_limits(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> Answer:
    """The asked figure for each compared entity, side by side."""
    parts = [
        limit_answer(kb, parsed, scored, [entity], margin=0.3) for entity in parsed.entities[:3]
    ]
    text = " ".join(part.answer for part in parts)
    sources = tuple(dict.fromkeys(s for part in parts for s in part.sources[:2]))
    return Answer(
        question=parsed.text,
        answer=f"Compared: {text}",
        intent="comparison",
        sources=sources,
        sparql=parts[0].sparql,
        confidence=min(part.confidence for part in parts),
        entities=parsed.entities,
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
    listed = "; ".join(f"{i.label} ({cite([s.slide for s in i.sources])})" for i in items)
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
                key = f"segment:{info.deck}:{info.number}:{row['lineStart']}"
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


def bridge(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> str | None:
    """The entity an anaphor ("that database") refers to: the best passage's other service."""
    if not ANAPHORA.search(parsed.text) or not parsed.entities:
        return None
    for item in passages(scored, n=5):
        slide = slide_key(item.hit.deck, item.hit.slide)
        text = segment_text(item.hit).lower()
        for mention in kb.mentions_in(text):
            entity = kb.entities.get(mention)
            if (
                entity
                and mention not in parsed.entities
                and entity.type in MANAGED_TYPES
                and kb.parts.get(mention) not in parsed.entities
                and slide in kb.slides
            ):
                return mention
    return None


def lexical(scored: Sequence[Scored], text: str) -> list[Scored]:
    """Re-rank with a small bonus per content word a passage shares with the question."""
    words = {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in STOP}
    if not words:
        return list(scored)
    bonus = [min(4, sum(1 for w in words if w in s.hit.text.lower())) for s in scored]
    out = [Scored(s.hit, s.score + 0.03 * b) for s, b in zip(scored, bonus, strict=True)]
    return sorted(out, key=lambda s: -s.score)


def rank_clauses(kb: KB, text: str, query: Any, entities: Sequence[str]) -> list[Scored]:
    """Ranked passages for the whole question interleaved with those for each of its clauses."""
    full = lexical(rank(kb, query, entities), text)
    clauses = [c.split(":")[0] for c in CLAUSE.split(text) if len(c.split()) >= 2]
    if len(clauses) < 2:
        return full
    rankings = [full] + [lexical(rank(kb, kb.embed_query(c), entities), c) for c in clauses]
    merged: list[Scored] = []
    seen: set[str] = set()
    for position in range(max(len(r) for r in rankings)):
        for ranking in rankings:
            if position < len(ranking) and ranking[position].hit.key not in seen:
                seen.add(ranking[position].hit.key)
                merged.append(ranking[position])
    return merged


def last_sentence(text: str) -> str:
    """The question's final sentence, which asks what the earlier ones set up."""
    parts = [p for p in re.split(r"(?<=[.?!])\s+", text.strip()) if p]
    return parts[-1] if parts else text


def hop_answer(kb: KB, parsed: Parsed, query: Any, hop: str, *, k: int) -> Answer:
    """Answer the last sentence about the bridge entity the earlier sentences point to."""
    tail = last_sentence(parsed.text)
    scored = lexical(rank(kb, kb.embed_query(tail), [hop]), tail)
    via = f"That is {label(kb, hop)} ({cite([s.slide for s in sources_from(kb, scored, k=1)])})."
    from kg.question import LIMIT, wanted_types

    if LIMIT.search(tail):
        result = limit_answer(kb, replace(parsed, text=tail), scored, [hop])
        return replace(
            result,
            question=parsed.text,
            answer=f"{via} {result.answer}",
            sources=result.sources[:k],
        )
    types = wanted_types(tail) or ("Software", "Service")
    found = list_from_passages(kb, replace(parsed, entities=(hop,), text=tail), scored, types=types)
    if ASKS_ONE.search(tail):
        found = found[:1]
    listed = ", ".join(i.label for i in found)
    text = f"{via} The deck names {listed} for it." if found else via
    best = passages(scored, n=2)
    quoted = " ".join(f'"{segment_text(p.hit)}" ({cite([p.hit.slide])}).' for p in best)
    return Answer(
        question=parsed.text,
        answer=f"{text} {quoted}".strip(),
        intent="multi_hop",
        items=tuple(found),
        sources=sources_from(kb, scored, k=k),
        confidence=0.6 if found else 0.4,
        entities=parsed.entities + (hop,),
    )


def answer(question: str, kb: KB, *, k: int = 5) -> Answer:
    """Answer one question from the graph and the index."""
    text = check_question(question)
    query = kb.embed_query(text)
    mentions = link_entities(text, aliases=kb.aliases, labels=kb.labels)
    knn, _ = classify_knn(kb.intent_model, query) if kb.intent_model else ("search", 0.0)
    parsed = parse_question(text, mentions, knn)
    scored = rank_clauses(kb, text, query, parsed.entities)
    hop = (
        bridge(kb, parsed, scored)
        if parsed.intent in ("limit", "attribute", "search", "definition")
        else None
    )
    if hop:
        return hop_answer(kb, parsed, query, hop, k=k)
    relation = (
        relation_verdict(kb, parsed, scored)
        if (parsed.yes_no and parsed.intent in LIST_QUERIES and len(parsed.entities) >= 2)
        else None
    )
    if relation is not None:
        result = relation
    elif parsed.intent in LIST_QUERIES and parsed.entities:
        result = list_answer(kb, parsed, scored, parsed.entities[0])
    elif parsed.intent == "limit" and parsed.entities:
        result = limit_answer(kb, parsed, scored, [hop] if hop else ())
    elif parsed.intent == "security":
        result = security_answer(kb, parsed, scored)
    elif parsed.intent == "yes_no":
        result = yes_no_answer(kb, parsed, scored)
    elif parsed.intent == "comparison" and len(parsed.entities) >= 2 and LIMIT_WORDS.search(text):
        result = compare_limits(kb, parsed, scored)
    elif parsed.intent == "comparison":
        result = comparison_answer(kb, parsed, scored)
    elif parsed.intent == "attribute":
        result = attribute_answer(kb, parsed, scored)
    else:
        result = passage_answer(kb, parsed, scored, confidence=0.6 if parsed.entities else 0.3)
    if parsed.yes_no and result.verdict is None and parsed.intent != "yes_no" and relation is None:
        verdict = yes_no_answer(kb, parsed, scored)
        result = replace(
            result, verdict=verdict.verdict, answer=f"{result.answer} {verdict.answer}"
        )
    return replace(
        result, sources=result.sources[:k] if result.sources else sources_from(kb, scored, k=k)
    )
