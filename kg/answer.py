"""A question in, an exact answer out: graph traversal for facts, vector search for sources."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kg.errors import BadQuery
from kg.figures import LIMIT_WORDS, compare_limits, limit_answer
from kg.kb import KB
from kg.linking import link_entities
from kg.lists import (
    LIST_QUERIES,
    MANAGED_TYPES,
    list_answer,
    relation_verdict,
)
from kg.passages import (
    attribute_answer,
    cite,
    comparison_answer,
    label,
    list_from_passages,
    passage_answer,
    passages,
    quote,
)
from kg.question import (
    ANAPHORA,
    ASKS_ONE,
    Parsed,
    classify_knn,
    parse_question,
)
from kg.retrieve import (
    Scored,
    lexical,
    rank,
    rank_clauses,
    segment_text,
    slide_key,
    sources_from,
)
from kg.types import Answer
from kg.verdicts import security_answer, yes_no_answer

MAX_QUESTION_CHARS = 2000


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
    quoted = quote(best)
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
