"""Hybrid block ranking: dense cosine, BM25 over the block's words and title, entity anchors."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from kg.ask.store import BM25_B, BM25_K1, Block, PassageStore

# What each signal is worth. Dense cosine of MiniLM sits around 0.3-0.7 for related text; the
# lexical score is the share of the question's IDF mass a block covers (0-1), which is what tells
# "VACUUM" or "ResolveChoice" apart where embeddings blur; anchors favour blocks about the
# question's entities without letting a name alone win.
DENSE_WEIGHT: Final = 1.0
LEXICAL_WEIGHT: Final = 0.55
# The slide title's words count, less than the block's own.
TITLE_SHARE: Final = 0.25
ENTITY_IN_BLOCK: Final = 0.06
ENTITY_ON_SLIDE: Final = 0.05
# A block's slide counts too: the right slide first, then the right lines on it.
SLIDE_WEIGHT: Final = 0.5
SLIDE_LEXICAL: Final = 0.5
# Blocks without a vector (diagram labels) borrow their slide's cosine, discounted.
BORROWED_COSINE: Final = 0.9
# A block of one or two words ("VPC", "Query queues") matches everything and says nothing.
SHORT_WORDS: Final = 3
SHORT_PENALTY: Final = 0.15
# How many passages by cosine are considered besides every block that shares a word.
DENSE_CANDIDATES: Final = 300

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Ranked:
    """A block with its score and the parts of it."""

    block: Block
    score: float
    cosine: float
    lexical: float
    best: int


def query_weights(store: PassageStore, query_stems: Sequence[str]) -> dict[str, float]:
    """IDF weight of each distinct question stem the index knows (unknown stems weigh 0)."""
    return {term: store.idf[term] for term in dict.fromkeys(query_stems) if term in store.idf}


def bm25(store: PassageStore, block: int, weights: Mapping[str, float]) -> float:
    """BM25 of one block's words for the weighted question terms."""
    tf = store.term_freqs[block]
    norm = BM25_K1 * (1 - BM25_B + BM25_B * store.lengths[block] / store.average_length)
    total = 0.0
    for term, weight in weights.items():
        count = tf.get(term, 0)
        if count:
            total += weight * count * (BM25_K1 + 1) / (count + norm)
    return total


def rank_blocks(
    store: PassageStore,
    *,
    query_stems: Sequence[str],
    query_vector: Vector | None,
    vectors: Vector | None,
    rows_to_passage: Mapping[int, int],
    slide_rows: Mapping[tuple[str, int], int],
    anchor_slides: Mapping[tuple[str, int], int],
    anchor_blocks: Collection[int],
    limit: int = 60,
) -> list[Ranked]:
    """Candidate blocks scored, best first."""
    weights = query_weights(store, query_stems)
    total = sum(weights.values())
    cosine = (
        vectors @ query_vector
        if vectors is not None and query_vector is not None and len(vectors)
        else None
    )
    candidates: set[int] = set(anchor_blocks)
    for term in weights:
        candidates.update(store.postings.get(term, ()))
    if cosine is not None:
        for row in np.argsort(-cosine)[:DENSE_CANDIDATES].tolist():
            pid = rows_to_passage.get(row)
            if pid is not None:
                candidates.add(store.block_of[pid])
    slide_scores: dict[tuple[str, int], float] = {}
    ranked = []
    for block_id in candidates:
        block = store.blocks[block_id]
        place = (block.deck, block.slide)
        lexical = bm25(store, block_id, weights) / ((BM25_K1 + 1) * total) if total else 0.0
        title = store.title_stems.get(place, frozenset())
        lexical += TITLE_SHARE * sum(w for t, w in weights.items() if t in title) / (total or 1.0)
        similarity, best = block_cosine(store, block, cosine, slide_rows)
        score = DENSE_WEIGHT * similarity + LEXICAL_WEIGHT * lexical
        if block_id in anchor_blocks:
            score += ENTITY_IN_BLOCK
        if place in anchor_slides:
            score += ENTITY_ON_SLIDE
        if sum(store.lengths_words[pid] for pid in block.members) < SHORT_WORDS:
            score -= SHORT_PENALTY
        if place not in slide_scores:
            slide_scores[place] = slide_score(store, place, query_stems, cosine, slide_rows)
        score += SLIDE_WEIGHT * slide_scores[place]
        ranked.append(Ranked(block, score, similarity, lexical, best))
    ranked.sort(key=lambda r: -r.score)
    return ranked[:limit]


def block_cosine(
    store: PassageStore,
    block: Block,
    cosine: Vector | None,
    slide_rows: Mapping[tuple[str, int], int],
) -> tuple[float, int]:
    """The best member cosine of a block (or its slide's, discounted) and that member."""
    if cosine is None:
        return 0.0, block.head
    best, best_pid = -1.0, block.head
    for pid in block.members:
        row = store.passages[pid].row
        if row >= 0 and float(cosine[row]) > best:
            best, best_pid = float(cosine[row]), pid
    if best < 0:
        slide_row = slide_rows.get((block.deck, block.slide))
        best = BORROWED_COSINE * float(cosine[slide_row]) if slide_row is not None else 0.0
    return best, best_pid


def slide_score(
    store: PassageStore,
    place: tuple[str, int],
    query_stems: Sequence[str],
    cosine: Vector | None,
    slide_rows: Mapping[tuple[str, int], int],
) -> float:
    """How well a whole slide matches: its vector's cosine plus BM25 over its words."""
    row = slide_rows.get(place)
    similarity = float(cosine[row]) if cosine is not None and row is not None else 0.0
    tf = store.slide_terms.get(place)
    if not tf:
        return similarity
    weights = {t: store.slide_idf[t] for t in dict.fromkeys(query_stems) if t in store.slide_idf}
    total = sum(weights.values())
    if not total:
        return similarity
    length = sum(tf.values())
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / store.slide_average)
    lexical = sum(
        w * tf[t] * (BM25_K1 + 1) / (tf[t] + norm) for t, w in weights.items() if tf.get(t)
    )
    return similarity + SLIDE_LEXICAL * lexical / ((BM25_K1 + 1) * total)
