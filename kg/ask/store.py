"""Passages of the deck as answering units: segments with their lines, parents, children and words.

Built once at KB load from the data dir's segments and vector index; pure lookups afterwards.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from kg.ask.text import content_stems
from kg.linking import longest_exact, tokenise
from kg.types import Hit, Segment

# Segment kinds that say something; titles are kept apart, links and code are not quoted.
TEXT_KINDS: Final = frozenset({"bullet", "text", "label"})
# BM25 constants (Robertson): term-frequency saturation and length normalisation.
BM25_K1: Final = 1.2
BM25_B: Final = 0.6
# Labels of one diagram come on consecutive lines; a gap wider than this starts another group.
LABEL_GAP: Final = 3
MAX_LABEL_GROUP: Final = 10
# A diagram may print its names first, then a description of each in the same order: at least
# this many names of at most this many words, each description at least this many words.
MIN_DESCRIBED: Final = 2
MAX_NAME_WORDS: Final = 3
MIN_DESCRIPTION_WORDS: Final = 4


@dataclass(frozen=True)
class Passage:
    """One segment of a slide, placed: its lines, its parent and children, its vector row."""

    id: int
    deck: str
    slide: int
    kind: str
    text: str
    line_start: int
    line_end: int
    parent: int = -1
    children: tuple[int, ...] = ()
    row: int = -1


@dataclass(frozen=True)
class Block:
    """A coherent run of passages answered from as one: a header with its list, a lone bullet, a
    diagram label group."""

    id: int
    deck: str
    slide: int
    members: tuple[int, ...]
    # A diagram's name label with the description printed for it further down.
    paired: bool = False

    @property
    def head(self) -> int:
        """The first passage: the header of a list, or the passage itself."""
        return self.members[0]


@dataclass
class PassageStore:
    """All passages and blocks with a lexical index over the blocks' words."""

    passages: list[Passage]
    blocks: list[Block]
    block_of: list[int]
    by_slide: dict[tuple[str, int], list[int]]
    titles: dict[tuple[str, int], str]
    term_freqs: list[Counter[str]]
    lengths: list[int]
    average_length: float
    idf: dict[str, float]
    postings: dict[str, list[int]]
    title_stems: dict[tuple[str, int], frozenset[str]]
    lengths_words: list[int]
    slide_terms: dict[tuple[str, int], Counter[str]] = field(default_factory=dict)
    slide_idf: dict[str, float] = field(default_factory=dict)
    slide_average: float = 1.0
    mention_cache: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # Every passage and title, lower-cased and space-joined: whether the deck ever writes a phrase.
    phrases: str = ""

    def slide_passages(self, deck: str, slide: int) -> list[Passage]:
        """The passages of one slide in line order."""
        return [self.passages[i] for i in self.by_slide.get((deck, slide), [])]

    def block(self, pid: int) -> list[Passage]:
        """The coherent block a passage belongs to: a header with its list, a child with its
        parent, a diagram label with its group."""
        passage = self.passages[pid]
        if passage.children:
            return [passage] + [self.passages[c] for c in passage.children]
        if passage.parent >= 0:
            parent = self.passages[passage.parent]
            return [parent] + [self.passages[c] for c in parent.children]
        if passage.kind == "label":
            return self.label_group(passage)
        return [passage]

    def label_group(self, passage: Passage) -> list[Passage]:
        """The run of diagram labels around a label, in line order."""
        run = [p for p in self.slide_passages(passage.deck, passage.slide) if p.kind == "label"]
        groups: list[list[Passage]] = []
        for p in run:
            if groups and p.line_start - groups[-1][-1].line_end <= LABEL_GAP:
                groups[-1].append(p)
            else:
                groups.append([p])
        for group in groups:
            if passage in group:
                at = group.index(passage)
                start = max(0, min(at - MAX_LABEL_GROUP // 2, len(group) - MAX_LABEL_GROUP))
                return group[start : start + MAX_LABEL_GROUP]
        return [passage]


def resolve_family(segments: Sequence[Segment]) -> tuple[list[int], list[list[int]]]:
    """Parent index and children indexes of each segment of one slide: the parent ingest named,
    else a bullet that heads a run of bullets printed without blank lines between them."""
    parents = [-1] * len(segments)
    for i, segment in enumerate(segments):
        if not segment.parent:
            continue
        for j in range(i - 1, -1, -1):
            if segments[j].text == segment.parent:
                parents[i] = j
                break
    adopt_adjacent_runs(segments, parents)
    children: list[list[int]] = [[] for _ in segments]
    for i, parent in enumerate(parents):
        if parent >= 0:
            children[parent].append(i)
    return parents, children


def adopt_adjacent_runs(segments: Sequence[Segment], parents: list[int]) -> None:
    """Where a slide separates its bullets with blank lines, a bullet followed directly (no blank
    line) by more bullets heads them: the text dump loses indentation, not spacing."""
    bullets = [i for i, s in enumerate(segments) if s.kind == "bullet"]
    gaps = [
        segments[b].line_start - segments[a].line_end
        for a, b in zip(bullets, bullets[1:], strict=False)
    ]
    if not any(gap > 1 for gap in gaps):
        return
    runs: list[list[int]] = []
    for position, i in enumerate(bullets):
        if position == 0 or gaps[position - 1] > 1:
            runs.append([i])
        else:
            runs[-1].append(i)
    for run in runs:
        head, rest = run[0], run[1:]
        if rest and parents[head] < 0 and all(parents[i] < 0 for i in rest):
            for i in rest:
                parents[i] = head


def vector_rows(items: Sequence[Hit]) -> dict[tuple[str, int, int], int]:
    """(deck, slide, first line) of each indexed segment -> its vector row."""
    rows = {}
    for row, item in enumerate(items):
        if item.kind == "segment":
            deck, slide, line = item.key.split(":")[1:]
            rows[(deck, int(slide), int(line))] = row
    return rows


def build_store(
    segments: Sequence[Segment], items: Sequence[Hit], titles: Mapping[tuple[str, int], str]
) -> PassageStore:
    """Index every text segment: family links, vector rows, term frequencies and IDF."""
    rows = vector_rows(items)
    by_slide_segments: dict[tuple[str, int], list[Segment]] = {}
    for segment in segments:
        if segment.kind in TEXT_KINDS:
            by_slide_segments.setdefault((segment.deck, segment.slide), []).append(segment)
    passages: list[Passage] = []
    by_slide: dict[tuple[str, int], list[int]] = {}
    for place, slide_segments in by_slide_segments.items():
        parents, children = resolve_family(slide_segments)
        base = len(passages)
        for i, segment in enumerate(slide_segments):
            passages.append(
                Passage(
                    id=base + i,
                    deck=segment.deck,
                    slide=segment.slide,
                    kind=segment.kind,
                    text=segment.text,
                    line_start=segment.line_start,
                    line_end=segment.line_end,
                    parent=base + parents[i] if parents[i] >= 0 else -1,
                    children=tuple(base + c for c in children[i]),
                    row=rows.get((segment.deck, segment.slide, segment.line_start), -1),
                )
            )
        by_slide[place] = list(range(base, len(passages)))
    blocks, block_of = make_blocks(passages, by_slide)
    term_freqs = [
        Counter(t for pid in block.members for t in content_stems(passages[pid].text, pairs=True))
        for block in blocks
    ]
    lengths = [sum(tf.values()) for tf in term_freqs]
    postings: dict[str, list[int]] = {}
    for pid, tf in enumerate(term_freqs):
        for term in tf:
            postings.setdefault(term, []).append(pid)
    n = max(1, len(blocks))
    idf = {
        term: math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
        for term, ids in postings.items()
    }
    return PassageStore(
        passages=passages,
        blocks=blocks,
        block_of=block_of,
        by_slide=by_slide,
        titles=dict(titles),
        term_freqs=term_freqs,
        lengths=lengths,
        average_length=sum(lengths) / n,
        idf=idf,
        postings=postings,
        title_stems={
            place: frozenset(content_stems(title, pairs=True)) for place, title in titles.items()
        },
        lengths_words=[len(p.text.split()) for p in passages],
        phrases=" ".join(
            " ".join(text.lower().split())
            for text in [*(p.text for p in passages), *titles.values()]
        ),
        **slide_index(passages, by_slide, titles),
    )


def slide_index(
    passages: Sequence[Passage],
    by_slide: Mapping[tuple[str, int], Sequence[int]],
    titles: Mapping[tuple[str, int], str],
) -> dict[str, Any]:
    """Term frequencies of each whole slide (its title counted twice), their IDF and mean length."""
    terms: dict[tuple[str, int], Counter[str]] = {}
    for place in set(by_slide) | set(titles):
        tf: Counter[str] = Counter(content_stems(titles.get(place, ""), pairs=True) * 2)
        for pid in by_slide.get(place, ()):
            tf.update(content_stems(passages[pid].text, pairs=True))
        terms[place] = tf
    df: Counter[str] = Counter(t for tf in terms.values() for t in tf)
    n = max(1, len(terms))
    return {
        "slide_terms": terms,
        "slide_idf": {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()},
        "slide_average": sum(sum(tf.values()) for tf in terms.values()) / n or 1.0,
    }


def make_blocks(
    passages: Sequence[Passage], by_slide: Mapping[tuple[str, int], Sequence[int]]
) -> tuple[list[Block], list[int]]:
    """Cut each slide into blocks: a parent with its children, a lone passage, a label group."""
    blocks: list[Block] = []
    block_of = [-1] * len(passages)

    def close(place: tuple[str, int], members: list[int], *, paired: bool = False) -> None:
        if members:
            for pid in members:
                block_of[pid] = len(blocks)
            blocks.append(Block(len(blocks), place[0], place[1], tuple(members), paired))

    def close_group(place: tuple[str, int], group: list[int]) -> None:
        half = len(group) // 2
        if not described_labels([passages[pid].text for pid in group]):
            close(place, group)
            return
        for name, description in zip(group[:half], group[half:], strict=True):
            close(place, [name, description], paired=True)

    for place, pids in by_slide.items():
        group: list[int] = []
        for pid in pids:
            passage = passages[pid]
            if passage.parent >= 0:
                continue
            if passage.kind == "label" and not passage.children:
                near = group and passage.line_start - passages[group[-1]].line_end <= LABEL_GAP
                if group and (not near or len(group) >= MAX_LABEL_GROUP):
                    close_group(place, group)
                    group = []
                group.append(pid)
                continue
            close_group(place, group)
            group = []
            close(place, [pid, *passage.children])
        close_group(place, group)
    for pid, block in enumerate(block_of):
        if block < 0:  # a child whose parent was not found on its slide
            block_of[pid] = len(blocks)
            blocks.append(Block(len(blocks), passages[pid].deck, passages[pid].slide, (pid,)))
    return blocks, block_of


def described_labels(texts: Sequence[str]) -> bool:
    """Whether a label group prints names first and then one description for each, in the same
    order ("HDFS / YARN / Hadoop Distributed File System ... / Yet Another Resource ...")."""
    half = len(texts) // 2
    if len(texts) % 2 or half < MIN_DESCRIBED:
        return False
    names, descriptions = texts[:half], texts[half:]
    return all(len(t.split()) <= MAX_NAME_WORDS for t in names) and all(
        len(t.split()) >= MIN_DESCRIPTION_WORDS for t in descriptions
    )


def passage_mentions(
    store: PassageStore, pid: int, aliases: Mapping[str, str], *, width: int
) -> tuple[str, ...]:
    """Entity ids a passage names, in order, by exact alias match (cached)."""
    cached = store.mention_cache.get(pid)
    if cached is not None:
        return cached
    found = text_mentions(store.passages[pid].text, aliases, width=width)
    store.mention_cache[pid] = found
    return found


def text_mentions(text: str, aliases: Mapping[str, str], *, width: int) -> tuple[str, ...]:
    """Entity ids a text names, in order, by exact (or plural) alias match, no typo tolerance."""
    words = tokenise(text)
    found: list[str] = []
    i = 0
    while i < len(words):
        span = longest_exact(words, i, aliases, width=width)
        if span is None:
            i += 1
            continue
        found.append(span[2])
        i = span[1]
    return tuple(found)
