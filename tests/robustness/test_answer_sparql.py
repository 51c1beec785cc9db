"""The SPARQL shown with an answer runs as given: pasted into /sparql it returns the rows the
fixed query returned with its values bound."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from kg.graph import entity_iri, load_queries, rendered_query, slide_iri
from ontology.terms import KG

ENTITIES = ("redshift", "kinesis-data-firehose", "s3", "sqs", "kinesis-data-streams")
# (query, variable) pairs the answer code binds, plus the other per-entity queries.
BY_ENTITY = (
    "limits_of",
    "security_of",
    "attributes_of",
    "negations_of",
    "anti_patterns_of",
    "slides_about",
    "description_of",
    "entity_relations",
    "entity_limits",
    "entity_security",
    "entity_attributes",
)
CASES: list[tuple[str, dict[str, Any]]] = [
    *((name, {"entity": entity_iri(e)}) for name in BY_ENTITY for e in ENTITIES[:3]),
    *(("sources_of", {"target": entity_iri(e), "predicate": KG.writesTo}) for e in ENTITIES),
    *(("destinations_of", {"source": entity_iri(e), "predicate": KG.writesTo}) for e in ENTITIES),
    *(("sources_of", {"target": entity_iri(e), "predicate": KG.triggers}) for e in ("lambda",)),
    *(("entities_on_slide", {"slide": URIRef(str(slide_iri("sample-deck", n)))}) for n in (2, 5)),
    *(("slide_facts", {"slide": slide_iri("sample-deck", n)}) for n in (3, 7)),
    ("security_features", {}),
    # The query kg.ask runs and shows for relation questions.
    *(
        ("related", {"entity": entity_iri(e), "predicate": predicate})
        for e in ENTITIES
        for predicate in (KG.writesTo, KG.readsFrom, KG.integratesWith)
    ),
]


Rows = Counter[tuple[tuple[str, str], ...]]


def bound_rows(kb: Any, name: str, bindings: dict[str, Any]) -> Rows:
    """The fixed query's rows with values substituted, as (variable, lexical value) tuples."""
    import pyoxigraph as ox

    from kg.graph import _bind

    substitutions = {ox.Variable(k): _bind(v) for k, v in bindings.items()}
    results = kb.store.query(kb.book.texts[name], substitutions=substitutions)
    names = [v.value for v in results.variables]
    return Counter(tuple((n, row[n].value) for n in names if row[n] is not None) for row in results)


def pasted_rows(client: TestClient, text: str) -> Rows:
    """The rows /sparql returns for a query text."""
    response = client.post("/sparql", data={"query": text})
    assert response.status_code == 200, response.text
    body = json.loads(response.content)
    names = body["head"]["vars"]
    return Counter(
        tuple((n, b[n]["value"]) for n in names if n in b) for b in body["results"]["bindings"]
    )


@pytest.mark.parametrize(
    ("name", "bindings"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)]
)
def test_answer_sparql_pasted_query_returns_the_same_rows(
    client: TestClient, sample_kb: Any, name: str, bindings: dict[str, Any]
) -> None:
    text = rendered_query(load_queries(), name, **bindings)
    assert not bindings or "VALUES (" in text
    expected = bound_rows(sample_kb, name, bindings)
    assert pasted_rows(client, text) == expected


def test_answer_sparql_has_rows_to_compare(sample_kb: Any) -> None:
    nonempty = sum(1 for name, bindings in CASES if bound_rows(sample_kb, name, bindings))
    assert nonempty >= len(CASES) // 2
