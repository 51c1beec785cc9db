"""Worked arithmetic's shared parts: the result record, the question as arithmetic reads it, the
cue patterns of kg/data/compute_rules.toml, and the passages that state a rule."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Final

from kg.ask.amounts import Amount, Measure, plain, read_amounts, rules_data, show
from kg.ask.figures import Figure
from kg.ask.quote import cite
from kg.ask.retrieve import Ranked
from kg.ask.store import Passage, PassageStore
from kg.ask.tables import Identity, Row, Table
from kg.ask.text import stem, stopwords
from kg.gazetteer import WORD_RE
from kg.kb import KB
from kg.linking import link_entities

# The best ranked slides a rule is looked for on first; the whole deck after them.
RULE_SLIDES: Final = 8
# A statement is a passage with the text lines that continue it (a sentence wrapped after a
# bullet); at most this many are joined.
MAX_CONTINUATIONS: Final = 2
# Two amounts are the same when they differ by less than this share ("1Gbps" and "1 Gbps").
SAME_AMOUNT: Final = 0.01
# A cell, header or label that starts with a figure ("10 TB", "$0.023").
FIGURE_START: Final = re.compile(r"^[$€£]?\d")
DIMENSIONS: Final = {
    Measure.SIZE: "data size",
    Measure.TIME: "time",
    Measure.MONEY: "money",
    Measure.PERCENT: "percentage",
    Measure.RATE: "rate",
    Measure.BYTERATE: "rate",
    Measure.BITRATE: "rate",
    Measure.COUNT: "count",
}


class ComputeKind(StrEnum):
    """What was worked out."""

    CAPACITY = "capacity units"
    PARTITIONS = "partitions"
    SHARDS = "shards"
    TRANSFER = "transfer time"
    TABLE = "table cell"


@dataclass(frozen=True)
class Computation:
    """A worked figure: the result, the formula with the question's numbers, the passages that
    state the rule."""

    kind: ComputeKind
    figure: Figure
    formula: str
    passages: tuple[Passage, ...]

    @property
    def slides(self) -> tuple[tuple[str, int], ...]:
        """The (deck, slide) places the rule comes from, in citation order."""
        return tuple(dict.fromkeys((p.deck, p.slide) for p in self.passages))

    def sentence(self) -> str:
        """The formula with the slides it comes from: "… = 24 RCU (slides 155, 156)."."""
        numbers = [slide for _, slide in self.slides]
        return f"{self.formula} ({cite(numbers)})." if numbers else f"{self.formula}."


@dataclass(frozen=True)
class Word:
    """A content word of a question, and whether it is part of an entity's name or an amount."""

    text: str
    stem: str
    free: bool


@dataclass(frozen=True)
class Question:
    """What arithmetic needs of a question: its folded text, amounts, content words, entities."""

    text: str
    amounts: tuple[Amount, ...]
    words: tuple[Word, ...]
    entities: frozenset[str]

    def first(self, *measures: Measure) -> Amount | None:
        """The first amount of one of the measures."""
        return next((a for a in self.amounts if a.measure in measures), None)


@dataclass(frozen=True)
class Concept:
    """A capacity unit the rules file names."""

    id: str
    unit: str
    quantity: str
    operation: str
    names: re.Pattern[str]


@dataclass(frozen=True)
class Cues:
    """The compiled patterns of kg/data/compute_rules.toml."""

    concepts: tuple[Concept, ...]
    definition: str
    item_size: re.Pattern[str]
    same_as: re.Pattern[str]
    per_unit: re.Pattern[str]
    consistency: tuple[tuple[str, str, re.Pattern[str]], ...]
    default: re.Pattern[str]
    partition: dict[str, re.Pattern[str]]
    shard: dict[str, re.Pattern[str]]
    transfer: re.Pattern[str]


def compile_group(data: dict[str, str], keys: Sequence[str]) -> dict[str, re.Pattern[str]]:
    """The named patterns of one rules table."""
    return {key: re.compile(data[key], re.IGNORECASE) for key in keys}


@lru_cache(maxsize=1)
def cues() -> Cues:
    """The rules file's patterns, compiled once."""
    data = rules_data()
    capacity = data["capacity_rules"]
    return Cues(
        concepts=tuple(
            Concept(
                row["id"],
                row["unit"],
                row["quantity"],
                row["operation"],
                re.compile(row["names"], re.IGNORECASE),
            )
            for row in data["capacity"]
        ),
        definition=capacity["definition"]["pattern"],
        item_size=re.compile(capacity["item_size"]["pattern"], re.IGNORECASE),
        same_as=re.compile(capacity["same_as"]["pattern"], re.IGNORECASE),
        per_unit=re.compile(capacity["per_unit"]["pattern"], re.IGNORECASE),
        consistency=tuple(
            (row["id"], row["label"], re.compile(row["pattern"], re.IGNORECASE))
            for row in data["consistency"]
        ),
        default=re.compile(capacity["default"]["pattern"], re.IGNORECASE),
        partition=compile_group(
            data["partition"],
            ("question", "by_capacity", "by_size", "read_divisor", "write_divisor", "size_divisor"),
        ),
        shard=compile_group(data["shard"], ("question", "limit", "incoming", "outgoing")),
        transfer=re.compile(data["transfer"]["question"], re.IGNORECASE),
    )


def read_question(kb: KB, text: str) -> Question:
    """The question folded, with its amounts, words, stems and linked entities."""
    folded = plain(text)
    mentions = link_entities(folded, aliases=kb.aliases, labels=kb.labels)
    amounts = tuple(read_amounts(folded))
    taken = [(m.start, m.end) for m in mentions] + [(a.start, a.end) for a in amounts]
    words = tuple(
        Word(word, stem(word), not any(a <= match.start() < b for a, b in taken))
        for match in WORD_RE.finditer(folded)
        if (word := match.group(0).lower()) not in stopwords() and len(word) > 1
    )
    return Question(folded, amounts, words, frozenset(m.entity for m in mentions))


# ------------------------------------------------------------------ passages stating a rule


def ranked_places(ranked: Sequence[Ranked], limit: int) -> list[tuple[str, int]]:
    """The distinct slides of the ranking, best first."""
    places = dict.fromkeys((r.block.deck, r.block.slide) for r in ranked)
    return list(places)[:limit]


def deck_places(kb: KB, ranked: Sequence[Ranked]) -> list[tuple[str, int]]:
    """Every slide: the best ranked first, then the rest of the deck."""
    first = ranked_places(ranked, RULE_SLIDES)
    seen = set(first)
    return first + [
        (i.deck, i.number) for i in kb.slides.values() if (i.deck, i.number) not in seen
    ]


def statement(store: PassageStore, pid: int) -> tuple[str, tuple[int, ...]]:
    """A passage with the text lines that continue it (a sentence wrapped after its bullet)."""
    passage = store.passages[pid]
    pids = [pid]
    text = passage.text
    slide = store.by_slide.get((passage.deck, passage.slide), [])
    at = slide.index(pid) if pid in slide else len(slide)
    for nxt in slide[at + 1 : at + 1 + MAX_CONTINUATIONS]:
        following = store.passages[nxt]
        if following.kind != "text" or text.rstrip().endswith((".", ":", ";", "!", "?")):
            break
        text = f"{text} {following.text}"
        pids.append(nxt)
    return plain(text), tuple(pids)


def statements(
    store: PassageStore,
    ranked: Sequence[Ranked],
    pattern: re.Pattern[str],
    first: re.Pattern[str] | None = None,
) -> Iterator[tuple[str, tuple[int, ...]]]:
    """Statements matching a pattern whose first passage matches `first` (a cheap filter): on
    the best ranked slides first, then the whole deck; sentences before diagram labels."""
    hits = matching_passages(Identity(store), first or pattern)
    places = ranked_places(ranked, RULE_SLIDES)
    near = [pid for place in places for pid in store.by_slide.get(place, []) if pid in hits]
    nearby = set(near)
    far = [pid for pid in sorted(hits) if pid not in nearby]
    for pid in labels_last(store, near) + labels_last(store, far):
        text, pids = statement(store, pid)
        if pattern.search(text):
            yield text, pids


def labels_last(store: PassageStore, pids: Sequence[int]) -> list[int]:
    """Passages in order, diagram labels after the rest: a rule said in a sentence beats a
    diagram's label fragments."""
    return sorted(pids, key=lambda pid: store.passages[pid].kind == "label")


@lru_cache(maxsize=64)
def matching_passages(store: Identity[PassageStore], pattern: re.Pattern[str]) -> frozenset[int]:
    """The passages of a store whose own text matches a pattern, found once per pattern."""
    return frozenset(p.id for p in store.value.passages if pattern.search(p.text))


def passages_of(store: PassageStore, pids: Sequence[int]) -> tuple[Passage, ...]:
    """The passages of some ids, without repeats, in the given order."""
    return tuple(store.passages[pid] for pid in dict.fromkeys(pids))


def figure_of(value: float, unit: str, quantity: str, measure: Measure, line: int) -> Figure:
    """A computed result as a figure."""
    return Figure(f"{show(value)} {unit}".strip(), value, unit, quantity, DIMENSIONS[measure], line)


def first_line(passages: Sequence[Passage]) -> int:
    """The first deck line of the cited passages (0 when none)."""
    return passages[0].line_start if passages else 0


def same(a: Amount, b: Amount) -> bool:
    """Whether two amounts are the same quantity."""
    return a.measure is b.measure and abs(a.base - b.base) <= SAME_AMOUNT * max(a.base, b.base)


def single_amount(text: str) -> Amount | None:
    """The amount a cell states when it states exactly one."""
    amounts = read_amounts(text)
    return amounts[0] if len(amounts) == 1 else None


def row_passages(
    store: PassageStore, place: tuple[str, int], table: Table, row: Row
) -> tuple[Passage, ...]:
    """The passages of a slide that print a table row, then those of its header: a passage
    inside the row's text, or one the row's text lies inside (a table printed as one label)."""
    pids: list[int] = []
    for lines in (row.lines, table.header_lines):
        text = squash(" ".join(lines))
        for pid in store.by_slide.get(place, []):
            passage = squash(store.passages[pid].text)
            if text and passage and (passage in text or text in passage):
                pids.append(pid)
    return passages_of(store, pids)


def squash(text: str) -> str:
    """Text folded for comparing: compatibility forms, one space, lower case."""
    return re.sub(r"\s+", " ", plain(text)).strip().lower()
