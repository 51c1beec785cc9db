"""`kgqa serve --workers 2` as a process tree: slow clients, shared metrics, a killed parent."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.robustness.conftest import free_port, start_serve, stop_group, wait_until_up

CLIENT_TIMEOUT_S = 1.0


@pytest.fixture(scope="module")
def two_workers(sample_data_dir: Path) -> Iterator[str]:
    """kgqa serve with two worker processes and a 1 s client timeout."""
    port = free_port()
    server = start_serve(
        sample_data_dir, port, workers=2, env={"KGQA_CLIENT_TIMEOUT_S": str(CLIENT_TIMEOUT_S)}
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", server)
        yield f"127.0.0.1:{port}"
    finally:
        stop_group(server)


def get(address: str, path: str) -> bytes:
    """One GET on a new connection."""
    with urllib.request.urlopen(f"http://{address}{path}", timeout=30) as response:
        body: bytes = response.read()
        return body


def health_count(text: str) -> float:
    """Requests counted for GET /health with status 200."""
    pattern = r'kgqa_http_requests_total\{method="GET",route="/health",status="200"\} (\S+)'
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


def test_process_metrics_are_summed_over_workers(two_workers: str) -> None:
    before = health_count(get(two_workers, "/metrics").decode())
    for _ in range(20):
        get(two_workers, "/health")
    time.sleep(0.5)  # a request is counted just after its response is sent
    scrapes = [health_count(get(two_workers, "/metrics").decode()) for _ in range(8)]
    # Every scrape, whichever worker answers it, sees the same total (no flipping).
    assert len(set(scrapes)) == 1, scrapes
    assert scrapes[0] >= before + 20


@pytest.mark.parametrize(
    "partial",
    [b"", b"GET /health HTTP/1.1\r\n", b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: "],
    ids=["nothing", "request-line", "half-headers"],
)
def test_process_slow_headers_are_cut_off(two_workers: str, partial: bytes) -> None:
    host, port = two_workers.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(partial)
        started = time.monotonic()
        data = sock.recv(4096)
        waited = time.monotonic() - started
    assert waited < CLIENT_TIMEOUT_S + 3
    assert data == b"" or data.startswith(b"HTTP/1.1 408")
    assert get(two_workers, "/health")


def test_process_slow_body_is_cut_off(two_workers: str) -> None:
    host, port = two_workers.split(":")
    head = (
        b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"question": "wh'
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        started = time.monotonic()
        data = sock.recv(4096)
    assert time.monotonic() - started < CLIENT_TIMEOUT_S + 3
    assert data.startswith(b"HTTP/1.1 408")


def listening(port: int) -> bool:
    """Whether something accepts connections on the port."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_process_killed_parent_takes_its_workers_and_restart_binds(sample_data_dir: Path) -> None:
    port = free_port()
    server = start_serve(sample_data_dir, port, workers=2)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", server)
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        deadline = time.monotonic() + 10
        while listening(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not listening(port), "workers kept serving after their parent was killed"
    finally:
        stop_group(server)
    again = start_serve(sample_data_dir, port, workers=2)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", again)
    finally:
        stop_group(again)
