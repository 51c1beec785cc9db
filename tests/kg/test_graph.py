"""Facts to quads: each fact kind gives the triples the ontology promises, in its slide's graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from kg.errors import BadQuery, ReadOnly
from kg.graph import (
    entity_iri,
    fact_quads,
    load_queries,
    load_store,
    run_query,
    run_select,
    slide_iri,
    unit_iris,
    write_quads,
)
from kg.types import Fact, Quantity
from ontology.terms import KG


def fact(**fields: object) -> Fact:
    """A fact on slide 3 of deck d, line 10."""
    base: dict[str, object] = {
        "kind": "relation",
        "subject": "a",
        "deck": "d",
        "slide": 3,
        "line_start": 10,
        "line_end": 11,
        "text": "A loads data into B",
    }
    return Fact(**(base | fields))  # type: ignore[arg-type]


def triples_of(quads: list) -> Graph:  # type: ignore[type-arg]
    """The triples of quads, graph names dropped."""
    graph = Graph()
    for s, p, o, _ in quads:
        graph.add((s, p, o))
    return graph


def test_graph_writes_to_materialises_inverse_in_slide_graph() -> None:
    quads = fact_quads(fact(relation="writesTo", object="b"), {})
    a, b = entity_iri("a"), entity_iri("b")
    assert (a, KG.writesTo, b, slide_iri("d", 3)) in quads
    assert (b, KG.readsFrom, a, slide_iri("d", 3)) in quads
    assert {q[3] for q in quads} == {slide_iri("d", 3)}


def test_graph_negation_is_never_a_positive_edge() -> None:
    quads = fact_quads(fact(relation="notWritesTo", object="b"), {})
    predicates = {q[1] for q in quads}
    assert KG.writesTo not in predicates and KG.readsFrom not in predicates
    assert KG.hasNegation in predicates and KG.negatedProperty in predicates


def test_graph_limit_matches_golden_triples() -> None:
    units = unit_iris()
    limit = Quantity("message size", 256, "KB", "maximum", "256 KB")
    quads = fact_quads(fact(kind="limit", subject="sqs", limit=limit, text="Max 256 KB"), units)
    node = next(q[2] for q in quads if q[1] == KG.hasLimit)
    expected = Graph().parse(
        data=f"""
        @prefix kg: <https://w3id.org/kgqa/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <{entity_iri("sqs")}> kg:hasLimit <{node}> .
        <{node}> a kg:Limit ; kg:quantity "message size" ; kg:value "256"^^xsd:decimal ;
            kg:unit <{units["KB"]}> ; kg:qualifier "maximum" ; kg:text "Max 256 KB" ;
            kg:lineStart 10 ; kg:lineEnd 11 .
    """,
        format="turtle",
    )
    assert isomorphic(triples_of(quads), expected)


def store_with(quads: list) -> ox.Store:  # type: ignore[type-arg]
    """A pyoxigraph store holding rdflib quads."""
    from kg.graph import _to_ox

    store = ox.Store()
    store.extend(_to_ox(q) for q in quads)
    return store


def test_graph_run_select_binds_values_and_sees_union(tmp_path: Path) -> None:
    from rdflib import RDFS, Literal

    quads = fact_quads(fact(relation="writesTo", object="b"), {})
    quads += fact_quads(fact(relation="writesTo", object="b", slide=4), {})
    gazetteer = URIRef("urn:g:gaz")
    quads += [
        (entity_iri("a"), RDFS.label, Literal("A"), gazetteer),
        (entity_iri("a"), KG.entityType, Literal("Service"), gazetteer),
    ]
    write_quads(quads, tmp_path / "graph.nq")
    store = load_store(tmp_path)
    rows = run_select(
        store, load_queries(), "sources_of", target=entity_iri("b"), predicate=KG.writesTo
    )
    assert sorted((r["label"], r["slide"], r["lineStart"]) for r in rows) == [
        ("A", str(slide_iri("d", 3)), 10),
        ("A", str(slide_iri("d", 4)), 10),
    ]


def test_graph_default_graph_is_a_merge_not_a_multiset(tmp_path: Path) -> None:
    quads = fact_quads(fact(relation="writesTo", object="b"), {})
    quads += fact_quads(fact(relation="writesTo", object="b", slide=4), {})
    write_quads(quads, tmp_path / "graph.nq")
    store = load_store(tmp_path)
    rows = list(run_query(store, "SELECT ?s WHERE { ?s kg:writesTo ?o }"))
    per_graph = list(run_query(store, "SELECT ?g WHERE { GRAPH ?g { ?s kg:writesTo ?o } }"))
    assert len(rows) == 1 and len(per_graph) == 2


def test_graph_run_query_rejects_updates_and_service() -> None:
    store = ox.Store()
    with pytest.raises(ReadOnly):
        run_query(store, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(BadQuery, match="SERVICE"):
        run_query(store, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    with pytest.raises(BadQuery, match="malformed"):
        run_query(store, "SELEC * WHERE { ?s ?p ?o }")


def test_graph_run_query_knows_common_prefixes(tmp_path: Path) -> None:
    quads = fact_quads(fact(relation="writesTo", object="b"), {})
    write_quads(quads, tmp_path / "graph.nq")
    store = load_store(tmp_path)
    rows = list(run_query(store, "SELECT ?t WHERE { ?a rdf:type ?t . ?t a ?c } LIMIT 1"))
    asks = run_query(store, "ASK { ?a rdfs:seeAlso ?b } ")
    assert rows == [] and not bool(asks)
    labelled = run_query(
        store, "SELECT (COUNT(*) AS ?n) WHERE { ?x kg:text ?t . FILTER(DATATYPE(?t) = xsd:string) }"
    )
    assert int(next(iter(labelled))["n"].value) == 1
