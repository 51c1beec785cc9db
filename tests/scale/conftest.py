"""Real Oxigraph servers (the `oxigraph` package's CLI) started as processes on free ports."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.settings import Settings
from kgqa.cluster import OxigraphServer, free_port


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
