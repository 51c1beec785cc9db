"""From a parsed, linked question to a plan: answer shape, focus, relation and narrowing words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from kg.ask.link import Linked
from kg.ask.parse import AnswerType, Flow, Intent, Parsed
from kg.ask.text import content_stems, stem, stopwords

RELATION_WORDS_FILE: Final = Path(__file__).parent.parent / "data" / "relation_words.txt"
# "what can de-aggregate X records?", "which services write to X?": the wh-phrase is the one doing
# the predicate, so the answer is the subject of the evidence, not its object.
AGENT_RE: Final = re.compile(
    r"^\s*(?:[\w']+,\s*)?(?:on the \w+ side,\s*)?(?:what|which|who)\b"
    r"(?:\s+(?!(?:does|do|did|can|could|is|are|will|would|X|Y)\b)[\w-]+){0,4}?\s+"
    r"(?:(?:can|could|does|do|will|would|is able to|are able to)\s+(?!X\b|Y\b|I\b|we\b|you\b|"
    r"they\b|it\b|my\b|our\b|the\b|an?\b)|(?:offers?|supports?|provides?|has|have|includes?|"
    r"allows?|enables?|reads?|consumes?|writes?|sends?|pulls?|ingests?|delivers?|loads?|pushe?s?|"
    r"polls?|process(?:es)?|quer(?:y|ies)|triggers?|invokes?)\b)",
    re.IGNORECASE,
)
# Multi-hop cues: the question describes an entity instead of naming it ("another AWS service",
# "one of the streaming services", "that engine").
BRIDGE_RE: Final = re.compile(
    r"\b(?:another|one of the|a different|an open-source|some other)\b[^.?]{0,40}\b(?:service|"
    r"services|engine|framework|database|library|tool|algorithm|device|notebook)\b|"
    r"\b(?:that|this|the same) (?:service|database|engine|library|tool|framework|algorithm|device|"
    r"notebook|streaming service)\b",
    re.IGNORECASE,
)


# "across the course", "anywhere in the deck": every slide counts, so the graph's edges answer.
DECK_WIDE_RE: Final = re.compile(
    r"\b(?:across|throughout|anywhere in|all over|in all of|in any of)\s+the\s+(?:course|deck|"
    r"slides|architectures?)\b|\bin the architectures? (?:covered|shown)\b",
    re.IGNORECASE,
)


# An entity described instead of named, pointed back to later: "a caching service ... its TTL",
# "Which X device ships ..., and ... its SSD variant", "The library that ... keeps ...", and
# "Which <family> ships ..., and ... its ..." (a member of a named family).
DESCRIBED_RE: Final = re.compile(
    r"\b(?:an?|which|the)\s+(?:[\w-]+\s+){0,3}?(?:service|database|engine|library|tool|framework|"
    r"algorithm|device|notebook|product)\b(?!\s*\?)|\bwhich X\b(?!\s*\?)",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def relation_stems() -> frozenset[str]:
    """Stems of the words that only say "related" (kg/data/relation_words.txt)."""
    lines = RELATION_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(stem(w.strip()) for w in lines if w.strip() and not w.startswith("#"))


@dataclass(frozen=True)
class Plan:
    """What to look up and how to answer."""

    text: str
    parsed: Parsed
    linked: Linked
    answer: AnswerType
    intent: Intent
    focus: str | None
    flow: Flow | None
    pure_relation: bool
    agent: bool
    bridge: bool
    topic_stems: tuple[str, ...]
    predicate_stems: tuple[str, ...]
    deck_wide: bool
    scope_stems: tuple[str, ...] = ()


def entity_stems(text: str, linked: Linked) -> set[str]:
    """Stems of the words inside entity mentions."""
    out: set[str] = set()
    for mention in linked.mentions:
        out.update(content_stems(mention.text))
    return out


def make_plan(parsed: Parsed, linked: Linked) -> Plan:
    """Decide focus, relation and the words that narrow the answer."""
    topic = content_stems(parsed.text)
    named = entity_stems(parsed.text, linked)
    scope = tuple(dict.fromkeys(t for phrase in parsed.scope for t in content_stems(phrase)))
    generic = relation_stems() | set(scope)
    predicate = tuple(t for t in dict.fromkeys(topic) if t not in named and t not in generic)
    flow = parsed.flow
    kept_ids = [m.entity for m in linked.mentions]
    focus = None
    if flow is not None and flow.focus < len(kept_ids):
        focus = kept_ids[flow.focus]
        if focus in linked.excluded:
            focus = None
    if focus is None and linked.entities:
        focus = linked.entities[0]
    focus = unscoped(focus, parsed, linked)
    answer, intent = parsed.answer, parsed.intent
    parts = len(re.findall(r"[.?!]\s+\S", parsed.text)) >= 1 or len(parsed.clauses) >= 2
    described = bool(DESCRIBED_RE.search(parsed.masked)) and parsed.anaphora
    bridge = parts and bool(BRIDGE_RE.search(parsed.text) or described)
    pure = flow is not None and not predicate and answer in (AnswerType.ENTITIES, AnswerType.TEXT)
    if pure and flow is not None:
        intent = flow.intent
        answer = AnswerType.ENTITIES
    if parsed.verdict and answer is not AnswerType.NUMBER:
        intent = Intent.YES_NO
    if bridge:
        intent = Intent.MULTI_HOP
    return Plan(
        text=parsed.text,
        parsed=parsed,
        linked=linked,
        answer=answer,
        intent=intent,
        focus=focus,
        flow=flow,
        pure_relation=pure,
        agent=bool(AGENT_RE.search(parsed.asking or parsed.masked)),
        bridge=bridge,
        topic_stems=tuple(topic),
        predicate_stems=predicate,
        deck_wide=bool(DECK_WIDE_RE.search(parsed.text)),
        scope_stems=tuple(t for t in scope if t not in named),
    )


def unscoped(focus: str | None, parsed: Parsed, linked: Linked) -> str | None:
    """The focus, or the first entity named outside scope phrases when the focus is named only
    inside one ("ingest from, going by the EMR section": EMR says where to look)."""
    free = [m.entity for i, m in enumerate(linked.mentions) if i not in parsed.scoped]
    if focus is None or focus in free:
        return focus
    return next((e for e in free if e not in linked.excluded), focus)


def is_stopword(word: str) -> bool:
    """Whether a word carries no topic."""
    return word.lower() in stopwords()
