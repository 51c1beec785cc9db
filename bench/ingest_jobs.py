"""`kgqa ingest --jobs N`: wall time of ingest (no embedding) for 1, 2 and 4 decks by job count.

python -m bench.ingest_jobs DECK [--repeat 3]
The decks are renamed copies of DECK in a temp dir; each figure is the median of --repeat runs,
the job counts of one deck count interleaved so machine load hits them alike.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.corpus import write_copies


def main() -> None:
    """Print one line per deck count: seconds by job count, and the speed-up over one job."""
    from ingest.pipeline import ingest

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("deck", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kgqa-jobs-") as tmp:
        for decks in (1, 2, 4):
            paths = write_copies(args.deck, decks, Path(tmp) / f"decks{decks}")
            samples: dict[int, list[float]] = {jobs: [] for jobs in args.jobs}
            for _ in range(args.repeat):
                for jobs in args.jobs:
                    started = time.perf_counter()
                    ingest(paths, Path(tmp) / "data", embed=None, embed_model="x", jobs=jobs)
                    samples[jobs].append(time.perf_counter() - started)
            medians = {jobs: statistics.median(s) for jobs, s in samples.items()}
            cells = "  ".join(
                f"jobs={j}: {s:5.1f} s ({medians[args.jobs[0]] / s:.2f}x)"
                for j, s in medians.items()
            )
            print(f"{decks} deck(s): {cells}", flush=True)


if __name__ == "__main__":
    main()
