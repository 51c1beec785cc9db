"""Fault script (make chaos, not in CI): kill -9 a server worker and a SPARQL worker under load.

Starts `kgqa serve --workers 2` on a free port, sends a bounded mix of /health, /ask and /sparql
from a few client threads, kills one uvicorn worker and later one SPARQL query worker with
SIGKILL, and reports requests failed around each kill and the time until requests succeeded
again. Loopback only; stops the server and itself after --seconds.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ONE_HOP = (
    "SELECT ?s WHERE { ?s <https://w3id.org/kgqa/ontology#writesTo> "
    "<https://w3id.org/kgqa/id/entity/redshift> }"
)
PATHS = (
    "/health",
    "/ask?" + urllib.parse.urlencode({"q": "which services can write to Amazon Redshift?"}),
    "/sparql?" + urllib.parse.urlencode({"query": ONE_HOP}),
)


@dataclass(frozen=True)
class Outcome:
    """One request: when it ended, what it asked, whether it succeeded."""

    at: float
    path: str
    ok: bool


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the direct children of pid, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append((int(entry.name), cmdline))
    return found


def request(base: str, path: str) -> bool:
    """Whether one GET succeeded (2xx)."""
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            response.read()
            return 200 <= response.status < 300
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def load(base: str, stop: threading.Event, outcomes: list[Outcome], index: int) -> None:
    """One client: cycle through the paths until stopped."""
    n = index
    while not stop.is_set():
        path = PATHS[n % len(PATHS)]
        ok = request(base, path)
        outcomes.append(Outcome(time.monotonic(), path.split("?")[0], ok))
        n += 1


def wait_healthy(base: str, server: subprocess.Popen[bytes], timeout_s: float = 180) -> None:
    """Until /health answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        if request(base, "/health"):
            return
        time.sleep(0.3)
    raise RuntimeError("the server did not become healthy")


def report(name: str, killed_at: float, until: float, outcomes: list[Outcome]) -> None:
    """Failures between a kill and the next event, and the time to the last of them."""
    window = [o for o in outcomes if killed_at <= o.at < until]
    failed = [o for o in window if not o.ok]
    recovery = (max(o.at for o in failed) - killed_at) if failed else 0.0
    by_path = {p: sum(1 for o in failed if o.path == p) for p in sorted({o.path for o in failed})}
    print(
        f"{name}: {len(window)} requests after the kill, {len(failed)} failed {by_path or ''}; "
        f"recovered in {recovery:.2f} s"
    )


def main() -> None:
    """Run the scenario and print the figures."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    kgqa = str(Path(sys.executable).with_name("kgqa"))
    server = subprocess.Popen(
        [kgqa, "serve", "--data-dir", str(args.data_dir), "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    outcomes: list[Outcome] = []
    stop = threading.Event()
    try:
        wait_healthy(base, server)
        time.sleep(2.0)  # both workers up
        threads = [
            threading.Thread(target=load, args=(base, stop, outcomes, i), daemon=True)
            for i in range(args.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds / 4)
        workers = [pid for pid, cmd in children(server.pid) if "multiprocessing" in cmd]
        worker_killed_at = time.monotonic()
        os.kill(workers[0], signal.SIGKILL)
        print(f"killed server worker {workers[0]} at {worker_killed_at - started:.1f} s")
        time.sleep(args.seconds / 2)
        sparql = [
            pid
            for worker, _ in children(server.pid)
            for pid, cmd in children(worker)
            if "api.sparql_worker" in cmd
        ]
        sparql_killed_at = time.monotonic()
        os.kill(sparql[0], signal.SIGKILL)
        print(f"killed SPARQL worker {sparql[0]} at {sparql_killed_at - started:.1f} s")
        time.sleep(args.seconds / 4)
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        ended = time.monotonic()
        before = [o for o in outcomes if o.at < worker_killed_at]
        print(
            f"{len(outcomes)} requests in {ended - started:.1f} s from {args.clients} clients; "
            f"{sum(not o.ok for o in before)} failed before any kill"
        )
        report("server worker kill -9", worker_killed_at, sparql_killed_at, outcomes)
        report("SPARQL worker kill -9", sparql_killed_at, ended + 1, outcomes)
        print(f"total failed: {sum(not o.ok for o in outcomes)} of {len(outcomes)}")
    finally:
        stop.set()
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
