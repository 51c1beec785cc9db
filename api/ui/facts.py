"""Entity cards and slide pages arranged for reading: facts grouped, located and drawn."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from api.models import EntityCard, FactOut, SlideFact, SlidePage
from api.ui.marks import Span, locate, mark_text
from api.ui.neighbourhood import Direction, Drawing, Relation, draw_neighbourhood
from kg.kb import KB


class RelationKind(NamedTuple):
    """How a card's relation kind reads: its heading, its edge in the graph, its direction."""

    heading: str
    edge: str
    direction: Direction


# The card's relation kinds (api/http.py RELATION_KINDS): a flow in and a flow out are one
# predicate seen from either end, so the drawn edge keeps the predicate and the arrow turns.
RELATION_KINDS: dict[str, RelationKind] = {
    "writes_to": RelationKind("Sends data to", "writes to", Direction.OUT),
    "reads_from": RelationKind("Receives data from", "writes to", Direction.IN),
    "triggers": RelationKind("Triggers", "triggers", Direction.OUT),
    "triggered_by": RelationKind("Triggered by", "triggers", Direction.IN),
    "integrates_with": RelationKind("Integrates with", "integrates with", Direction.BOTH),
    "part_of": RelationKind("Part of", "part of", Direction.OUT),
    "has_part": RelationKind("Has parts", "part of", Direction.IN),
    "successor_of": RelationKind("Successor of", "successor of", Direction.OUT),
    "succeeded_by": RelationKind("Succeeded by", "successor of", Direction.IN),
}
NEGATED_PREFIX = "not_"
CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True)
class Group:
    """Facts under one heading."""

    heading: str
    facts: list[FactOut]


@dataclass(frozen=True)
class SlideFactView:
    """A fact of a slide as the page lists it."""

    index: int
    kind: str
    fact: SlideFact
    summary: str
    marked: bool


def relations_of(card: EntityCard) -> list[Relation]:
    """The card's typed relations to other entities, for the drawing."""
    return [
        Relation(kind.edge, fact.entity, fact.label, kind.direction)
        for name, kind in RELATION_KINDS.items()
        for fact in card.facts.get(name, [])
        if fact.entity
    ]


def security_groups(facts: list[FactOut]) -> list[Group]:
    """Security features grouped by category, in the order categories first appear."""
    groups: dict[str, list[FactOut]] = {}
    for fact in facts:
        groups.setdefault(str(fact.details.get("category") or "security"), []).append(fact)
    return [Group(category, members) for category, members in groups.items()]


def entity_view(card: EntityCard, kb: KB) -> dict[str, Any]:
    """What the entity template shows."""
    flows = [
        Group(kind.heading, card.facts[name])
        for name, kind in RELATION_KINDS.items()
        if card.facts.get(name)
    ]
    drawing: Drawing = draw_neighbourhood(card.id, card.label, relations_of(card))
    return {
        "card": card,
        "flows": flows,
        "limits": card.facts.get("limits", []),
        "security": security_groups(card.facts.get("security_features", [])),
        "attributes": card.facts.get("attributes", []),
        "negations": [(negation_label(fact), fact) for fact in card.facts.get("negations", [])],
        # An anti-pattern's entity is the alternative the deck advises.
        "anti_patterns": [
            (fact, labelled(kb, [fact.entity])[0] if fact.entity else None)
            for fact in card.facts.get("anti_patterns", [])
        ],
        "drawing": drawing,
    }


def denied(words: str) -> str:
    """Relation words denied: verbs ('writes to') take 'does not', nouns ('part of') 'is not'."""
    verb, _, rest = words.partition(" ")
    if verb.endswith("s") and not verb.endswith("ss"):
        return f"does not {verb[:-1]} {rest}".strip()
    return f"is not {words}"


def kind_words(kind: str) -> str:
    """A fact kind as words: 'writesTo' reads 'writes to', 'not_writesTo' 'does not write to'."""
    words = CAMEL_BOUNDARY.sub(" ", kind.removeprefix(NEGATED_PREFIX)).lower()
    return denied(words) if kind.startswith(NEGATED_PREFIX) else words


def negation_label(fact: FactOut) -> str:
    """A denial of the card as words ('X does not writesTo Y' reads 'X does not write to Y')."""
    prop = str(fact.details.get("property") or "")
    if not prop:
        return fact.label
    return fact.label.replace(f"does not {prop}", denied(kind_words(prop)))


def fact_summary(fact: SlideFact) -> str:
    """What a fact says in a few words, from its parts."""
    details = fact.details
    if "quantity" in details:
        value = details.get("value")
        number = f"{value:g}" if isinstance(value, float) else str(value)
        qualifier = f" ({details['qualifier']})" if details.get("qualifier") else ""
        what = f"{details['quantity']}: {number} {details.get('unit') or ''}".strip()
        return f"{fact.subject_label}: {what}{qualifier}"
    if "category" in details:
        return f"{fact.subject_label}: {details['category']}"
    if "name" in details:
        return f"{fact.subject_label}: {details['name']} = {details.get('value')}"
    parts = [fact.subject_label, kind_words(fact.kind), fact.object_label]
    return " ".join(part for part in parts if part)


def labelled(kb: KB, ids: list[str]) -> list[tuple[str, str]]:
    """Entity ids with their labels (the id when the gazetteer has none)."""
    return [(i, kb.entities[i].label if i in kb.entities else i) for i in ids]


def neighbours(kb: KB, deck: str, number: int) -> tuple[int | None, int | None]:
    """The numbers of the previous and next slides of the same deck."""
    numbers = sorted(info.number for info in kb.slides.values() if info.deck == deck)
    before = [n for n in numbers if n < number]
    after = [n for n in numbers if n > number]
    return (before[-1] if before else None), (after[0] if after else None)


def slide_view(slide: SlidePage, kb: KB) -> dict[str, Any]:
    """What the slide template shows: marked text, listed facts, neighbours, entities."""
    spans: list[Span] = mark_text(slide.text, [fact.text for fact in slide.facts])
    facts = [
        SlideFactView(
            index=index,
            kind=kind_words(fact.kind),
            fact=fact,
            summary=fact_summary(fact),
            marked=locate(slide.text, fact.text) is not None,
        )
        for index, fact in enumerate(slide.facts)
    ]
    previous, following = neighbours(kb, slide.deck, slide.number)
    return {
        "slide": slide,
        "spans": spans,
        "facts": facts,
        "previous": previous,
        "following": following,
        "about": labelled(kb, slide.about),
        "mentions": labelled(kb, slide.mentions),
    }
