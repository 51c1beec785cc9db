"""The confidence an answer reports, from how often answers of its shape were right on the gold
sets (kg/data/confidence.toml)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Final

from kg.ask.parse import Intent
from kg.ask.verdicts import ABSENCE_LEAD
from kg.types import Answer

CONFIDENCE_FILE: Final = Path(__file__).parent.parent / "data" / "confidence.toml"
# Intents whose answer is a list of entities.
LIST_INTENTS: Final = frozenset(
    {
        Intent.WRITES_TO,
        Intent.SOURCES,
        Intent.READS_FROM,
        Intent.DESTINATIONS,
        Intent.TRIGGERS,
        Intent.TRIGGERED_BY,
        Intent.INTEGRATIONS,
        Intent.LISTING,
    }
)


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, float]]:
    """The base figures by answer shape and the adjustments."""
    with CONFIDENCE_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    return {"base": dict(data["base"]), "adjust": dict(data["adjust"])}


def shape(intent: str) -> str:
    """The confidence table's row for an answer intent."""
    return "list" if intent in LIST_INTENTS else intent


def calibrated(answer: Answer) -> float:
    """How often an answer like this one was right."""
    figures = table()
    if answer.intent == Intent.YES_NO and answer.verdict is None:
        return figures["adjust"]["undecided_verdict"]
    if answer.intent == Intent.YES_NO and answer.answer.startswith(f"No. {ABSENCE_LEAD}"):
        return figures["adjust"]["absence_verdict"]
    if shape(answer.intent) == "list" and len(answer.items) == 1:
        return figures["adjust"]["single_item_list"]
    return figures["base"].get(shape(answer.intent), figures["base"]["search"])
