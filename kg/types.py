"""Frozen records that flow through the pipeline: Slide, Segment, Fact, Hit, Answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kg.registry import FactKind as FactKind
from kg.registry import RelationKind as RelationKind

SegmentKind = Literal["title", "bullet", "text", "label", "code", "link"]

# Relation and fact kinds are closed enums of the relation registry (kg/registry.py).
SecurityCategory = Literal[
    "encryptionAtRest",
    "encryptionInTransit",
    "accessControl",
    "networkIsolation",
    "auditing",
    "authentication",
]


@dataclass(frozen=True)
class Slide:
    """One slide of a deck, cleaned: title, course section, body lines with their line numbers."""

    deck: str
    number: int
    title: str
    domain: str
    line_start: int
    line_end: int
    body: tuple[tuple[int, str], ...]
    page: int | None = None
    subtitle: str = ""
    links: tuple[str, ...] = ()
    unsure: str = ""

    @property
    def text(self) -> str:
        """The cleaned body as one newline-joined string."""
        return "\n".join(line for _, line in self.body)


@dataclass(frozen=True)
class Segment:
    """A unit of slide text: a bullet with its wrapped lines joined, a label, a code block."""

    deck: str
    slide: int
    kind: SegmentKind
    text: str
    line_start: int
    line_end: int
    parent: str = ""


@dataclass(frozen=True)
class Quantity:
    """A bounded figure: what is limited, the number, its unit and its qualifier."""

    quantity: str
    value: float
    unit: str
    qualifier: str = ""
    text: str = ""


@dataclass(frozen=True)
class ListMember:
    """One member of a slide list, in order: its text and the entity it names, if any."""

    text: str
    entity: str = ""


@dataclass(frozen=True)
class Fact:
    """One statement extracted from a slide, with its provenance."""

    kind: FactKind
    subject: str
    deck: str
    slide: int
    line_start: int
    line_end: int
    text: str
    relation: RelationKind | None = None
    object: str | None = None
    limit: Quantity | None = None
    security: SecurityCategory | None = None
    attribute: str = ""
    value: str = ""
    negated: bool = False
    confidence: float = 1.0
    header: str = ""
    role: str = ""
    members: tuple[ListMember, ...] = ()


@dataclass(frozen=True)
class Entity:
    """A gazetteer entry: canonical label, ontology class and the spellings decks use."""

    id: str
    label: str
    type: str
    aliases: tuple[str, ...] = ()
    part_of: str | None = None
    successor_of: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Hit:
    """A vector-search result: what the vector points to and its cosine score."""

    key: str
    kind: str
    deck: str
    slide: int
    score: float
    text: str = ""


@dataclass(frozen=True)
class SourceRef:
    """A slide that supports an answer."""

    deck: str
    slide: int
    lines: tuple[int, int] | None
    page: int | None
    title: str
    text: str
    score: float


@dataclass(frozen=True)
class Item:
    """One entity of a list answer with the slides that assert it."""

    label: str
    iri: str
    sources: tuple[SourceRef, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Value:
    """A limit answer: the figure with its unit."""

    text: str
    value: float | None
    unit: str
    quantity: str


@dataclass(frozen=True)
class Answer:
    """The answer contract of ../shared/eval/README.md."""

    question: str
    answer: str
    intent: str
    items: tuple[Item, ...] = ()
    value: Value | None = None
    verdict: Literal["yes", "no"] | None = None
    sources: tuple[SourceRef, ...] = ()
    sparql: str | None = None
    confidence: float = 0.0
    entities: tuple[str, ...] = field(default=())
