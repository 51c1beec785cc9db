"""Ingest benchmark: stage times and peak memory on a deck, median of several runs."""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from ingest.pipeline import extract_decks
from ingest.slides import read_deck
from kg.build import build
from kg.embed import embed, load_encoder
from kg.gazetteer import load_gazetteer
from kg.settings import default_deck
from ontology.terms import GAZETTEER


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def main() -> None:
    """Print median stage times over --runs runs, then one full run with embeddings."""
    parser = argparse.ArgumentParser()
    parser.add_argument("deck", nargs="?", type=Path, default=default_deck())
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    gazetteer = load_gazetteer(GAZETTEER)
    stages: dict[str, list[float]] = {
        "read+clean (baseline)": [],
        "extract": [],
        "build (no embed)": [],
    }
    for _ in range(args.runs):
        seconds, _ = timed(read_deck, args.deck)
        stages["read+clean (baseline)"].append(seconds)
        seconds, extraction = timed(extract_decks, [args.deck], gazetteer)
        stages["extract"].append(seconds)
        with tempfile.TemporaryDirectory() as tmp:
            seconds, _ = timed(
                build,
                extraction.decks,
                extraction.facts,
                gazetteer,
                Path(tmp) / "data",
                embed=None,
                embed_model="none",
            )
        stages["build (no embed)"].append(seconds)
    base = statistics.median(stages["read+clean (baseline)"])
    print(
        f"deck {args.deck} ({len(extraction.decks[0].slides)} slides, "
        f"{len(extraction.facts)} facts), median of {args.runs} runs:"
    )
    for name, values in stages.items():
        median = statistics.median(values)
        print(f"  {name:24s} {median:7.2f} s   x{median / base:6.1f} of baseline")
    total = sum(statistics.median(v) for v in stages.values())
    print(f"  {'ingest without embedding':24s} {total:7.2f} s")
    seconds_model, encoder = timed(load_encoder, "all-MiniLM-L6-v2")
    with tempfile.TemporaryDirectory() as tmp:
        seconds_full, report = timed(
            build,
            extraction.decks,
            extraction.facts,
            gazetteer,
            Path(tmp) / "data",
            embed=lambda texts: embed(encoder, texts),
            embed_model="all-MiniLM-L6-v2",
        )
    print(f"  {'model load':24s} {seconds_model:7.2f} s")
    print(f"  {'build with embedding':24s} {seconds_full:7.2f} s ({report.vectors} vectors)")
    full = total - statistics.median(stages["build (no embed)"]) + seconds_model + seconds_full
    print(f"  {'full ingest':24s} {full:7.2f} s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
