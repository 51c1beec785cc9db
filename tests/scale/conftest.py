"""Real Oxigraph servers (the `oxigraph` package's CLI) started as processes on free ports."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import StoreUnavailable
from kg.settings import Settings
from kg.store import Endpoint, RemoteStore
from tests.api.conftest import free_port

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
START_TIMEOUT_S = 20.0


class OxigraphServer:
    """One `oxigraph serve` process over a directory, which it keeps across restarts."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        base = f"http://127.0.0.1:{self.port}"
        self.endpoint = Endpoint(f"{base}/query", f"{base}/update", f"{base}/store")

    def start(self) -> None:
        """Start the server and wait until it answers a query."""
        if not OXIGRAPH.exists():
            pytest.fail(f"no oxigraph CLI at {OXIGRAPH}: pip install -e '.[dev]'")
        self.process = subprocess.Popen(
            [
                str(OXIGRAPH),
                "serve",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        with RemoteStore(self.endpoint, timeout_s=2) as store:
            while True:
                try:
                    store.ping(timeout_s=1)
                    return
                except StoreUnavailable:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        raise RuntimeError(f"oxigraph did not start on port {self.port}") from None
                    time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (its data stays in its directory)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def oxigraph_pair(tmp_path: Path) -> Iterator[tuple[OxigraphServer, OxigraphServer]]:
    """Two datasets (blue and green): Oxigraph serves one dataset per process."""
    servers = (OxigraphServer(tmp_path / "blue"), OxigraphServer(tmp_path / "green"))
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp_path / "blue", ignore_errors=True)
        shutil.rmtree(tmp_path / "green", ignore_errors=True)


@pytest.fixture(scope="session")
def oxigraph_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One server for read-only comparisons across a module."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sample_graph_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample deck built without vectors (no model needed)."""
    from ingest.pipeline import ingest
    from tests.conftest import EMBED_MODEL, SAMPLE_DECK

    out = tmp_path_factory.mktemp("sample-graph") / "data"
    ingest([SAMPLE_DECK], out, embed=None, embed_model=EMBED_MODEL)
    return out


class Replica:
    """A `kgqa serve` app under a real uvicorn on a free port, in a thread of this process."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from api.app import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> Replica:
        """Start serving; wait until uvicorn listens."""
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop serving (the lifespan closes the follower)."""
        self.server.should_exit = True
        self.thread.join(timeout=30)


def replica_settings(root: Path, **overrides: object) -> Settings:
    """Settings of a replica following a versions root (torch encoder: no ONNX export)."""
    from tests.conftest import EMBED_MODEL

    values: dict[str, object] = {
        "versions_dir": root,
        "data_dir": root / "unused",
        "embed_model": EMBED_MODEL,
        "embed_backend": "torch",
        "reload_interval_s": 0.2,
        "query_timeout_s": 5.0,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]
