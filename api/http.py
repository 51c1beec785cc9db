"""The Q&A API, entity and slide pages, health and metrics."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import KbDep, SettingsDep, get_loaded
from api.models import (
    AnswerOut,
    AskIn,
    EntityCard,
    EntityList,
    EntitySummary,
    FactOut,
    Health,
    Problem,
    Ready,
    SlideFact,
    SlidePage,
    SlideRef,
)
from kg.answer import answer
from kg.contract import answer_to_json
from kg.errors import BadQuery, NotFound, NotReady
from kg.graph import entity_iri, id_from_iri, run_select, slide_iri
from kg.kb import KB, SlideInfo
from kg.registry import card_kinds

router = APIRouter()
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Empty, too long or malformed input"},
    422: {"model": Problem, "description": "Wrong types or missing fields"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such entity or slide"},
    422: {"model": Problem, "description": "Wrong types"},
}
RELATION_KINDS = {
    ("writesTo", "out"): "writes_to",
    ("writesTo", "in"): "reads_from",
    ("triggers", "out"): "triggers",
    ("triggers", "in"): "triggered_by",
    ("integratesWith", "out"): "integrates_with",
    ("integratesWith", "in"): "integrates_with",
    ("partOf", "out"): "part_of",
    ("partOf", "in"): "has_part",
    ("successorOf", "out"): "successor_of",
    ("successorOf", "in"): "succeeded_by",
}
RELATION_KINDS = card_kinds() | RELATION_KINDS  # every registry kind; these keep their names
CARD_KINDS = (
    "writes_to",
    "reads_from",
    "triggers",
    "triggered_by",
    "integrates_with",
    "limits",
    "security_features",
    "attributes",
    "negations",
    "anti_patterns",
)
FACT_KINDS = {
    "Assertion": "relation",
    "Limit": "limit",
    "SecurityFeature": "securityFeature",
    "Attribute": "attribute",
    "Negation": "negation",
    "AntiPattern": "antiPattern",
}


# Characters that show nothing: format (zero-width space, joiners, BOM) and control characters
# other than the whitespace ones; a question made only of them is empty (issue 10).
INVISIBLE_CATEGORIES = ("Cf", "Cc")
SLIDE_NUMBER = r"^[0-9]{1,9}$"


def clean_question(question: str, *, max_chars: int) -> str:
    """The question without invisible characters; BadQuery for broken or empty text."""
    if len(question) > max_chars:
        raise BadQuery(f"the question is {len(question)} characters long; the limit is {max_chars}")
    surrogate = next((i for i, c in enumerate(question) if "\ud800" <= c <= "\udfff"), None)
    if surrogate is not None:
        raise BadQuery(
            f"the question has an unpaired UTF-16 surrogate at character {surrogate}: "
            "send valid Unicode text"
        )
    visible = "".join(
        c for c in question if c.isspace() or unicodedata.category(c) not in INVISIBLE_CATEGORIES
    )
    if not visible.strip():
        raise BadQuery(
            "the question is empty (it has no visible characters): ask something like "
            "'which services write to Amazon Redshift?'"
        )
    return visible


def ask_kb(question: str, kb: KB, *, k: int, max_chars: int) -> AnswerOut:
    """Answer one question as the contract's object."""
    text = clean_question(question, max_chars=max_chars)
    return AnswerOut.model_validate(answer_to_json(answer(text, kb, k=k)))


@router.post(
    "/ask",
    response_model=AnswerOut,
    responses=ERRORS,
    tags=["questions"],
    summary="Answer a question",
)
def ask_post(body: AskIn, kb: KbDep, settings: SettingsDep) -> AnswerOut:
    """Answer a question about the deck with entities, figures, verdicts and slides."""
    return ask_kb(body.question, kb, k=settings.top_k, max_chars=settings.max_question_chars)


@router.get(
    "/ask",
    response_model=AnswerOut,
    responses=ERRORS,
    tags=["questions"],
    summary="Answer a question (browser/curl)",
)
def ask_get(
    kb: KbDep,
    settings: SettingsDep,
    q: Annotated[
        str, Query(description="The question.", examples=["which services can write to Redshift?"])
    ],
) -> AnswerOut:
    """The same as POST /ask, with the question in `q`."""
    return ask_kb(q, kb, k=settings.top_k, max_chars=settings.max_question_chars)


def entity_domains(kb: KB) -> dict[str, list[str]]:
    """Each entity's course sections, most relevant first (slides about it, then mentions)."""
    ranked: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for row in run_select(kb.store, kb.book, "entity_domains"):
        ranked[id_from_iri(row["entity"])].append((row["about"], row["slides"], row["domain"]))
    return {
        entity: [d for _, _, d in sorted(rows, key=lambda r: (-r[0], -r[1], r[2]))]
        for entity, rows in ranked.items()
    }


def domains_of(request: Request) -> dict[str, list[str]]:
    """The sections of every entity, computed once per loaded version."""
    return get_loaded(request).entity_domains


@router.get(
    "/entities",
    response_model=EntityList,
    responses=ERRORS,
    tags=["graph"],
    summary="List entities",
)
def list_entities(
    kb: KbDep,
    request: Request,
    type: Annotated[
        str | None, Query(description="Entity type, e.g. Service, Feature.", examples=["Service"])
    ] = None,
    domain: Annotated[
        str | None, Query(description="Course section, e.g. Collection.", examples=["Collection"])
    ] = None,
) -> EntityList:
    """Entities of the gazetteer, optionally filtered by type and course section."""
    domains = domains_of(request)
    out = []
    for entity_id, entity in sorted(kb.entities.items(), key=lambda e: e[1].label.lower()):
        sections = domains.get(entity_id, [])
        if type and entity.type.lower() != type.strip().lower():
            continue
        if domain and domain.strip().lower() not in (s.lower() for s in sections):
            continue
        out.append(
            EntitySummary(
                id=entity_id,
                label=entity.label,
                type=entity.type,
                domain=sections[0] if sections else None,
                domains=sections,
                href=f"/entities/{entity_id}",
            )
        )
    return EntityList(count=len(out), entities=out)


def slide_ref(
    kb: KB, slide: str, *, text: str = "", lines: tuple[int, int] | None = None
) -> SlideRef | None:
    """A link to a slide, with the lines of the sentence when known."""
    info = kb.slides.get(slide)
    if info is None:
        return None
    span = lines or info.lines
    return SlideRef(
        deck=info.deck,
        slide=info.number,
        title=info.title,
        lines=list(span) if span else None,
        page=info.page,
        text=text,
        href=f"/slides/{info.deck}/{info.number}",
    )


def add_fact(
    facts: dict[str, dict[str, FactOut]],
    kb: KB,
    kind: str,
    key: str,
    label: str,
    row: dict[str, Any],
    *,
    entity: str | None = None,
    details: dict[str, str | float | None] | None = None,
) -> None:
    """Group a fact row under its kind and key, accumulating slides."""
    fact = facts[kind].setdefault(
        key, FactOut(label=label, entity=entity, details=details or {}, slides=[])
    )
    ref = slide_ref(kb, row["slide"], text=row["text"], lines=(row["lineStart"], row["lineEnd"]))
    if ref is not None and ref not in fact.slides:
        fact.slides.append(ref)


def card_facts(kb: KB, entity_id: str) -> dict[str, list[FactOut]]:
    """The entity's facts grouped by kind, each with the slides that state it."""
    iri = entity_iri(entity_id)
    facts: dict[str, dict[str, FactOut]] = {kind: {} for kind in CARD_KINDS}
    for row in run_select(kb.store, kb.book, "entity_relations", entity=iri):
        kind = RELATION_KINDS.get((id_from_iri(row["predicate"]).split("#")[-1], row["direction"]))
        if kind is None:
            continue
        facts.setdefault(kind, {})
        other = id_from_iri(row["other"])
        add_fact(facts, kb, kind, other, row["otherLabel"] or other, row, entity=other)
    for row in run_select(kb.store, kb.book, "entity_limits", entity=iri):
        symbol = row["symbol"] or ""
        label = f"{row['quantity']}: {row['value']:g} {symbol}".strip()
        add_fact(
            facts,
            kb,
            "limits",
            label + (row["qualifier"] or ""),
            label,
            row,
            details={
                "quantity": row["quantity"],
                "value": row["value"],
                "unit": symbol,
                "qualifier": row["qualifier"],
            },
        )
    for row in run_select(kb.store, kb.book, "entity_security", entity=iri):
        mechanism = id_from_iri(row["mechanism"]) if row["mechanism"] else None
        category = row["categoryLabel"] or "security"
        label = category + (f" with {row['mechanismLabel'] or mechanism}" if mechanism else "")
        add_fact(
            facts,
            kb,
            "security_features",
            label,
            label,
            row,
            entity=mechanism,
            details={"category": category},
        )
    for row in run_select(kb.store, kb.book, "entity_attributes", entity=iri):
        label = f"{row['name']}: {row['value']}"
        add_fact(
            facts,
            kb,
            "attributes",
            label,
            label,
            row,
            details={"name": row["name"], "value": row["value"]},
        )
    for row in run_select(kb.store, kb.book, "negations_of", entity=iri):
        prop = id_from_iri(row["property"]).split("#")[-1]
        label = f"{row['subjectLabel']} does not {prop} {row['objectLabel']}"
        other_iri = row["object"] if row["subject"] == str(iri) else row["subject"]
        add_fact(
            facts,
            kb,
            "negations",
            label,
            label,
            row,
            entity=id_from_iri(other_iri),
            details={"property": prop},
        )
    for row in run_select(kb.store, kb.book, "anti_patterns_of", entity=iri):
        alternative = id_from_iri(row["alternative"]) if row["alternative"] else None
        label = row["text"] + (f" (use {row['alternativeLabel']})" if alternative else "")
        add_fact(facts, kb, "anti_patterns", row["text"], label, row, entity=alternative)
    return {kind: list(group.values()) for kind, group in facts.items()}


@router.get(
    "/entities/{entity_id}",
    response_model=EntityCard,
    responses=NOT_FOUND,
    tags=["graph"],
    summary="An entity card",
)
def get_entity(entity_id: str, kb: KbDep, request: Request) -> EntityCard:
    """Label, aliases, type, section, description and facts grouped by kind, with slides."""
    entity = kb.entities.get(entity_id)
    if entity is None:
        raise NotFound(f"no entity {entity_id!r}: GET /entities lists the ids")
    iri = entity_iri(entity_id)
    descriptions = run_select(kb.store, kb.book, "description_of", entity=iri)
    sections = domains_of(request).get(entity_id, [])
    slides = []
    for row in run_select(kb.store, kb.book, "slides_about", entity=iri):
        ref = slide_ref(kb, row["slide"])
        if ref is not None:
            slides.append((-int(row["about"] or 0), ref))
    slides.sort(key=lambda pair: (pair[0], pair[1].deck, pair[1].slide))
    return EntityCard(
        id=entity_id,
        iri=str(iri),
        label=entity.label,
        aliases=list(entity.aliases),
        type=entity.type,
        domain=sections[0] if sections else None,
        domains=sections,
        description=descriptions[0]["description"]
        if descriptions
        else (entity.description or None),
        facts=card_facts(kb, entity_id),
        slides=[ref for _, ref in slides],
    )


def slide_facts(kb: KB, info: SlideInfo) -> list[SlideFact]:
    """The fact nodes of a slide's graph."""
    out = []
    for row in run_select(
        kb.store, kb.book, "slide_facts", slide=slide_iri(info.deck, info.number)
    ):
        kind = FACT_KINDS.get(row["class"].split("#")[-1], "fact")
        if kind in ("relation", "negation") and row["predicate"]:
            prop = row["predicate"].split("#")[-1]
            kind = prop if kind == "relation" else f"not_{prop}"
        subject = id_from_iri(row["subject"]) if row["subject"] else None
        obj = id_from_iri(row["object"]) if row["object"] else None
        details: dict[str, str | float | None] = {}
        if row["quantity"] is not None:
            details = {
                "quantity": row["quantity"],
                "value": row["value"],
                "unit": row["symbol"],
                "qualifier": row["qualifier"],
            }
        elif row["categoryLabel"] is not None:
            details = {"category": row["categoryLabel"]}
        elif row["name"] is not None:
            details = {"name": row["name"], "value": row["attributeValue"]}
        out.append(
            SlideFact(
                kind=kind,
                subject=subject,
                subject_label=label_of(kb, subject),
                object=obj,
                object_label=label_of(kb, obj),
                details=details,
                text=row["text"],
                lines=[row["lineStart"], row["lineEnd"]],
            )
        )
    return out


def label_of(kb: KB, entity_id: str | None) -> str | None:
    """The label of an entity id, if it is one."""
    if entity_id is None:
        return None
    entity = kb.entities.get(entity_id)
    return entity.label if entity else entity_id


@router.get(
    "/slides/{deck}/{number}",
    response_model=SlidePage,
    responses=NOT_FOUND,
    tags=["graph"],
    summary="A slide and its facts",
)
def slide_route(
    deck: str,
    number: Annotated[str, Path(pattern=SLIDE_NUMBER, description="The slide number (digits).")],
    kb: KbDep,
) -> SlidePage:
    """Title, section, lines or page, cleaned text, and the facts extracted from the slide."""
    # Digits only: an int parameter would also read "1_0" as 10 and "١" as 1 (issue 10).
    return get_slide(deck, int(number), kb)


def get_slide(deck: str, number: int, kb: KB) -> SlidePage:
    """The slide page of a deck's slide number; NotFound when there is none."""
    iri = str(slide_iri(deck, number))
    info = kb.slides.get(iri)
    if info is None:
        decks = sorted({s.deck for s in kb.slides.values()})
        raise NotFound(f"no slide {number} in deck {deck!r}: the decks are {', '.join(decks)}")
    about: list[str] = []
    mentions: list[str] = []
    descriptions: list[str] = []
    for row in run_select(kb.store, kb.book, "slide_entities", slide=slide_iri(deck, number)):
        entity_id = id_from_iri(row["entity"])
        (about if row["about"] else mentions).append(entity_id)
        if row["description"]:
            descriptions.append(row["description"])
    return SlidePage(
        deck=info.deck,
        number=info.number,
        iri=info.iri,
        title=info.title,
        section=info.domain or None,
        lines=list(info.lines) if info.lines else None,
        page=info.page,
        text=info.text,
        about=sorted(about),
        mentions=sorted(mentions),
        descriptions=descriptions,
        facts=slide_facts(kb, info),
    )


def fact_count(kb: KB) -> int:
    """Facts of the build, from its summary."""
    by_kind = kb.summary.get("facts_by_kind") or {}
    return int(sum(by_kind.values()))


@router.get("/health", response_model=Health, tags=["service"], summary="Liveness and counts")
async def health(request: Request) -> Health:
    """Status, the version served and its counts, the model, when it was built, Slack on or off."""
    # On the event loop, with no threadpool dependency: it answers while every thread is busy.
    settings = request.app.state.settings
    loaded = getattr(request.state, "served", None)
    if loaded is None:
        return Health(
            status="loading",
            counts={},
            model=settings.embed_model,
            built_at=None,
            slack=bool(request.app.state.slack),
            sparql_workers=0,
        )
    kb = loaded.kb
    counts = {
        "slides": len(kb.slides),
        "entities": len(kb.entities),
        "facts": fact_count(kb),
        "triples": int(kb.summary.get("triples", 0)),
    }
    return Health(
        status="ok",
        counts=counts,
        model=str(kb.summary.get("model") or settings.embed_model),
        built_at=kb.summary.get("built_at"),
        slack=bool(request.app.state.slack),
        sparql_workers=loaded.pool.size,
        version=loaded.source.version,
        graph="remote" if loaded.remote is not None else "embedded",
    )


@router.get(
    "/ready",
    response_model=Ready,
    responses={
        503: {"model": Problem, "description": "Not loaded yet, or the SPARQL server is down"}
    },
    tags=["service"],
    summary="Readiness",
)
def ready(request: Request) -> Ready:
    """200 when this replica can answer; 503 with the reason while loading or unreachable."""
    follower = request.app.state.follower
    ok, why = follower.ready()
    if not ok:
        raise NotReady(why)
    return Ready(ready=True, version=follower.loaded.source.version)


@router.get(
    "/metrics",
    tags=["service"],
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {
            "content": {
                CONTENT_TYPE_LATEST: {
                    "example": (
                        "# TYPE kgqa_http_requests_total counter\n"
                        'kgqa_http_requests_total{method="GET",route="/health",status="200"} 3.0\n'
                    )
                }
            },
            "description": "Prometheus text format",
        }
    },
)
async def metrics(request: Request) -> Response:
    """Requests, latency histogram and errors by route, in the Prometheus text format."""
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
