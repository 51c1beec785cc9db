"""SPARQL abuse: updates, SERVICE in every form, deep nesting, huge results, regex bombs; and
the ordinary queries a text-matching guard used to refuse."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.negotiate import RESULT_FORMATS
from kg.settings import PROJECT_ROOT, Settings

KG = "https://w3id.org/kgqa/ontology#"
PREFIX = f"PREFIX kg: <{KG}>\n"
SERVICE_URL = "http://127.0.0.1:9/sparql"
UPDATES = [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "LOAD SILENT <http://example.org/x> INTO GRAPH <http://g>",
    "CLEAR ALL",
    "CLEAR SILENT DEFAULT",
    "DROP GRAPH <http://a>",
    "DROP ALL",
    "CREATE GRAPH <http://a>",
    "COPY DEFAULT TO <http://a>",
    "MOVE <http://a> TO <http://b>",
    "ADD <http://a> TO DEFAULT",
    "PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }",
    "insert data { <http://a> <http://b> 'c' } ; clear all",
    "# a comment\nINSERT DATA { <http://a> <http://b> <http://c> }",
]
SERVICES = [
    f"SELECT * WHERE {{ SERVICE <{SERVICE_URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICE SILENT <{SERVICE_URL}> {{ ?s ?p ?o }} }}",
    f"select * {{ service <{SERVICE_URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ BIND(<{SERVICE_URL}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{SERVICE_URL}> {{ ?s ?p ?o }} }} }}",
    f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{SERVICE_URL}> {{ ?s ?p ?o }} }} }}",
    f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{SERVICE_URL}> {{ ?s ?p ?o }} }} }} }}",
    f"ASK {{ SERVICE <{SERVICE_URL}> {{ ?s ?p ?o }} }}",
    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{SERVICE_URL}> {{ ?s ?p ?o }} }}",
    "PREFIX e: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{SERVICE_URL}> {{ ?s ?p ?o }} }} }}",
    f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE <{SERVICE_URL}> {{ ?s ?p ?o }} }} }}",
]
# Ordinary queries a regex over the text refused (issue 10).
ORDINARY = [
    PREFIX + "SELECT ?s WHERE { ?s a kg:Service } LIMIT 3",
    PREFIX + "SELECT ?s WHERE { ?s a kg:Service ; kg:writesTo ?o } LIMIT 3",
    'SELECT ?s WHERE { ?s ?p "Service" } LIMIT 3',
    'SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "copy to")) } LIMIT 3',
    'SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "load data into")) } LIMIT 3',
    'ASK { ?s ?p "insert data { }" }',
    'SELECT ?x WHERE { BIND("DROP ALL; CLEAR ALL" AS ?x) }',
    "SELECT ?service WHERE { ?service a ?type } LIMIT 3",
    "# SERVICE <http://127.0.0.1:9/> in a comment\nASK { ?s ?p ?o }",
    PREFIX + "SELECT ?x WHERE { ?x kg:entityType 'Service' } LIMIT 3",
    "SELECT * WHERE { <http://example.org/SERVICE> ?p ?o }",
]


def refused(response: object) -> dict[str, str]:
    """A 400 in the error shape."""
    assert response.status_code == 400, response.text  # type: ignore[attr-defined]
    body: dict[str, str] = response.json()  # type: ignore[attr-defined]
    return body


@pytest.mark.parametrize("update", UPDATES)
def test_sparql_abuse_updates_refused_as_read_only(client: TestClient, update: str) -> None:
    for response in (
        client.get("/sparql", params={"query": update}),
        client.post("/sparql", data={"query": update}),
        client.post(
            "/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-query"}
        ),
    ):
        assert "read-only" in refused(response)["detail"]


@pytest.mark.parametrize("query", SERVICES)
def test_sparql_abuse_service_refused(client: TestClient, query: str) -> None:
    assert "SERVICE" in refused(client.get("/sparql", params={"query": query}))["detail"]


@pytest.mark.parametrize("query", ORDINARY)
def test_sparql_abuse_ordinary_queries_run(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("depth", [65, 500, 4000, 20000])
@pytest.mark.parametrize("bracket", ["{}", "()", "[]"])
def test_sparql_abuse_deep_nesting_refused(client: TestClient, depth: int, bracket: str) -> None:
    opener, closer = bracket
    if bracket == "{}":
        query = "SELECT * WHERE " + opener * depth + "?s ?p ?o" + closer * depth
    elif bracket == "()":
        query = "SELECT * WHERE { FILTER(" + opener * depth + "1" + closer * depth + ") }"
    else:
        query = "SELECT * WHERE { ?s ?p " + "[ ?q " * depth + "?o" + " ]" * depth + " }"
    started = time.monotonic()
    response = client.post("/sparql", data={"query": query})
    assert response.status_code in (400, 413), response.text
    assert time.monotonic() - started < 5
    assert client.get("/health").status_code == 200


def test_sparql_abuse_moderate_nesting_runs(client: TestClient) -> None:
    query = "SELECT * WHERE " + "{" * 30 + "?s ?p ?o" + "}" * 30 + " LIMIT 1"
    assert client.get("/sparql", params={"query": query}).status_code == 200


@pytest.mark.parametrize("depth", [5000, 40000])
def test_sparql_abuse_cli_deep_nesting_no_crash(sample_data_dir: Path, depth: int) -> None:
    query = "SELECT * WHERE " + "{" * depth + "?s ?p ?o" + "}" * depth
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("kgqa")),
            "sparql",
            query,
            "--data-dir",
            str(sample_data_dir),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr[-500:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "nest" in lines[0]


CARTESIAN = "SELECT ?a ?b ?c ?t WHERE { ?a ?p ?t . ?b ?q ?u . ?c ?r ?v FILTER(isLiteral(?t)) }"
HUGE_STRING = (
    "SELECT ?x WHERE { ?s ?p ?t FILTER(isLiteral(?t)) "
    "BIND(CONCAT(STR(?t), STR(?t), STR(?t), STR(?t), STR(?t), STR(?t), STR(?t), STR(?t)) AS ?x) }"
)


@pytest.mark.parametrize("accept", [media for media, _ in RESULT_FORMATS[:4]])
@pytest.mark.parametrize("query", [CARTESIAN, HUGE_STRING], ids=["cartesian", "concat"])
def test_sparql_abuse_huge_results_capped_in_bytes(
    strict_client: TestClient, accept: str, query: str
) -> None:
    response = strict_client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert len(response.content) <= 64 * 1024
    assert response.headers["x-results-truncated"] == "true"
    if "json" in accept:
        body = json.loads(response.content)
        assert body["truncated"] is True and "truncated" in body["warning"]
    if "xml" in accept:
        assert b"results truncated" in response.content[:400]


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/n-triples", "application/rdf+xml", "application/trig"]
)
def test_sparql_abuse_huge_graphs_capped_in_bytes(strict_client: TestClient, accept: str) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    response = strict_client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert len(response.content) <= 64 * 1024
    assert response.headers["x-results-truncated"] == "true"
    assert b"results truncated" in response.content[:400]


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", "(a|aa)+$", "(.*a){20}", "^(([a-z])+.)+[A-Z]([a-z])+$", "(x+x+)+y", "a{1000}{1000}"],
)
def test_sparql_abuse_regex_bombs_finish(client: TestClient, pattern: str) -> None:
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isLiteral(?o) && "
        f'REGEX(CONCAT(STR(?o), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), "{pattern}")) }}'
    )
    started = time.monotonic()
    response = client.get("/sparql", params={"query": query})
    assert response.status_code in (200, 400, 503)
    assert time.monotonic() - started < 15
    assert client.get("/health").status_code == 200


def test_sparql_abuse_relative_iris_resolve_against_base(client: TestClient) -> None:
    # W3C SPARQL protocol test query_content_type_construct: relative IRIs and no BASE.
    query = "CONSTRUCT { <s> <p> 1 } WHERE {}"
    response = client.post(
        "/sparql",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    assert response.status_code == 200, response.text
    assert b"<https://w3id.org/kgqa/id/s>" in response.content


def test_sparql_abuse_relative_entity_iri(client: TestClient) -> None:
    query = "ASK { <entity/redshift> ?p ?o }"
    assert json.loads(client.get("/sparql", params={"query": query}).content)["boolean"] is True


@pytest.fixture(scope="module")
def roomy_client(sample_settings: Settings) -> Iterator[TestClient]:
    """The service with caps high enough for a result over 16 MiB."""
    settings = sample_settings.model_copy(
        update={"max_results": 500_000, "max_result_bytes": 64 * 1024 * 1024}
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
)
def test_sparql_abuse_results_over_16_mib_serialize(roomy_client: TestClient, accept: str) -> None:
    query = (
        "SELECT ?a ?b ?t WHERE { ?a <https://w3id.org/kgqa/ontology#text> ?t . "
        "?b <https://w3id.org/kgqa/ontology#text> ?u . ?c a ?k } LIMIT 150000"
    )
    response = roomy_client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text[:300]
    assert len(response.content) > 16 * 1024 * 1024
    assert "x-results-truncated" not in response.headers
