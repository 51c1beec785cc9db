"""Every segment of every slide, written beside the graph so answers can quote whole blocks."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from kg.errors import NotFound
from kg.types import Segment

SEGMENTS_FILE = "segments.json"


def write_segments(segments: Iterable[Segment], out_dir: Path) -> None:
    """Write the segments, in deck and line order, as one JSON list."""
    rows = [asdict(segment) for segment in segments]
    (out_dir / SEGMENTS_FILE).write_text(json.dumps(rows), encoding="utf-8")


def read_segments(data_dir: Path) -> tuple[Segment, ...]:
    """The segments of a data dir; NotFound when it was built before segments were written."""
    path = data_dir / SEGMENTS_FILE
    if not path.exists():
        raise NotFound(f"no {SEGMENTS_FILE} in {data_dir}: re-run `kgqa ingest`")
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return tuple(Segment(**row) for row in rows)
    except (ValueError, TypeError) as e:
        raise NotFound(f"{path} is not a segments file ({e}): re-run `kgqa ingest`") from e
