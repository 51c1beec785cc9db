"""Amounts in questions and slides: a number with its unit, and its size in base units (bytes,
bits per second, bytes per second, things per second, seconds)."""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

RULES_FILE: Final = Path(__file__).parent.parent / "data" / "compute_rules.toml"
# A number as written: "$0.023", "1,000", "4.5", "30K", "2 million" (the multiplier is optional).
NUMBER_RE: Final = re.compile(
    r"(?<![\w.])(?P<dollar>\$\s?)?(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"(?:\s?(?P<mult>[kK](?![A-Za-z])|thousand\b|million\b|billion\b))?"
)
# What may follow a number, tried in this order: a byte rate before a size ("MB/s" is not "MB"),
# a count rate before a duration ("reads per second" is not "seconds").
BYTERATE_RE: Final = re.compile(
    r"\s?(?P<u>[KMGTPE]?i?B)(?:\s*/\s*s(?:ec(?:ond)?)?\b|ps\b|\s+per\s+sec(?:ond)?\b)"
)
BITRATE_RE: Final = re.compile(r"\s?(?P<u>[KkMmGgTt]?)(?:bps|bit/s|bits/s)\b")
SIZE_RE: Final = re.compile(r"\s?(?P<u>[KMGTPE]i?B|B)\b|\s?(?P<w>[a-z]+bytes?)\b", re.IGNORECASE)
PER_RE: Final = re.compile(
    r"(?P<words>(?:\s+(?!per\b|a\b|an\b|each\b|every\b)[A-Za-z][\w-]*){0,4}?)\s*"
    r"(?:/|\bper\b|\ban?\b|\beach\b|\bevery\b)\s*"
    r"(?P<per>seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?)\b",
    re.IGNORECASE,
)
TIME_RE: Final = re.compile(
    r"\s?-?\s?(?P<u>ms|milliseconds?|seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|weeks?"
    r"|months?|years?)\b",
    re.IGNORECASE,
)
NOUN_RE: Final = re.compile(r"\s(?P<w>[A-Za-z][\w-]*)")
# Sizes a passage or question gives per item are rounded up to whole units with this slack, so
# float noise (12.000000001 KB) never costs a unit.
CEIL_SLACK: Final = 1e-9
# A duration is shown in the largest unit it fills at least twice: "30 hours", not "1.2 days".
DURATION_FLOOR: Final = 2


class Measure(StrEnum):
    """What an amount measures; its base unit in brackets."""

    SIZE = "size"  # bytes
    BITRATE = "bitrate"  # bits per second
    BYTERATE = "byterate"  # bytes per second
    RATE = "rate"  # things per second
    TIME = "time"  # seconds
    MONEY = "money"  # dollars
    PERCENT = "percent"
    COUNT = "count"


@dataclass(frozen=True)
class Amount:
    """A number with its unit as written, and its value in the measure's base unit."""

    value: float
    unit: str
    measure: Measure
    base: float
    text: str
    start: int
    end: int
    noun: str = ""

    @property
    def shown(self) -> str:
        """The amount written the one way formulas write it: "4,500 records/s", "$0.023"."""
        if self.measure is Measure.MONEY:
            return f"${show(self.value)}"
        if self.measure is Measure.PERCENT:
            return f"{show(self.value)}%"
        return f"{show(self.value)} {self.unit}".strip()


@dataclass(frozen=True)
class Units:
    """The unit tables of kg/data/compute_rules.toml."""

    size: Mapping[str, float]
    size_words: Mapping[str, str]
    bitrate: Mapping[str, float]
    time: Mapping[str, float]
    duration_display: tuple[str, ...]
    numbers: Mapping[str, float]
    multipliers: Mapping[str, float]


@lru_cache(maxsize=1)
def rules_data() -> dict[str, Any]:
    """The whole compute rules file, parsed once."""
    return tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def units() -> Units:
    """The unit tables, read once."""
    data = rules_data()["units"]
    return Units(
        size=data["size"],
        size_words=data["size_words"],
        bitrate={key.lower(): value for key, value in data["bitrate"].items()},
        time=data["time"],
        duration_display=tuple(data["duration_display"]),
        numbers=data["numbers"],
        multipliers=data["multipliers"],
    )


def plain(text: str) -> str:
    """Text with compatibility characters folded (math italics, ligatures) for parsing."""
    return unicodedata.normalize("NFKC", text)


def time_seconds(unit: str) -> float | None:
    """Seconds in a time unit written any usual way ("hrs", "Days", "min")."""
    table = units().time
    key = unit.lower()
    for candidate in (key, key[:-1] if key.endswith("s") and len(key) > 2 else key):
        if candidate in table:
            return float(table[candidate])
    return None


def size_bytes(unit: str) -> float | None:
    """Bytes in a size unit ("KB", "kB", "GiB", "megabytes")."""
    table = units().size
    if unit in table:
        return float(table[unit])
    symbol = size_unit(unit, None) if unit.lower().endswith("b") else size_unit(None, unit)
    return float(table[symbol]) if symbol else None


def number_value(text: str) -> float | None:
    """A number written in digits or as a word ("two", "half")."""
    cleaned = text.replace(",", "").strip().lower()
    try:
        return float(cleaned)
    except ValueError:
        word = units().numbers.get(cleaned)
        return float(word) if word is not None else None


def read_amounts(text: str) -> list[Amount]:
    """Every amount in a text, in order, each with the unit that follows its number."""
    text = plain(text)
    out = []
    for match in NUMBER_RE.finditer(text):
        value = float(match.group("num").replace(",", ""))
        mult = match.group("mult")
        if mult:
            value *= units().multipliers[mult.lower()]
        if match.group("dollar"):
            out.append(
                Amount(value, "$", Measure.MONEY, value, match.group(0), match.start(), match.end())
            )
            continue
        out.append(read_unit(text, match.start(), match.end(), value))
    return out


def read_unit(text: str, start: int, end: int, value: float) -> Amount:
    """The amount whose number spans text[start:end], with the unit written after it."""
    rest = text[end:]
    if found := BYTERATE_RE.match(rest):
        scale = size_bytes(found.group("u")) or 1.0
        unit = found.group("u") + "/s"
        return amount(text, start, end + found.end(), value, unit, Measure.BYTERATE, scale)
    if found := BITRATE_RE.match(rest):
        prefix = found.group("u").upper()
        unit = f"{prefix}bps"
        scale = units().bitrate.get(unit.lower(), 1.0)
        return amount(text, start, end + found.end(), value, unit, Measure.BITRATE, scale)
    if (found := SIZE_RE.match(rest)) and (unit := size_unit(found.group("u"), found.group("w"))):
        scale = size_bytes(unit) or 1.0
        return amount(text, start, end + found.end(), value, unit, Measure.SIZE, scale)
    if found := PER_RE.match(rest):
        per = time_seconds(found.group("per")) or 1.0
        words = found.group("words").split()
        noun = words[-1].lower() if words else ""
        unit = f"{noun}/{short_time(found.group('per'))}" if noun else f"/{found.group('per')}"
        rate = amount(text, start, end + found.end(), value, unit, Measure.RATE, 1 / per)
        return replace(rate, noun=noun)
    if (found := TIME_RE.match(rest)) and (seconds := time_seconds(found.group("u"))):
        return amount(
            text, start, end + found.end(), value, found.group("u"), Measure.TIME, seconds
        )
    if rest.startswith("%"):
        return amount(text, start, end + 1, value, "%", Measure.PERCENT, 1.0)
    noun = NOUN_RE.match(rest)
    word = noun.group("w").lower() if noun else ""
    return Amount(value, "", Measure.COUNT, value, text[start:end], start, end, noun=word)


def size_unit(symbol: str | None, word: str | None) -> str:
    """The size unit a symbol ("kB") or word ("kilobytes") names, or "" when it names none."""
    if symbol:
        unit = symbol if symbol in units().size else symbol[:-1].upper() + "B"
        return unit if unit in units().size else ""
    spelled = (word or "").lower().rstrip("s")
    return units().size_words.get(spelled, "")


def amount(
    text: str, start: int, end: int, value: float, unit: str, measure: Measure, scale: float
) -> Amount:
    """An amount spanning text[start:end] with its base value."""
    return Amount(value, unit, measure, value * scale, text[start:end].strip(), start, end)


def short_time(word: str) -> str:
    """ "s", "min", "h" or "day" for a time word, as rates are written ("reads/s")."""
    seconds = time_seconds(word) or 1.0
    return {1.0: "s", 60.0: "min", 3600.0: "h"}.get(seconds, word.lower().rstrip("s"))


def show(number: float) -> str:
    """A number as a person writes it: "3,000", "4.5", "0.0036"."""
    if number == int(number) and abs(number) < 1e15:
        return f"{int(number):,}"
    if abs(number) < 1:
        return f"{number:.3g}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def show_duration(seconds: float) -> str:
    """A duration in the largest unit that keeps it at least 2: "12.3 days", "30 hours"."""
    table = units().time
    for name in units().duration_display:
        size = float(table[name])
        if seconds >= DURATION_FLOOR * size or name == units().duration_display[-1]:
            value = seconds / size
            rounded = round(value) if value >= 100 else round(value, 1)
            return f"{show(rounded)} {name}{'' if rounded == 1 else 's'}"
    return f"{show(seconds)} seconds"


def ceil(value: float) -> int:
    """The next whole number up, forgiving float noise."""
    return math.ceil(value - CEIL_SLACK)


def in_unit(base: float, unit: str) -> float:
    """A size in bytes expressed in a size unit."""
    return base / (size_bytes(unit) or 1.0)
