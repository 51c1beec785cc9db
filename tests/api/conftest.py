"""The API under test: one TestClient app and one live uvicorn, both on the sample deck."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import Settings


@pytest.fixture(scope="session")
def client(sample_settings: Settings) -> Iterator[TestClient]:
    """A TestClient whose lifespan has loaded the sample KB."""
    with TestClient(create_app(sample_settings)) as test_client:
        yield test_client


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_url(sample_settings: Settings) -> Iterator[str]:
    """A real uvicorn on 127.0.0.1 serving the sample KB, stopped at the end of the session."""
    port = free_port()
    config = uvicorn.Config(
        create_app(sample_settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
