"""Every error as JSON {"error": code, "detail": message} with its status, never a 500 for input."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from kg.errors import KGError

log = logging.getLogger("kgqa.api")
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
}
# Error details echo input (a query, a path, an id); past this they are cut (issue 10).
MAX_DETAIL_CHARS = 600


def capped(text: str, limit: int = MAX_DETAIL_CHARS) -> str:
    """text cut to limit characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def problem(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The one error body, its detail capped in length."""
    body = {"error": code, "detail": capped(detail)}
    return JSONResponse(body, status_code=status, headers=headers)


def kg_error(request: Request, exc: Exception) -> JSONResponse:
    """A KGError carries its own status and code."""
    assert isinstance(exc, KGError)
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return problem(exc.status, exc.code, str(exc), headers)


def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's 404/405/400 (unknown route, wrong method, unparsable body)."""
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.url.path}: see /docs for the routes"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allowed = allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        detail = (
            f"{request.method} is not allowed on {request.url.path}; use {' or '.join(allowed)}"
        )
    return problem(exc.status_code, code, detail, headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in getattr(request.app.state, "routes", []):
        if isinstance(route, APIRoute) and route.path_regex.match(request.url.path):
            methods.update(route.methods or ())
    allowed = methods | ({"HEAD"} if "GET" in methods else set())
    return sorted(allowed) or ["GET"]


def describe(error: dict[str, Any]) -> str:
    """One validation error as 'where: what'."""
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {error.get('msg', 'invalid')}"


def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Bad JSON is a 400; JSON of the wrong shape or types is a 422."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(
            400,
            "invalid_json",
            'the body is not valid JSON: send {"question": "..."} with '
            "Content-Type: application/json",
        )
    detail = "; ".join(describe(e) for e in errors[:5]) or "invalid request"
    return problem(422, "invalid_request", detail)


def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """The last resort: log the traceback, answer JSON."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal_error", "something went wrong on our side; it has been logged")


def add_error_handlers(app: FastAPI) -> None:
    """Register the handlers on app."""
    app.add_exception_handler(KGError, kg_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected_error)


def bad_utf8(raw: bytes) -> bool:
    """Whether percent-decoding raw gives bytes that are not UTF-8."""
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


class Utf8Guard:
    """Reject a path or query string that percent-decodes to invalid UTF-8 (400, not U+FFFD)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
            if bad_utf8(scope.get("query_string", b"")) or bad_utf8(raw_path):
                response = problem(
                    400, "invalid_utf8", "the URL percent-decodes to bytes that are not UTF-8"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
