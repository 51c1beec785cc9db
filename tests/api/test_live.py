"""A live uvicorn on 127.0.0.1 queried by real SPARQL clients: SPARQLWrapper and SPARQLStore."""

from __future__ import annotations

import json
import urllib.request

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, TSV, TURTLE, XML, SPARQLWrapper

KG = "https://w3id.org/kgqa/ontology#"
REDSHIFT = "https://w3id.org/kgqa/id/entity/redshift"
ONE_HOP = f"SELECT ?source WHERE {{ ?source <{KG}writesTo> <{REDSHIFT}> }}"
ASK = f"ASK {{ ?s <{KG}writesTo> <{REDSHIFT}> }}"
CONSTRUCT = (
    f"CONSTRUCT {{ ?s <{KG}writesTo> <{REDSHIFT}> }} WHERE {{ ?s <{KG}writesTo> <{REDSHIFT}> }}"
)


def wrapper(live_url: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    """A SPARQLWrapper client for the live endpoint."""
    client = SPARQLWrapper(f"{live_url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_live_sparqlwrapper_select_json(live_url: str, method: str) -> None:
    result = wrapper(live_url, ONE_HOP, JSON, method).queryAndConvert()
    assert isinstance(result, dict)
    names = {b["source"]["value"].rsplit("/", 1)[-1] for b in result["results"]["bindings"]}
    assert {"glue", "kinesis-data-firehose"} <= names


@pytest.mark.parametrize("fmt", [XML, CSV, TSV])
def test_live_sparqlwrapper_select_formats(live_url: str, fmt: str) -> None:
    response = wrapper(live_url, ONE_HOP, fmt).query()
    converted = response.convert()
    text = converted if isinstance(converted, (str, bytes)) else converted.toxml()
    text = text.decode() if isinstance(text, bytes) else text
    assert "kinesis-data-firehose" in text


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_live_sparqlwrapper_ask(live_url: str, fmt: str) -> None:
    result = wrapper(live_url, ASK, fmt).queryAndConvert()
    assert (
        result is True
        or (isinstance(result, dict) and result["boolean"] is True)
        or ("true" in str(result.toxml() if hasattr(result, "toxml") else result))
    )


@pytest.mark.parametrize("fmt", [TURTLE, XML, JSONLD, N3])
def test_live_sparqlwrapper_construct(live_url: str, fmt: str) -> None:
    response = wrapper(live_url, CONSTRUCT, fmt).query()
    converted = response.convert()
    graph = (
        converted
        if isinstance(converted, Graph)
        else Graph().parse(
            data=converted, format={TURTLE: "turtle", N3: "n3", JSONLD: "json-ld"}.get(fmt, "xml")
        )
    )
    assert (
        URIRef("https://w3id.org/kgqa/id/entity/glue"),
        URIRef(f"{KG}writesTo"),
        URIRef(REDSHIFT),
    ) in graph


@pytest.fixture
def store(live_url: str) -> SPARQLStore:
    """rdflib's SPARQLStore pointed at the live endpoint (read-only)."""
    return SPARQLStore(f"{live_url}/sparql", returnFormat="xml")


def test_live_sparqlstore_select(store: SPARQLStore) -> None:
    graph = Graph(store)
    rows = list(graph.query(ONE_HOP))
    assert URIRef("https://w3id.org/kgqa/id/entity/glue") in {row[0] for row in rows}


def test_live_sparqlstore_ask(store: SPARQLStore) -> None:
    assert Graph(store).query(ASK).askAnswer is True


def test_live_sparqlstore_construct(store: SPARQLStore) -> None:
    result = Graph(store).query(CONSTRUCT)
    assert result.graph is not None
    assert len(result.graph) >= 2


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv"])
def test_live_sparqlstore_result_formats(live_url: str, fmt: str) -> None:
    rows = list(Graph(SPARQLStore(f"{live_url}/sparql", returnFormat=fmt)).query(ONE_HOP))
    assert len(rows) >= 2


def test_live_sparqlstore_triples(store: SPARQLStore) -> None:
    triples = list(Graph(store).triples((None, URIRef(f"{KG}writesTo"), URIRef(REDSHIFT))))
    assert len(triples) >= 2


def test_live_ask_over_http(live_url: str) -> None:
    request = urllib.request.Request(
        f"{live_url}/ask",
        data=json.dumps({"question": "what is Amazon Redshift?"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    assert body["sources"]
