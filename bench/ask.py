"""Answer latency: p50/p95 per stage over the dev questions, against embed + search alone."""

from __future__ import annotations

import os

# Measured as served: `kgqa serve` gives each worker one math thread (kgqa/cli.py), and a second
# BLAS thread spinning on a busy machine stretches a 0.2 ms product to several milliseconds.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from kg.answer import answer  # noqa: E402
from kg.ask.execute import search  # noqa: E402
from kg.kb import load_kb  # noqa: E402
from kg.linking import link_entities  # noqa: E402
from kg.settings import PROJECT_ROOT, get_settings  # noqa: E402

DEV = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK = [
    "which services can write to Redshift?",
    "what is the max SQS message size?",
    "how do I encrypt a Kinesis stream at rest?",
    "can Spark read from Firehose?",
]


def percentile(values: list[float], q: float) -> float:
    """The q-quantile in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    """Time every stage of answer() on each question, --rounds times."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=get_settings().data_dir)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    questions = (
        [json.loads(line)["question"] for line in DEV.read_text().splitlines() if line.strip()]
        if DEV.exists()
        else FALLBACK
    )
    settings = get_settings()
    kb = load_kb(
        args.data_dir, embed_model=settings.embed_model, embed_backend=settings.embed_backend
    )
    answer(questions[0], kb)
    times: dict[str, list[float]] = {
        "baseline: embed + FAISS search": [],
        "embed": [],
        "link entities": [],
        "rank blocks (dense + BM25 + anchors)": [],
        "answer() end to end": [],
    }
    for _ in range(args.rounds):
        for question in questions:
            started = time.perf_counter()
            vector = kb.embed_query(question)
            kb.index.search(vector.reshape(1, -1), 8)
            times["baseline: embed + FAISS search"].append(time.perf_counter() - started)
            started = time.perf_counter()
            vector = kb.embed_query(question)
            times["embed"].append(time.perf_counter() - started)
            started = time.perf_counter()
            mentions = link_entities(question, aliases=kb.aliases, labels=kb.labels)
            times["link entities"].append(time.perf_counter() - started)
            started = time.perf_counter()
            search(kb, question, vector, [m.entity for m in mentions])
            times["rank blocks (dense + BM25 + anchors)"].append(time.perf_counter() - started)
            started = time.perf_counter()
            answer(question, kb)
            times["answer() end to end"].append(time.perf_counter() - started)
    base = statistics.median(times["baseline: embed + FAISS search"])
    print(f"{len(questions)} questions x {args.rounds} rounds, model loaded once:")
    for name, values in times.items():
        p50 = percentile(values, 0.5)
        print(
            f"  {name:38s} p50 {p50:7.2f} ms  p95 {percentile(values, 0.95):7.2f} ms"
            f"  x{p50 / (1000 * base):5.2f} of baseline"
        )


if __name__ == "__main__":
    main()
