"""Serve the current version: load a new one in the background and swap it in between requests.

The follower watches what should be served (the current pointer of a versions root, or a plain
data dir that `kgqa ingest` may replace), loads a changed version beside the one serving
(KB, SPARQL workers, entity sections), then swaps one object. Each request takes the object
serving when it starts and keeps it to the end, so no request sees two versions; the old
version's workers are closed when its last request is done.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.sparql_worker import QueryOutcome, QueryRequest, WorkerLimits, execute
from kg.errors import KGError, NotFound, NotReady, QueryTimeout, StoreUnavailable
from kg.kb import KB, load_kb
from kg.publish import Served, dataset_id, served_version
from kg.query_guard import QueryGuard
from kg.settings import Settings
from kg.store import RemoteStore, endpoints_from

log = logging.getLogger("kgqa.reload")
# Ad-hoc SPARQL in remote mode runs on the server; this many at once per replica process.
REMOTE_SPARQL_CONCURRENCY = 8
# The byte cap of a result serialized from the SPARQL server's answer (issue 10).
REMOTE_RESULT_BYTES = 16 * 1024 * 1024
PING_TIMEOUT_S = 2.0
PINNED = ".pinned"
# What a first load may wait out without failing the start: the server or the first publish.
RETRYABLE = (StoreUnavailable, QueryTimeout, NotReady)


class SparqlPool(Protocol):
    """What /sparql runs queries with: local worker processes, or the SPARQL server."""

    size: int
    killed: int

    def run(self, request: QueryRequest) -> QueryOutcome: ...

    async def submit(self, request: QueryRequest) -> QueryOutcome: ...

    def close(self) -> None: ...


PoolFactory = Callable[[Path], SparqlPool]


class RemotePool:
    """/sparql in remote mode: each query goes to the server, a bounded number at a time."""

    def __init__(self, store: RemoteStore, *, size: int, timeout_s: float, max_results: int):
        self.store, self.size, self.killed = store, size, 0
        self.timeout_s, self.max_results = timeout_s, max_results
        self.slots = threading.BoundedSemaphore(size)

    def run(self, request: QueryRequest) -> QueryOutcome:
        """Run one query on the server and serialize it as the embedded workers would."""
        if not self.slots.acquire(timeout=self.timeout_s):
            raise QueryTimeout(
                f"all {self.size} SPARQL slots stayed busy for {self.timeout_s:g} s; "
                "try again later"
            )
        try:
            limits = WorkerLimits(self.max_results, REMOTE_RESULT_BYTES, 0)
            return execute(self.store, request, QueryGuard(), limits)  # type: ignore[arg-type]
        finally:
            self.slots.release()

    async def submit(self, request: QueryRequest) -> QueryOutcome:
        """run() off the event loop."""
        return await run_in_threadpool(self.run, request)

    def close(self) -> None:
        """Close the connections to the server (it owns the queries)."""
        self.store.close()


@dataclass(eq=False)
class Loaded:
    """One version, loaded: what every request of that version uses."""

    source: Served
    kb: KB
    pool: SparqlPool
    entity_domains: dict[str, list[str]]
    pin: Path | None = None
    active: int = 0
    retired: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def remote(self) -> RemoteStore | None:
        """The SPARQL server's dataset, when the graph lives there."""
        return self.kb.store if isinstance(self.kb.store, RemoteStore) else None

    def enter(self) -> None:
        """A request starts on this version."""
        with self.lock:
            self.active += 1

    def leave(self) -> None:
        """A request on this version is done; the last one closes a retired version."""
        with self.lock:
            self.active -= 1
            done = self.retired and self.active == 0
        if done:
            self.close()

    def retire(self) -> None:
        """No new requests start here; close now if none is running."""
        with self.lock:
            self.retired = True
            done = self.active == 0
        if done:
            self.close()

    def close(self) -> None:
        """Stop the version's SPARQL workers and drop its pinned files."""
        self.pool.close()
        if self.remote is not None:
            self.remote.close()
        if self.pin is not None:
            shutil.rmtree(self.pin, ignore_errors=True)


def pin_root(data_dir: Path) -> Path:
    """Where this host's replicas keep pinned copies of a plain data dir."""
    return data_dir.parent / f".{data_dir.name}{PINNED}"


def pin_build(data_dir: Path) -> Served:
    """Hard-link a plain data dir's files into a private folder a later ingest cannot change.

    `kgqa ingest` replaces the data dir with a new folder and never rewrites a file, so the
    links keep this version's bytes for the workers that (re)load from disk while it serves.
    """
    root = pin_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    work = root / f"{os.getpid()}-{time.monotonic_ns()}"
    work.mkdir()
    for path in sorted(data_dir.iterdir()):
        if path.is_file():
            try:
                os.link(path, work / path.name)
            except OSError:
                shutil.copy2(path, work / path.name)
    return Served(dataset_id(work), work, None)


def sweep_pins(data_dir: Path) -> None:
    """Remove pinned folders of processes that are gone."""
    root = pin_root(data_dir)
    if not root.is_dir():
        return
    for folder in root.iterdir():
        pid = int(folder.name.split("-", 1)[0]) if folder.name.split("-", 1)[0].isdigit() else 0
        if pid and not pid_alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build_signature(data_dir: Path) -> tuple[int, ...]:
    """A cheap fingerprint of a plain data dir's files (inode, size, mtime); () when absent."""
    out: list[int] = []
    for name in ("summary.json", "graph.nq"):
        try:
            stat = (data_dir / name).stat()
        except FileNotFoundError:
            return ()
        out += [stat.st_ino, stat.st_size, stat.st_mtime_ns]
    return tuple(out)


class Follower:
    """Keeps the app serving the version it should, and knows whether it can answer."""

    def __init__(
        self, settings: Settings, make_pool: PoolFactory, on_swap: Callable[[Loaded], None]
    ):
        self.settings, self.make_pool, self.on_swap = settings, make_pool, on_swap
        self.loaded: Loaded | None = None
        self.reachable = True
        self.problem = "the first load has not finished"
        self.failed: str | None = None
        self.signature: tuple[int, ...] = ()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        endpoints = endpoints_from(
            settings.sparql_url, settings.sparql_update_url, settings.sparql_store_url
        )
        self.endpoint = endpoints[0] if endpoints else None
        if settings.versions_dir is None:
            sweep_pins(settings.data_dir)

    @property
    def onnx_dir(self) -> Path | None:
        """Where the ONNX export lives: KGQA_ONNX_DIR, else (None) the user's cache; outside
        every data dir, so that re-ingesting does not delete it (issue 10)."""
        return self.settings.onnx_dir

    def target(self) -> Served | None:
        """The version to serve now, or None when it is the one serving (plain data dirs)."""
        root = self.settings.versions_dir
        if root is not None:
            served = served_version(root)
            if served is None:
                raise NotReady(f"no version is published under {root} yet: run `kgqa publish`")
            return served
        signature = build_signature(self.settings.data_dir)
        if self.loaded is not None and signature == self.signature:
            return None
        if not signature:
            raise NotFound(
                f"no graph in {self.settings.data_dir}: run "
                f"`kgqa ingest DECK --data-dir {self.settings.data_dir}`"
            )
        self.signature = signature
        pinned = pin_build(self.settings.data_dir)
        return Served(pinned.version, pinned.data_dir, self.endpoint)

    def load(self, source: Served) -> Loaded:
        """Load a version beside the one serving (reusing its model)."""
        settings = self.settings
        store = (
            RemoteStore(source.endpoint, timeout_s=settings.query_timeout_s)
            if source.endpoint
            else None
        )
        kb = load_kb(
            source.data_dir,
            embed_model=settings.embed_model,
            embed_backend=settings.embed_backend,
            store=store,
            reuse=self.loaded.kb if self.loaded else None,
            onnx_dir=self.onnx_dir,
            faiss_index=settings.faiss_index,
        )
        pool: SparqlPool = (
            RemotePool(
                store,
                size=REMOTE_SPARQL_CONCURRENCY,
                timeout_s=settings.query_timeout_s,
                max_results=settings.max_results,
            )
            if store
            else self.make_pool(source.data_dir)
        )
        from api.http import entity_domains

        return Loaded(source, kb, pool, entity_domains(kb), pin=None)

    def poll(self) -> None:
        """One step: load and swap in a changed version; check the SPARQL server."""
        try:
            source = self.target()
        except KGError as e:
            self.problem = str(e)
            if self.loaded is None:
                raise
            return
        current = self.loaded
        if source is not None and (current is None or source.version != current.source.version):
            self.swap_to(source)
        elif source is not None and self.settings.versions_dir is None:
            shutil.rmtree(source.data_dir, ignore_errors=True)  # same bytes as the one serving
        self.check_server()

    def swap_to(self, source: Served) -> None:
        """Load source and make it the version new requests get."""
        pin = source.data_dir if self.settings.versions_dir is None else None
        if source.version == self.failed:
            if pin:
                shutil.rmtree(pin, ignore_errors=True)
            return
        started = time.perf_counter()
        try:
            loaded = self.load(source)
        except RETRYABLE as e:
            self.problem = str(e)
            self.signature = () if pin else self.signature  # try again on the next poll
            if pin:
                shutil.rmtree(pin, ignore_errors=True)
            raise
        except KGError as e:
            self.failed, self.problem = source.version, str(e)
            if pin:
                shutil.rmtree(pin, ignore_errors=True)
            log.error("version %s cannot be served: %s", source.version, e)
            if self.loaded is None:
                raise
            return
        loaded.pin = pin
        old, self.loaded = self.loaded, loaded
        self.on_swap(loaded)
        self.problem = ""
        log.info(
            "serving version %s (%d slides) from %s, loaded in %.1f s",
            source.version,
            len(loaded.kb.slides),
            source.endpoint.query_url if source.endpoint else source.data_dir,
            time.perf_counter() - started,
        )
        if old is not None:
            old.retire()

    def check_server(self) -> None:
        """Whether the serving version's SPARQL server answers."""
        remote = self.loaded.remote if self.loaded else None
        if remote is None:
            self.reachable = True
            return
        try:
            remote.ping(timeout_s=PING_TIMEOUT_S)
        except KGError as e:
            if self.reachable:
                log.warning("SPARQL server unreachable: %s", e)
            self.reachable, self.problem = False, str(e)
            return
        if not self.reachable:
            log.info("SPARQL server at %s is back", remote.endpoint.query_url)
        self.reachable, self.problem = True, ""

    def ready(self) -> tuple[bool, str]:
        """Whether requests can be answered now, and why not."""
        if self.loaded is None:
            return False, self.problem or "no data loaded yet"
        remote = self.loaded.remote
        if remote is not None:
            try:
                remote.ping(timeout_s=PING_TIMEOUT_S)
            except KGError as e:
                self.reachable, self.problem = False, str(e)
                return False, str(e)
            self.reachable = True  # what /ready said is what /ask does next
        return True, ""

    def run(self) -> None:
        """Poll until stopped; a failing poll is logged and tried again."""
        while not self.stop.wait(self.settings.reload_interval_s):
            try:
                self.poll()
            except KGError as e:
                self.problem = str(e)
            except Exception:  # noqa: BLE001 - the follower must outlive any one bad load
                log.exception("reload failed; still serving the version before")

    def start(self) -> None:
        """First load now (a retryable failure leaves the app up, not ready), then follow."""
        try:
            self.poll()
        except RETRYABLE as e:
            log.warning("not ready yet: %s", e)
            self.problem = str(e)
        self.thread = threading.Thread(target=self.run, name="kgqa-follower", daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop following and close the serving version."""
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
        if self.loaded is not None:
            self.loaded.retire()


class PinVersion:
    """ASGI middleware: each request keeps the version that was serving when it started."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        follower: Follower | None = getattr(self.state, "follower", None)
        loaded = follower.loaded if follower else None
        scope.setdefault("state", {})["served"] = loaded
        if loaded is None:
            await self.app(scope, receive, send)
            return
        loaded.enter()
        try:
            await self.app(scope, receive, send)
        finally:
            loaded.leave()
