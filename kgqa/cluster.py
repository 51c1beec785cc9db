"""A local cluster of processes: two Oxigraph datasets (blue/green), a versions root, N replicas.

`make cluster` runs `python -m kgqa.cluster`: it starts `oxigraph serve` twice (Oxigraph serves
one dataset per process), publishes the data dir as the current version, starts N `kgqa serve`
replicas following the versions root, waits until each is ready and stops them all on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from kg.errors import StoreUnavailable
from kg.store import Endpoint, RemoteStore

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
KGQA = Path(sys.executable).with_name("kgqa")
START_TIMEOUT_S = 20.0
READY_TIMEOUT_S = 300.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class OxigraphServer:
    """One `oxigraph serve` process over a directory, which it keeps across restarts."""

    def __init__(self, location: Path, port: int | None = None) -> None:
        self.location = location
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        base = f"http://127.0.0.1:{self.port}"
        self.endpoint = Endpoint(f"{base}/query", f"{base}/update", f"{base}/store")

    def start(self) -> OxigraphServer:
        """Start the server and wait until it answers a query."""
        if not OXIGRAPH.exists():
            raise FileNotFoundError(f"no oxigraph CLI at {OXIGRAPH}: pip install -e '.[dev]'")
        self.location.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(self.location)]
            + ["--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        with RemoteStore(self.endpoint, timeout_s=2) as store:
            while True:
                try:
                    store.ping(timeout_s=1)
                    return self
                except StoreUnavailable:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        raise RuntimeError(f"oxigraph did not start on port {self.port}") from None
                    time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (its data stays in its directory)."""
        stop_process(self.process)
        self.process = None


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """Terminate a child process, killing it if it lingers."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_replica(root: Path, port: int, *, workers: int = 1) -> subprocess.Popen[bytes]:
    """A `kgqa serve` process following the versions root."""
    env = os.environ | {"KGQA_VERSIONS_DIR": str(root), "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(
        [str(KGQA), "serve", "--port", str(port), "--workers", str(workers)], env=env
    )


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> float:
    """Seconds until GET url/ready answers 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if process.poll() is not None:
            raise RuntimeError(f"the replica behind {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/ready", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} was not ready within {timeout_s:g} s")


def main() -> None:
    """python -m kgqa.cluster --data DATA --home DIR --replicas 2 --port 8001"""
    from kg.publish import publish

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--data", type=Path, required=True, help="a built data dir to publish")
    parser.add_argument("--home", type=Path, default=Path("cluster"), help="where state lives")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8001, help="first replica's port")
    parser.add_argument("--oxigraph-port", type=int, default=7878, help="blue; green is +1")
    args = parser.parse_args()
    home = args.home.resolve()
    servers = [
        OxigraphServer(home / f"oxigraph-{name}", args.oxigraph_port + n)
        for n, name in enumerate(("blue", "green"))
    ]
    replicas: list[subprocess.Popen[bytes]] = []
    try:
        for server in servers:
            server.start()
        version = publish(args.data, home / "versions", endpoints=[s.endpoint for s in servers])
        print(f"published {version.id} into {home / 'versions'}", flush=True)
        ports = [args.port + n for n in range(args.replicas)]
        replicas = [start_replica(home / "versions", port) for port in ports]
        for port, process in zip(ports, replicas, strict=True):
            seconds = wait_ready(f"http://127.0.0.1:{port}", process, READY_TIMEOUT_S)
            print(f"replica http://127.0.0.1:{port} ready in {seconds:.1f} s", flush=True)
        blue, green = (s.endpoint.query_url for s in servers)
        print(
            f"SPARQL datasets: {blue} (blue), {green} (green). Publish a new version with\n"
            f"  KGQA_VERSIONS_DIR={home / 'versions'} KGQA_SPARQL_URL={blue},{green} "
            f"KGQA_SPARQL_STORE_URL={servers[0].endpoint.store_url},"
            f"{servers[1].endpoint.store_url} kgqa publish DATA_DIR\n"
            "Ctrl-C stops the cluster.",
            flush=True,
        )
        # Blocked only now: the children started above keep the default signal handling.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        for process in replicas:
            stop_process(process)
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
