"""Relation cues: spaCy Matcher patterns from ingest/data/cues.jsonl, matched on a sentence."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Final

import spacy
from spacy.language import Language
from spacy.matcher import Matcher

from kg.registry import RelationKind, Side

CUES_JSONL: Final = Path(__file__).with_name("data") / "cues.jsonl"
# How many leading tokens may stand before a cue that must open its sentence ("Kinesis
# destinations:"): a two-word name and a determiner.
START_TOKENS: Final = 3


class Where(StrEnum):
    """Where in its sentence a cue must sit to count."""

    ANYWHERE = "anywhere"
    START = "start"
    FIRST = "first"
    END = "end"


class CueKind(StrEnum):
    """Cues that are not relation kinds: negation words and slide kinds."""

    NEGATION = "negation"
    REVERSE_NEGATION = "reverseNegation"
    # "X, not Y": the names after it are denied, those before it stated.
    CONTRAST = "contrast"
    # A header ending in "except:": its list is what the subject does not do.
    EXCEPTION = "exception"
    COMPARISON_SLIDE = "comparisonSlide"
    SCENARIO_SLIDE = "scenarioSlide"


@dataclass(frozen=True)
class CuePattern:
    """One Matcher pattern: what it cues, the side the entities after it take, a test sentence."""

    label: str
    side: Side
    pattern: tuple[dict[str, Any], ...]
    example: str
    expect: tuple[str, ...] = ()
    where: Where = Where.ANYWHERE
    # Trailing tokens the pattern must see but that are not part of the cue ("destinations S3":
    # the name after the noun is a party, not the cue).
    lookahead: int = 0


@dataclass(frozen=True)
class Cue:
    """A cue found in a text: its relation kind (or CueKind), side and character span."""

    label: str
    side: Side
    start: int
    end: int
    text: str

    @property
    def kind(self) -> RelationKind | None:
        """The relation kind this cue signals, or None for a negation or slide cue."""
        return RelationKind(self.label) if self.label in RELATION_LABELS else None


RELATION_LABELS: Final = frozenset(kind.value for kind in RelationKind)
FindCues = Callable[[str], tuple[Cue, ...]]


def read_patterns(path: Path = CUES_JSONL) -> list[CuePattern]:
    """Every pattern of the cue file; a label outside the registry is an error."""
    labels = {kind.value for kind in RelationKind} | {kind.value for kind in CueKind}
    patterns = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["label"] not in labels:
            raise ValueError(f"{path}:{number}: unknown cue label {row['label']!r}")
        patterns.append(
            CuePattern(
                label=row["label"],
                side=Side(row.get("id", Side.OBJECT.value)),
                pattern=tuple(row["pattern"]),
                example=row["example"],
                expect=tuple(row.get("expect", ())),
                where=Where(row.get("where", Where.ANYWHERE.value)),
                lookahead=int(row.get("lookahead", 0)),
            )
        )
    return patterns


@dataclass(frozen=True)
class CueMatcher:
    """A tokenizer and a Matcher holding every cue pattern, keyed by pattern index."""

    nlp: Language
    matcher: Matcher
    patterns: tuple[CuePattern, ...]

    def __call__(self, text: str) -> tuple[Cue, ...]:
        """Every match of a text, overlapping ones included (see resolve)."""
        return find_cues(self, text)


def make_cue_matcher(
    patterns: Sequence[CuePattern] | None = None, nlp: Language | None = None
) -> CueMatcher:
    """A Matcher over a blank English tokenizer (or the given pipeline's vocabulary)."""
    nlp = nlp or spacy.blank("en")
    chosen = tuple(read_patterns() if patterns is None else patterns)
    matcher = Matcher(nlp.vocab)
    for n, cue in enumerate(chosen):
        matcher.add(str(n), [list(cue.pattern)])
    return CueMatcher(nlp, matcher, chosen)


def raw_matches(cues: CueMatcher, text: str) -> Iterator[tuple[int, int, int, int, CuePattern]]:
    """(start char, end char, start token, end token, pattern) of every match that is allowed."""
    doc = cues.nlp(text)
    for match_id, start, end in cues.matcher(doc):
        pattern = cues.patterns[int(cues.nlp.vocab.strings[match_id])]
        if pattern.where is Where.START and start > START_TOKENS:
            continue
        if pattern.where is Where.FIRST and any(not t.is_punct for t in doc[:start]):
            continue
        if pattern.where is Where.END and any(not t.is_punct for t in doc[end:]):
            continue
        end -= pattern.lookahead
        span = doc[start:end]
        yield span.start_char, span.end_char, start, end, pattern


def find_cues(cues: CueMatcher, text: str) -> tuple[Cue, ...]:
    """Every allowed match, earlier starts first; at one start the pattern listed first in the
    file (specific before generic), then its shortest match (a lazy gap). Overlaps stay."""
    order = {id(pattern): n for n, pattern in enumerate(cues.patterns)}
    found = sorted(raw_matches(cues, text), key=lambda m: (m[2], order[id(m[4])], m[3] - m[2]))
    return tuple(Cue(p.label, p.side, start, end, text[start:end]) for start, end, _, _, p in found)


def resolve(found: Sequence[Cue]) -> tuple[Cue, ...]:
    """Non-overlapping cues in the order given; relation cues and the other cues (negations,
    slide kinds) overlap only within their own family."""
    kept: list[Cue] = []
    last_end = {True: -1, False: -1}
    for cue in found:
        family = cue.label in RELATION_LABELS
        if cue.start < last_end[family]:
            continue
        kept.append(cue)
        last_end[family] = cue.end
    return tuple(sorted(kept, key=lambda cue: cue.start))


@cache
def default_cues() -> FindCues:
    """The cue finder over ingest/data/cues.jsonl, made once per process and memoised per text."""
    matcher = make_cue_matcher()
    table: dict[str, tuple[Cue, ...]] = {}

    def find(text: str) -> tuple[Cue, ...]:
        if text not in table:
            table[text] = matcher(text)
        return table[text]

    return find
