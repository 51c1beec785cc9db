"""Limit answers: the figure whose statement best matches the question, with unit and qualifier."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kg.graph import entity_iri, id_from_iri, rendered_query, run_select
from kg.kb import KB
from kg.passages import (
    cite,
    label,
    passage_answer,
    plain_label,
)
from kg.question import (
    ANAPHORA,
    Parsed,
)
from kg.retrieve import (
    Scored,
    source_ref,
    sources_from,
    word_overlap,
)
from kg.types import Answer, Item, Value
from kg.vectors import segment_place

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


def segment_scores(scored: Sequence[Scored]) -> dict[tuple[str, int, int], float]:
    """(deck, slide, first line) of each ranked segment -> its re-ranked score."""
    out = {}
    for item in scored:
        if item.hit.kind == "segment":
            out[segment_place(item.hit.key)] = item.score
    return out


def format_number(value: float) -> str:
    """A figure as the deck would print it: 10,000 not 10000.0."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}".rstrip("0").rstrip(".")


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
