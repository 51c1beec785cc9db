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
from kg.question import Parsed, classify_knn, parse_question
from kg.retrieve import Scored, rank, segment_text, slide_key, source_ref, sources_from
from kg.types import Answer, Item, SourceRef, Value
from ontology.terms import KG

MAX_QUESTION_CHARS = 2000
NEGATIVE = re.compile(r"\b(?:not|no|cannot|can't|can’t|never|don't|doesn't|isn't|aren't|"
                      r"won't|without|instead)\b|n't\b", re.IGNORECASE)
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
SECURITY_WORDS = {
    "encryption at rest": re.compile(r"\bat rest\b|\bencrypt", re.IGNORECASE),
    "encryption in transit": re.compile(r"\bin (?:transit|flight)\b|\bTLS\b|\bSSL\b",
                                        re.IGNORECASE),
}
MANAGED_TYPES = ("Service", "Feature")


def check_question(question: str) -> str:
    """The question stripped; BadQuery when it is empty or too long."""
    text = question.strip()
    if not text:
        raise BadQuery("the question is empty: ask something like 'which services write to "
                       "Amazon Redshift?'")
    if len(text) > MAX_QUESTION_CHARS:
        raise BadQuery(f"the question is {len(text)} characters long; the limit is "
                       f"{MAX_QUESTION_CHARS}")
    return text


def label(kb: KB, entity_id: str) -> str:
    """The canonical label of an entity id."""
    entity = kb.entities.get(entity_id)
    return entity.label if entity else entity_id


def cite(numbers: Sequence[int]) -> str:
    """"slide 12" or "slides 12, 40"."""
    unique = sorted(set(numbers))
    return ("slide " if len(unique) == 1 else "slides ") + ", ".join(map(str, unique))


def list_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored], entity: str) -> Answer:
    """Entities on the other side of a directional relation, each with its slides."""
    specs, verb = LIST_QUERIES[parsed.intent]
    rows = []
    sparql = []
    for query, var, predicate in specs:
        bindings: dict[str, Any] = {var: entity_iri(entity), "predicate": predicate}
        rows += run_select(kb.store, kb.book, query, **bindings)
        sparql.append(rendered_query(kb.book, query, **bindings))
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        other = id_from_iri(row["entity"])
        if other in parsed.excluded or other in parsed.entities:
            continue
        if parsed.types and row["type"] not in parsed.types:
            continue
        if parsed.managed_only and row["type"] not in MANAGED_TYPES:
            continue
        grouped.setdefault(other, []).append(row)
    items = []
    for other, group in grouped.items():
        refs = []
        for row in group:
            info = kb.slides.get(row["slide"])
            if info is not None and all(r.slide != info.number for r in refs):
                refs.append(source_ref(info, 1.0, row["text"]))
        items.append(Item(label=label(kb, other), iri=str(entity_iri(other)),
                          sources=tuple(refs)))
    items.sort(key=lambda item: (-len(item.sources), item.label))
    asserted = [slide_key(s.deck, s.slide) for item in items for s in item.sources]
    name = label(kb, entity)
    if not items:
        return passage_answer(kb, parsed, scored, confidence=0.3, lead=(
            f"The graph has no stated '{verb}' relation for {name}; the closest passages"))
    listed = "; ".join(f"{item.label} ({cite([s.slide for s in item.sources])})"
                       for item in items)
    text = f"{name} {verb} {len(items)} entit{'y' if len(items) == 1 else 'ies'}: {listed}."
    return Answer(question=parsed.text, answer=text, intent=parsed.intent, items=tuple(items),
                  sources=sources_from(kb, scored, first=ranked_slides(asserted)),
                  sparql="\n\n".join(sparql), confidence=0.9, entities=parsed.entities)


def ranked_slides(keys: Sequence[str]) -> list[str]:
    """Slide keys by how many facts they assert, most first."""
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts, key=lambda key: -counts[key])


def segment_scores(kb: KB, scored: Sequence[Scored]) -> dict[tuple[str, int, int], float]:
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


def limit_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> Answer:
    """The figure whose sentence best matches the question, with its unit and qualifier."""
    by_segment = segment_scores(kb, scored)
    candidates = []
    for entity in parsed.entities:
        for row in run_select(kb.store, kb.book, "limits_of", entity=entity_iri(entity)):
            info = kb.slides.get(row["slide"])
            if info is None:
                continue
            score = by_segment.get((info.deck, info.number, row["lineStart"]), 0.0)
            score += 0.08 * word_overlap(parsed.text, f"{row['quantity']} {row['text']}")
            candidates.append((score, row, info))
    if not candidates:
        return passage_answer(kb, parsed, scored, confidence=0.4, lead="From the slides")
    candidates.sort(key=lambda c: -c[0])
    best_score, best, info = candidates[0]
    same = [c for c in candidates if c[1]["text"] == best["text"] and c[2] == info]
    runner = [c for c in candidates if c[1]["text"] != best["text"] and c[0] > best_score - 0.03]
    chosen = same + runner[:1]
    figures = "; ".join(
        f"{format_number(c[1]['value'])} {c[1]['symbol']}"
        + (f" ({c[1]['qualifier']})" if c[1]["qualifier"] else "") for c in chosen)
    owner = label(kb, id_from_iri(best["owner"]))
    statements = " / ".join(dict.fromkeys(f"\"{c[1]['text']}\" ({cite([c[2].number])})"
                                          for c in chosen))
    text = f"{owner} {best['quantity']}: {figures}. The deck says {statements}."
    value = Value(text=f"{format_number(best['value'])} {best['symbol']}",
                  value=float(best["value"]), unit=best["symbol"], quantity=best["quantity"])
    bindings = {"entity": entity_iri(parsed.entities[0])}
    return Answer(question=parsed.text, answer=text, intent="limit", value=value,
                  sources=sources_from(kb, scored, first=[c[1]["slide"] for c in chosen]),
                  sparql=rendered_query(kb.book, "limits_of", **bindings),
                  confidence=round(min(0.95, 0.5 + best_score / 2), 2),
                  entities=parsed.entities)


def word_overlap(question: str, text: str) -> int:
    """How many content words of the question the text repeats."""
    words = {w for w in re.findall(r"[a-z]{3,}", question.lower()) if w not in STOP}
    return sum(1 for w in words if re.search(rf"\b{w}", text.lower()))


STOP = frozenset("""what which how the and for can does are is was with that this from into
long many much large big max maximum default there their its it's have has per any each""".split())


def passages(scored: Sequence[Scored], *, n: int = 3) -> list[Scored]:
    """The best distinct segment passages."""
    picked: list[Scored] = []
    for item in scored:
        if item.hit.kind != "segment":
            continue
        text = segment_text(item.hit)
        if any(segment_text(p.hit) == text for p in picked):
            continue
        picked.append(item)
        if len(picked) == n:
            break
    return picked


def passage_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored], *, confidence: float,
                   lead: str = "") -> Answer:
    """The best passages, quoted with their slides."""
    best = passages(scored)
    if not best:
        return Answer(question=parsed.text, answer="The deck does not say.", intent=parsed.intent,
                      confidence=0.0, entities=parsed.entities)
    quoted = " ".join(f"\"{segment_text(p.hit)}\" ({cite([p.hit.slide])})." for p in best)
    lead = lead or default_lead(kb, parsed)
    text = f"{lead}: {quoted}"
    return Answer(question=parsed.text, answer=text, intent=parsed.intent,
                  sources=sources_from(kb, scored,
                                       first=[slide_key(p.hit.deck, p.hit.slide) for p in best]),
                  confidence=round(min(confidence, best[0].hit.score), 2),
                  entities=parsed.entities)


def default_lead(kb: KB, parsed: Parsed) -> str:
    """The opening words of a passage answer."""
    names = " and ".join(label(kb, e) for e in parsed.entities[:2])
    leads = {
        "definition": f"{names}",
        "comparison": f"Comparing {names}",
        "attribute": f"{names}",
        "security": f"Security of {names}",
    }
    return leads.get(parsed.intent, f"Most relevant for {names}" if names else "Most relevant")


def security_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> Answer:
    """Security features by category with their mechanisms, plus the closest passages."""
    if not parsed.entities:
        return offering_answer(kb, parsed, scored)
    entity = parsed.entities[0]
    rows = run_select(kb.store, kb.book, "security_of", entity=entity_iri(entity))
    wanted = [cat for cat, pattern in SECURITY_WORDS.items() if pattern.search(parsed.text)]
    wanted = [w for w in wanted if w != "encryption at rest" or "rest" in parsed.text.lower()] \
        or wanted[:1] if "rest" not in parsed.text.lower() else ["encryption at rest"]
    by_category: dict[str, set[str]] = {}
    mechanisms: dict[str, list[SourceRef]] = {}
    for row in rows:
        mechanism = id_from_iri(row["mechanism"]) if row["mechanism"] else None
        by_category.setdefault(row["categoryLabel"], set())
        if mechanism:
            by_category[row["categoryLabel"]].add(label(kb, mechanism))
            if not wanted or row["categoryLabel"] in wanted:
                info = kb.slides.get(row["slide"])
                if info is not None and kb.entities.get(mechanism) and \
                        kb.entities[mechanism].type in MANAGED_TYPES:
                    mechanisms.setdefault(mechanism, []).append(source_ref(info, 1.0, row["text"]))
    summary = "; ".join(f"{cat}" + (f" with {', '.join(sorted(mechs))}" if mechs else "")
                        for cat, mechs in sorted(by_category.items())
                        if not wanted or cat in wanted)
    base = passage_answer(kb, parsed, scored, confidence=0.7,
                          lead=f"{label(kb, entity)} security: {summary}" if summary else "")
    items: tuple[Item, ...] = ()
    if wanted and mechanisms:
        items = tuple(Item(label(kb, m), str(entity_iri(m)), tuple(refs[:3]))
                      for m, refs in mechanisms.items())
    return replace(base, intent="security", items=items,
                   sparql=rendered_query(kb.book, "security_of", entity=entity_iri(entity)))


def offering_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> Answer:
    """Which entities state a security feature whose text matches the question's phrase."""
    rows = run_select(kb.store, kb.book, "security_features")
    phrases = re.findall(r"\b((?:row|column|cell)[- ]level|kerberos|saml|tde|cloudhsm|"
                         r"vpc endpoints?|privatelink)\b", parsed.text, re.IGNORECASE)
    if not phrases:
        return passage_answer(kb, parsed, scored, confidence=0.4)
    grouped: dict[str, list[SourceRef]] = {}
    for row in rows:
        text = row["text"].lower().replace("-", " ")
        if all(p.lower().replace("-", " ") in text for p in phrases):
            info = kb.slides.get(row["slide"])
            if info is not None and row["type"] in MANAGED_TYPES:
                grouped.setdefault(id_from_iri(row["entity"]), []).append(
                    source_ref(info, 1.0, row["text"]))
    items = tuple(Item(label(kb, e), str(entity_iri(e)), tuple(refs[:3]))
                  for e, refs in grouped.items())
    listed = "; ".join(f"{i.label} ({cite([s.slide for s in i.sources])})" for i in items)
    text = f"{len(items)} entities offer {', '.join(phrases)}: {listed}." if items else \
        "The deck does not say."
    return Answer(question=parsed.text, answer=text, intent="security", items=items,
                  sources=sources_from(kb, scored, first=[
                      slide_key(s.deck, s.slide) for i in items for s in i.sources]),
                  sparql=rendered_query(kb.book, "security_features"), confidence=0.8)


def yes_no_answer(kb: KB, parsed: Parsed, scored: Sequence[Scored]) -> Answer:
    """A verdict: no when a negation or anti-pattern matches, yes when a statement does."""
    by_segment = segment_scores(kb, scored)
    evidence = []
    for entity in parsed.entities:
        for row in run_select(kb.store, kb.book, "negations_of", entity=entity_iri(entity)):
            ends = {id_from_iri(row["subject"]), id_from_iri(row["object"])}
            if len(set(parsed.entities) & ends) >= min(2, len(parsed.entities)):
                evidence.append((1.0, "no", row["text"], row["slide"]))
        for row in run_select(kb.store, kb.book, "anti_patterns_of", entity=entity_iri(entity)):
            info = kb.slides.get(row["slide"])
            if info is None:
                continue
            score = by_segment.get((info.deck, info.number, row["lineStart"]), 0.0)
            if score > 0.45:
                alt = f" (use {row['alternativeLabel']} instead)" if row["alternativeLabel"] else ""
                evidence.append((score, "no", row["text"] + alt, row["slide"]))
    best = passages(scored, n=2)
    if not evidence and best:
        top = best[0]
        text = segment_text(top.hit)
        verdict = "no" if NEGATIVE.search(text) else "yes"
        if top.score > 0.5:
            evidence.append((top.score, verdict, text, slide_key(top.hit.deck, top.hit.slide)))
    if not evidence:
        base = passage_answer(kb, parsed, scored, confidence=0.3,
                              lead="The deck does not say directly; closest passages")
        return replace(base, intent="yes_no", verdict=None)
    evidence.sort(key=lambda e: -e[0])
    score, verdict, text, slide = evidence[0]
    info = kb.slides.get(slide)
    where = f" ({cite([info.number])})" if info else ""
    extra = " ".join(f"\"{segment_text(p.hit)}\"" for p in best[:1]
                     if segment_text(p.hit) != text)
    answer = f"{verdict.capitalize()}. The deck says: \"{text}\"{where}. {extra}".strip()
    return Answer(question=parsed.text, answer=answer, intent="yes_no",
                  verdict="yes" if verdict == "yes" else "no",
                  sources=sources_from(kb, scored, first=[slide]),
                  confidence=round(min(0.95, score), 2), entities=parsed.entities,
                  sparql=rendered_query(kb.book, "negations_of",
                                        entity=entity_iri(parsed.entities[0]))
                  if parsed.entities else None)


def answer(question: str, kb: KB, *, k: int = 5) -> Answer:
    """Answer one question from the graph and the index."""
    text = check_question(question)
    query = kb.embed_query(text)
    mentions = link_entities(text, aliases=kb.aliases, labels=kb.labels)
    knn, _ = classify_knn(kb.intent_model, query) if kb.intent_model else ("search", 0.0)
    parsed = parse_question(text, mentions, knn)
    scored = rank(kb, query, parsed.entities)
    if parsed.intent in LIST_QUERIES and parsed.entities:
        result = list_answer(kb, parsed, scored, parsed.entities[0])
    elif parsed.intent == "limit" and parsed.entities:
        result = limit_answer(kb, parsed, scored)
    elif parsed.intent == "security":
        result = security_answer(kb, parsed, scored)
    elif parsed.intent == "yes_no":
        result = yes_no_answer(kb, parsed, scored)
    else:
        result = passage_answer(kb, parsed, scored, confidence=0.6 if parsed.entities else 0.3)
    if parsed.yes_no and result.verdict is None and parsed.intent != "yes_no":
        verdict = yes_no_answer(kb, parsed, scored)
        result = replace(result, verdict=verdict.verdict,
                         answer=f"{result.answer} {verdict.answer}")
    return replace(result, sources=result.sources[:k] if result.sources else
                   sources_from(kb, scored, k=k))
