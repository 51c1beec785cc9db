"""Load-test a live server: requests/s, p50/p99 and errors for /health, /ask and /sparql.

python -m bench.http --data-dir DIR [--seconds 5] [--concurrency 8] [--workers 1 2]
Loopback only, bounded in requests and time.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from kg.settings import PROJECT_ROOT

DEV_QUESTIONS = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"
BUILT_IN = [
    "which services can write to Redshift?",
    "what is the maximum message size of SQS?",
    "where can Kinesis Data Firehose deliver data?",
    "what is Amazon Athena?",
    "how is data in Amazon S3 encrypted at rest?",
]
ONE_HOP = (
    "PREFIX kg: <https://w3id.org/kgqa/ontology#> SELECT ?source WHERE "
    "{ ?source kg:writesTo <https://w3id.org/kgqa/id/entity/redshift> }"
)
MAX_REQUESTS = 20000

Request = Callable[[httpx.Client, int], httpx.Response]


@dataclass(frozen=True)
class Result:
    """One scenario's measurements."""

    name: str
    workers: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    def row(self) -> str:
        """A printed line."""
        ordered = sorted(self.latencies) or [0.0]
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        rps = self.requests / self.seconds if self.seconds else 0.0
        return (
            f"{self.name:<8} workers={self.workers}  {rps:8.1f} req/s  p50 {p50:7.2f} ms  "
            f"p99 {p99:7.2f} ms  requests {self.requests:6d}  errors {self.errors}"
        )


def questions() -> list[str]:
    """Dev questions when the eval set is beside the project, else a few built-in ones."""
    if DEV_QUESTIONS.exists():
        lines = DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["question"] for line in lines if line.strip()]
    return BUILT_IN


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    data_dir: Path, port: int, workers: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """uvicorn with the app factory, on 127.0.0.1 (extra_env: more KGQA_* settings)."""
    env = os.environ | {"KGQA_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"} | (extra_env or {})
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "api.serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        start_new_session=True,
    )


def wait_healthy(base: str, server: subprocess.Popen[bytes], timeout_s: float = 180) -> None:
    """Poll /health until it answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError("the server did not become healthy")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's own process group (uvicorn and its workers), then wait."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def drive(
    base: str, name: str, workers: int, send: Request, *, seconds: float, concurrency: int
) -> Result:
    """Run send() from concurrency threads for seconds (or MAX_REQUESTS) and measure."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(MAX_REQUESTS))
    stop_at = time.monotonic() + seconds

    def loop() -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < stop_at:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                started = time.perf_counter()
                try:
                    ok = send(client, n).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors += 0 if ok else 1

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(name, workers, len(latencies), errors, time.monotonic() - started, latencies)


def scenarios(asked: list[str]) -> list[tuple[str, Request]]:
    """/health as the baseline, /ask over the question mix, /sparql with a 1-hop query."""
    return [
        ("/health", lambda c, n: c.get("/health")),
        ("/ask", lambda c, n: c.post("/ask", json={"question": asked[n % len(asked)]})),
        (
            "/sparql",
            lambda c, n: c.get(
                "/sparql",
                params={"query": ONE_HOP},
                headers={"Accept": "application/sparql-results+json"},
            ),
        ),
    ]


def main() -> None:
    """Serve with 1 then 2 workers and print one line per route and worker count."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    asked = questions()
    print(f"{len(asked)} questions; {args.concurrency} client threads; {args.seconds:g} s each")
    results = []
    for workers in args.workers:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(args.data_dir.resolve(), port, workers)
        try:
            wait_healthy(base, server)
            for name, send in scenarios(asked):
                drive(
                    base,
                    name,
                    workers,
                    send,
                    seconds=min(1.0, args.seconds),
                    concurrency=args.concurrency,
                )  # warm-up
                result = drive(
                    base, name, workers, send, seconds=args.seconds, concurrency=args.concurrency
                )
                results.append(result)
                print(result.row(), flush=True)
        finally:
            stop_server(server)
    total_errors = sum(r.errors for r in results)
    print(f"errors: {total_errors}")


if __name__ == "__main__":
    main()
