"""One replica with its graph on an Oxigraph server vs one embedded, in one run, interleaved.

python -m bench.scale --data-dir DIR [--rounds 3] [--seconds 5] [--concurrency 2]
Starts `oxigraph serve` (temp dir), loads the data dir's dataset, serves it twice (embedded and
remote, one worker each), then per round drives /ask and /sparql 1-hop on each, and a 1-hop
query straight at the Oxigraph server. Prints the median over rounds. Loopback only, bounded.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.http import (
    ONE_HOP,
    Request,
    Result,
    drive,
    free_port,
    questions,
    start_server,
    stop_server,
    wait_healthy,
)
from kg.publish import load_graph
from kgqa.cluster import OxigraphServer

SPARQL_JSON = {"Accept": "application/sparql-results+json"}


def p50_ms(result: Result) -> float:
    """Median latency of a run, in ms."""
    return statistics.median(result.latencies) * 1000 if result.latencies else 0.0


def rps(result: Result) -> float:
    """Requests per second of a run."""
    return result.requests / result.seconds if result.seconds else 0.0


def ask(asked: list[str]) -> Request:
    """POST /ask over the question mix."""
    return lambda c, n: c.post("/ask", json={"question": asked[n % len(asked)]})


def one_hop(path: str) -> Request:
    """GET a SPARQL endpoint at path with the 1-hop query."""
    return lambda c, n: c.get(path, params={"query": ONE_HOP}, headers=SPARQL_JSON)


def main() -> None:
    """Measure and print medians of embedded vs remote /ask and /sparql, and direct Oxigraph."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    data_dir, asked = args.data_dir.resolve(), questions()
    with tempfile.TemporaryDirectory(prefix="kgqa-bench-scale-") as tmp:
        oxigraph = OxigraphServer(Path(tmp) / "oxigraph").start()
        servers = {}
        try:
            quads = load_graph(data_dir, oxigraph.endpoint, timeout_s=600)
            print(f"loaded {quads} quads into {oxigraph.endpoint.query_url}", flush=True)
            remote_env = {"KGQA_SPARQL_URL": oxigraph.endpoint.query_url}
            for mode, env in (("embedded", None), ("remote", remote_env)):
                port = free_port()
                servers[mode] = (f"http://127.0.0.1:{port}", start_server(data_dir, port, 1, env))
            for base, server in servers.values():
                wait_healthy(base, server)
            runs = {
                ("/ask", "embedded"): (servers["embedded"][0], ask(asked)),
                ("/ask", "remote"): (servers["remote"][0], ask(asked)),
                ("/sparql", "embedded"): (servers["embedded"][0], one_hop("/sparql")),
                ("/sparql", "remote"): (servers["remote"][0], one_hop("/sparql")),
                ("/query", "oxigraph"): (f"http://127.0.0.1:{oxigraph.port}", one_hop("/query")),
            }
            table: dict[tuple[str, str], list[tuple[float, float, int]]] = {k: [] for k in runs}
            for name, (base, send) in runs.items():  # warm-up
                drive(base, name[0], 1, send, seconds=1.0, concurrency=args.concurrency)
            for _ in range(args.rounds):
                for name, (base, send) in runs.items():
                    result = drive(
                        base, name[0], 1, send, seconds=args.seconds, concurrency=args.concurrency
                    )
                    table[name].append((p50_ms(result), rps(result), result.errors))
            print(
                f"{len(asked)} questions, {args.concurrency} clients, {args.rounds} rounds x "
                f"{args.seconds:g} s, one worker per server; medians over rounds"
            )
            for (route, mode), rows in table.items():
                p50 = statistics.median(r[0] for r in rows)
                rate = statistics.median(r[1] for r in rows)
                print(
                    f"{route:<8} {mode:<9} p50 {p50:7.2f} ms  {rate:8.1f} req/s  "
                    f"errors {sum(r[2] for r in rows)}"
                )
            ratio = statistics.median(r[0] for r in table[("/ask", "remote")]) / statistics.median(
                r[0] for r in table[("/ask", "embedded")]
            )
            print(f"/ask p50 remote / embedded: {ratio:.2f}x (target <= 1.5x)")
        finally:
            for _, server in servers.values():
                stop_server(server)
            oxigraph.stop()


if __name__ == "__main__":
    main()
