"""Entities a question names, with their spans, split into asked-about and set-aside."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from kg.ask.parse import excluded_spans
from kg.linking import Mention, link_entities

# "on-prem and EC2 databases": the first modifier shares the head noun written after the second.
SHARED_HEAD_RE: Final = re.compile(
    r"^\s*(?:the\s+)?([\w-]+)\s+(?:and|or|&)\s+[\w-]+(?:\s+[\w-]+)?\s+([\w-]+)\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Linked:
    """The question's entity mentions: all of them, the kept ones and the excluded ids."""

    mentions: tuple[Mention, ...]
    kept: tuple[Mention, ...]
    entities: tuple[str, ...]
    excluded: tuple[str, ...]


def link(text: str, *, aliases: Mapping[str, str], labels: Mapping[str, str]) -> Linked:
    """Link the question's entities; those inside "besides X" spans are set aside."""
    mentions = tuple(link_entities(text, aliases=aliases, labels=labels))
    spans = excluded_spans(text)
    kept = tuple(m for m in mentions if not any(a <= m.start < b for a, b in spans))
    excluded = tuple(
        dict.fromkeys(
            [m.entity for m in mentions if m not in kept]
            + [e for a, b in spans for e in shared_head_entities(text[a:b], aliases, labels)]
        )
    )
    entities = tuple(dict.fromkeys(m.entity for m in kept))
    return Linked(mentions, kept, entities, excluded)


def shared_head_entities(
    phrase: str, aliases: Mapping[str, str], labels: Mapping[str, str]
) -> list[str]:
    """Entities the first modifier of "A and B nouns" names with the shared noun ("A nouns")."""
    match = SHARED_HEAD_RE.match(phrase)
    if match is None:
        return []
    elided = f"{match.group(1)} {match.group(2)}"
    return [m.entity for m in link_entities(elided, aliases=aliases, labels=labels)]
