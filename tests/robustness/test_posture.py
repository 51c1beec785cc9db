"""Posture: security headers on every response, a route's own CSP kept, CORS as configured,
and bearer tokens on the data routes when they are set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from kg.settings import Settings

TOKEN = "s3cret-token"
PATHS = ["/health", "/ask?q=what+is+Redshift", "/entities", "/sparql?query=ASK{?s?p?o}",
         "/nowhere", "/metrics", "/slides/sample-deck/1"]  # fmt: skip


@pytest.mark.parametrize("path", PATHS)
def test_posture_security_headers_everywhere(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"


def test_posture_route_csp_is_not_overridden(sample_settings: Settings) -> None:
    app: FastAPI = create_app(sample_settings)
    policy = "default-src 'self'; script-src 'self'"

    @app.get("/page", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        return HTMLResponse("<p>hi</p>", headers={"Content-Security-Policy": policy})

    with TestClient(app) as client:
        assert client.get("/page").headers["content-security-policy"] == policy


@pytest.fixture(scope="module")
def locked(sample_settings: Settings) -> Iterator[TestClient]:
    """Tokens on, /metrics restricted, CORS for one origin."""
    settings = sample_settings.model_copy(
        update={
            "api_tokens": SecretStr(f"other-token, {TOKEN}"),
            "metrics_public": False,
            "cors_origins": "https://ui.example",
        }
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    "path",
    [
        "/ask?q=what+is+Redshift",
        "/sparql?query=ASK{?s?p?o}",
        "/entities",
        "/entities/redshift",
        "/slides/sample-deck/1",
        "/metrics",
    ],  # fmt: skip
)
@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic " + TOKEN, "Bearer", TOKEN])
def test_posture_token_required(locked: TestClient, path: str, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    response = locked.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/ask?q=what+is+Redshift", "/entities", "/metrics"])
def test_posture_token_accepted(locked: TestClient, path: str) -> None:
    response = locked.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200


def test_posture_health_stays_open(locked: TestClient) -> None:
    assert locked.get("/health").status_code == 200


def test_posture_post_ask_needs_token(locked: TestClient) -> None:
    assert locked.post("/ask", json={"question": "what is Redshift?"}).status_code == 401


def test_posture_cors_only_configured_origin(locked: TestClient) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    good = locked.get("/entities", headers={**headers, "Origin": "https://ui.example"})
    evil = locked.get("/entities", headers={**headers, "Origin": "https://evil.example"})
    assert good.headers["access-control-allow-origin"] == "https://ui.example"
    assert "access-control-allow-origin" not in evil.headers
    assert "access-control-allow-credentials" not in good.headers


def test_posture_cors_preflight_without_token(locked: TestClient) -> None:
    response = locked.options(
        "/sparql",
        headers={
            "Origin": "https://ui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_posture_default_cors_is_read_only_without_credentials(client: TestClient) -> None:
    response = client.options(
        "/sparql",
        headers={"Origin": "https://any.example", "Access-Control-Request-Method": "DELETE"},
    )
    assert response.status_code == 400
    assert "access-control-allow-credentials" not in response.headers
