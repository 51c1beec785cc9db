"""SPARQL queries in killable subprocesses, so a runaway query can be abandoned safely.

pyoxigraph releases the GIL, but it cannot cancel a query: a thread running a cartesian product
would burn a core until it finished. Each worker process holds its own copy of the store; on a
timeout the parent kills it and starts a fresh one, and the serving process never blocks.

Issue 10: the pool has its own threads and a bounded queue (a full queue is a 503 with
Retry-After at once, and never takes a thread from /ask or /health); every worker loads the
graph snapshot the serving process loaded, so a re-ingest cannot mix versions; a worker cannot
reach the network (its own network namespace, where the system allows one) and has a memory cap.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import hashlib
import json
import logging
import math
import os
import queue
import resource
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

import pyoxigraph as ox

from api.results import boolean_body, graph_body, solutions_body
from kg.errors import Busy, KGError, QueryTimeout

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
# unshare(2) flags: a new network namespace has no interface but a downed loopback.
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
WARM_UP_QUERY = "ASK { ?s ?p ?o }"


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
    """Serialized results: media type, body, whether a cap cut them."""

    media_type: str
    body: bytes
    truncated: bool
    count: int


@dataclass(frozen=True)
class WorkerLimits:
    """What one worker may return and use."""

    max_results: int
    max_bytes: int
    memory_mb: int


# ---------------------------------------------------------------- child side


def execute(
    store: ox.Store, request: QueryRequest, guard: Any, limits: WorkerLimits
) -> QueryOutcome:
    """Run one query and serialize it within the row and byte caps."""
    from api.negotiate import graph_format, result_format
    from kg.graph import run_query

    results = run_query(
        store,
        request.query,
        default_graphs=list(request.default_graphs),
        named_graphs=list(request.named_graphs),
        guard=guard,
    )
    caps = {"max_rows": limits.max_results, "max_bytes": limits.max_bytes}
    if isinstance(results, ox.QueryBoolean):
        media_type, fmt = result_format(request.accept)
        return QueryOutcome(media_type, boolean_body(results, fmt), False, 1)
    if isinstance(results, ox.QuerySolutions):
        media_type, fmt = result_format(request.accept)
        variables = [v.value for v in results.variables]
        capped = solutions_body(variables, results, fmt, **caps)
        return QueryOutcome(media_type, capped.body, capped.truncated, capped.count)
    media_type, rdf_format = graph_format(request.accept)
    graph = graph_body(iter(results), rdf_format, prefixes=PREFIXES, **caps)
    return QueryOutcome(media_type, graph.body, graph.truncated, graph.count)


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


def isolate_network() -> bool:
    """Move this process into a network namespace of its own; whether that worked.

    Must run while the process has one thread. Root can unshare the network alone; others
    need a user namespace too, which some systems forbid: then only the SERVICE check holds.
    """
    libc_name = ctypes.util.find_library("c")
    if libc_name is None or not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space, so a query building huge values fails, not the host."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def read_snapshot(fd: int, size: int, sha256: str) -> bytes:
    """The graph snapshot the serving process handed over, checked against its digest."""
    chunks, offset = [], 0
    while offset < size:
        chunk = os.pread(fd, min(size - offset, 1 << 20), offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    os.close(fd)
    data = b"".join(chunks)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise KGError("the graph snapshot does not match its digest")
    return data


def answer_requests(store: ox.Store, guard: Any, limits: WorkerLimits) -> None:
    """Answer one framed request at a time until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (frame := read_frame(stdin)) is not None:
        fields = json.loads(frame)
        request = QueryRequest(
            fields["query"],
            fields["accept"],
            tuple(fields["default_graphs"]),
            tuple(fields["named_graphs"]),
        )
        try:
            outcome = execute(store, request, guard, limits)
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


def serve_queries(args: list[str]) -> None:
    """The worker: isolate, cap memory, load the snapshot, then answer requests."""
    from kg.graph import store_from_nquads
    from kg.query_guard import QueryGuard

    fd, size, sha256 = int(args[0]), int(args[1]), args[2]
    limits = WorkerLimits(int(args[3]), int(args[4]), int(args[5]))
    sandboxed = isolate_network()  # while single-threaded
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    limit_memory(limits.memory_mb)
    stdout = sys.stdout.buffer
    try:
        store = store_from_nquads(read_snapshot(fd, size, sha256))
        guard = QueryGuard(sandboxed=sandboxed)
        guard.check(WARM_UP_QUERY)  # imports and warms rdflib's parser before the first user
    except (KGError, OSError, SyntaxError, MemoryError) as e:
        write_frame(stdout, json.dumps({"ready": False, "detail": str(e)}).encode())
        return
    write_frame(stdout, json.dumps({"ready": True, "sandboxed": sandboxed}).encode())
    answer_requests(store, guard, limits)


# ---------------------------------------------------------------- parent side


def death_detail(returncode: int | None, memory_mb: int) -> str:
    """Why a worker died, in words a user can act on."""
    if returncode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
        return (
            f"the query worker crashed (signal {-returncode}), most likely past its "
            f"{memory_mb} MB memory limit: narrow the query or add a LIMIT"
        )
    return "the query worker exited unexpectedly; try again"


class QueryWorker:
    """One worker process and its pipes, used by one request thread at a time."""

    def __init__(self, snapshot: int, size: int, sha256: str, limits: WorkerLimits) -> None:
        self.limits = limits
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "api.sparql_worker",
                str(snapshot),
                str(size),
                sha256,
                str(limits.max_results),
                str(limits.max_bytes),
                str(limits.memory_mb),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            pass_fds=(snapshot,),
            # A query past the memory cap aborts the worker: one line in the log, no backtrace.
            env={**os.environ, "RUST_BACKTRACE": "0"},
        )
        self.ready = False
        self.sandboxed = False

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
                raise QueryWorkerError(death_detail(self.process.wait(), self.limits.memory_mb))
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
        self.ready, self.sandboxed = True, bool(header.get("sandboxed"))

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


@dataclass(frozen=True)
class PoolConfig:
    """How many workers, how long a query may run and wait, and what a worker may use."""

    size: int
    queue: int
    queue_wait_s: float
    timeout_s: float
    limits: WorkerLimits
    start_timeout_s: float = 120.0


class QueryPool:
    """A fixed number of query workers fed by their own threads and a bounded queue."""

    def __init__(
        self, graph: bytes, config: PoolConfig, *, on_kill: Callable[[], None] | None = None
    ) -> None:
        self.config, self.size = config, config.size
        self.timeout_s = config.timeout_s
        # The snapshot every worker loads, for as long as this pool lives: an unlinked file
        # that no re-ingest can touch (issue 10: workers restarted after a timeout loaded the
        # new graph while /ask kept the old one).
        self.snapshot = tempfile.TemporaryFile(prefix="kgqa-graph-")
        self.snapshot.write(graph)
        self.snapshot.flush()
        self.graph_size, self.graph_sha = len(graph), hashlib.sha256(graph).hexdigest()
        self.on_kill = on_kill or (lambda: None)
        self.idle: queue.Queue[QueryWorker] = queue.Queue()
        self.executor = ThreadPoolExecutor(
            max_workers=config.size + config.queue, thread_name_prefix="kgqa-sparql"
        )
        self.admitted = 0
        self.lock = threading.Lock()
        self.killed = 0
        self.closed = False
        for _ in range(config.size):
            self.idle.put(self.start_worker())

    @property
    def retry_after(self) -> int:
        """Seconds after which a running query has surely ended and freed its worker."""
        return max(1, math.ceil(self.config.timeout_s))

    def start_worker(self) -> QueryWorker:
        """A new worker on the pool's snapshot (it loads in the background)."""
        return QueryWorker(
            self.snapshot.fileno(), self.graph_size, self.graph_sha, self.config.limits
        )

    def admit(self) -> None:
        """Take a slot for one query, or Busy (503) at once when every slot is taken."""
        with self.lock:
            if self.admitted >= self.config.size + self.config.queue:
                raise Busy(
                    f"the SPARQL endpoint is busy: {self.config.size} queries are running and "
                    f"{self.config.queue} waiting; retry in {self.retry_after} s",
                    retry_after=self.retry_after,
                )
            self.admitted += 1

    def release(self, _: Future[QueryOutcome]) -> None:
        """Give a slot back when its query's thread is done (even if the client left)."""
        with self.lock:
            self.admitted -= 1

    async def submit(self, request: QueryRequest) -> QueryOutcome:
        """Run a query on the pool's own threads; Busy when the queue is full."""
        self.admit()
        try:
            future = self.executor.submit(self.run, request, time.monotonic())
        except RuntimeError:
            with self.lock:
                self.admitted -= 1
            raise
        future.add_done_callback(self.release)
        return await asyncio.wrap_future(future)

    def take_worker(self, admitted_at: float) -> QueryWorker:
        """An idle worker within the queue wait, else Busy."""
        wait = self.config.queue_wait_s - (time.monotonic() - admitted_at)
        try:
            return self.idle.get(timeout=max(wait, 0.001))
        except queue.Empty as e:
            raise Busy(
                f"all {self.size} SPARQL workers stayed busy for {self.config.queue_wait_s:g} s; "
                f"retry in {self.retry_after} s",
                retry_after=self.retry_after,
            ) from e

    def run(self, request: QueryRequest, admitted_at: float | None = None) -> QueryOutcome:
        """Run a query within the time limit; QueryTimeout (503) past it."""
        worker = self.take_worker(time.monotonic() if admitted_at is None else admitted_at)
        started = time.monotonic()
        if worker.process.poll() is not None:
            worker = self.replace(worker)
        try:
            worker.wait_ready(self.config.start_timeout_s)
            deadline = max(started + self.config.timeout_s, time.monotonic() + 0.05)
            return worker.ask(request, deadline)
        except TimeoutError as e:
            worker = self.replace(worker)
            raise QueryTimeout(
                f"the query ran past the {self.config.timeout_s:g} s time limit and was "
                "stopped; narrow it with more specific patterns or a LIMIT"
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
        self.on_kill()
        log.warning("killed a SPARQL query worker (pid %s); starting a new one", worker.process.pid)
        return self.start_worker()

    def close(self) -> None:
        """Kill every worker and stop the threads."""
        self.closed = True
        self.executor.shutdown(wait=False, cancel_futures=True)
        while True:
            try:
                self.idle.get_nowait().kill()
            except queue.Empty:
                break
        self.snapshot.close()


if __name__ == "__main__":
    serve_queries(sys.argv[1:])
