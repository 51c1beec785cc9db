"""How cost grows with the corpus: N renamed copies of a deck, embedded vs remote, FAISS kinds.

python -m bench.corpus DECK [--sizes 1 10 50] [--jobs 2]
For each size: ingest N copies (renamed files, so N decks; temp dir, never kept), data size,
answer() and 1-hop SPARQL p50 in-process with the graph embedded and on an Oxigraph server
(its RSS), and passage search with flat, IVF and HNSW indexes (recall@10 against flat).
Copies share text, so each distinct passage is embedded once and its vector reused: the
embedding cost of a size is reported as vectors / the throughput measured on the first size.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from bench.http import ONE_HOP, questions
from kg.settings import FaissIndex

RECALL_AT = 10
TIE_TOLERANCE = 1e-5  # FAISS and numpy sum the same products in a different order
SEARCH_DEPTH = 400  # what answer ranking asks the index for (max(limit * 8, 400))


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def dir_mb(path: Path) -> float:
    """Bytes under a folder, in MB."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def p50_ms(fn: Callable[[], object], times: int) -> float:
    """Median wall time of fn over `times` calls, in ms."""
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


class CachedEmbed:
    """Embeds each distinct text once; copies of a deck reuse its vectors."""

    def __init__(self, encoder: Any) -> None:
        self.encoder, self.cache = encoder, {}
        self.embedded, self.seconds = 0, 0.0
        self.model: Any = None  # the query encoder and intent model, shared by every size

    def __call__(self, texts: list[str]) -> Any:
        from kg.embed import embed

        fresh = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if fresh:
            started = time.perf_counter()
            for text, vector in zip(fresh, embed(self.encoder, fresh), strict=True):
                self.cache[text] = vector
            self.seconds += time.perf_counter() - started
            self.embedded += len(fresh)
        return np.stack([self.cache[t] for t in texts]).astype(np.float32)


def write_copies(deck: Path, n: int, folder: Path) -> list[Path]:
    """n copies of the deck under distinct names (distinct deck ids)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = deck.read_text(encoding="utf-8")
    paths = [folder / f"{deck.stem}-copy{k:03d}{deck.suffix}" for k in range(n)]
    for path in paths:
        path.write_text(text, encoding="utf-8")
    return paths


def search_figures(kb: Any, vectors: np.ndarray) -> dict[str, dict[str, float]]:
    """Build time, p50 and recall@10 (against flat) of each FAISS kind over the query vectors.

    Copies of a deck hold identical vectors, so the exact top 10 has ties; a hit counts when
    its cosine reaches the exact 10th best (less a float tolerance), not by its row id.
    """
    from kg.vectors import ann_index

    kb.ann = None
    tenth = {n: kb.nearest(q, RECALL_AT)[1][-1] for n, q in enumerate(vectors)}
    out = {}
    for kind in FaissIndex:
        started = time.perf_counter()
        kb.ann = ann_index(kb.vectors, kind)
        built = time.perf_counter() - started
        hits = [
            sum(1 for c in kb.nearest(q, RECALL_AT)[1] if c >= tenth[n] - TIE_TOLERANCE)
            for n, q in enumerate(vectors)
        ]
        samples = [p50_ms(lambda q=q: kb.nearest(q, SEARCH_DEPTH), 3) for q in vectors]
        out[kind.value] = {
            "build_s": round(built, 2),
            "search_p50_ms": round(statistics.median(samples), 3),
            "recall_at_10": round(sum(hits) / (RECALL_AT * len(vectors)), 4),
        }
    kb.ann = None
    return out


def measure_size(
    deck: Path, n: int, *, embed: CachedEmbed, jobs: int, tmp: Path, onnx: Path
) -> dict[str, Any]:
    """Every figure of one corpus size."""
    from ingest.pipeline import ingest
    from kg.answer import answer
    from kg.graph import run_query
    from kg.kb import load_kb
    from kg.publish import load_graph
    from kg.store import RemoteStore
    from kgqa.cluster import OxigraphServer

    paths = write_copies(deck, n, tmp / "decks")
    data = tmp / "data"
    before = embed.seconds
    started = time.perf_counter()
    report, _ = ingest(paths, data, embed=embed, embed_model="all-MiniLM-L6-v2", jobs=jobs)
    ingest_s = time.perf_counter() - started - (embed.seconds - before)
    asked = questions()
    rss0 = rss_mb()
    started = time.perf_counter()
    kb = load_kb(data, embed_model="all-MiniLM-L6-v2", reuse=embed.model, onnx_dir=onnx)
    figures: dict[str, Any] = {
        "copies": n,
        "slides": report.slides,
        "triples": report.triples,
        "vectors": report.vectors,
        "ingest_s_without_embedding": round(ingest_s, 1),
        "data_mb": round(dir_mb(data), 1),
        "embedded_load_s": round(time.perf_counter() - started, 1),
        "embedded_kb_mb": round(rss_mb() - rss0, 0),
    }
    server = OxigraphServer(tmp / "oxigraph").start()
    try:
        started = time.perf_counter()
        load_graph(data, server.endpoint, timeout_s=3600)
        figures["server_load_s"] = round(time.perf_counter() - started, 1)
        assert server.process is not None
        figures["server_rss_mb"] = round(rss_mb(server.process.pid), 0)
        with RemoteStore(server.endpoint, timeout_s=60) as store:
            started = time.perf_counter()
            remote = load_kb(data, embed_model="all-MiniLM-L6-v2", store=store, reuse=embed.model)
            figures["remote_load_s"] = round(time.perf_counter() - started, 1)
            # Interleaved, question by question, so machine load hits both modes alike.
            times: dict[str, list[float]] = {"embedded": [], "remote": []}
            for question in asked:
                for mode, base in (("embedded", kb), ("remote", remote)):
                    times[mode].append(p50_ms(lambda b=base, q=question: answer(q, b, k=8), 1))
            hops: dict[str, list[float]] = {"embedded": [], "remote": []}
            for _ in range(50):
                for mode, target in (("embedded", kb.store), ("remote", store)):
                    hops[mode].append(p50_ms(lambda t=target: list(run_query(t, ONE_HOP)), 1))
            for mode in ("embedded", "remote"):
                figures[f"{mode}_ask_p50_ms"] = round(statistics.median(times[mode]), 1)
                figures[f"{mode}_sparql_p50_ms"] = round(statistics.median(hops[mode]), 2)
    finally:
        server.stop()
    figures["faiss"] = search_figures(kb, kb.embed_queries(asked))
    embed.model = SimpleNamespace(encoder=kb.encoder, intent_model=kb.intent_model)
    gc.collect()
    return figures


def main() -> None:
    """Measure each size in turn and print one JSON object per size."""
    from kg.embed import load_encoder

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("deck", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--onnx-dir", type=Path, help="an existing ONNX export to reuse")
    args = parser.parse_args()
    embed = CachedEmbed(load_encoder("all-MiniLM-L6-v2"))
    with tempfile.TemporaryDirectory(prefix="kgqa-corpus-onnx-") as tmp_onnx:
        onnx = args.onnx_dir or tmp_onnx
        for n in args.sizes:
            with tempfile.TemporaryDirectory(prefix=f"kgqa-corpus-{n}x-") as tmp:
                figures = measure_size(
                    args.deck, n, embed=embed, jobs=args.jobs, tmp=Path(tmp), onnx=Path(onnx)
                )
            figures["embed_vectors_per_s"] = round(embed.embedded / max(embed.seconds, 1e-9), 1)
            print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
