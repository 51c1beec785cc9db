"""Block ranking on hand-made passages and unit vectors: the right block ranks first."""

from __future__ import annotations

import numpy as np

from kg.ask.matrix import build_score_index
from kg.ask.retrieve import rank_blocks
from kg.ask.store import build_store
from kg.ask.text import content_stems
from kg.types import Hit, Segment


def setup():  # type: ignore[no-untyped-def]
    """Three one-bullet slides with a vector each, and their indexes."""
    texts = [
        "Retention of records is one to seven days",
        "Vacuum reclaims deleted rows",
        "Dashboards share read-only snapshots with readers",
    ]
    segments = [
        Segment("d", n + 1, "bullet", t, 10 * n + 10, 10 * n + 10) for n, t in enumerate(texts)
    ]
    items = [
        Hit(f"segment:d:{n + 1}:{10 * n + 10}", "segment", "d", n + 1, 0.0, t)
        for n, t in enumerate(texts)
    ]
    vectors = np.eye(3, dtype=np.float32)
    store = build_store(segments, items, {("d", n + 1): f"Slide {n}" for n in range(3)})
    return store, build_score_index(store, {}, 3), vectors


def test_retrieve_dense_match_ranks_first() -> None:
    store, index, vectors = setup()
    ranked = rank_blocks(
        store,
        index,
        query_stems=content_stems("how long are records kept"),
        query_vector=np.array([1, 0, 0], np.float32),
        vectors=vectors,
        anchor_slides={},
        anchor_blocks=(),
    )
    assert store.passages[ranked[0].block.head].text.startswith("Retention")


def test_retrieve_shared_rare_word_beats_a_slightly_closer_vector() -> None:
    store, index, vectors = setup()
    ranked = rank_blocks(
        store,
        index,
        query_stems=content_stems("what does vacuum do"),
        query_vector=np.array([0.55, 0.45, 0.0], np.float32),
        vectors=vectors,
        anchor_slides={},
        anchor_blocks=(),
    )
    assert store.passages[ranked[0].block.head].text.startswith("Vacuum")


def test_retrieve_anchor_lifts_the_slide_about_the_entity() -> None:
    store, index, vectors = setup()
    ranked = rank_blocks(
        store,
        index,
        query_stems=[],
        query_vector=np.array([0.5, 0.5, 0.5], np.float32),
        vectors=vectors,
        anchor_slides={("d", 3): 1},
        anchor_blocks=(),
    )
    assert ranked[0].block.slide == 3
