"""The Q&A API, entity and slide pages, health and metrics, on the sample deck."""

from __future__ import annotations

from fastapi.testclient import TestClient

import kg.contract as kg_contract
from kg.kb import KB

QUESTION = "which services can write to Redshift?"
CONTRACT_KEYS = set(kg_contract.CONTRACT_KEYS)


def test_http_ask_post_returns_contract(client: TestClient) -> None:
    response = client.post("/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == CONTRACT_KEYS
    labels = {item["label"] for item in body["items"]}
    assert "Amazon Kinesis Data Firehose" in labels
    assert all("lines" in s and "page" not in s for s in body["sources"])


def test_http_ask_get_matches_post(client: TestClient) -> None:
    got = client.get("/ask", params={"q": QUESTION}).json()
    posted = client.post("/ask", json={"question": QUESTION}).json()
    assert got == posted


def test_http_entities_filter_by_type(client: TestClient, sample_kb: KB) -> None:
    body = client.get("/entities", params={"type": "service"}).json()
    services = {e.id for e in sample_kb.entities.values() if e.type == "Service"}
    assert body["count"] == len(services)
    assert {e["id"] for e in body["entities"]} == services


def test_http_entities_filter_by_domain(client: TestClient) -> None:
    everything = client.get("/entities").json()["count"]
    body = client.get("/entities", params={"domain": "Analytics"}).json()
    assert 0 < body["count"] < everything
    assert all("Analytics" in e["domains"] for e in body["entities"])


def test_http_entity_card_groups_facts(client: TestClient) -> None:
    body = client.get("/entities/redshift").json()
    assert body["label"] == "Amazon Redshift"
    assert "Redshift" in body["aliases"]
    sources = {fact["entity"] for fact in body["facts"]["reads_from"]}
    assert {"glue", "kinesis-data-firehose"} <= sources
    first = body["facts"]["reads_from"][0]["slides"][0]
    assert first["href"] == f"/slides/{first['deck']}/{first['slide']}"
    assert body["facts"]["security_features"]


def test_http_entity_card_lists_writes_to(client: TestClient) -> None:
    body = client.get("/entities/kinesis-data-firehose").json()
    targets = {fact["entity"] for fact in body["facts"]["writes_to"]}
    assert {"s3", "redshift"} <= targets


def test_http_unknown_entity_is_404(client: TestClient) -> None:
    response = client.get("/entities/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert "no-such-thing" in response.json()["detail"]


def test_http_slide_page_has_text_and_facts(client: TestClient, sample_kb: KB) -> None:
    info = next(s for s in sample_kb.slides.values() if "Firehose" in s.title and s.text)
    body = client.get(f"/slides/{info.deck}/{info.number}").json()
    assert body["title"] == info.title
    assert body["text"] == info.text
    assert body["lines"] == list(info.lines or ())
    assert any(f["kind"] == "writesTo" for f in body["facts"])


def test_http_slide_limits_carry_units(client: TestClient, sample_kb: KB) -> None:
    pages = [client.get(f"/slides/{s.deck}/{s.number}").json() for s in sample_kb.slides.values()]
    limits = [f for page in pages for f in page["facts"] if f["kind"] == "limit"]
    assert limits
    assert all(f["details"]["unit"] for f in limits)


def test_http_unknown_slide_is_404(client: TestClient) -> None:
    assert client.get("/slides/sample-deck/9999").status_code == 404
    assert client.get("/slides/nodeck/1").status_code == 404


def test_http_health_counts(client: TestClient, sample_kb: KB) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["counts"]["slides"] == len(sample_kb.slides)
    assert body["counts"]["entities"] == len(sample_kb.entities)
    assert body["counts"]["facts"] > 0
    assert body["slack"] is False
    assert body["built_at"]


def test_http_metrics_count_requests_and_errors(client: TestClient) -> None:
    client.get("/health")
    client.get("/entities/no-such-thing")
    text = client.get("/metrics").text
    assert 'kgqa_http_requests_total{method="GET",route="/health",status="200"}' in text
    assert 'kgqa_http_errors_total{route="/entities/{entity_id}",status="404"}' in text
    assert "kgqa_http_request_duration_seconds_bucket" in text


def test_http_openapi_has_examples_for_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    text = str(schema)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert (
                "example" in str(operation)
                or "examples" in str(operation)
                or any(
                    ref.split("/")[-1] in text
                    for ref in str(operation).split("'")
                    if ref.startswith("#/components/schemas/")
                )
            ), f"{method} {path} has no example"
    assert "examples" in str(schema["components"]["schemas"]["AnswerOut"])
