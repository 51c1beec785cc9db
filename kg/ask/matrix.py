"""The block ranking as array arithmetic: every block scored at once for a question.

Per term, the blocks (and slides) holding it with their BM25 term-frequency parts; per vector row,
the block it belongs to. A question's score is then a few numpy sums, not a loop over blocks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kg.ask.store import BM25_B, BM25_K1, PassageStore

Ints = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float32]
Postings = dict[str, tuple[Ints, Floats]]


@dataclass(frozen=True)
class ScoreIndex:
    """Arrays for scoring all blocks: term postings of blocks, slides and titles, vector rows."""

    block_slide: Ints
    places: tuple[tuple[str, int], ...]
    place_index: Mapping[tuple[str, int], int]
    block_terms: Postings
    slide_terms: Postings
    title_terms: Mapping[str, Ints]
    row_block: Ints
    # Vector rows grouped by block (row_order), where each block's rows start (row_starts) and
    # which block each group is (row_blocks): a block's best cosine is one reduceat.
    row_order: Ints
    row_starts: Ints
    row_blocks: Ints
    has_row: npt.NDArray[np.bool_]
    slide_row: Ints
    words: Ints


def postings(
    freqs: Mapping[int, Counter[str]], lengths: Mapping[int, int], average: float
) -> Postings:
    """Per term: the documents holding it and their BM25 term-frequency parts."""
    ids: dict[str, list[int]] = {}
    parts: dict[str, list[float]] = {}
    for doc, tf in freqs.items():
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[doc] / average)
        for term, count in tf.items():
            ids.setdefault(term, []).append(doc)
            parts.setdefault(term, []).append(count * (BM25_K1 + 1) / (count + norm))
    return {
        term: (np.asarray(ids[term], np.int32), np.asarray(parts[term], np.float32)) for term in ids
    }


def build_score_index(
    store: PassageStore, slide_rows: Mapping[tuple[str, int], int], rows: int
) -> ScoreIndex:
    """The arrays of a passage store, for an index of `rows` vectors."""
    places = tuple(
        dict.fromkeys([(b.deck, b.slide) for b in store.blocks] + list(store.slide_terms))
    )
    place_index = {place: i for i, place in enumerate(places)}
    block_slide = np.asarray([place_index[(b.deck, b.slide)] for b in store.blocks], np.int32)
    row_block = np.full(rows, -1, np.int32)
    for passage in store.passages:
        if 0 <= passage.row < rows:
            row_block[passage.row] = store.block_of[passage.id]
    has_row = np.zeros(len(store.blocks), bool)
    has_row[row_block[row_block >= 0]] = True
    valid = np.flatnonzero(row_block >= 0).astype(np.int32)
    row_order = valid[np.argsort(row_block[valid], kind="stable")]
    grouped = row_block[row_order]
    row_starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]).astype(np.int32)
    slide_freqs = {place_index[p]: tf for p, tf in store.slide_terms.items()}
    title_terms: dict[str, list[int]] = {}
    for place, terms in store.title_stems.items():
        if place in place_index:
            for term in terms:
                title_terms.setdefault(term, []).append(place_index[place])
    return ScoreIndex(
        block_slide=block_slide,
        places=places,
        place_index=place_index,
        block_terms=postings(
            dict(enumerate(store.term_freqs)),
            dict(enumerate(store.lengths)),
            store.average_length,
        ),
        slide_terms=postings(
            slide_freqs,
            {i: sum(tf.values()) for i, tf in slide_freqs.items()},
            store.slide_average,
        ),
        title_terms={t: np.asarray(ids, np.int32) for t, ids in title_terms.items()},
        row_block=row_block,
        row_order=row_order,
        row_starts=row_starts if len(row_order) else np.zeros(0, np.int32),
        row_blocks=grouped[row_starts].astype(np.int32)
        if len(row_order)
        else np.zeros(0, np.int32),
        has_row=has_row,
        slide_row=np.asarray([slide_rows.get(place, -1) for place in places], np.int32),
        words=np.asarray(
            [sum(store.lengths_words[pid] for pid in b.members) for b in store.blocks], np.int32
        ),
    )
