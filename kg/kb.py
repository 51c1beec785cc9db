"""The loaded knowledge base: graph store, fixed queries, vector index, entities and slides."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kg.ask.figures import limit_table
from kg.ask.index import build_ask_index
from kg.ask.intents import IntentModel, read_examples
from kg.embed import Encoder, Vectors, embed, embed_one, load_encoder
from kg.gazetteer import alias_table, load_gazetteer
from kg.graph import (
    GRAPH_FILE,
    GraphStore,
    QueryBook,
    id_from_iri,
    index_query,
    load_queries,
    run_select,
    slide_iri,
    store_from_nquads,
)
from kg.linking import AliasIndex, alias_index, link_entities
from kg.manifest import Manifest, read_json, read_verified, verify_data_dir
from kg.settings import FaissIndex
from kg.types import Entity
from kg.vectors import IndexMeta, ann_index, passage_text, read_index, segment_place
from ontology.terms import GAZETTEER


@dataclass(frozen=True)
class SlideInfo:
    """What an answer needs to cite a slide."""

    iri: str
    deck: str
    number: int
    title: str
    domain: str
    lines: tuple[int, int] | None
    page: int | None
    text: str


@dataclass
class KB:
    """Everything answering needs, loaded once and shared read-only."""

    data_dir: Path
    store: GraphStore
    book: QueryBook
    entities: dict[str, Entity]
    slides: dict[str, SlideInfo]
    parts: dict[str, str]
    summary: dict[str, Any]
    index: Any = None
    meta: IndexMeta | None = None
    vectors: Vectors | None = None
    encoder: Encoder | None = None
    intent_model: IntentModel | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    next_segments: dict[str, list[str]] = field(default_factory=dict)
    slide_segments: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Entity IRI -> slide IRI -> 1 about / 0 mentions (the entity or a part); None: ask the store.
    entity_slides: dict[str, dict[str, int]] | None = None
    # Per vector row: the slide IRI and the lower-cased text of meta.items[row] (empty: compute).
    item_slides: list[str] = field(default_factory=list)
    item_texts: list[str] = field(default_factory=list)
    # Passages, blocks and their entities for kg.ask (None when loaded without the index).
    ask: Any = None
    # An approximate-nearest-neighbour index over `vectors` (None: exact search in numpy).
    ann: Any = None

    def nearest(self, query: Vectors, n: int) -> tuple[list[int], list[float]]:
        """Rows of the n vectors most similar to query, best first, and their cosines."""
        if self.vectors is None or not len(self.vectors):
            return [], []
        if self.ann is None:
            cosine = self.vectors @ query
            rows = np.argsort(-cosine)[:n]
            return rows.tolist(), cosine[rows].tolist()
        scores, found = self.ann.search(query.reshape(1, -1), min(n, len(self.vectors)))
        kept = [(int(r), float(c)) for r, c in zip(found[0], scores[0], strict=True) if r >= 0]
        return [r for r, _ in kept], [c for _, c in kept]

    # The version of the data dir that was loaded (its files checked against it).
    manifest: Manifest | None = None

    def mentions_in(self, text: str) -> list[str]:
        """Entity ids a passage names, in order (the question linker over passage text)."""
        return [m.entity for m in link_entities(text, aliases=self.aliases, labels=self.labels)]

    def embed_query(self, text: str) -> Vectors:
        """The query vector of one text (needs the encoder)."""
        if self.encoder is None:
            raise RuntimeError("this KB was loaded without an encoder")
        return embed_one(self.encoder, text)

    def embed_queries(self, texts: list[str]) -> Vectors:
        """Query vectors of several texts in one model call."""
        if self.encoder is None:
            raise RuntimeError("this KB was loaded without an encoder")
        return embed(self.encoder, texts)


def load_entities(store: GraphStore, book: QueryBook) -> dict[str, Entity]:
    """Entities with labels, types and aliases, read from the gazetteer graph."""
    entities = {}
    for row in run_select(store, book, "all_entities"):
        entity_id = id_from_iri(row["entity"])
        # GROUP_CONCAT's order is the engine's: sorted, aliases read the same from any store.
        aliases = tuple(sorted(a for a in (row["aliases"] or "").split("|") if a))
        entities[entity_id] = Entity(entity_id, row["label"], row["type"], aliases)
    return entities


def load_slides(store: GraphStore, book: QueryBook) -> dict[str, SlideInfo]:
    """Every slide keyed by its IRI."""
    slides = {}
    for row in run_select(store, book, "all_slides"):
        lines = (row["lineStart"], row["lineEnd"]) if row["lineStart"] is not None else None
        slides[row["slide"]] = SlideInfo(
            iri=row["slide"],
            deck=id_from_iri(row["deck"]),
            number=row["number"],
            title=row["title"],
            domain=row["domain"] or "",
            lines=lines,
            page=row["page"],
            text=row["text"],
        )
    return slides


def slide_passages(meta: IndexMeta) -> dict[tuple[str, int], list[tuple[int, str, str]]]:
    """(deck, slide) -> its segments as (first line, key, text), in line order."""
    by_slide: dict[tuple[str, int], list[tuple[int, str, str]]] = {}
    for item in meta.items:
        if item.kind == "segment":
            line = segment_place(item.key)[2]
            by_slide.setdefault((item.deck, item.slide), []).append(
                (line, item.key, passage_text(item.text))
            )
    return {place: sorted(rows) for place, rows in by_slide.items()}


def following_segments(
    by_slide: dict[tuple[str, int], list[tuple[int, str, str]]],
) -> dict[str, list[str]]:
    """Segment key -> the texts of the segments after it on the same slide."""
    return {
        key: [text for _, _, text in rows[n + 1 : n + 5]]
        for rows in by_slide.values()
        for n, (_, key, _) in enumerate(rows)
    }


def segments_by_slide(
    by_slide: dict[tuple[str, int], list[tuple[int, str, str]]],
) -> dict[str, list[str]]:
    """Slide IRI -> its segment texts in line order."""
    return {
        str(slide_iri(deck, slide)): [text for _, _, text in rows]
        for (deck, slide), rows in by_slide.items()
    }


# One query embeds in ~8 ms on one thread; a second thread saves nothing at this size and, when
# the cores are busy, its OpenMP spin-waits stretch a query to hundreds of milliseconds.
QUERY_THREADS = 1
# Per-entity fact queries answering asks once per linked entity: served from tables built at load.
INDEXED_QUERIES = (
    ("limits_of", ("entity",)),
    ("security_of", ("entity",)),
    ("attributes_of", ("entity",)),
    ("related", ("entity", "predicate")),
)


def slides_by_entity(store: GraphStore, book: QueryBook) -> dict[str, dict[str, int]]:
    """Entity IRI -> slide IRI -> 1 if about it (or a part), 0 if it only mentions one."""
    out: dict[str, dict[str, int]] = {}
    for row in run_select(store, book, "slides_about"):
        slides = out.setdefault(row["entity"], {})
        slides[row["slide"]] = max(slides.get(row["slide"], 0), int(row["about"] or 0))
    return out


def slide_topics(kb: KB) -> dict[tuple[str, int], tuple[str, ...]]:
    """(deck, slide) -> the entities the slide is about (its title names them)."""
    out: dict[tuple[str, int], list[str]] = {}
    for entity, slides in (kb.entity_slides or {}).items():
        for slide, about in slides.items():
            info = kb.slides.get(slide)
            if about and info is not None:
                out.setdefault((info.deck, info.number), []).append(id_from_iri(entity))
    return {place: tuple(entities) for place, entities in out.items()}


def load_kb(
    data_dir: Path,
    *,
    embed_model: str,
    with_encoder: bool = True,
    embed_backend: str = "onnx",
    store: GraphStore | None = None,
    reuse: KB | None = None,
    onnx_dir: Path | None = None,
    faiss_index: FaissIndex = FaissIndex.FLAT,
) -> KB:
    """Load graph, index and (optionally) the embedding model from data_dir.

    `store` is where the graph lives (default: data_dir's graph in an embedded store); `reuse`
    is a KB of an earlier version whose encoder and intent model serve this one too. The data
    dir's files are checked against its manifest first (CorruptData on a mismatch).
    """
    manifest = verify_data_dir(data_dir)
    if store is None:
        store = store_from_nquads(read_verified(data_dir, GRAPH_FILE, manifest))
    book = load_queries()
    for name, variables in INDEXED_QUERIES:
        index_query(store, book, name, *variables)
    parts = {
        id_from_iri(r["entity"]): id_from_iri(r["parent"])
        for r in run_select(store, book, "parts_of")
    }
    summary_path = data_dir / "summary.json"
    summary = read_json(summary_path) if summary_path.exists() else {}
    entities = load_entities(store, book)
    kb = KB(
        data_dir=data_dir,
        store=store,
        book=book,
        entities=entities,
        slides=load_slides(store, book),
        parts=parts,
        summary=summary,
        # The gazetteer file keeps which aliases match only in exact case; the graph does not.
        aliases=AliasIndex(alias_table(load_gazetteer(GAZETTEER))),
        labels={entity_id: entity.label for entity_id, entity in entities.items()},
        entity_slides=slides_by_entity(store, book),
        manifest=manifest,
    )
    if with_encoder:
        kb.index, kb.meta = read_index(data_dir, embed_model=embed_model)
        kb.vectors = (
            kb.index.reconstruct_n(0, kb.index.ntotal)
            if kb.index.ntotal
            else np.zeros((0, kb.meta.dim), np.float32)
        )
        by_slide = slide_passages(kb.meta)
        kb.next_segments = following_segments(by_slide)
        kb.slide_segments = segments_by_slide(by_slide)
        kb.item_slides = [str(slide_iri(item.deck, item.slide)) for item in kb.meta.items]
        kb.item_texts = [item.text.lower() for item in kb.meta.items]
        kb.ann = ann_index(kb.vectors, faiss_index)
        kb.ask = build_ask_index(
            data_dir,
            kb.meta.items,
            {(info.deck, info.number): info.title for info in kb.slides.values()},
            kb.aliases,
            alias_width=alias_index(kb.aliases).width,
            about=slide_topics(kb),
            limits=limit_table(run_select(store, book, "all_limits"), kb.slides),
            mechanisms=frozenset(
                id_from_iri(row["mechanism"])
                for row in run_select(store, book, "security_mechanisms")
            ),
        )
        if reuse is not None and reuse.encoder is not None and reuse.encoder.name == embed_model:
            kb.encoder, kb.intent_model = reuse.encoder, reuse.intent_model
            return kb
        # The onnx export is made on the first load only, outside the data dir so that
        # re-ingesting does not delete it (issue 10); its file name carries the model's hash.
        kb.encoder = load_encoder(
            embed_model, threads=QUERY_THREADS, backend=embed_backend, cache_dir=onnx_dir
        )
        examples = read_examples()
        kb.intent_model = IntentModel(
            answers=tuple(answer for answer, _ in examples),
            texts=tuple(text for _, text in examples),
            vectors=embed(kb.encoder, [text for _, text in examples]),
        )
    return kb
