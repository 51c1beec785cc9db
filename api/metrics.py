"""Prometheus metrics in a per-app registry: requests, latency, errors by route.

Labels come from closed sets (issue 10): the route template or "unmatched", a known method or
"other", the status code. With several server processes (`kgqa serve --workers N`) the
supervisor sets PROMETHEUS_MULTIPROC_DIR, every process writes its counters there and /metrics
sums them, so a scrape sees the same totals whichever process answers it.
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    """The app's collectors, registered in their own registry so apps never clash."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kgqa_http_requests",
            "HTTP requests by route, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "kgqa_http_request_duration_seconds",
            "Time to answer a request, by route",
            ["route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "kgqa_http_errors",
            "Responses with a 4xx or 5xx status, by route",
            ["route", "status"],
            registry=self.registry,
        )
        self.sparql_killed = Counter(
            "kgqa_sparql_workers_killed",
            "SPARQL workers stopped past the time limit or after a crash",
            registry=self.registry,
        )
        self.sparql_truncated = Counter(
            "kgqa_sparql_results_truncated",
            "SPARQL results cut by the row or byte cap",
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The text format: this process's registry, or every process's in multiprocess mode."""
        directory = os.environ.get(MULTIPROC_ENV)
        if not directory:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(merged)


def route_of(scope: Scope) -> str:
    """The route template (not the raw path, so ids do not explode the label set)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


def method_of(scope: Scope) -> str:
    """The request method, or "other" for a made-up one."""
    method = str(scope.get("method", ""))
    return method if method in METHODS else "other"


class MetricsMiddleware:
    """Count and time every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = route_of(scope)
            self.metrics.requests.labels(route, method_of(scope), str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)
            if status >= 400:
                self.metrics.errors.labels(route, str(status)).inc()
