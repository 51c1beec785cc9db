"""Malformed Slack requests, signed or not: a 4xx and at most one log line, never a 500."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from kg.settings import Settings

SECRET = "robust-signing-secret"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def slack_client(sample_settings: Settings) -> Iterator[TestClient]:
    """The service with Slack on; its Web API is never reached by these cases."""
    settings = sample_settings.model_copy(
        update={
            "slack_signing_secret": SecretStr(SECRET),
            "slack_bot_token": SecretStr("xoxb-robust"),
            "slack_api_url": "http://127.0.0.1:9/api/",
        }
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def signed(body: bytes, *, timestamp: str | None = None) -> dict[str, str]:
    """Headers signing body as Slack does."""
    stamp = timestamp or str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def stamped(timestamp: str) -> dict[str, str]:
    """Headers with this timestamp and a signature that cannot match."""
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=00"}


UNSIGNED = {
    "no-headers": ({}, b'{"type": "url_verification"}'),
    "non-numeric-timestamp": (stamped("abc"), b"{}"),
    "float-timestamp": (stamped("1.5e9"), b"{}"),
    "huge-timestamp": (stamped("9" * 400), b"{}"),
    "latin1-timestamp": (stamped("\u00b2\u00b3"), b"{}"),
    "old-timestamp": (stamped("1000000000"), b"{}"),
    "bad-signature": (stamped(str(int(time.time()))), b"{not json"),
    "binary-body": ({"X-Slack-Signature": "v0=00"}, b"\xff\xfe\x00\x01"),
}
SIGNED_MALFORMED = {
    "json-garbage": (JSON, b"{not json"),
    "json-array": (JSON, b"[]"),
    "json-string": (JSON, b'"x"'),
    "event-not-object": (JSON, b'{"type": "event_callback", "event": "x"}'),
    "non-utf8": (JSON, b"\xff\xfe"),
    "form-payload-garbage": (FORM, b"payload=%7Bnot"),
    "form-payload-array": (FORM, b"payload=%5B%5D"),
    "form-bad-utf8": (FORM, b"payload=%FF%FE"),
}


def slack_log_lines(caplog: pytest.LogCaptureFixture) -> int:
    """Log lines (tracebacks count as their lines) from the service during the request."""
    return sum(
        1 + (record.exc_text or "").count("\n") + (1 if record.exc_info else 0)
        for record in caplog.records
        if record.name.startswith(("api", "kgqa", "slack"))
    )


@pytest.mark.parametrize("case", sorted(UNSIGNED))
def test_slack_malformed_unsigned_is_401(
    slack_client: TestClient, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    headers, body = UNSIGNED[case]
    raw = {name: value.encode("latin-1") for name, value in headers.items()}
    with caplog.at_level(logging.INFO):
        response = slack_client.post(
            "/slack/events", content=body, headers={"Content-Type": JSON, **raw}
        )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_signature"
    assert slack_log_lines(caplog) <= 1


@pytest.mark.parametrize("case", sorted(SIGNED_MALFORMED))
def test_slack_malformed_signed_is_400(
    slack_client: TestClient, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    content_type, body = SIGNED_MALFORMED[case]
    with caplog.at_level(logging.INFO):
        response = slack_client.post(
            "/slack/events", content=body, headers={"Content-Type": content_type, **signed(body)}
        )
    assert 400 <= response.status_code < 500, response.text
    assert slack_log_lines(caplog) <= 1


def test_slack_malformed_body_over_limit_is_413_before_reading(slack_client: TestClient) -> None:
    headers = {"Content-Type": JSON, "Content-Length": str(50 * 1024 * 1024)}
    response = slack_client.post("/slack/events", content=b"{}", headers=headers)
    assert response.status_code == 413


def test_slack_malformed_valid_url_verification_still_works(slack_client: TestClient) -> None:
    body = b'{"type": "url_verification", "challenge": "abc123", "token": "x"}'
    response = slack_client.post(
        "/slack/events", content=body, headers={"Content-Type": JSON, **signed(body)}
    )
    assert response.status_code == 200
    assert "abc123" in response.text
