"""Labelled example phrasings per answer shape, voted by nearest neighbours when no rule of the
question table decides (kg/data/intents.jsonl, written by the team, not taken from any eval set)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from kg.ask.parse import AnswerType
from kg.embed import Vectors

EXAMPLES_FILE: Final = Path(__file__).parent.parent / "data" / "intents.jsonl"
# Votes of the k nearest examples, weighted by cosine.
NEIGHBOURS: Final = 5


@dataclass(frozen=True)
class IntentModel:
    """Example phrasings, their answer shapes and their embeddings."""

    answers: tuple[AnswerType, ...]
    texts: tuple[str, ...]
    vectors: Vectors


def read_examples(path: Path = EXAMPLES_FILE) -> list[tuple[AnswerType, str]]:
    """(answer shape, text) pairs of the example file."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(AnswerType(row["answer"]), row["text"]) for row in rows]


def vote(model: IntentModel, query: Vectors, *, k: int = NEIGHBOURS) -> AnswerType:
    """The answer shape most of the k nearest examples carry, weighted by similarity."""
    scores = model.vectors @ query
    votes: dict[AnswerType, float] = {}
    for row in np.argsort(-scores)[:k].tolist():
        votes[model.answers[row]] = votes.get(model.answers[row], 0.0) + float(scores[row])
    return max(votes, key=lambda answer: votes[answer])
