"""Decks to a built data dir: read, segment, link, extract, then kg.build.build()."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.extract import extract_facts
from ingest.nlp import find_mentions, find_unresolved, make_nlp
from ingest.relations import Span
from ingest.segment import segment_slide
from ingest.slides import read_deck
from kg.build import BuildReport, DeckRecord, EmbedFn, build
from kg.errors import BadDeck
from kg.gazetteer import load_gazetteer
from kg.types import Entity, Fact, Segment, Slide
from ontology.terms import GAZETTEER

Progress = Callable[[str], None]


@dataclass
class Extraction:
    """Decks read, facts extracted, names the gazetteer could not resolve, decks that failed."""

    decks: list[DeckRecord] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    unresolved: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def unique_deck(slides: list[Slide], path: Path, seen: set[str]) -> list[Slide]:
    """Slides re-labelled with a deck id no earlier deck of this ingest uses."""
    deck = slides[0].deck if slides else path.stem
    if deck in seen:
        suffix = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
        deck = f"{deck}-{suffix}"
        slides = [replace(slide, deck=deck) for slide in slides]
    seen.add(deck)
    return slides


def deck_record(path: Path, slides: list[Slide], segments: list[Segment]) -> DeckRecord:
    """A deck's identity (id, file name, content hash) with its slides and segments."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    deck = slides[0].deck if slides else path.stem
    return DeckRecord(deck, path.name, digest, tuple(slides), tuple(segments))


def mention_table(
    texts: Sequence[str], gazetteer: dict[str, Entity]
) -> tuple[dict[str, list[Span]], dict[str, list[str]]]:
    """Run spaCy once over the distinct texts: each text's mentions and unresolved names."""
    nlp = make_nlp(gazetteer)
    unique = list(dict.fromkeys(texts))
    table: dict[str, list[Span]] = {}
    unresolved: dict[str, list[str]] = {}
    for text, doc in zip(unique, nlp.pipe(unique, batch_size=256), strict=True):
        table[text] = find_mentions(doc)
        unresolved[text] = find_unresolved(doc, gazetteer)
    return table, unresolved


def mention_finder(
    table: dict[str, list[Span]], gazetteer: dict[str, Entity]
) -> Callable[[str], list[Span]]:
    """A lookup of mentions, running spaCy on a text the table lacks."""
    nlp = None

    def find(text: str) -> list[Span]:
        nonlocal nlp
        if text not in table:
            nlp = nlp or make_nlp(gazetteer)
            table[text] = find_mentions(nlp(text))
        return table[text]

    return find


def deck_texts(slides: Sequence[Slide]) -> list[str]:
    """The texts of a deck spaCy reads: titles, then segments."""
    return [s.title for s in slides] + [seg.text for s in slides for seg in segment_slide(s)]


def extract_read_deck(
    path: Path, slides: list[Slide], gazetteer: dict[str, Entity]
) -> tuple[DeckRecord, list[Fact], dict[str, list[str]]]:
    """One deck on its own (a worker process's unit): record, facts, unresolved names by text."""
    table, unresolved = mention_table(deck_texts(slides), gazetteer)
    segments, facts = extract_deck(slides, mention_finder(table, gazetteer), gazetteer)
    return deck_record(path, slides, segments), facts, unresolved


def extract_deck(
    slides: Sequence[Slide], find: Callable[[str], list[Span]], gazetteer: dict[str, Entity]
) -> tuple[list[Segment], list[Fact]]:
    """Segments and facts of one deck; the running topic carries over untitled slides."""
    segments: list[Segment] = []
    facts: list[Fact] = []
    topic: str | None = None
    domain = None
    for slide in slides:
        if slide.domain != domain:
            topic, domain = None, slide.domain
        slide_segments = segment_slide(slide)
        segments += slide_segments
        slide_facts = extract_facts(slide, slide_segments, find, gazetteer, carried_subject=topic)
        facts += slide_facts
        about = [fact.subject for fact in slide_facts if fact.kind == "about"]
        if about:
            topic = about[0]
    return segments, facts


def extract_decks(
    paths: Sequence[Path],
    gazetteer: dict[str, Entity],
    progress: Progress | None = None,
    *,
    jobs: int = 1,
) -> Extraction:
    """Read and extract every deck, `jobs` at a time; a broken deck is reported and skipped."""
    out = Extraction()
    read: list[tuple[Path, list[Slide]]] = []
    seen: set[str] = set()
    for path in paths:
        try:
            slides = read_deck(path)
        except BadDeck as e:
            out.failures.append(str(e))
            continue
        read.append((path, unique_deck(slides, path, seen)))
    if progress:
        progress(f"extracting {len(read)} decks, {min(jobs, len(read)) or 1} at a time")
    if jobs > 1 and len(read) > 1:
        # Decks are independent until the merge: each worker process runs its own spaCy.
        with ProcessPoolExecutor(max_workers=min(jobs, len(read))) as pool:
            parts = list(
                pool.map(
                    extract_read_deck,
                    [path for path, _ in read],
                    [slides for _, slides in read],
                    [gazetteer] * len(read),
                )
            )
    else:
        texts = [text for _, slides in read for text in deck_texts(slides)]
        table, unresolved = mention_table(texts, gazetteer)
        find = mention_finder(table, gazetteer)
        parts = []
        for path, slides in read:
            segments, facts = extract_deck(slides, find, gazetteer)
            parts.append((deck_record(path, slides, segments), facts, unresolved))
    names: dict[str, list[str]] = {}
    for record, facts, unresolved_by_text in parts:
        out.decks.append(record)
        out.facts += facts
        names.update(unresolved_by_text)
    out.unresolved = Counter(name for found in names.values() for name in found)
    return out


def ingest(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    embed: EmbedFn | None,
    embed_model: str,
    progress: Progress | None = None,
    gazetteer_path: Path = GAZETTEER,
    jobs: int = 1,
) -> tuple[BuildReport, Extraction]:
    """Extract all decks (`jobs` at a time) and build the data dir; BadDeck when none was read."""
    gazetteer = load_gazetteer(gazetteer_path)
    extraction = extract_decks(paths, gazetteer, progress, jobs=jobs)
    if not extraction.decks:
        raise BadDeck("no deck could be read: " + "; ".join(extraction.failures))
    if progress:
        progress(f"building graph from {len(extraction.facts)} facts")
    report = build(
        extraction.decks,
        extraction.facts,
        gazetteer,
        out_dir,
        embed=embed,
        embed_model=embed_model,
        unresolved=dict(extraction.unresolved.most_common()),
    )
    return report, extraction
