"""Request hygiene below the routes (issue 10): body size and time limits, HEAD as GET."""

from __future__ import annotations

import asyncio
import time

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem


class BodyGuard:
    """Refuse bodies over max_bytes (413) and bodies that take over timeout_s to arrive (408).

    A declared Content-Length over the limit is refused before a byte is read; a chunked body
    is counted as it arrives. The errors are raised from `receive`, as HTTPExceptions, so the
    route's own error handling (FastAPI's body parsing included) turns them into responses.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout_s: float) -> None:
        self.app, self.max_bytes, self.timeout_s = app, max_bytes, timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = problem(
                413,
                "payload_too_large",
                f"the request body is {declared} bytes; the limit is {self.max_bytes}",
                {"Connection": "close"},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, self.limited(receive), send)

    def limited(self, receive: Receive) -> Receive:
        """receive() that counts body bytes and stops waiting for a body at the deadline."""
        deadline = time.monotonic() + self.timeout_s
        size, done = 0, False

        async def guarded() -> Message:
            nonlocal size, done
            if done:  # after the body only a disconnect can come; waiting for it is fine
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0))
            except TimeoutError as e:
                raise HTTPException(
                    408, f"the request body did not arrive within {self.timeout_s:g} s"
                ) from e
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                done = not message.get("more_body", False)
                if size > self.max_bytes:
                    raise HTTPException(
                        413, f"the request body is over the {self.max_bytes}-byte limit"
                    )
            return message

        return guarded


class HeadAsGet:
    """Answer HEAD like GET without the body (FastAPI routes declare GET only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        inner = {**scope, "method": "GET"}
        try:
            await self.app(inner, receive, send_headers_only)
        finally:
            if "route" in inner:  # the route template, for the metrics label
                scope["route"] = inner["route"]
