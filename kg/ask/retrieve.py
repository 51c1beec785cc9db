"""Hybrid block ranking: dense cosine, BM25 over the block's words and title, entity anchors, and
the block's slide as a whole; every block scored at once (kg/ask/matrix.py)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from kg.ask.matrix import ScoreIndex
from kg.ask.store import BM25_K1, Block, PassageStore

# What each signal is worth. Dense cosine of MiniLM sits around 0.3-0.7 for related text; the
# lexical score is the share of the question's IDF mass a block covers (0-1), which is what tells
# "VACUUM" or "ResolveChoice" apart where embeddings blur; anchors favour blocks about the
# question's entities without letting a name alone win.
DENSE_WEIGHT: Final = 1.0
LEXICAL_WEIGHT: Final = 0.55
# The slide title's words count, less than the block's own.
TITLE_SHARE: Final = 0.25
ENTITY_IN_BLOCK: Final = 0.06
ENTITY_ON_SLIDE: Final = 0.04
# A slide whose title names the entity is about it: its lines answer "what is X" and most of what
# is asked about X.
ENTITY_ABOUT_SLIDE: Final = 0.1
# A block's slide counts too: the right slide first, then the right lines on it.
SLIDE_WEIGHT: Final = 0.7
SLIDE_LEXICAL: Final = 0.5
# Blocks without a vector (diagram labels) borrow their slide's cosine, discounted.
BORROWED_COSINE: Final = 0.9
# "the X architecture slide", "X's anti-pattern slide": blocks whose slide title (or own words)
# use the scope words are where the question says to look.
SCOPE_BONUS: Final = 0.15
# How much a word of a linked entity's name counts as a word: "QuickSight" in "what is
# QuickSight Q" matches every QuickSight slide, which the anchors already favour.
NAME_WEIGHT: Final = 0.3
# A block of one or two words ("VPC", "Query queues") matches everything and says nothing.
SHORT_WORDS: Final = 3
SHORT_PENALTY: Final = 0.15

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Ranked:
    """A block with its score and the parts of it."""

    block: Block
    score: float
    cosine: float
    lexical: float
    best: int


def weighted(
    idf: Mapping[str, float], query_stems: Sequence[str], damped: Collection[str] = ()
) -> dict[str, float]:
    """IDF weight of each distinct question stem the index knows (unknown stems weigh 0); words
    of entity names count NAME_WEIGHT as much, the entity anchors carrying the names instead."""
    return {
        term: idf[term] * (NAME_WEIGHT if term in damped else 1.0)
        for term in dict.fromkeys(query_stems)
        if term in idf
    }


def bm25_scores(
    postings: Mapping[str, tuple[npt.NDArray[np.int32], Vector]],
    weights: Mapping[str, float],
    size: int,
) -> Vector:
    """BM25 of every document for the weighted terms, as a share of the best possible score."""
    scores = np.zeros(size, np.float32)
    for term, weight in weights.items():
        ids, parts = postings[term]
        scores[ids] += weight * parts
    total = sum(weights.values())
    return scores / ((BM25_K1 + 1) * total) if total else scores


def scope_share(index: ScoreIndex, scope: Sequence[str], blocks: int, slides: int) -> Vector:
    """The share of the scope words ("anti-pattern", "overview") each block or its slide title
    uses."""
    found = np.zeros(blocks, np.float32)
    for term in dict.fromkeys(scope):
        in_block = np.zeros(blocks, bool)
        if term in index.block_terms:
            in_block[index.block_terms[term][0]] = True
        in_title = np.zeros(slides, bool)
        in_title[index.title_terms.get(term, np.zeros(0, np.int32))] = True
        found += in_block | in_title[index.block_slide]
    share: Vector = found / np.float32(max(1, len(set(scope))))
    return share


def rank_blocks(
    store: PassageStore,
    index: ScoreIndex,
    *,
    query_stems: Sequence[str],
    query_vector: Vector | None,
    vectors: Vector | None,
    anchor_slides: Mapping[tuple[str, int], int],
    anchor_blocks: Collection[int],
    damped: Collection[str] = (),
    scope: Sequence[str] = (),
    limit: int = 60,
) -> list[Ranked]:
    """The best blocks for a question, best first."""
    blocks, slides = len(store.blocks), len(index.places)
    if not blocks:
        return []
    block_cos = np.full(blocks, -1.0, np.float32)
    slide_cos = np.zeros(slides, np.float32)
    if vectors is not None and query_vector is not None and len(vectors):
        cosine = (vectors @ query_vector).astype(np.float32)
        if len(index.row_order):
            grouped = cosine[index.row_order]
            block_cos[index.row_blocks] = np.maximum.reduceat(grouped, index.row_starts)
        has_slide = index.slide_row >= 0
        slide_cos[has_slide] = cosine[index.slide_row[has_slide]]
    block_cos = np.where(index.has_row, block_cos, BORROWED_COSINE * slide_cos[index.block_slide])
    weights = weighted(store.idf, query_stems, damped)
    lexical = bm25_scores(index.block_terms, weights, blocks)
    total = sum(weights.values())
    if total:
        title = np.zeros(slides, np.float32)
        for term, weight in weights.items():
            title[index.title_terms.get(term, np.zeros(0, np.int32))] += weight
        lexical = lexical + TITLE_SHARE * (title / total)[index.block_slide]
    slide_lexical = bm25_scores(index.slide_terms, weighted(store.slide_idf, query_stems), slides)
    slide = slide_cos + SLIDE_LEXICAL * slide_lexical
    score = (
        DENSE_WEIGHT * block_cos
        + LEXICAL_WEIGHT * lexical
        + SLIDE_WEIGHT * slide[index.block_slide]
    )
    score -= SHORT_PENALTY * (index.words < SHORT_WORDS)
    if scope:
        score += SCOPE_BONUS * scope_share(index, scope, blocks, slides)
    if anchor_blocks:
        score[np.fromiter(anchor_blocks, np.int32)] += ENTITY_IN_BLOCK
    if anchor_slides:
        anchored = np.zeros(slides, np.float32)
        for place, about in anchor_slides.items():
            if place in index.place_index:
                bonus = ENTITY_ABOUT_SLIDE * about if about else ENTITY_ON_SLIDE
                anchored[index.place_index[place]] = bonus
        score += anchored[index.block_slide]
    top = np.argsort(-score)[:limit] if blocks <= limit else np.argpartition(-score, limit)[:limit]
    top = top[np.argsort(-score[top], kind="stable")]
    return [
        Ranked(
            store.blocks[b],
            float(score[b]),
            float(block_cos[b]),
            float(lexical[b]),
            store.blocks[b].head,
        )
        for b in top.tolist()
    ]
