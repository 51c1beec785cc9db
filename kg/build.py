"""The only writer: slides, segments and facts in, a validated dataset and vector index out."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from kg.datadir import DataDirLock, remove_leftovers, swap_in, work_prefix
from kg.embed import Vectors
from kg.errors import ShapeViolation
from kg.graph import (
    GRAPH_FILE,
    SHAPES_TTL,
    Quad,
    deck_quads,
    entity_quads,
    fact_quads,
    ontology_quads,
    quads_to_graph,
    slide_quads,
    unit_iris,
    write_quads,
)
from kg.manifest import write_manifest
from kg.segments import write_segments
from kg.types import Entity, Fact, Hit, Segment, Slide
from kg.vectors import IndexMeta, build_index, segment_key, write_index

SUMMARY_FILE = "summary.json"
EmbedFn = Callable[[list[str]], Vectors]


@dataclass(frozen=True)
class DeckRecord:
    """One ingested deck: identity, slides and segments."""

    deck: str
    file_name: str
    sha256: str
    slides: tuple[Slide, ...]
    segments: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote, as shown in the ingest summary."""

    slides: int
    text_slides: int
    entities: int
    facts_by_kind: dict[str, int]
    relations_by_kind: dict[str, int]
    negative_facts: int
    triples: int
    vectors: int
    shacl_conforms: bool
    seconds: float
    unresolved: dict[str, int] = field(default_factory=dict)
    decks: list[dict[str, Any]] = field(default_factory=list)


def dataset_quads(
    decks: Sequence[DeckRecord], facts: Sequence[Fact], gazetteer: Mapping[str, Entity]
) -> list[Quad]:
    """Every quad of the dataset: ontology, gazetteer, decks, slides and facts."""
    units = unit_iris()
    quads = ontology_quads() + entity_quads(gazetteer)
    for record in decks:
        quads += deck_quads(record.deck, record.file_name, record.sha256)
        for slide in record.slides:
            quads += slide_quads(slide)
    for fact in facts:
        quads += fact_quads(fact, units)
    return quads


def validate(quads: Sequence[Quad]) -> tuple[bool, str]:
    """Validate the union graph against ontology/shapes.ttl with pySHACL."""
    from pyshacl import validate as shacl_validate
    from rdflib import Graph

    shapes = Graph().parse(SHAPES_TTL)
    conforms, _, text = shacl_validate(
        quads_to_graph(quads), shacl_graph=shapes, inference="none", advanced=True
    )
    return bool(conforms), str(text)


def vector_items(
    decks: Sequence[DeckRecord], facts: Sequence[Fact], gazetteer: Mapping[str, Entity]
) -> list[Hit]:
    """What gets a vector: each slide, each content segment, each entity description."""
    items: list[Hit] = []
    for record in decks:
        for slide in record.slides:
            body = " ".join(line for _, line in slide.body)
            items.append(
                Hit(
                    f"slide:{slide.deck}:{slide.number}",
                    "slide",
                    slide.deck,
                    slide.number,
                    0.0,
                    f"{slide.title}. {body}"[:2000],
                )
            )
        titles = {slide.number: slide.title for slide in record.slides}
        for segment in record.segments:
            # Diagram labels stay out of the vectors (segments.json keeps them for quotes):
            # measured on the dev sets, a vector per label cost 3-4 points of accuracy and
            # one per label run 2 (README, "Measured").
            if segment.kind not in ("bullet", "text"):
                continue
            parent = f"{segment.parent} " if segment.parent else ""
            items.append(
                Hit(
                    segment_key(segment.deck, segment.slide, segment.line_start),
                    "segment",
                    segment.deck,
                    segment.slide,
                    0.0,
                    f"{titles.get(segment.slide, '')}: {parent}{segment.text}",
                )
            )
    for fact in facts:
        if fact.kind == "description" and fact.subject in gazetteer:
            label = gazetteer[fact.subject].label
            items.append(
                Hit(
                    f"entity:{fact.subject}:{fact.slide}",
                    "entity",
                    fact.deck,
                    fact.slide,
                    0.0,
                    f"{label}: {fact.text}",
                )
            )
    return items


def summarise(
    decks: Sequence[DeckRecord],
    facts: Sequence[Fact],
    *,
    entities: int,
    triples: int,
    vectors: int,
    conforms: bool,
    seconds: float,
    unresolved: Mapping[str, int],
) -> BuildReport:
    """Counts for the summary table and summary.json."""
    kinds = Counter(str(fact.kind) for fact in facts)
    relations = Counter(
        f"not {fact.relation}" if fact.negated else str(fact.relation)
        for fact in facts
        if fact.relation
    )
    negative = sum(1 for fact in facts if fact.negated)
    negative += kinds.get("antiPattern", 0)
    slides = [slide for record in decks for slide in record.slides]
    return BuildReport(
        slides=len(slides),
        text_slides=sum(1 for slide in slides if slide.body),
        entities=entities,
        facts_by_kind=dict(sorted(kinds.items())),
        relations_by_kind={str(k): v for k, v in sorted(relations.items())},
        negative_facts=negative,
        triples=triples,
        vectors=vectors,
        shacl_conforms=conforms,
        seconds=round(seconds, 2),
        unresolved=dict(unresolved),
        decks=[
            {"deck": r.deck, "file": r.file_name, "sha256": r.sha256, "slides": len(r.slides)}
            for r in decks
        ],
    )


def build(
    decks: Sequence[DeckRecord],
    facts: Sequence[Fact],
    gazetteer: Mapping[str, Entity],
    out_dir: Path,
    *,
    embed: EmbedFn | None,
    embed_model: str,
    embed_dim: int = 384,
    unresolved: Mapping[str, int] | None = None,
) -> BuildReport:
    """Write graph.nq, vectors and summary.json into out_dir atomically; raise on SHACL failure."""
    started = time.perf_counter()
    quads = dataset_quads(decks, facts, gazetteer)
    conforms, report = validate(quads)
    if not conforms:
        raise ShapeViolation(f"the built graph violates ontology/shapes.ttl:\n{report[:4000]}")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # One writer per data dir (issue 10); what a killed writer left is removed under the lock.
    lock = DataDirLock(out_dir)
    remove_leftovers(out_dir)
    work = Path(tempfile.mkdtemp(prefix=work_prefix(out_dir), dir=out_dir.parent))
    work.chmod(0o755)  # mkdtemp makes it 0700; a server may run as another user
    try:
        write_quads(quads, work / GRAPH_FILE)
        write_segments((s for record in decks for s in record.segments), work)
        items = vector_items(decks, facts, gazetteer)
        vectors = (
            embed([item.text for item in items]) if embed else np.zeros((0, embed_dim), np.float32)
        )
        if embed is None:
            items = []
        index = build_index(vectors if len(vectors) else np.zeros((0, embed_dim), np.float32))
        write_index(index, IndexMeta(embed_model, int(index.d), len(items), tuple(items)), work)
        summary = summarise(
            decks,
            facts,
            entities=len(gazetteer),
            triples=len(quads),
            vectors=len(items),
            conforms=conforms,
            seconds=time.perf_counter() - started,
            unresolved=unresolved or {},
        )
        payload = summary.__dict__ | {
            "model": embed_model,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (work / SUMMARY_FILE).write_text(json.dumps(payload, indent=1), encoding="utf-8")
        write_manifest(work)
        swap_in(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        lock.release()
    return summary
