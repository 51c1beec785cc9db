"""Relation questions read with the relation registry's question words ("what is X built on",
"what keeps an eye on X", "which services does X integrate with"): a kind and the asked end."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from kg.registry import RELATIONS, RelationKind, Side

# Kinds not read here: comparisons, diagram neighbours and parts are not list questions, and data
# flow has its own direction rules (kg/data/question_rules.toml).
UNASKED: Final = frozenset(
    {
        RelationKind.COMPARED,
        RelationKind.ADJACENT,
        RelationKind.PART_OF,
        RelationKind.FLOW,
        RelationKind.LOADS,
        RelationKind.QUERIES_IN_PLACE,
    }
)
# Single words too common in questions to ask for a relation on their own ("heavy use of",
# "log files", "what does X support", "what's the alternative").
WEAK_PHRASES: Final = frozenset(
    {"use", "uses", "support", "supports", "log", "logs", "alternative", "alternatives", "track"}
)
# How many words may stand between a phrase and the entity it governs: "monitor the metrics of
# an X" (before), "X is usually built on" (after).
WORDS_BEFORE: Final = 4
WORDS_AFTER: Final = 5


@dataclass(frozen=True)
class Reading:
    """A relation question: the kind, which mention is its known end, and which end is asked."""

    kind: RelationKind
    focus: int
    asked: Side
    phrase: str


def other(side: Side) -> Side:
    """The other end of a relation."""
    return Side.OBJECT if side is Side.SUBJECT else Side.SUBJECT


@lru_cache(maxsize=1)
def phrase_patterns() -> tuple[
    tuple[RelationKind, str, Side, re.Pattern[str], re.Pattern[str]], ...
]:
    """(kind, phrase, side, phrase-then-X pattern, X-then-phrase pattern), longest phrases first."""
    rows = []
    for kind, spec in RELATIONS.items():
        if kind in UNASKED:
            continue
        for word in spec.question_words:
            if word.phrase in WEAK_PHRASES:
                continue
            phrase = re.escape(word.phrase).replace(r"\ ", r"\s+")
            before = re.compile(
                rf"\b{phrase}\b\W+(?:[\w'-]+\W+){{0,{WORDS_BEFORE}}}?X\b", re.IGNORECASE
            )
            after = re.compile(
                rf"\bX\b\W+(?:[\w'-]+\W+){{0,{WORDS_AFTER}}}?{phrase}\b", re.IGNORECASE
            )
            rows.append((kind, word.phrase, word.after, before, after))
    rows.sort(key=lambda row: -len(row[1]))
    return tuple(rows)


def read_relation(masks: Sequence[str]) -> Reading | None:
    """The relation a question asks, given the question masked once per mention (that mention X).

    A phrase before X names X as the phrase's side; after X, as the other side ("X is built on":
    X uses something; "built on X": something uses X).
    """
    for kind, phrase, side, before, after in phrase_patterns():
        for focus, masked in enumerate(masks):
            if before.search(masked):
                return Reading(kind, focus, other(side), phrase)
            if after.search(masked):
                return Reading(kind, focus, side, phrase)
    return None
