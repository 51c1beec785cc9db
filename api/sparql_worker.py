"""SPARQL queries in killable subprocesses, so a runaway query can be abandoned safely.

pyoxigraph releases the GIL, but it cannot cancel a query: a thread running a cartesian product
would burn a core until it finished. Each worker process holds its own copy of the store; on a
timeout the parent kills it and starts a fresh one, and the serving process never blocks.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from kg.errors import KGError, QueryTimeout

log = logging.getLogger("kgqa.sparql")
HEADER = struct.Struct(">I")
PREFIXES = {
    "kg": "https://w3id.org/kgqa/ontology#",
    "kgi": "https://w3id.org/kgqa/id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class QueryWorkerError(KGError):
    """A query worker process died or answered garbage."""

    status = 503
    code = "query_worker_failed"


@dataclass(frozen=True)
class QueryRequest:
    """One query operation, as the protocol layer parsed it."""

    query: str
    accept: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryOutcome:
    """Serialized results: media type, body, whether the result-size cap cut them."""

    media_type: str
    body: bytes
    truncated: bool
    count: int


# ---------------------------------------------------------------- child side


def term_to_json(term: Any) -> dict[str, Any]:
    """A pyoxigraph term in the SPARQL 1.1 JSON results encoding."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": term_to_json(term.subject),
            "predicate": term_to_json(term.predicate),
            "object": term_to_json(term.object),
        },
    }


def solutions_to_json(variables: list[str], rows: list[Any]) -> bytes:
    """Solutions as SPARQL JSON results."""
    bindings = []
    for row in rows:
        binding = {}
        for var in variables:
            term = row[var]
            if term is not None:
                binding[var] = term_to_json(term)
        bindings.append(binding)
    payload = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def execute(store: ox.Store, request: QueryRequest, *, max_results: int) -> QueryOutcome:
    """Run one query and serialize at most max_results solutions or triples."""
    from api.negotiate import graph_format, result_format
    from kg.graph import run_query

    results = run_query(
        store,
        request.query,
        default_graphs=list(request.default_graphs),
        named_graphs=list(request.named_graphs),
    )
    if isinstance(results, ox.QueryBoolean):
        media_type, fmt = result_format(request.accept)
        return QueryOutcome(media_type, results.serialize(format=fmt) or b"", False, 1)
    if isinstance(results, ox.QuerySolutions):
        media_type, fmt = result_format(request.accept)
        variables = [v.value for v in results.variables]
        rows = list(islice(results, max_results + 1))
        truncated = len(rows) > max_results
        body = solutions_to_json(variables, rows[:max_results])
        if fmt != ox.QueryResultsFormat.JSON:
            # The capped rows go back through pyoxigraph so its serializers write every format.
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            body = parsed.serialize(format=fmt) or b""
        return QueryOutcome(media_type, body, truncated, min(len(rows), max_results))
    media_type, rdf_format = graph_format(request.accept)
    triples = list(islice(results, max_results + 1))
    truncated = len(triples) > max_results
    kept: list[Any] = triples[:max_results]
    if rdf_format.supports_datasets:
        kept = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept]
    graph_body = ox.serialize(kept, format=rdf_format, prefixes=PREFIXES) or b""
    return QueryOutcome(media_type, graph_body, truncated, len(kept))


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    """A length-prefixed frame."""
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame, or None at end of stream."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    body = stream.read(size)
    return body if len(body) == size else None


def watch_parent(parent: int) -> None:
    """Exit when the serving process is gone, even in the middle of a long query."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def serve_queries(data_dir: Path, max_results: int) -> None:
    """The worker's loop: load the store once, then answer one framed request at a time."""
    from kg.graph import load_store

    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        store = load_store(data_dir)
    except KGError as e:
        write_frame(stdout, json.dumps({"ready": False, "detail": str(e)}).encode())
        return
    write_frame(stdout, json.dumps({"ready": True}).encode())
    while (frame := read_frame(stdin)) is not None:
        fields = json.loads(frame)
        request = QueryRequest(
            fields["query"],
            fields["accept"],
            tuple(fields["default_graphs"]),
            tuple(fields["named_graphs"]),
        )
        try:
            outcome = execute(store, request, max_results=max_results)
        except KGError as e:
            header = {"status": e.status, "error": e.code, "detail": str(e)}
            write_frame(stdout, json.dumps(header).encode())
            continue
        except Exception as e:  # noqa: BLE001 - evaluation errors of a user's query are 400s
            header = {"status": 400, "error": "bad_query", "detail": f"the query failed: {e}"}
            write_frame(stdout, json.dumps(header).encode())
            continue
        header = {
            "status": 200,
            "media_type": outcome.media_type,
            "truncated": outcome.truncated,
            "count": outcome.count,
        }
        write_frame(stdout, json.dumps(header).encode())
        write_frame(stdout, outcome.body)


# ---------------------------------------------------------------- parent side


class QueryWorker:
    """One worker process and its pipes, used by one request thread at a time."""

    def __init__(self, data_dir: Path, max_results: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.sparql_worker", str(data_dir), str(max_results)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        self.ready = False

    def _read_exact(self, size: int, deadline: float) -> bytes:
        """size bytes from the worker, or TimeoutError at the deadline."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks, remaining = [], size
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise QueryWorkerError("the query worker exited unexpectedly; try again")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def read_frame(self, deadline: float) -> bytes:
        """The next frame before the deadline."""
        (size,) = HEADER.unpack(self._read_exact(HEADER.size, deadline))
        return self._read_exact(size, deadline)

    def wait_ready(self, timeout_s: float) -> None:
        """Block until the worker has loaded the store."""
        if self.ready:
            return
        try:
            header = json.loads(self.read_frame(time.monotonic() + timeout_s))
        except TimeoutError as e:
            raise QueryWorkerError("the query worker did not start in time; try again") from e
        if not header.get("ready"):
            raise QueryWorkerError(f"the query worker could not load the graph: {header['detail']}")
        self.ready = True

    def ask(self, request: QueryRequest, deadline: float) -> QueryOutcome:
        """Send one request and read its outcome; TimeoutError at the deadline."""
        assert self.process.stdin is not None
        payload = json.dumps(
            {
                "query": request.query,
                "accept": request.accept,
                "default_graphs": list(request.default_graphs),
                "named_graphs": list(request.named_graphs),
            }
        ).encode()
        try:
            self.process.stdin.write(HEADER.pack(len(payload)) + payload)
        except (BrokenPipeError, OSError) as e:
            raise QueryWorkerError("the query worker exited unexpectedly; try again") from e
        header = json.loads(self.read_frame(deadline))
        if header["status"] != 200:
            error = KGError(header["detail"])
            error.status, error.code = header["status"], header["error"]
            raise error
        body = self.read_frame(deadline)
        return QueryOutcome(header["media_type"], body, header["truncated"], header["count"])

    def kill(self) -> None:
        """Stop the process now."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class QueryPool:
    """A fixed number of query workers; a query that times out costs its worker's life."""

    def __init__(
        self,
        data_dir: Path,
        *,
        size: int,
        timeout_s: float,
        max_results: int,
        start_timeout_s: float = 120.0,
    ) -> None:
        self.data_dir, self.size = data_dir, size
        self.timeout_s, self.max_results = timeout_s, max_results
        self.start_timeout_s = start_timeout_s
        self.idle: queue.Queue[QueryWorker] = queue.Queue()
        self.killed = 0
        self.closed = False
        for _ in range(size):
            self.idle.put(QueryWorker(data_dir, max_results))

    def run(self, request: QueryRequest) -> QueryOutcome:
        """Run a query within the time limit; QueryTimeout (503) past it."""
        started = time.monotonic()
        try:
            worker = self.idle.get(timeout=self.timeout_s)
        except queue.Empty as e:
            raise QueryTimeout(
                f"all {self.size} query workers stayed busy for "
                f"{self.timeout_s:g} s; try again later"
            ) from e
        if worker.process.poll() is not None:
            worker = self.replace(worker)
        try:
            worker.wait_ready(self.start_timeout_s)
            deadline = max(started + self.timeout_s, time.monotonic() + 0.05)
            return worker.ask(request, deadline)
        except TimeoutError as e:
            worker = self.replace(worker)
            raise QueryTimeout(
                f"the query ran past the {self.timeout_s:g} s time limit and was stopped; "
                "narrow it with more specific patterns or a LIMIT"
            ) from e
        except QueryWorkerError:
            worker = self.replace(worker)
            raise
        except (ValueError, KeyError, struct.error) as e:
            worker = self.replace(worker)
            raise QueryWorkerError("the query worker answered garbage; try again") from e
        finally:
            if self.closed:
                worker.kill()
            else:
                self.idle.put(worker)

    def replace(self, worker: QueryWorker) -> QueryWorker:
        """Kill a worker and start its successor (which loads in the background)."""
        worker.kill()
        self.killed += 1
        log.warning("killed a SPARQL query worker (pid %s); starting a new one", worker.process.pid)
        return QueryWorker(self.data_dir, self.max_results)

    def close(self) -> None:
        """Kill every worker."""
        self.closed = True
        while True:
            try:
                self.idle.get_nowait().kill()
            except queue.Empty:
                return


if __name__ == "__main__":
    serve_queries(Path(sys.argv[1]), int(sys.argv[2]))
