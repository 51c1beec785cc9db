"""Bad input gets a 4xx with {"error", "detail"}, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def assert_problem(response: object, status: int) -> dict[str, str]:
    """The response is an error of this status in the one error shape."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body: dict[str, str] = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error", "detail"}
    assert body["detail"]
    return body


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_errors_empty_question_is_400(client: TestClient, question: str) -> None:
    assert_problem(client.post("/ask", json={"question": question}), 400)
    assert_problem(client.get("/ask", params={"q": question}), 400)


def test_errors_long_question_is_400(client: TestClient) -> None:
    body = assert_problem(client.post("/ask", json={"question": "why " * 600}), 400)
    assert "2000" in body["detail"]


def test_errors_non_json_body_is_400(client: TestClient) -> None:
    response = client.post(
        "/ask", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert assert_problem(response, 400)["error"] == "invalid_json"


@pytest.mark.parametrize("payload", [{"question": 42}, {"question": None}, {"q": "x"}, [], "s"])
def test_errors_wrong_types_are_422(client: TestClient, payload: object) -> None:
    assert assert_problem(client.post("/ask", json=payload), 422)["error"] == "invalid_request"


def test_errors_missing_query_param_is_422(client: TestClient) -> None:
    assert_problem(client.get("/ask"), 422)


def test_errors_invalid_utf8_body_is_400(client: TestClient) -> None:
    response = client.post(
        "/ask", content=b'{"question": "\xff\xfe"}', headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400)


def test_errors_invalid_utf8_query_string_is_400(client: TestClient) -> None:
    assert_problem(client.get("/ask?q=%FF%FE"), 400)
    assert_problem(client.get("/sparql?query=%C3%28"), 400)


def test_errors_invalid_utf8_path_is_400(client: TestClient) -> None:
    assert_problem(client.get("/entities/%FF"), 400)


def test_errors_slide_number_not_int_is_422(client: TestClient) -> None:
    assert_problem(client.get("/slides/sample-deck/three"), 422)


def test_errors_unknown_route_is_404(client: TestClient) -> None:
    assert assert_problem(client.get("/nowhere"), 404)["error"] == "not_found"


def test_errors_wrong_method_is_405(client: TestClient) -> None:
    response = client.delete("/ask")
    assert assert_problem(response, 405)["error"] == "method_not_allowed"
    assert "POST" in response.headers["allow"]
