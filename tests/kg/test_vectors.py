"""FAISS index: the right neighbour ranks first; metadata guards the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kg.errors import IndexMismatch, NotFound
from kg.types import Hit
from kg.vectors import IndexMeta, build_index, read_index, search_index, write_index


def unit(*values: float) -> np.ndarray:
    """A unit-length float32 vector."""
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture
def five() -> tuple[np.ndarray, IndexMeta]:
    """Five hand-made 4-d unit vectors with metadata."""
    vectors = np.stack(
        [unit(1, 0, 0, 0), unit(0, 1, 0, 0), unit(0, 0, 1, 0), unit(0, 0, 0, 1), unit(1, 1, 0, 0)]
    )
    items = tuple(Hit(f"slide:d:{i}", "slide", "d", i, 0.0, f"text {i}") for i in range(5))
    return vectors, IndexMeta("model-a", 4, 5, items)


def test_vectors_nearest_neighbour_ranks_first(five: tuple[np.ndarray, IndexMeta]) -> None:
    vectors, meta = five
    index = build_index(vectors)
    hits = search_index(index, meta, unit(0.9, 1, 0, 0), 3)
    assert [h.slide for h in hits] == [4, 1, 0]
    assert hits[0].score > hits[1].score > hits[2].score


def test_vectors_k_larger_than_index_returns_all(five: tuple[np.ndarray, IndexMeta]) -> None:
    vectors, meta = five
    hits = search_index(build_index(vectors), meta, unit(0, 0, 1, 0), 50)
    assert len(hits) == 5 and hits[0].slide == 2


def test_vectors_roundtrip_and_model_mismatch(
    tmp_path: Path, five: tuple[np.ndarray, IndexMeta]
) -> None:
    vectors, meta = five
    write_index(build_index(vectors), meta, tmp_path)
    index, loaded = read_index(tmp_path, embed_model="model-a")
    assert loaded == meta and index.ntotal == 5
    with pytest.raises(IndexMismatch, match="model-a"):
        read_index(tmp_path, embed_model="model-b")


def test_vectors_missing_index_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="kgqa ingest"):
        read_index(tmp_path, embed_model="model-a")
