"""The browser pages: ask, entity and slide pages, the SPARQL console and offline API docs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.ui.pages import STATIC_DIR, STATIC_PATH, router


def drop_cdn_docs(app: FastAPI) -> None:
    """Remove FastAPI's own /docs, /redoc and OAuth2 redirect pages: they load their scripts from
    a CDN and run inline code; api/ui serves /docs and /redoc from vendored files instead."""
    cdn_pages = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    app.router.routes = [
        route for route in app.router.routes if getattr(route, "path", None) not in cdn_pages
    ]


def mount_ui(app: FastAPI) -> None:
    """Add the HTML routes and serve their scripts, styles and vendored bundles."""
    drop_cdn_docs(app)
    app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="ui-static")
