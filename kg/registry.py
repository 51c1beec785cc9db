"""The relation registry: every relation kind between entities, loaded once from relations.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rdflib import OWL, RDF, RDFS, Literal, URIRef

from ontology.terms import KG

RELATIONS_TOML = Path(__file__).parent.parent / "ontology" / "relations.toml"
Triple = tuple[URIRef, URIRef, URIRef | Literal]


class RelationKind(StrEnum):
    """The closed set of relation kinds; each has one table in ontology/relations.toml."""

    FLOW = "flow"
    LOADS = "loads"
    QUERIES_IN_PLACE = "queriesInPlace"
    TRIGGERS = "triggers"
    INTEGRATES = "integrates"
    USES = "uses"
    CATALOG = "catalog"
    MIGRATES = "migrates"
    MIGRATION_SOURCE = "migrationSource"
    MIGRATION_TARGET = "migrationTarget"
    ALTERNATIVE = "alternative"
    MONITORS = "monitors"
    COMPARED = "compared"
    REPLACES = "replaces"
    PART_OF = "partOf"
    ADJACENT = "adjacent"


class FactKind(StrEnum):
    """The closed set of fact kinds an extractor emits."""

    RELATION = "relation"
    LIMIT = "limit"
    SECURITY = "security"
    ATTRIBUTE = "attribute"
    DESCRIPTION = "description"
    ANTI_PATTERN = "antiPattern"
    MENTION = "mention"
    ABOUT = "about"
    LISTING = "listing"


class Side(StrEnum):
    """Which end of a relation an entity is: its subject or its object."""

    SUBJECT = "subject"
    OBJECT = "object"


@dataclass(frozen=True)
class QuestionWord:
    """A phrase a user types to ask for a relation, and which end the entity after it names."""

    phrase: str
    after: Side


@dataclass(frozen=True)
class RelationSpec:
    """One relation kind: its properties, classes, labels, parent and question words."""

    kind: RelationKind
    predicate: URIRef
    inverse: URIRef | None
    directed: bool
    negated: URIRef | None
    domain: URIRef
    range: URIRef
    label: str
    inverse_label: str
    comment: str
    parent: RelationKind | None
    refines: URIRef | None
    also: tuple[URIRef, ...]
    confidence: float
    question_words: tuple[QuestionWord, ...]


def term(name: str) -> URIRef:
    """A kg: term by local name (the registry declares its own properties, see registry_triples)."""
    return URIRef(str(KG) + name)


def optional_term(name: str) -> URIRef | None:
    """A kg: term, or None for an empty name."""
    return term(name) if name else None


def spec_from_table(kind: RelationKind, table: Mapping[str, Any]) -> RelationSpec:
    """A RelationSpec from its TOML table."""
    words = table.get("question_words", {})
    return RelationSpec(
        kind=kind,
        predicate=term(table["predicate"]),
        inverse=optional_term(table["inverse"]),
        directed=bool(table["directed"]),
        negated=optional_term(table["negated"]),
        domain=term(table["domain"]),
        range=term(table["range"]),
        label=table["label"],
        inverse_label=table["inverse_label"],
        comment=table["comment"],
        parent=RelationKind(table["parent"]) if table["parent"] else None,
        refines=optional_term(table["refines"]),
        also=tuple(term(name) for name in table["also"]),
        confidence=float(table["confidence"]),
        question_words=tuple(
            QuestionWord(phrase, Side(side)) for side in Side for phrase in words.get(side, ())
        ),
    )


def load_relations(path: Path = RELATIONS_TOML) -> Mapping[RelationKind, RelationSpec]:
    """Every relation kind's spec; a kind missing from the file or a stray table is an error."""
    tables = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(tables) - {kind.value for kind in RelationKind}
    missing = {kind.value for kind in RelationKind} - set(tables)
    if unknown or missing:
        raise ValueError(f"{path}: tables {sorted(unknown)} unknown, {sorted(missing)} missing")
    return MappingProxyType(
        {kind: spec_from_table(kind, tables[kind.value]) for kind in RelationKind}
    )


RELATIONS: Mapping[RelationKind, RelationSpec] = load_relations()
BY_PREDICATE: Mapping[URIRef, RelationSpec] = MappingProxyType(
    {spec.predicate: spec for spec in RELATIONS.values()}
)


def spec_for_predicate(predicate: URIRef | str) -> RelationSpec | None:
    """The spec whose predicate (or inverse, or negated form) is this property."""
    uri = URIRef(str(predicate))
    if uri in BY_PREDICATE:
        return BY_PREDICATE[uri]
    return next((spec for spec in RELATIONS.values() if uri in (spec.inverse, spec.negated)), None)


def super_property(spec: RelationSpec) -> URIRef | None:
    """The property this kind's predicate refines: `refines`, else the parent kind's predicate."""
    if spec.refines is not None:
        return spec.refines
    return RELATIONS[spec.parent].predicate if spec.parent is not None else None


def property_triples(
    predicate: URIRef, label: str, comment: str, spec: RelationSpec
) -> list[Triple]:
    """The declaration of one property with its label, comment, domain and range."""
    return [
        (predicate, RDF.type, OWL.ObjectProperty),
        (predicate, RDFS.label, Literal(label)),
        (predicate, RDFS.comment, Literal(comment)),
        (predicate, RDFS.domain, spec.domain),
        (predicate, RDFS.range, spec.range),
    ]


def spec_triples(spec: RelationSpec) -> list[Triple]:
    """The vocabulary one registry entry declares: its property, inverse and negated form."""
    triples = property_triples(spec.predicate, spec.label, spec.comment, spec)
    parent = super_property(spec)
    triples += [(spec.predicate, RDFS.subPropertyOf, p) for p in (parent, *spec.also) if p]
    if not spec.directed:
        triples.append((spec.predicate, RDF.type, OWL.SymmetricProperty))
    if spec.inverse is not None and spec.inverse != spec.predicate:
        triples += property_triples(
            spec.inverse, spec.inverse_label, f"Inverse of {spec.label}.", spec
        )
        triples.append((spec.predicate, OWL.inverseOf, spec.inverse))
    if spec.negated is not None:
        triples += property_triples(
            spec.negated,
            f"stated not to: {spec.label}",
            f"A slide states that the subject does NOT {spec.label} the object; never a positive "
            "edge (the statement is a kg:Negation node).",
            spec,
        )
    return triples


def registry_triples() -> list[Triple]:
    """The relation properties of the vocabulary, as the registry declares them."""
    return [triple for spec in RELATIONS.values() for triple in spec_triples(spec)]


def snake(words: str) -> str:
    """A relation label as an identifier ("is used by" -> "is_used_by")."""
    return "_".join(words.lower().split())


def card_kinds() -> dict[tuple[str, str], str]:
    """(predicate local name, "out" | "in") -> the name an entity card groups the relation
    under, for every registry kind: its label read from the subject, its inverse label from
    the object ("uses" / "is_used_by", "loads_into" / "is_loaded_from")."""
    kinds: dict[tuple[str, str], str] = {}
    for spec in RELATIONS.values():
        name = str(spec.predicate).rsplit("#", 1)[-1]
        kinds[(name, "out")] = snake(spec.label)
        kinds[(name, "in")] = snake(spec.inverse_label)
    return kinds
