"""Worked arithmetic latency: compute() per question with its caches cold and warm, on questions
it must leave alone, and reading every slide's table once, against embed + FAISS search alone."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bench.ask import percentile
from kg.ask.compute import compute
from kg.ask.execute import search
from kg.ask.tables import named_table, read_grids, read_table, text_names
from kg.ask.worked import matching_passages
from kg.kb import load_kb
from kg.linking import link_entities
from kg.settings import get_settings

# Our own arithmetic questions, one or more per kind of rule (not from any evaluation set).
QUESTIONS = [
    "How many RCUs for 45 strongly consistent reads per second of 7 KB items?",
    "What read capacity do 3 KB items need, read 80 times a second with eventual consistency?",
    "How many WCUs does a table need for 240 writes per minute of 2.5 KB items?",
    "On demand, how many WRUs do 14 writes per second of 1.2 KB items use?",
    "How many partitions for a table with 4,000 RCUs, 800 WCUs and 60 GB of data?",
    "How many shards does a stream need to take in 9 MB/s?",
    "How many shards for 2500 records per second of 2 KB each?",
    "How long would moving 300 TB over a 1 Gbps line take?",
    "How many hours would moving 10 TB over 10Gbps need?",
    "What is the availability of S3 Standard-IA?",
    "What is the minimum billable object size in S3 Glacier Deep Archive?",
    "What is the max data retention of Kinesis Data Streams?",
]
# Questions compute() must leave alone: what it costs an answer that is not worked out.
OTHERS = [
    "Which services can write to Amazon Redshift?",
    "What is the maximum size of an SQS message?",
    "How do I encrypt a Kinesis data stream at rest?",
    "Can Spark read directly from Kinesis Data Firehose?",
]


def clear_caches() -> None:
    """Forget every table read and every rule passage found."""
    for cached in (read_grids, named_table, text_names, matching_passages):
        cached.cache_clear()


def main() -> None:
    """Time compute() cold and warm on each question, and all tables read once, --rounds times."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=get_settings().data_dir)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    settings = get_settings()
    kb = load_kb(
        args.data_dir, embed_model=settings.embed_model, embed_backend=settings.embed_backend
    )
    ranked = {}
    for question in QUESTIONS + OTHERS:
        mentions = link_entities(question, aliases=kb.aliases, labels=kb.labels)
        ranked[question] = search(
            kb, question, kb.embed_query(question), [m.entity for m in mentions]
        )
    times: dict[str, list[float]] = {
        "baseline: embed + FAISS search": [],
        "compute(), table cache cold": [],
        "compute(), table cache warm": [],
        "compute() on other questions": [],
    }
    whole_deck: list[float] = []
    answered = 0
    for _ in range(args.rounds):
        clear_caches()
        started = time.perf_counter()
        for info in kb.slides.values():
            read_table(info.text, kb.aliases)
        whole_deck.append(time.perf_counter() - started)
        for question in QUESTIONS:
            started = time.perf_counter()
            vector = kb.embed_query(question)
            kb.index.search(vector.reshape(1, -1), 8)
            times["baseline: embed + FAISS search"].append(time.perf_counter() - started)
            clear_caches()
            started = time.perf_counter()
            found = compute(kb, question, ranked[question])
            times["compute(), table cache cold"].append(time.perf_counter() - started)
            started = time.perf_counter()
            compute(kb, question, ranked[question])
            times["compute(), table cache warm"].append(time.perf_counter() - started)
            answered += found is not None
        for question in OTHERS:
            started = time.perf_counter()
            found = compute(kb, question, ranked[question])
            times["compute() on other questions"].append(time.perf_counter() - started)
            answered -= found is not None
    base = statistics.median(times["baseline: embed + FAISS search"])
    print(
        f"{len(QUESTIONS)} arithmetic and {len(OTHERS)} other questions x {args.rounds} rounds,"
        f" {answered} worked figures (others answered count against):"
    )
    for name, values in times.items():
        p50 = percentile(values, 0.5)
        print(
            f"  {name:34s} p50 {p50:7.2f} ms  p95 {percentile(values, 0.95):7.2f} ms"
            f"  x{p50 / (1000 * base):5.2f} of baseline"
        )
    runs = ", ".join(f"{1000 * t:.0f}" for t in whole_deck)
    print(
        f"  every slide's table read once ({len(kb.slides)} slides): median "
        f"{1000 * statistics.median(whole_deck):.0f} ms (runs: {runs} ms)"
    )


if __name__ == "__main__":
    main()
