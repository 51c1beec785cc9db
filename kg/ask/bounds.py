"""Bounds: the figure a yes/no question asks about ("can a message be 1 MB?") and the limits a
line states in the same dimension ("max message size is 256 KB"), compared in one base unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Final, Literal


class Dimension(Enum):
    """What a bound measures; each compares in its own base unit."""

    SIZE = "size"
    TIME = "time"


# Bytes and seconds per unit word (a month as 30 days, a year as 365: the deck's own arithmetic).
UNIT_FACTORS: Final[dict[str, tuple[Dimension, float]]] = {
    "b": (Dimension.SIZE, 1.0),
    "byte": (Dimension.SIZE, 1.0),
    "kb": (Dimension.SIZE, 2.0**10),
    "kib": (Dimension.SIZE, 2.0**10),
    "mb": (Dimension.SIZE, 2.0**20),
    "mib": (Dimension.SIZE, 2.0**20),
    "gb": (Dimension.SIZE, 2.0**30),
    "gib": (Dimension.SIZE, 2.0**30),
    "tb": (Dimension.SIZE, 2.0**40),
    "pb": (Dimension.SIZE, 2.0**50),
    "ms": (Dimension.TIME, 0.001),
    "millisecond": (Dimension.TIME, 0.001),
    "s": (Dimension.TIME, 1.0),
    "sec": (Dimension.TIME, 1.0),
    "second": (Dimension.TIME, 1.0),
    "min": (Dimension.TIME, 60.0),
    "minute": (Dimension.TIME, 60.0),
    "h": (Dimension.TIME, 3600.0),
    "hr": (Dimension.TIME, 3600.0),
    "hour": (Dimension.TIME, 3600.0),
    "day": (Dimension.TIME, 86400.0),
    "week": (Dimension.TIME, 7 * 86400.0),
    "month": (Dimension.TIME, 30 * 86400.0),
    "year": (Dimension.TIME, 365 * 86400.0),
}
UNIT_PATTERN: Final = (
    r"(?P<unit>[kmgtp]i?b|bytes?|ms|milliseconds?|secs?|seconds?|mins?|minutes?|hrs?|hours?|h|s"
    r"|days?|weeks?|months?|years?)"
)
NUMBER_PATTERN: Final = r"\d[\d,]*(?:\.\d+)?"
# A figure with its unit: "256KB", "15 min", "1 day"; not a rate ("1MB/s", "1 MB per second").
AMOUNT_RE: Final = re.compile(
    rf"(?<![\w.])(?P<number>{NUMBER_PATTERN})\s?-?\s?{UNIT_PATTERN}\b(?!\s?/|\s+per\b)",
    re.IGNORECASE,
)
# A range shares the unit of its upper end: "1 to 365 days", "between 1 day to 365 days".
RANGE_RE: Final = re.compile(
    rf"(?<![\w.])(?P<low>{NUMBER_PATTERN})\s?(?P<lowunit>[a-z]+)?\s*(?:to|-|–)\s*"
    rf"(?P<number>{NUMBER_PATTERN})\s?-?\s?{UNIT_PATTERN}\b(?!\s?/|\s+per\b)",
    re.IGNORECASE,
)
# "a year", "one full day": a unit the question counts once.
ONE_UNIT_RE: Final = re.compile(
    r"\b(?:a|an|one)\s+(?:full\s+|whole\s+|single\s+)?(?P<unit>day|week|month|year|hour|minute)\b",
    re.IGNORECASE,
)
# Words before a figure that make it an upper bound ("Max is 900 seconds", "up to 400 KB").
UPPER_CUE_RE: Final = re.compile(
    r"\b(?:max(?:imum)?|up\s?to|limit(?:ed)?|at most|no more than|less than|below|cap(?:ped)?)\b"
    r"|<",
    re.IGNORECASE,
)
# Words just after a figure that make it an upper bound ("1 MB message size limit").
UPPER_AFTER_RE: Final = re.compile(r"^[\w\s]{0,25}?\b(?:limit|max(?:imum)?)\b", re.IGNORECASE)
# Words before a figure that make it a lower bound ("minimum of 60 seconds").
LOWER_CUE_RE: Final = re.compile(r"\b(?:min(?:imum)?|at least|more than|above)\b|>", re.I)
# A line's default figure is the one nearest this word ("Default retention: 4 days, max 14 days").
DEFAULT_WORD_RE: Final = re.compile(r"\bdefault\b", re.IGNORECASE)
# Two figures within this share of each other are one ("1,024 KB" and "1 MB").
# "more than 15 minutes", "over 1 MB": the asked figure is exceeded, not reached.
BEYOND_RE: Final = re.compile(
    r"\b(?:more than|over|above|longer than|larger than|bigger than|greater than|exceed(?:s|ing)?|"
    r"beyond)\s+(?:an?\s+|\d)",
    re.IGNORECASE,
)
SAME_TOLERANCE: Final = 0.03
# How far before a figure its bound word may stand, in characters ("Max is 900 seconds").
CUE_WINDOW: Final = 30

Side = Literal["upper", "lower"]


@dataclass(frozen=True)
class Amount:
    """A figure in base units (bytes, seconds) and the text it was read from."""

    dimension: Dimension
    value: float
    text: str


@dataclass(frozen=True)
class Bound:
    """A limit a line states: an upper or lower end of what is allowed."""

    amount: Amount
    side: Side


def unit_factor(unit: str) -> tuple[Dimension, float] | None:
    """The dimension and base-unit factor of a unit word ("minutes": time, 60)."""
    word = unit.lower()
    if word in UNIT_FACTORS:
        return UNIT_FACTORS[word]
    if word.endswith("s") and word[:-1] in UNIT_FACTORS:
        return UNIT_FACTORS[word[:-1]]
    return None


def amount_of(number: str, unit: str, text: str) -> Amount | None:
    """An amount in base units, or None for a unit no bound compares."""
    factor = unit_factor(unit)
    if factor is None:
        return None
    return Amount(factor[0], float(number.replace(",", "")) * factor[1], text)


def asked_amount(question: str) -> Amount | None:
    """The one figure a question states ("be 1 MB", "for a full year"), or None."""
    found = [
        a
        for m in AMOUNT_RE.finditer(question)
        if (a := amount_of(m["number"], m["unit"], m.group(0))) is not None
    ]
    found += [
        a
        for m in ONE_UNIT_RE.finditer(question)
        if (a := amount_of("1", m["unit"], m.group(0))) is not None
    ]
    return found[0] if len(found) == 1 else None


def stated_bounds(text: str, dimension: Dimension) -> list[Bound]:
    """The limits a line states in a dimension: ranges' ends, and figures after a bound word."""
    out: list[Bound] = []
    spans: list[tuple[int, int]] = []
    for match in RANGE_RE.finditer(text):
        high = amount_of(match["number"], match["unit"], match.group(0))
        if high is None or high.dimension is not dimension:
            continue
        low = amount_of(match["low"], match["lowunit"] or match["unit"], match.group(0))
        out.append(Bound(high, "upper"))
        if low is not None and low.dimension is dimension:
            out.append(Bound(low, "lower"))
        spans.append(match.span())
    for match in AMOUNT_RE.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        amount = amount_of(match["number"], match["unit"], match.group(0))
        if amount is None or amount.dimension is not dimension:
            continue
        before = text[max(0, match.start() - CUE_WINDOW) : match.start()]
        if UPPER_CUE_RE.search(before) or UPPER_AFTER_RE.search(text[match.end() :]):
            out.append(Bound(amount, "upper"))
        elif LOWER_CUE_RE.search(before):
            out.append(Bound(amount, "lower"))
    return out


def within(asked: Amount, bounds: list[Bound], *, beyond: bool = False) -> bool:
    """Whether an asked amount lies inside every stated bound ("more than" it, with beyond: the
    bound itself is already too much)."""
    for bound in bounds:
        if bound.side == "upper" and asked.value > bound.amount.value:
            return False
        if beyond and bound.side == "upper" and asked.value >= bound.amount.value:
            return False
        if bound.side == "lower" and asked.value < bound.amount.value:
            return False
    return True


def stated_default(text: str, dimension: Dimension) -> Amount | None:
    """The figure a line gives as the default in a dimension: the one nearest the word."""
    word = DEFAULT_WORD_RE.search(text)
    if word is None:
        return None
    found = [
        (min(abs(m.start() - word.end()), abs(word.start() - m.end())), amount)
        for m in AMOUNT_RE.finditer(text)
        if (amount := amount_of(m["number"], m["unit"], m.group(0))) is not None
        and amount.dimension is dimension
    ]
    return min(found, key=lambda row: row[0])[1] if found else None


def same_amount(one: Amount, other: Amount) -> bool:
    """Whether two amounts are the same figure (a rounding apart at most)."""
    return abs(one.value - other.value) <= SAME_TOLERANCE * max(one.value, other.value)
