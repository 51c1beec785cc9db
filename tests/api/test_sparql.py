"""The SPARQL 1.1 Protocol query operation, including the W3C protocol-test error cases."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import Settings

KG = "https://w3id.org/kgqa/ontology#"
ONE_HOP = (
    f"SELECT ?source WHERE {{ ?source <{KG}writesTo> <https://w3id.org/kgqa/id/entity/redshift> }}"
)
ASK = f"ASK {{ <https://w3id.org/kgqa/id/entity/glue> <{KG}writesTo> ?x }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{KG}writesTo> ?o }} WHERE {{ ?s <{KG}writesTo> ?o }}"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def sources(response: object) -> set[str]:
    """The ?source values of a JSON results response."""
    body = json.loads(response.content)  # type: ignore[attr-defined]
    return {b["source"]["value"].rsplit("/", 1)[-1] for b in body["results"]["bindings"]}


def test_sparql_get_select_json(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": ONE_HOP})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert {"glue", "kinesis-data-firehose"} <= sources(response)


def test_sparql_post_form_and_direct_agree(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": ONE_HOP})
    direct = client.post(
        "/sparql", content=ONE_HOP.encode(), headers={"Content-Type": f"{DIRECT}; charset=utf-8"}
    )
    assert form.status_code == direct.status_code == 200
    assert sources(form) == sources(direct)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_sparql_select_formats_parse(client: TestClient, accept: str, media_type: str) -> None:
    response = client.get("/sparql", params={"query": ONE_HOP}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith(media_type)
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    assert fmt is not None
    parsed = ox.parse_query_results(response.content, format=fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    assert len(list(parsed)) == len(sources(client.get("/sparql", params={"query": ONE_HOP})))


def test_sparql_csv_has_header_row(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": ONE_HOP}, headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["source"]


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_sparql_ask_formats(client: TestClient, accept: str) -> None:
    response = client.get("/sparql", params={"query": ASK}, headers={"Accept": accept})
    assert response.status_code == 200
    assert "true" in response.text.lower()


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/trig", "application/trig"),
        ("application/n-quads", "application/n-quads"),
        ("application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_sparql_construct_formats_parse(client: TestClient, accept: str, media_type: str) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    fmt = ox.RdfFormat.from_media_type(media_type)
    assert fmt is not None
    quads = list(ox.parse(response.content, format=fmt))
    assert len(quads) >= 20


@pytest.mark.parametrize("accept", [None, "*/*", "image/png;q=0.1, */*;q=0.5"])
def test_sparql_default_formats(client: TestClient, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    select = client.get("/sparql", params={"query": ONE_HOP}, headers=headers)
    graph = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert select.headers["content-type"].startswith("application/sparql-results+json")
    assert graph.headers["content-type"].startswith("text/turtle")


def test_sparql_not_acceptable_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": ONE_HOP}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json()["detail"]
    graph = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert graph.status_code == 406


def test_sparql_graph_reaches_slide_facts(client: TestClient) -> None:
    query = (
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s <{KG}writesTo> "
        "<https://w3id.org/kgqa/id/entity/redshift> } }"
    )
    body = json.loads(client.get("/sparql", params={"query": query}).content)
    graphs = {b["g"]["value"] for b in body["results"]["bindings"]}
    assert graphs
    assert all("/slide/sample-deck/" in g for g in graphs)


def test_sparql_default_graph_uri_restricts_dataset(client: TestClient) -> None:
    query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s <{KG}writesTo> ?o }} }}"
    every = json.loads(client.get("/sparql", params={"query": query}).content)
    graph = every["results"]["bindings"][0]["g"]["value"]
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{KG}writesTo> ?o }}"
    union = json.loads(client.get("/sparql", params={"query": count}).content)
    one = json.loads(
        client.get("/sparql", params={"query": count, "default-graph-uri": graph}).content
    )
    assert (
        0
        < int(one["results"]["bindings"][0]["n"]["value"])
        < int(union["results"]["bindings"][0]["n"]["value"])
    )
    named = json.loads(
        client.get("/sparql", params={"query": query, "named-graph-uri": graph}).content
    )
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [graph]


def test_sparql_malformed_query_is_400_with_parser_message(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x"})
    assert response.status_code == 400
    assert response.json()["error"] == "bad_query"
    assert "error at" in response.json()["detail"]


def test_sparql_two_query_params_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", ASK), ("query", ASK)])
    assert response.status_code == 400
    assert "2 `query`" in response.json()["detail"]


def test_sparql_missing_query_is_400(client: TestClient) -> None:
    assert client.get("/sparql").status_code == 400
    assert client.post("/sparql", data={"nothing": "here"}).status_code == 400


def test_sparql_missing_content_type_is_400(client: TestClient) -> None:
    response = client.post("/sparql", content=ASK.encode())
    assert response.status_code == 400
    assert "Content-Type" in response.json()["detail"]


def test_sparql_wrong_content_type_is_400(client: TestClient) -> None:
    response = client.post("/sparql", content=ASK.encode(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 400


def test_sparql_query_in_url_and_body_is_400(client: TestClient) -> None:
    form = client.post("/sparql", params={"query": ASK}, data={"query": ASK})
    direct = client.post(
        "/sparql", params={"query": ASK}, content=ASK.encode(), headers={"Content-Type": DIRECT}
    )
    assert form.status_code == direct.status_code == 400


def test_sparql_non_utf8_direct_body_is_400(client: TestClient) -> None:
    response = client.post(
        "/sparql", content=b'ASK { ?s ?p "\xff" }', headers={"Content-Type": DIRECT}
    )
    assert response.status_code == 400
    latin = client.post(
        "/sparql", content=ASK.encode(), headers={"Content-Type": f"{DIRECT}; charset=iso-8859-1"}
    )
    assert latin.status_code == 400


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_sparql_wrong_method_is_405(client: TestClient, method: str) -> None:
    response = client.request(method, "/sparql", params={"query": ASK})
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://a>",
        "CREATE GRAPH <http://a>",
    ],
)
def test_sparql_update_as_query_is_rejected(client: TestClient, update: str) -> None:
    response = client.get("/sparql", params={"query": update})
    assert response.status_code == 400
    assert "read-only" in response.json()["detail"]


def test_sparql_update_parameter_is_rejected(client: TestClient) -> None:
    form = client.post("/sparql", data={"update": "CLEAR ALL"})
    direct = client.post(
        "/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
    )
    for response in (form, direct, client.get("/sparql", params={"update": "CLEAR ALL"})):
        assert response.status_code == 400
        assert "read-only" in response.json()["detail"]
    still = json.loads(client.get("/sparql", params={"query": ASK}).content)
    assert still["boolean"] is True


def test_sparql_service_is_refused(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.json()["detail"]


def test_sparql_query_too_long_is_413(client: TestClient, sample_settings: Settings) -> None:
    query = ASK + " #" + "x" * sample_settings.max_query_chars
    assert client.post("/sparql", data={"query": query}).status_code == 413
    assert (
        client.post("/sparql", content=query.encode(), headers={"Content-Type": DIRECT}).status_code
        == 413
    )


def test_sparql_cors_preflight_and_header(client: TestClient) -> None:
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://yasgui.example")
    response = client.get(
        "/sparql", params={"query": ASK}, headers={"Origin": "https://yasgui.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.fixture(scope="module")
def strict_client(sample_settings: Settings) -> Iterator[TestClient]:
    """An app with a 1 s query time limit and a 5-result cap."""
    settings = sample_settings.model_copy(update={"query_timeout_s": 1.0, "max_results": 5})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_sparql_result_cap_truncates_with_header(strict_client: TestClient) -> None:
    response = strict_client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.headers["x-results-truncated"] == "true"
    assert response.headers["x-results-limit"] == "5"
    assert len(json.loads(response.content)["results"]["bindings"]) == 5
    graph = strict_client.get(
        "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "application/n-triples"}
    )
    assert graph.headers["x-results-truncated"] == "true"
    lines = graph.text.strip().splitlines()
    assert lines[0].startswith("# results truncated to the first 5")
    assert len(lines[1:]) == 5


def test_sparql_small_result_is_not_truncated(strict_client: TestClient) -> None:
    response = strict_client.get("/sparql", params={"query": ASK})
    assert "x-results-truncated" not in response.headers


def test_sparql_timeout_is_503_and_worker_stays_healthy(strict_client: TestClient) -> None:
    strict_client.get("/sparql", params={"query": ASK})  # workers loaded
    started = time.monotonic()
    response = strict_client.get("/sparql", params={"query": RUNAWAY})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "time limit" in response.json()["detail"]
    assert elapsed < 5
    for _ in range(3):
        again = strict_client.get("/sparql", params={"query": ASK})
        assert again.status_code == 200
    assert strict_client.get("/health").json()["status"] == "ok"
    assert "kgqa_sparql_workers_killed_total 1.0" in strict_client.get("/metrics").text
