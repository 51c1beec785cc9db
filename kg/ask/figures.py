"""Figures: the numbers a passage states (the graph's limit facts, else the text), and which one a
question asks for."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from kg.ask.store import Passage
from kg.ask.text import stopwords
from kg.types import Value

# The question's asked dimension (kg/data/question_rules.toml) -> words in a unit's dimension.
DIMENSIONS: Final = {
    "time": ("time",),
    "size": ("data size", "count"),
    "money": ("money", "price"),
    "rate": ("rate",),
    "count": ("count", "rate"),
}
# A number in running text with what follows it: "5-minute", "$0.023", "10x", "256KB", "3 to 63".
NUMBER_RE: Final = re.compile(
    r"(?<![\w.])(\$\s?)?(\d[\d,]*(?:\.\d+)?)(\s?(?:-|–|to)\s?\d[\d,]*(?:\.\d+)?)?"
    r"(\s?-?\s?(?:[%xX]|[KMGTPE]i?B(?:/s(?:ec)?)?|[KMG]bps|ms|seconds?|secs?|minutes?|mins?|hours?"
    r"|hrs?|days?|weeks?|months?|years?|[a-zA-Z][a-zA-Z/-]{1,20}))?"
)
TIME_WORDS: Final = re.compile(r"^(?:ms|sec|second|min|minute|hour|hr|day|week|month|year)", re.I)
SIZE_WORDS: Final = re.compile(r"^[KMGTPE]i?B$", re.I)


@dataclass(frozen=True)
class Figure:
    """One figure a passage states, with its unit's dimension when the graph knows it."""

    text: str
    value: float | None
    unit: str
    quantity: str
    dimension: str
    line: int


def limit_table(
    rows: Sequence[Mapping[str, Any]], slides: Mapping[str, Any]
) -> dict[tuple[str, int], list[Figure]]:
    """(deck, slide) -> the limit facts stated there, as figures."""
    out: dict[tuple[str, int], list[Figure]] = {}
    for row in rows:
        info = slides.get(row["slide"])
        if info is None:
            continue
        value = float(row["value"])
        shown = f"{int(value):,}" if value.is_integer() else f"{value:g}"
        out.setdefault((info.deck, info.number), []).append(
            Figure(
                text=f"{shown} {row['symbol']}".strip(),
                value=value,
                unit=str(row["symbol"]),
                quantity=str(row["quantity"]),
                dimension=str(row["dimension"]),
                line=int(row["lineStart"]),
            )
        )
    return out


def passage_figures(
    passage: Passage, table: Mapping[tuple[str, int], Sequence[Figure]]
) -> list[Figure]:
    """The figures a passage states: limit facts on its lines, else numbers read from its text."""
    facts = [
        f
        for f in table.get((passage.deck, passage.slide), ())
        if passage.line_start <= f.line <= passage.line_end
    ]
    return facts or text_figures(passage)


def text_figures(passage: Passage) -> list[Figure]:
    """Numbers in a passage's text, with the word after each as its unit."""
    out = []
    for match in NUMBER_RE.finditer(passage.text):
        dollar, number, upper, unit = match.groups()
        unit = (unit or "").strip(" -")
        text = match.group(0).strip()
        if unit.lower() in stopwords():
            # "$0.02 per GB": a function word after the number is no unit.
            text, unit = text[: len(text) - len(unit)].strip(" -"), ""
        dimension = (
            "money"
            if dollar
            else "time"
            if TIME_WORDS.match(unit)
            else "data size"
            if SIZE_WORDS.match(unit.split("/")[0])
            else "percentage"
            if unit == "%"
            else "count"
        )
        try:
            value = float(number.replace(",", ""))
        except ValueError:
            value = None
        out.append(Figure(text, value, unit, "", dimension, passage.line_start))
        del upper
    return out


def fits(figure: Figure, asked: str) -> bool:
    """Whether a figure's dimension is the one asked (no dimension asked: any)."""
    if not asked:
        return True
    return any(word in figure.dimension for word in DIMENSIONS.get(asked, ()))


def as_value(figure: Figure) -> Value:
    """The answer object's value for a figure."""
    return Value(text=figure.text, value=figure.value, unit=figure.unit, quantity=figure.quantity)
