"""The FastAPI app: the lifespan starts the follower that loads each version to serve."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from api import http, sparql
from api.errors import Utf8Guard, add_error_handlers
from api.guards import BodyGuard, HeadAsGet
from api.metrics import Metrics, MetricsMiddleware
from api.reload import Follower, Loaded, PinVersion
from api.security import add_posture
from api.sparql_worker import PoolConfig, QueryPool, WorkerLimits
from api.ui import mount_ui
from kg.graph import GRAPH_FILE
from kg.manifest import read_manifest, read_verified
from kg.settings import Settings, get_settings

log = logging.getLogger("kgqa.api")
DESCRIPTION = """Questions about an AWS data-analytics course deck, answered from a knowledge graph.

* `POST /ask` / `GET /ask?q=`: the answer object (entities, figures, verdicts, cited slides).
* `/entities`, `/entities/{id}`, `/slides/{deck}/{number}`: the graph as pages.
* `/sparql`: a read-only SPARQL 1.1 Protocol endpoint; the default graph is the union of all
  slide graphs and `GRAPH ?g` reaches each slide's facts.
* `/health` (liveness, the version served) and `/ready` (503 while loading or while the
  SPARQL server is unreachable).
* Errors are `{"error": code, "detail": message}` with the matching status.
"""


def slack_enabled(settings: Settings) -> bool:
    """Slack runs only when both its secrets are set."""
    return bool(
        settings.slack_signing_secret.get_secret_value()
        and settings.slack_bot_token.get_secret_value()
    )


def mount_slack_if_configured(app: FastAPI, settings: Settings) -> bool:
    """Mount the Slack routes when configured and available; whether Slack is on."""
    if not slack_enabled(settings):
        log.info("Slack is off: set KGQA_SLACK_SIGNING_SECRET and KGQA_SLACK_BOT_TOKEN to enable")
        return False
    try:
        from api.slack import mount_slack
    except ImportError as e:
        log.warning("Slack is off: api.slack cannot be imported (%s)", e)
        return False
    mount_slack(app, settings)
    return True


def pool_config(settings: Settings) -> PoolConfig:
    """How many SPARQL workers, how long queries run and wait, what a worker may return and use."""
    return PoolConfig(
        size=max(1, settings.sparql_workers),
        queue=max(0, settings.sparql_queue),
        queue_wait_s=settings.sparql_queue_wait_s,
        timeout_s=settings.query_timeout_s,
        limits=WorkerLimits(
            max_results=settings.max_results,
            max_bytes=settings.max_result_bytes,
            memory_mb=settings.query_memory_mb,
        ),
    )


def create_app(settings: Settings) -> FastAPI:
    """The app for these settings; nothing is loaded until the lifespan starts."""

    def make_pool(data_dir: Path) -> QueryPool:
        # The workers load the graph snapshot of this version, checked against its manifest.
        graph = read_verified(data_dir, GRAPH_FILE, read_manifest(data_dir))
        return QueryPool(graph, pool_config(settings), on_kill=metrics.sparql_killed.inc)

    def on_swap(loaded: Loaded) -> None:
        # Slack and anything else outside a request reads the latest version from here.
        app.state.kb, app.state.pool = loaded.kb, loaded.pool
        app.state.entity_domains = loaded.entity_domains

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        follower = Follower(settings, make_pool, on_swap)
        app.state.follower = follower
        follower.start()
        try:
            yield
        finally:
            follower.close()

    app = FastAPI(title="kgqa", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    # A slash-redirect would echo the Host header into its Location (issue 10).
    app.router.redirect_slashes = False
    metrics = Metrics()
    app.state.settings, app.state.metrics = settings, metrics
    app.state.kb = app.state.pool = app.state.follower = None
    add_error_handlers(app)
    app.include_router(http.router)
    app.include_router(sparql.router)
    app.state.routes = [*http.router.routes, *sparql.router.routes]
    mount_ui(app)
    app.state.slack = mount_slack_if_configured(app, settings)
    # Innermost first: each add_middleware wraps everything added before it.
    app.add_middleware(Utf8Guard)
    app.add_middleware(HeadAsGet)
    app.add_middleware(
        BodyGuard, max_bytes=settings.max_body_bytes, timeout_s=settings.client_timeout_s
    )
    add_posture(app, settings, expose=[sparql.TRUNCATED_HEADER, sparql.LIMIT_HEADER])
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(PinVersion, state=app.state)
    return app


def create_default_app() -> FastAPI:
    """The app for the environment's settings (the uvicorn factory of `kgqa serve`)."""
    return create_app(get_settings())
