"""Entities a question names, with their spans, split into asked-about and set-aside."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kg.ask.parse import excluded_spans
from kg.linking import Mention, link_entities


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
    excluded = tuple(dict.fromkeys(m.entity for m in mentions if m not in kept))
    entities = tuple(dict.fromkeys(m.entity for m in kept))
    return Linked(mentions, kept, entities, excluded)
