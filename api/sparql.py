"""The SPARQL 1.1 Protocol query operation, read-only, over the Oxigraph store."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from api.deps import get_pool
from api.models import Problem
from api.sparql_worker import QueryRequest
from kg.errors import BadQuery, PayloadTooLarge, ReadOnly
from kg.query_guard import READ_ONLY_MESSAGE
from kg.settings import Settings

log = logging.getLogger("kgqa.sparql")
router = APIRouter(tags=["sparql"])
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
TRUNCATED_HEADER = "X-Results-Truncated"
LIMIT_HEADER = "X-Results-Limit"
GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri")
KNOWN_PARAMS = {"query", *GRAPH_PARAMS}
EXAMPLE_QUERY = (
    "PREFIX kg: <https://w3id.org/kgqa/ontology#>\n"
    "SELECT ?source ?target WHERE { ?source kg:writesTo ?target } LIMIT 10"
)
RESULT_EXAMPLES = {
    "application/sparql-results+json": {
        "example": {
            "head": {"vars": ["source", "target"]},
            "results": {
                "bindings": [
                    {
                        "source": {
                            "type": "uri",
                            "value": "https://w3id.org/kgqa/id/entity/kinesis-data-firehose",
                        },
                        "target": {
                            "type": "uri",
                            "value": "https://w3id.org/kgqa/id/entity/redshift",
                        },
                    }
                ]
            },
        }
    },
    "application/sparql-results+xml": {"example": '<?xml version="1.0"?><sparql ...>'},
    "text/csv": {
        "example": "source,target\r\nhttps://w3id.org/kgqa/id/entity/kinesis-data-"
        "firehose,https://w3id.org/kgqa/id/entity/redshift\r\n"
    },
    "text/tab-separated-values": {
        "example": "?source\t?target\n<https://w3id.org/kgqa/id/"
        "entity/kinesis-data-firehose>\t<https://w3id.org/"
        "kgqa/id/entity/redshift>\n"
    },
    "text/turtle": {
        "example": "kgi:entity/kinesis-data-firehose kg:writesTo kgi:entity/redshift ."
    },
    "application/n-triples": {
        "example": "<https://w3id.org/kgqa/id/entity/kinesis-data-firehose>"
        " <https://w3id.org/kgqa/ontology#writesTo> <https://w3"
        "id.org/kgqa/id/entity/redshift> ."
    },
    "application/ld+json": {"example": [{"@id": "https://w3id.org/kgqa/id/entity/redshift"}]},
    "application/trig": {"example": "kgi:entity/redshift kg:readsFrom kgi:entity/glue ."},
    "application/n-quads": {
        "example": "<https://w3id.org/kgqa/id/entity/redshift> <https://w3id"
        ".org/kgqa/ontology#readsFrom> <https://w3id.org/kgqa/id/"
        "entity/glue> ."
    },
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SELECT/ASK results or a CONSTRUCT/DESCRIBE graph, as negotiated; "
        f"`{TRUNCATED_HEADER}: true` when the row or byte cap cut them (JSON results then also "
        "carry `truncated` and `warning` members; XML results a comment and a head link)",
        "content": RESULT_EXAMPLES,
    },
    400: {"model": Problem, "description": "Malformed query, protocol misuse or an update"},
    406: {"model": Problem, "description": "No acceptable result format"},
    413: {"model": Problem, "description": "Query text over the size limit"},
    503: {
        "model": Problem,
        "description": "The query ran past the time limit, or every worker and queue slot is "
        "taken (then with Retry-After)",
    },
}
GRAPH_PARAM_DOCS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "description": f"SPARQL protocol `{name}` (repeatable)",
        "example": ["https://w3id.org/kgqa/id/slide/sample-deck/3"],
    }
    for name in GRAPH_PARAMS
]
GET_DOCS: dict[str, Any] = {
    "parameters": [
        {
            "name": "query",
            "in": "query",
            "required": True,
            "schema": {"type": "string"},
            "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE)",
            "example": EXAMPLE_QUERY,
        },
        *GRAPH_PARAM_DOCS,
    ]
}
POST_DOCS: dict[str, Any] = {
    "parameters": GRAPH_PARAM_DOCS,
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string"},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "example": {"query": EXAMPLE_QUERY},
            },
            DIRECT: {"schema": {"type": "string"}, "example": EXAMPLE_QUERY},
        },
    },
}


def parse_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    """Form-encoded pairs, strictly UTF-8 (a query is text, never mojibake)."""
    try:
        return parse_qsl(
            raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeError as e:
        raise BadQuery(f"the {where} is not valid UTF-8 form data: {e}") from e


def values(pairs: list[tuple[str, str]], name: str) -> list[str]:
    """Every value of one parameter."""
    return [value for key, value in pairs if key == name]


def graph_uris(pairs: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    """Graph IRIs of a dataset parameter, checked as IRIs."""
    uris = values(pairs, name)
    for uri in uris:
        try:
            ox.NamedNode(uri)
        except ValueError as e:
            raise BadQuery(f"{name} {uri!r} is not an absolute IRI: {e}") from e
    return tuple(uris)


def one_query(candidates: list[str], *, max_chars: int) -> str:
    """The single `query` value; 400 for none or several, 413 when too long."""
    if not candidates:
        raise BadQuery(
            "missing `query`: send ?query=SELECT... (GET), a form field `query`, or "
            f"the query itself as {DIRECT}"
        )
    if len(candidates) > 1:
        raise BadQuery(f"{len(candidates)} `query` parameters; send exactly one")
    query = candidates[0]
    if len(query) > max_chars:
        raise PayloadTooLarge(
            f"the query is {len(query)} characters long; the limit is {max_chars}"
        )
    return query


async def read_body(request: Request, *, limit: int) -> bytes:
    """The request body, refusing more than limit bytes without reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body is over the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(header: str | None) -> tuple[str, dict[str, str]]:
    """A Content-Type header as its media type and parameters."""
    if not header:
        return "", {}
    main, *params = header.split(";")
    parsed = {}
    for param in params:
        key, _, value = param.partition("=")
        parsed[key.strip().lower()] = value.strip().strip('"').lower()
    return main.strip().lower(), parsed


async def execute(request: Request, query: str, pairs: list[tuple[str, str]]) -> Response:
    """Hand the query to a worker and send back what it serialized."""
    settings: Settings = request.app.state.settings
    pool = get_pool(request)
    job = QueryRequest(
        query=query,
        accept=request.headers.get("accept"),
        default_graphs=graph_uris(pairs, "default-graph-uri"),
        named_graphs=graph_uris(pairs, "named-graph-uri"),
    )
    outcome = await pool.submit(job)
    headers = {"Vary": "Accept"}
    if outcome.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers[LIMIT_HEADER] = str(settings.max_results)
        request.app.state.metrics.sparql_truncated.inc()
        log.warning(
            "sparql: result truncated to %d rows, %d bytes (limits %d rows, %d bytes)",
            outcome.count,
            len(outcome.body),
            settings.max_results,
            settings.max_result_bytes,
        )
    return Response(outcome.body, media_type=outcome.media_type, headers=headers)


@router.get(
    "/sparql",
    responses=RESPONSES,
    openapi_extra=GET_DOCS,
    response_class=Response,
    summary="SPARQL query (GET)",
)
async def sparql_get(request: Request) -> Response:
    """Run a read-only SPARQL query given as `?query=`; the default graph is the union."""
    settings: Settings = request.app.state.settings
    pairs = parse_pairs(request.scope.get("query_string", b""), "query string")
    if values(pairs, "update"):
        raise ReadOnly(READ_ONLY_MESSAGE)
    query = one_query(values(pairs, "query"), max_chars=settings.max_query_chars)
    return await execute(request, query, pairs)


@router.post(
    "/sparql",
    responses=RESPONSES,
    openapi_extra=POST_DOCS,
    response_class=Response,
    summary="SPARQL query (POST)",
)
async def sparql_post(request: Request) -> Response:
    """Run a read-only query sent form-encoded (`query=`) or as application/sparql-query."""
    settings: Settings = request.app.state.settings
    url_pairs = parse_pairs(request.scope.get("query_string", b""), "query string")
    kind, params = media_type(request.headers.get("content-type"))
    if kind == UPDATE or values(url_pairs, "update"):
        raise ReadOnly(READ_ONLY_MESSAGE)
    # Worst case: every character of the query is 4 UTF-8 bytes, each percent-encoded (x3).
    body = await read_body(request, limit=settings.max_query_chars * 12 + 65536)
    if kind == FORM:
        pairs = parse_pairs(body, "request body")
        if values(pairs, "update"):
            raise ReadOnly(READ_ONLY_MESSAGE)
        if values(url_pairs, "query"):
            raise BadQuery("`query` is in both the URL and the body; send it once")
        query = one_query(values(pairs, "query"), max_chars=settings.max_query_chars)
        return await execute(request, query, url_pairs + pairs)
    if kind == DIRECT:
        charset = params.get("charset", "utf-8")
        if charset not in ("utf-8", "utf8"):
            raise BadQuery(f"charset {charset!r} is not supported; send the query as UTF-8")
        if values(url_pairs, "query"):
            raise BadQuery(
                f"`query` is in the URL and a query is in the {DIRECT} body; send it once"
            )
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise BadQuery(f"the query body is not valid UTF-8: {e}") from e
        query = one_query([text], max_chars=settings.max_query_chars)
        return await execute(request, query, url_pairs)
    if not kind:
        raise BadQuery(f"missing Content-Type: POST the query as {FORM} (query=...) or {DIRECT}")
    raise BadQuery(f"Content-Type {kind!r} is not a SPARQL query: use {FORM} or {DIRECT}")
