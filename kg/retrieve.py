"""Vector search re-ranked with the graph: passages about the asked entities come first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kg.embed import Vectors
from kg.graph import entity_iri, run_select, slide_iri
from kg.kb import KB, SlideInfo
from kg.question import CLAUSE
from kg.types import Hit, SourceRef
from kg.vectors import passage_text

ABOUT_BOOST = 0.12
MENTION_BOOST = 0.05
TEXT_BOOST = 0.06


@dataclass(frozen=True)
class Scored:
    """A vector item with its re-ranked score."""

    hit: Hit
    score: float


def slide_key(deck: str, number: int) -> str:
    """The IRI string of a slide, as KB.slides is keyed."""
    return str(slide_iri(deck, number))


def slides_for(kb: KB, entities: Iterable[str]) -> dict[str, int]:
    """Slide IRI -> 1 if a slide is about one of the entities, 0 if it only mentions one."""
    found: dict[str, int] = {}
    for entity in entities:
        if kb.entity_slides is not None:
            for slide, about in kb.entity_slides.get(str(entity_iri(entity)), {}).items():
                found[slide] = max(found.get(slide, 0), about)
            continue
        for row in run_select(kb.store, kb.book, "slides_about", entity=entity_iri(entity)):
            found[row["slide"]] = max(found.get(row["slide"], 0), int(row["about"] or 0))
    return found


def entity_words(kb: KB, entities: Iterable[str]) -> list[str]:
    """Lower-cased labels and aliases of the entities, for a text-match bonus."""
    words = []
    for entity_id in entities:
        entity = kb.entities.get(entity_id)
        if entity is None:
            continue
        words.append(entity.label.lower())
        words.extend(alias.lower() for alias in entity.aliases if len(alias) > 3)
    return words


def rank(
    kb: KB,
    query: Vectors,
    entities: Sequence[str],
    *,
    kinds: tuple[str, ...] = ("segment", "slide", "entity"),
    limit: int = 50,
) -> list[Scored]:
    """All items scored by cosine plus graph boosts, best first."""
    if kb.meta is None or kb.vectors is None or not len(kb.vectors):
        return []
    items = kb.meta.items
    cosine = kb.vectors @ query
    related = slides_for(kb, entities) if entities else {}
    words = entity_words(kb, entities)
    order = np.argsort(-cosine)[: max(limit * 8, 400)]
    fast = len(kb.item_slides) == len(items) == len(kb.item_texts)
    # (score, cosine, row), in candidate order: the stable sort below keeps ties in that order.
    candidates: list[tuple[float, float, int]] = []
    for row in order.tolist():
        hit = items[row]
        if hit.kind not in kinds:
            continue
        similarity = float(cosine[row])
        score = similarity
        about = related.get(kb.item_slides[row] if fast else slide_key(hit.deck, hit.slide))
        if about is not None:
            score += ABOUT_BOOST if about else MENTION_BOOST
        text = kb.item_texts[row] if fast else hit.text.lower()
        if words and any(word in text for word in words):
            score += TEXT_BOOST
        candidates.append((score, similarity, row))
    candidates.sort(key=lambda item: -item[0])
    return [
        Scored(
            Hit(
                items[row].key,
                items[row].kind,
                items[row].deck,
                items[row].slide,
                similarity,
                items[row].text,
            ),
            score,
        )
        for score, similarity, row in candidates[:limit]
    ]


def source_ref(info: SlideInfo, score: float, text: str | None = None) -> SourceRef:
    """A citation of one slide."""
    return SourceRef(
        deck=info.deck,
        slide=info.number,
        lines=info.lines,
        page=info.page,
        title=info.title,
        text=(text or info.text)[:400],
        score=round(score, 3),
    )


def sources_from(
    kb: KB, scored: Sequence[Scored], *, first: Sequence[str] = (), k: int = 5
) -> tuple[SourceRef, ...]:
    """The top-k distinct slides: graph-asserted slides first, then by re-ranked score."""
    refs: list[SourceRef] = []
    seen: set[str] = set()
    for key in first:
        info = kb.slides.get(key)
        if info is not None and key not in seen:
            seen.add(key)
            refs.append(source_ref(info, 1.0))
    for item in scored:
        key = slide_key(item.hit.deck, item.hit.slide)
        info = kb.slides.get(key)
        if info is None or key in seen:
            continue
        seen.add(key)
        refs.append(source_ref(info, item.hit.score))
    return tuple(refs[:k])


def segment_text(hit: Hit) -> str:
    """The passage of a segment hit without the slide title it was embedded with."""
    return passage_text(hit.text) if hit.kind == "segment" else hit.text


STOP = frozenset(
    """what which how the and for can does are is was with that this from into
long many much large big max maximum default there their its have has per any each when""".split()
)


def word_overlap(question: str, text: str) -> int:
    """How many content words of the question the text repeats."""
    words = {w for w in re.findall(r"[a-z]{3,}", question.lower()) if w not in STOP}
    return sum(1 for w in words if re.search(rf"\b{w}", text.lower()))


def lexical(scored: Sequence[Scored], text: str) -> list[Scored]:
    """Re-rank with a small bonus per content word a passage shares with the question."""
    words = {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in STOP}
    if not words:
        return list(scored)
    bonus = [min(4, sum(1 for w in words if w in s.hit.text.lower())) for s in scored]
    out = [Scored(s.hit, s.score + 0.03 * b) for s, b in zip(scored, bonus, strict=True)]
    return sorted(out, key=lambda s: -s.score)


def rank_clauses(kb: KB, text: str, query: Any, entities: Sequence[str]) -> list[Scored]:
    """Ranked passages for the whole question interleaved with those for each of its clauses."""
    full = lexical(rank(kb, query, entities), text)
    clauses = [c.split(":")[0] for c in CLAUSE.split(text) if len(c.split()) >= 2]
    if len(clauses) < 2:
        return full
    vectors = kb.embed_queries(clauses)
    rankings = [full] + [
        lexical(rank(kb, vector, entities), clause)
        for clause, vector in zip(clauses, vectors, strict=True)
    ]
    merged: list[Scored] = []
    seen: set[str] = set()
    for position in range(max(len(r) for r in rankings)):
        for ranking in rankings:
            if position < len(ranking) and ranking[position].hit.key not in seen:
                seen.add(ranking[position].hit.key)
                merged.append(ranking[position])
    return merged
