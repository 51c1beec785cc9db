"""Decks to a built data dir: read, segment, link, extract, then kg.build.build()."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
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


def mention_finder(
    texts: Sequence[str], gazetteer: dict[str, Entity]
) -> tuple[Callable[[str], list[Span]], Counter[str]]:
    """Run spaCy once over all texts; return a lookup of their mentions and unresolved names."""
    nlp = make_nlp(gazetteer)
    unique = list(dict.fromkeys(texts))
    table: dict[str, list[Span]] = {}
    unresolved: Counter[str] = Counter()
    for text, doc in zip(unique, nlp.pipe(unique, batch_size=256), strict=True):
        table[text] = find_mentions(doc)
        unresolved.update(find_unresolved(doc, gazetteer))

    def find(text: str) -> list[Span]:
        if text not in table:
            table[text] = find_mentions(nlp(text))
        return table[text]

    return find, unresolved


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
    paths: Sequence[Path], gazetteer: dict[str, Entity], progress: Progress | None = None
) -> Extraction:
    """Read and extract every deck; a broken deck is reported and skipped."""
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
    texts = [s.title for _, slides in read for s in slides]
    texts += [seg.text for _, slides in read for s in slides for seg in segment_slide(s)]
    find, out.unresolved = mention_finder(texts, gazetteer)
    for path, slides in read:
        if progress:
            progress(f"extracting {path.name}: {len(slides)} slides")
        segments, facts = extract_deck(slides, find, gazetteer)
        out.decks.append(deck_record(path, slides, segments))
        out.facts += facts
    return out


def ingest(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    embed: EmbedFn | None,
    embed_model: str,
    progress: Progress | None = None,
    gazetteer_path: Path = GAZETTEER,
) -> tuple[BuildReport, Extraction]:
    """Extract all decks and build the data dir; BadDeck when no deck could be read."""
    gazetteer = load_gazetteer(gazetteer_path)
    extraction = extract_decks(paths, gazetteer, progress)
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
