"""Where the graph lives: the embedded Oxigraph store, or any SPARQL 1.1 server over HTTP.

`RemoteStore` offers the part of `pyoxigraph.Store` that kgqa uses (`query` with substitutions,
prefixes and a dataset) and returns pyoxigraph's own result objects, parsed from the server's
SPARQL JSON or N-Triples, so every caller of a store works unchanged on either backend.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

from kg.errors import BadQuery, QueryTimeout, StoreUnavailable

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
FORM = "application/x-www-form-urlencoded"
# Where substituted values go: the opening brace of the query's WHERE clause.
WHERE_OPEN = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
# A failed request on a kept-alive connection is retried once on a fresh one.
RETRIES = 1
UPDATE_CHUNK = 20000  # quads per INSERT DATA request when the server has no bulk load URL


@dataclass(frozen=True)
class Endpoint:
    """The URLs of one dataset on a SPARQL 1.1 server (query, update, Graph Store)."""

    query_url: str
    update_url: str = ""
    store_url: str = ""

    def to_json(self) -> dict[str, str]:
        """The endpoint as a JSON object."""
        return asdict(self)

    @classmethod
    def from_json(cls, payload: Mapping[str, str]) -> Endpoint:
        """The endpoint of a JSON object written by to_json."""
        return cls(
            payload["query_url"], payload.get("update_url", ""), payload.get("store_url", "")
        )


def split_urls(text: str) -> list[str]:
    """A comma-separated setting as its URLs."""
    return [part.strip() for part in text.split(",") if part.strip()]


def endpoints_from(query_urls: str, update_urls: str = "", store_urls: str = "") -> list[Endpoint]:
    """The datasets named by the KGQA_SPARQL_* settings, matched up by position."""
    queries, updates, stores = (split_urls(t) for t in (query_urls, update_urls, store_urls))
    for name, urls in (("KGQA_SPARQL_UPDATE_URL", updates), ("KGQA_SPARQL_STORE_URL", stores)):
        if urls and len(urls) != len(queries):
            raise BadQuery(
                f"{name} lists {len(urls)} URLs but KGQA_SPARQL_URL lists {len(queries)}; "
                "give one per dataset, in the same order"
            )
    return [
        Endpoint(q, updates[n] if updates else "", stores[n] if stores else "")
        for n, q in enumerate(queries)
    ]


def inline_values(query: str, substitutions: Mapping[Any, Any]) -> str:
    """The query with its substituted variables bound by a VALUES block opening its WHERE clause.

    This is what Oxigraph's substitutions (SEP-0007) do for kgqa's fixed queries: the values
    are joined before anything else is evaluated, so the server plans from them.
    """
    if not substitutions:
        return query
    match = WHERE_OPEN.search(query)
    if match is None:
        raise BadQuery("a query with bound values needs a WHERE clause to bind them in")
    names = " ".join(f"?{variable.value}" for variable in substitutions)
    row = " ".join(str(term) for term in substitutions.values())
    return f"{query[: match.end()]} VALUES ({names}) {{ ({row}) }}{query[match.end() :]}"


def with_prologue(query: str, *, prefixes: Mapping[str, str] | None, base_iri: str | None) -> str:
    """The query preceded by BASE and PREFIX declarations (the query's own ones override them)."""
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in (prefixes or {}).items()]
    return "\n".join([*lines, query]) if lines else query


def graph_names(graphs: Any) -> list[str]:
    """Named graphs given as pyoxigraph terms, as IRIs for the protocol's dataset parameters."""
    if graphs is None:
        return []
    items = graphs if isinstance(graphs, list | tuple) else [graphs]
    return [g.value for g in items if isinstance(g, ox.NamedNode)]


class Connections(threading.local):
    """One keep-alive HTTP connection per thread and server."""

    def __init__(self) -> None:
        self.open: dict[tuple[str, str, int], http.client.HTTPConnection] = {}


class RemoteStore:
    """A dataset on a SPARQL 1.1 server, queried like an embedded pyoxigraph.Store."""

    def __init__(self, endpoint: Endpoint, *, timeout_s: float = 10.0) -> None:
        self.endpoint = endpoint
        self.timeout_s = timeout_s
        self.connections = Connections()
        self.opened: list[http.client.HTTPConnection] = []
        self.opened_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint.query_url!r})"

    def _connection(self, url: str, timeout_s: float) -> tuple[http.client.HTTPConnection, str]:
        """This thread's connection to the server of url, and the request target."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadQuery(f"SPARQL endpoint {url!r} is not an http(s) URL")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (parts.scheme, parts.hostname, port)
        conn = self.connections.open.get(key)
        if conn is None:
            kind = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = kind(parts.hostname, port, timeout=timeout_s)
            self.connections.open[key] = conn
            with self.opened_lock:
                self.opened.append(conn)
        conn.timeout = timeout_s
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return conn, target

    def _drop(self, url: str) -> None:
        """Close this thread's connection to the server of url."""
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        conn = self.connections.open.pop((parts.scheme, parts.hostname or "", port), None)
        if conn is not None:
            conn.close()

    def request(
        self,
        method: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        timeout_s: float | None = None,
    ) -> tuple[int, str, bytes]:
        """Send one request; (status, content type, body). StoreUnavailable when unreachable."""
        timeout = self.timeout_s if timeout_s is None else timeout_s
        for attempt in range(RETRIES + 1):
            conn, target = self._connection(url, timeout)
            reused = conn.sock is not None
            try:
                if conn.sock is not None:
                    conn.sock.settimeout(timeout)
                conn.request(method, target, body=body, headers=dict(headers))
                response = conn.getresponse()
                payload = response.read()
                return response.status, response.getheader("Content-Type") or "", payload
            except TimeoutError as e:
                self._drop(url)
                raise QueryTimeout(
                    f"the SPARQL server at {url} did not answer within {timeout:g} s"
                ) from e
            except (http.client.HTTPException, OSError) as e:
                self._drop(url)
                # A kept-alive connection the server has since closed; every request kgqa
                # sends is safe to repeat (queries, PUT, and INSERT DATA into a set).
                if attempt < RETRIES and reused:
                    continue
                raise StoreUnavailable(
                    f"the SPARQL server at {url} is unreachable ({e.__class__.__name__}: {e}); "
                    "answers resume when it is back"
                ) from e
        raise AssertionError("unreachable")

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
        default_graph: Any = None,
        named_graphs: Any = None,
        substitutions: Mapping[Any, Any] | None = None,
    ) -> Any:
        """Run a query on the server; pyoxigraph's QuerySolutions, QueryBoolean or triples."""
        text = with_prologue(
            inline_values(query, substitutions or {}), prefixes=prefixes, base_iri=base_iri
        )
        params = [("query", text)]
        params += [("default-graph-uri", g) for g in graph_names(default_graph)]
        params += [("named-graph-uri", g) for g in graph_names(named_graphs)]
        status, kind, body = self.request(
            "POST",
            self.endpoint.query_url,
            urlencode(params).encode(),
            {"Content-Type": FORM, "Accept": ACCEPT},
        )
        check_status(status, body, self.endpoint.query_url)
        return parse_results(kind, body)

    def update(self, text: str, *, timeout_s: float | None = None) -> None:
        """Run a SPARQL Update on the dataset's update endpoint."""
        if not self.endpoint.update_url:
            raise BadQuery(
                f"no update URL for {self.endpoint.query_url}: set KGQA_SPARQL_UPDATE_URL"
            )
        status, _, body = self.request(
            "POST",
            self.endpoint.update_url,
            urlencode([("update", text)]).encode(),
            {"Content-Type": FORM},
            timeout_s=timeout_s,
        )
        check_status(status, body, self.endpoint.update_url)

    def replace_all(self, nquads: bytes, *, timeout_s: float | None = None) -> None:
        """Replace the whole dataset with these N-Quads (Graph Store PUT, else DROP + INSERT)."""
        if self.endpoint.store_url:
            status, _, body = self.request(
                "PUT",
                self.endpoint.store_url,
                nquads,
                {"Content-Type": "application/n-quads"},
                timeout_s=timeout_s,
            )
            check_status(status, body, self.endpoint.store_url)
            return
        self.update("DROP ALL", timeout_s=timeout_s)
        for chunk in insert_data_chunks(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)):
            self.update(chunk, timeout_s=timeout_s)

    def count_quads(self) -> int:
        """Quads in the dataset, its default graph included."""
        rows = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        )
        return int(next(iter(rows))["n"].value)

    def ping(self, *, timeout_s: float = 2.0) -> None:
        """Raise StoreUnavailable (or QueryTimeout) unless the server answers a trivial query."""
        status, _, body = self.request(
            "POST",
            self.endpoint.query_url,
            urlencode([("query", "ASK {}")]).encode(),
            {"Content-Type": FORM, "Accept": ACCEPT},
            timeout_s=timeout_s,
        )
        check_status(status, body, self.endpoint.query_url)

    def __len__(self) -> int:
        return self.count_quads()

    def close(self) -> None:
        """Close the connections of every thread."""
        with self.opened_lock:
            opened, self.opened = self.opened, []
        for conn in opened:
            conn.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_status(status: int, body: bytes, url: str) -> None:
    """Map the server's error statuses to kgqa's errors (400s are the query's fault)."""
    if status < 300:
        return
    detail = body.decode("utf-8", "replace").strip()[:500]
    if status in (400, 414):
        raise BadQuery(f"the SPARQL server refused the query: {detail}")
    if status in (408, 503, 504) or "timeout" in detail.lower():
        raise QueryTimeout(f"the SPARQL server at {url} gave up on the query: {detail}")
    raise StoreUnavailable(f"the SPARQL server at {url} answered {status}: {detail}")


def parse_results(kind: str, body: bytes) -> Any:
    """A response body as pyoxigraph results: solutions or a boolean, else an RDF graph."""
    media = kind.split(";")[0].strip().lower()
    if media == "application/sparql-results+json":
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if media == "application/n-triples":
        return ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
    raise StoreUnavailable(f"the SPARQL server answered {media or 'no content type'}, not results")


def quad_text(quad: Any) -> str:
    """One quad of INSERT DATA, inside its GRAPH block when it has a named graph."""
    triple = f"{quad.subject} {quad.predicate} {quad.object} ."
    if isinstance(quad.graph_name, ox.DefaultGraph):
        return triple
    return f"GRAPH {quad.graph_name} {{ {triple} }}"


def insert_data_chunks(quads: Iterable[Any], size: int = UPDATE_CHUNK) -> Iterator[str]:
    """INSERT DATA updates of at most `size` quads each."""
    batch: list[str] = []
    for quad in quads:
        batch.append(quad_text(quad))
        if len(batch) >= size:
            yield "INSERT DATA {\n" + "\n".join(batch) + "\n}"
            batch = []
    if batch:
        yield "INSERT DATA {\n" + "\n".join(batch) + "\n}"
