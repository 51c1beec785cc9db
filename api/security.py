"""Posture (issue 10): security headers on every response, CORS, optional bearer tokens."""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from kg.settings import Settings

# Sent on every response unless the route set its own value.
GENERIC_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
)
# Non-HTML responses load nothing; HTML pages set their own policy (their owner knows what
# they load), and only framing is denied for an HTML page that set none.
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"
HTML_CSP = "frame-ancestors 'none'"
# Routes that serve the graph's content; /health, /docs and Slack's signed route stay open.
PROTECTED_PREFIXES = ("/ask", "/sparql", "/entities", "/slides", "/ui/entities", "/ui/slides")
METRICS_PATH = "/metrics"
CORS_METHODS = ["GET", "HEAD", "POST", "OPTIONS"]
CORS_HEADERS = ["Accept", "Authorization", "Content-Type"]


class SecurityHeaders:
    """Add the generic headers, never replacing one the route already set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in GENERIC_HEADERS:
                    headers.setdefault(name, value)
                html = headers.get("content-type", "").startswith("text/html")
                headers.setdefault("Content-Security-Policy", HTML_CSP if html else DATA_CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def parse_list(value: str) -> list[str]:
    """A comma-separated setting as its non-empty items."""
    return [item.strip() for item in value.split(",") if item.strip()]


def is_protected(path: str, *, metrics_public: bool) -> bool:
    """Whether a path needs a token when tokens are configured."""
    if path == METRICS_PATH:
        return not metrics_public
    return any(path == p or path.startswith(p + "/") for p in PROTECTED_PREFIXES)


def token_ok(header: str | None, tokens: Sequence[bytes]) -> bool:
    """Whether an Authorization header carries one of the tokens (compared in constant time)."""
    scheme, _, presented = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return False
    candidate = presented.strip().encode()
    return any(hmac.compare_digest(candidate, token) for token in tokens)


class BearerAuth:
    """Require `Authorization: Bearer <token>` on the protected routes when tokens are set."""

    def __init__(self, app: ASGIApp, *, tokens: Sequence[str], metrics_public: bool) -> None:
        self.app = app
        self.tokens = [token.encode() for token in tokens]
        self.metrics_public = metrics_public

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and self.tokens
            and scope["method"] != "OPTIONS"  # CORS preflights carry no credentials
            and is_protected(scope["path"], metrics_public=self.metrics_public)
            and not token_ok(Headers(scope=scope).get("authorization"), self.tokens)
        ):
            response = problem(
                401,
                "unauthorized",
                "this route needs a token: send `Authorization: Bearer <token>` "
                "(tokens are set in KGQA_API_TOKENS)",
                {"WWW-Authenticate": 'Bearer realm="kgqa"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def add_posture(app: FastAPI, settings: Settings, *, expose: Sequence[str]) -> None:
    """Auth inside CORS (so a 401 is readable cross-origin), security headers outside both."""
    app.add_middleware(
        BearerAuth,
        tokens=parse_list(settings.api_tokens.get_secret_value()),
        metrics_public=settings.metrics_public,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=parse_list(settings.cors_origins),
        allow_methods=CORS_METHODS,
        allow_headers=CORS_HEADERS,
        allow_credentials=False,
        expose_headers=[*expose, "Retry-After"],
        max_age=600,
    )
    app.add_middleware(SecurityHeaders)
