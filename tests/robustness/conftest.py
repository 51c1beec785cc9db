"""The robustness suite (issue 10): each parametrized case is one attack or fault, and the run
ends with how many cases were tried and how many held, per area."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import PROJECT_ROOT, Settings

HERE = Path(__file__).parent
TRIED: Counter[str] = Counter()
HELD: Counter[str] = Counter()


def area_of(nodeid: str) -> str:
    """The suite module a test belongs to, e.g. 'sparql_abuse'."""
    return Path(nodeid.split("::")[0]).stem.removeprefix("test_")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count each case of this directory once, by its call outcome (or a failed setup)."""
    if "tests/robustness/" not in report.nodeid.replace(os.sep, "/"):
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.skipped:
            return
        TRIED[area_of(report.nodeid)] += 1
        HELD[area_of(report.nodeid)] += int(report.passed)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per area and a total: cases tried and held."""
    if not TRIED:
        return
    terminalreporter.section("robustness cases")
    for area in sorted(TRIED):
        terminalreporter.write_line(f"{area:16} {HELD[area]:4} held of {TRIED[area]:4} tried")
    total, held = sum(TRIED.values()), sum(HELD.values())
    terminalreporter.write_line(f"{'total':16} {held:4} held of {total:4} tried")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def kgqa_command() -> list[str]:
    """The kgqa command of this environment (as `python -m kgqa`, the console script's twin)."""
    return [sys.executable, "-m", "kgqa"]


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    """Poll url until it answers 200; RuntimeError if the process exits first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def start_serve(
    data_dir: Path, port: int, *, workers: int = 1, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`kgqa serve` in its own process group, logging to a file beside the data."""
    with (data_dir.parent / f"serve-{port}.log").open("wb") as log:
        return subprocess.Popen(
            [
                *kgqa_command(),
                "serve",
                "--data-dir",
                str(data_dir),
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],  # fmt: skip
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
            cwd=PROJECT_ROOT,
            start_new_session=True,
        )


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            time.sleep(0.5)
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def strict_settings(sample_settings: Settings) -> Settings:
    """Small limits, so overload and caps are reached with little work."""
    return sample_settings.model_copy(
        update={
            "query_timeout_s": 2.0,
            "max_results": 1000,
            "max_result_bytes": 64 * 1024,
            "max_body_bytes": 64 * 1024,
            "sparql_workers": 1,
            "sparql_queue": 1,
            "sparql_queue_wait_s": 0.5,
        }
    )


@pytest.fixture(scope="session")
def strict_client(strict_settings: Settings) -> Iterator[TestClient]:
    """The service with small limits, its lifespan run."""
    with TestClient(create_app(strict_settings)) as client:
        yield client


@pytest.fixture(scope="session")
def client(sample_settings: Settings) -> Iterator[TestClient]:
    """The service with the default limits over the sample deck."""
    with TestClient(create_app(sample_settings)) as test_client:
        yield test_client
