"""HTML routes: `/` asks, `/ui/...` shows entities, slides and the SPARQL console; offline docs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api import http
from api.deps import KbDep
from api.ui.csp import csp_header, new_nonce
from api.ui.examples import ExampleQuery, example_questions, load_example_queries
from api.ui.facts import entity_view, slide_view
from kg.errors import NotFound
from kg.graph import QUERY_PREFIXES
from kg.kb import KB

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_PATH = "/ui/static"
VENDOR_DIR = STATIC_DIR / "vendor"
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
EXAMPLE_QUERIES: list[ExampleQuery] = load_example_queries(HERE / "queries" / "examples")
# Bundles a page needs from npm (Makefile `web`); a page says how to get them when absent.
CONSOLE_ASSETS = ("yasgui.min.js", "yasgui.min.css")
# YASGUI 4.6.2's result table adds one fixed <style> element (its column-resize grips); its hash
# allows exactly that one. A new YASGUI version changes it, and the browser tests say so.
CONSOLE_STYLE_HASHES = ("'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",)
SWAGGER_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")
REDOC_ASSETS = ("redoc.standalone.js",)
# ReDoc 2.5.4 (web/package-lock.json) adds two <style> elements while its bundle loads, before it
# reads the nonce: an empty one and its scrollbar styles. Their hashes allow exactly those; a new
# ReDoc version changes them, and the browser tests' CSP check says so.
REDOC_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
)

router = APIRouter(include_in_schema=False)


def missing_assets(names: tuple[str, ...]) -> list[str]:
    """The vendored files of names that are not installed."""
    return [name for name in names if not (VENDOR_DIR / name).is_file()]


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    csp: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page from its template, with the strict Content-Security-Policy."""
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {"static": STATIC_PATH, **context},
        status_code=status,
        headers={"Content-Security-Policy": csp_header(csp)},
    )
    assert isinstance(response, HTMLResponse)
    return response


def not_found(request: Request, error: NotFound) -> HTMLResponse:
    """The 404 page, with the message the JSON route would give."""
    return render(request, "error.html", {"title": "Not found", "message": str(error)}, status=404)


def cached_examples(request: Request, kb: KB) -> list[str]:
    """Example questions for this KB, computed on the first visit."""
    examples: list[str] | None = getattr(request.app.state, "ui_examples", None)
    if examples is None:
        examples = example_questions(kb)
        request.app.state.ui_examples = examples
    return examples


@router.get("/", response_class=HTMLResponse)
def ask_page(request: Request, kb: KbDep) -> HTMLResponse:
    """The question box; the answer is fetched from /ask by the page's script."""
    return render(request, "ask.html", {"nav": "ask", "examples": cached_examples(request, kb)})


@router.get("/ui/entities", response_class=HTMLResponse)
def entities_page(request: Request, kb: KbDep) -> HTMLResponse:
    """Every entity, grouped by type."""
    by_type: dict[str, list[tuple[str, str]]] = {}
    for entity_id, entity in sorted(kb.entities.items(), key=lambda e: e[1].label.lower()):
        by_type.setdefault(entity.type, []).append((entity_id, entity.label))
    groups = sorted(by_type.items(), key=lambda group: (-len(group[1]), group[0]))
    return render(
        request, "entities.html", {"nav": "entities", "groups": groups, "count": len(kb.entities)}
    )


@router.get("/ui/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(entity_id: str, request: Request, kb: KbDep) -> HTMLResponse:
    """An entity card: facts by kind, each linked to its slide, and its neighbourhood."""
    try:
        card = http.get_entity(entity_id, kb, request)
    except NotFound as e:
        return not_found(request, e)
    return render(request, "entity.html", {"nav": "entities", **entity_view(card, kb)})


@router.get("/ui/slides/{deck}/{number}", response_class=HTMLResponse)
def slide_page(deck: str, number: int, request: Request, kb: KbDep) -> HTMLResponse:
    """A slide's cleaned text with the facts it states marked, and its neighbours."""
    try:
        slide = http.get_slide(deck, number, kb)
    except NotFound as e:
        return not_found(request, e)
    return render(request, "slide.html", {"nav": "slides", **slide_view(slide, kb)})


@router.get("/ui/sparql", response_class=HTMLResponse)
def console_page(request: Request) -> HTMLResponse:
    """YASGUI on /sparql with the project's prefixes and example queries."""
    config = {
        "endpoint": "/sparql",
        "prefixes": QUERY_PREFIXES,
        "examples": [{"title": e.title, "query": e.query} for e in EXAMPLE_QUERIES],
    }
    return render(
        request,
        "sparql.html",
        {"nav": "sparql", "config": config, "missing": missing_assets(CONSOLE_ASSETS)},
        csp={"style-src": " ".join(CONSOLE_STYLE_HASHES)},
    )


@router.get("/docs", response_class=HTMLResponse)
def swagger_page(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI document, served from our own files."""
    return render(
        request,
        "swagger.html",
        {"nav": "docs", "spec": request.app.openapi_url, "missing": missing_assets(SWAGGER_ASSETS)},
    )


@router.get("/redoc", response_class=HTMLResponse)
def redoc_page(request: Request) -> HTMLResponse:
    """ReDoc for the OpenAPI document, served from our own files."""
    nonce = new_nonce()
    # ReDoc's styled-components inject <style> elements at run time: allowed by nonce only.
    return render(
        request,
        "redoc.html",
        {
            "nav": "docs",
            "spec": request.app.openapi_url,
            "nonce": nonce,
            "missing": missing_assets(REDOC_ASSETS),
        },
        csp={
            "style-src": " ".join((f"'nonce-{nonce}'", *REDOC_STYLE_HASHES)),
            "worker-src": "blob:",
        },
    )
