"""The browser pages: ask, entity and slide pages, the SPARQL console and offline API docs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.ui.pages import STATIC_DIR, STATIC_PATH, router


def mount_ui(app: FastAPI) -> None:
    """Add the HTML routes and serve their scripts, styles and vendored bundles."""
    app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="ui-static")
