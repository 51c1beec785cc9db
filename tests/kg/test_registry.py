"""The relation registry: every kind loads, agrees with the ontology and answers lookups."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDFS, Graph, URIRef

from kg.registry import (
    RELATIONS,
    RelationKind,
    Side,
    load_relations,
    registry_triples,
    spec_for_predicate,
    super_property,
)
from ontology.terms import KG, ONTOLOGY_TTL


def test_registry_has_one_spec_per_kind_with_unique_predicates() -> None:
    assert set(RELATIONS) == set(RelationKind)
    predicates = [spec.predicate for spec in RELATIONS.values()]
    assert len(predicates) == len(set(predicates))


def test_registry_lookup_by_predicate_inverse_and_negated_form() -> None:
    flow = RELATIONS[RelationKind.FLOW]
    assert spec_for_predicate(KG.writesTo) is flow
    assert spec_for_predicate(str(KG.readsFrom)) is flow
    assert spec_for_predicate(str(KG) + "notWritesTo") is flow
    assert spec_for_predicate(KG.hasLimit) is None


def test_registry_refinements_sit_under_their_parents() -> None:
    assert super_property(RELATIONS[RelationKind.LOADS]) == KG.writesTo
    assert super_property(RELATIONS[RelationKind.QUERIES_IN_PLACE]) == KG.readsFrom
    assert super_property(RELATIONS[RelationKind.CATALOG]) == URIRef(str(KG) + "uses")
    assert KG.writesTo in RELATIONS[RelationKind.MIGRATION_TARGET].also


def test_registry_domains_and_ranges_are_ontology_classes() -> None:
    ontology = Graph().parse(ONTOLOGY_TTL)
    classes = {spec.domain for spec in RELATIONS.values()} | {s.range for s in RELATIONS.values()}
    assert all((c, RDFS.label, None) in ontology for c in classes)


def test_registry_declares_every_property_it_uses() -> None:
    declared = Graph()
    for triple in registry_triples():
        declared.add(triple)
    for spec in RELATIONS.values():
        for prop in (spec.predicate, spec.inverse, spec.negated):
            if prop is not None:
                assert declared.value(prop, RDFS.label) is not None, prop
                assert declared.value(prop, RDFS.comment) is not None, prop


def test_registry_question_words_name_a_side() -> None:
    flow = RELATIONS[RelationKind.FLOW]
    sides = {word.phrase: word.after for word in flow.question_words}
    # "who writes to X": X is the object; "who reads from X": X is the subject of writes-to.
    assert sides["write to"] is Side.OBJECT and sides["read from"] is Side.SUBJECT
    assert all(spec.question_words for spec in RELATIONS.values())


def test_registry_rejects_a_file_missing_a_kind(tmp_path: Path) -> None:
    path = tmp_path / "relations.toml"
    path.write_text('[flow]\npredicate = "writesTo"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="missing"):
        load_relations(path)
