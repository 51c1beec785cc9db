"""FAISS index over slides, segments and facts, with the metadata that says what each vector is."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss

from kg.embed import Vectors
from kg.errors import IndexMismatch, NotFound
from kg.manifest import read_json
from kg.settings import FaissIndex
from kg.types import Hit

INDEX_FILE = "vectors.faiss"
META_FILE = "vectors.json"
# IVF: about 4 * sqrt(n) lists (FAISS's guideline range is 4-16 * sqrt(n)); searching 1 in 16
# of them (at least 8) keeps recall@10 high while visiting a small share of the vectors.
IVF_LISTS_PER_SQRT = 4
IVF_PROBE_SHARE = 16
IVF_MIN_PROBES = 8
# FAISS needs at least 39 training points per list; below that an IVF index is no faster anyway.
IVF_MIN_POINTS_PER_LIST = 39
# HNSW: 32 links per node and a search beam of 128 (FAISS's usual recall/speed middle ground).
HNSW_LINKS = 32
HNSW_EF_SEARCH = 128
HNSW_EF_CONSTRUCTION = 80


@dataclass(frozen=True)
class IndexMeta:
    """What the index was built with and what each row points to."""

    model: str
    dim: int
    count: int
    items: tuple[Hit, ...]


def build_index(vectors: Vectors) -> Any:
    """An exact inner-product index; vectors are unit length so this is cosine."""
    index = faiss.IndexFlatIP(int(vectors.shape[1]))
    if len(vectors):
        index.add(vectors)
    return index


def ann_index(vectors: Vectors, kind: FaissIndex) -> Any:
    """An approximate inner-product index over vectors, or None for exact search."""
    count, dim = int(vectors.shape[0]), int(vectors.shape[1])
    if kind == FaissIndex.HNSW and count:
        graph = faiss.IndexHNSWFlat(dim, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        graph.hnsw.efSearch = HNSW_EF_SEARCH
        graph.add(vectors)
        return graph
    lists = int(IVF_LISTS_PER_SQRT * math.sqrt(count))
    if kind == FaissIndex.IVF and lists >= 2 and count >= lists * IVF_MIN_POINTS_PER_LIST:
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, lists, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.add(vectors)
        index.nprobe = max(IVF_MIN_PROBES, lists // IVF_PROBE_SHARE)
        return index
    return None


def search_index(index: Any, meta: IndexMeta, query: Vectors, k: int) -> list[Hit]:
    """The k nearest items to one query vector, best first."""
    k = min(k, index.ntotal)
    if k <= 0:
        return []
    scores, rows = index.search(query.reshape(1, -1), k)
    hits = []
    for score, row in zip(scores[0], rows[0], strict=True):
        if row < 0:
            continue
        item = meta.items[int(row)]
        hits.append(Hit(item.key, item.kind, item.deck, item.slide, float(score), item.text))
    return hits


def write_index(index: Any, meta: IndexMeta, out_dir: Path) -> None:
    """Write the index and its metadata into out_dir."""
    faiss.write_index(index, str(out_dir / INDEX_FILE))
    payload = {
        "model": meta.model,
        "dim": meta.dim,
        "count": meta.count,
        "items": [asdict(item) for item in meta.items],
    }
    (out_dir / META_FILE).write_text(json.dumps(payload), encoding="utf-8")


def read_index(data_dir: Path, *, embed_model: str) -> tuple[Any, IndexMeta]:
    """Load the index; IndexMismatch when it was built with another model."""
    index_path, meta_path = data_dir / INDEX_FILE, data_dir / META_FILE
    if not index_path.exists() or not meta_path.exists():
        raise NotFound(
            f"no vector index in {data_dir}: run `kgqa ingest DECK --data-dir {data_dir}`"
        )
    payload = read_json(meta_path)
    if payload["model"] != embed_model:
        raise IndexMismatch(
            f"the index in {data_dir} was built with {payload['model']!r} but the configured "
            f"model is {embed_model!r}: re-run `kgqa ingest` or set KGQA_EMBED_MODEL"
        )
    index = faiss.read_index(str(index_path))
    items = tuple(Hit(**item) for item in payload["items"])
    meta = IndexMeta(payload["model"], int(payload["dim"]), int(payload["count"]), items)
    if index.ntotal != meta.count or index.d != meta.dim:
        raise IndexMismatch(f"the index in {data_dir} does not match its metadata: re-run ingest")
    return index, meta


def segment_key(deck: str, slide: int, line: int) -> str:
    """The index key of the segment that starts at `line` of a slide."""
    return f"segment:{deck}:{slide}:{line}"


def segment_place(key: str) -> tuple[str, int, int]:
    """(deck, slide, first line) of a segment key."""
    deck, slide, line = key.split(":")[1:]
    return deck, int(slide), int(line)


def passage_text(text: str) -> str:
    """A segment's own words, without the "title: " it was embedded with."""
    return text.split(": ", 1)[1] if ": " in text else text
