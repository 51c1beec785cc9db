"""Bad input to the HTTP routes: a clear 4xx with a capped message, never a 500 or a hang."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

QUESTION = "which services can write to Redshift?"


def problem_of(response: object, status: int) -> dict[str, str]:
    """The response is an error of this status in the one error shape."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body: dict[str, str] = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error", "detail"} and body["detail"]
    return body


@pytest.mark.parametrize(
    "raw",
    [
        b'{"question": "\\ud800"}',
        b'{"question": "what is \\udfff Redshift"}',
        b'{"question": "\\ud800\\ud800"}',
    ],
    ids=["lone-high", "lone-low-inside", "two-highs"],
)
def test_inputs_lone_surrogate_is_400(client: TestClient, raw: bytes) -> None:
    response = client.post("/ask", content=raw, headers={"Content-Type": "application/json"})
    assert "surrogate" in problem_of(response, 400)["detail"]


@pytest.mark.parametrize(
    "question",
    ["\u200b", "\u200b\u200c\u200d", "\ufeff \u2060", "\u200b\n\u200b\t", "\x00\x01"],
    ids=["zwsp", "zw-joiners", "bom-word-joiner", "zw-and-space", "controls"],
)
def test_inputs_invisible_only_question_is_400(client: TestClient, question: str) -> None:
    problem_of(client.post("/ask", json={"question": question}), 400)
    problem_of(client.get("/ask", params={"q": question}), 400)


def test_inputs_zero_width_inside_words_still_answers(client: TestClient) -> None:
    plain = client.post("/ask", json={"question": QUESTION}).json()
    spaced = client.post("/ask", json={"question": QUESTION.replace("Red", "Red\u200b")}).json()
    assert [i["label"] for i in spaced["items"]] == [i["label"] for i in plain["items"]]


@pytest.mark.parametrize(
    "number", ["1_0", "+1", " 1", "1.0", "١", "0x1", "1e1", "99999999999999999999"]
)
def test_inputs_slide_number_must_be_digits(client: TestClient, number: str) -> None:
    assert client.get(f"/slides/sample-deck/{number}").status_code == 422


def test_inputs_slide_number_digits_work(client: TestClient) -> None:
    assert client.get("/slides/sample-deck/1").status_code == 200


@pytest.mark.parametrize(
    "path", ["/health", "/ask?q=what+is+Redshift", "/entities", "/entities/redshift", "/metrics"]
)
def test_inputs_head_is_get_without_body(client: TestClient, path: str) -> None:
    head, get = client.head(path), client.get(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_inputs_head_on_post_only_route_is_405(client: TestClient) -> None:
    response = client.request("HEAD", "/slack/events")
    assert response.status_code in (404, 405)


@pytest.mark.parametrize("size", [70_000, 5_000_000])
def test_inputs_ask_body_over_limit_is_413(strict_client: TestClient, size: int) -> None:
    body = json.dumps({"question": "x" * size}).encode()
    response = strict_client.post(
        "/ask", content=body, headers={"Content-Type": "application/json"}
    )
    problem_of(response, 413)


def test_inputs_chunked_body_over_limit_is_413(strict_client: TestClient) -> None:
    def chunks() -> object:
        yield b'{"question": "'
        for _ in range(200):
            yield b"x" * 1024
        yield b'"}'

    response = strict_client.post(
        "/ask", content=chunks(), headers={"Content-Type": "application/json"}
    )
    problem_of(response, 413)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/entities/" + "x" * 20_000),
        ("GET", "/slides/" + "d" * 20_000 + "/1"),
        ("GET", "/nowhere/" + "y" * 20_000),
    ],
    ids=["entity", "slide-deck", "no-route"],
)
def test_inputs_error_messages_are_capped(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert 400 <= response.status_code < 500
    assert len(response.json()["detail"]) < 1000


def test_inputs_sparql_error_message_is_capped(client: TestClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } " + "garbage " * 2000
    detail = problem_of(client.get("/sparql", params={"query": query}), 400)["detail"]
    assert len(detail) < 1000


def test_inputs_trailing_slash_does_not_echo_host(client: TestClient) -> None:
    response = client.get("/ask/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert "evil.example" not in response.headers.get("location", "")
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["FOO", "PROPFIND", "X" * 40, "G-E-T", "BREW"])
def test_inputs_made_up_methods_share_one_metric_label(client: TestClient, method: str) -> None:
    client.request(method, "/health")
    text = client.get("/metrics").text
    assert f'method="{method}"' not in text
    assert 'method="other"' in text
