"""Accuracy under other phrasings: the gold questions as typed in chat (lower case, no final
mark), behind a chat opener and wrapped in a request, against the questions as written."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from bench.reliability import gold_rows, load_grader
from kg.answer import answer
from kg.contract import answer_to_json
from kg.kb import KB, load_kb
from kg.settings import get_settings


def as_written(question: str) -> str:
    """The question as the set has it."""
    return question


def typed(question: str) -> str:
    """Lower case, no final question mark: how a question is typed in chat."""
    return question.lower().rstrip("?").strip()


def lowered_start(question: str) -> str:
    """The question with its first letter lower-cased, to follow an opener."""
    return question[:1].lower() + question[1:]


def opener(question: str) -> str:
    """Behind a chat opener."""
    return f"Quick question: {lowered_start(question)}"


def wondering(question: str) -> str:
    """Behind "I was wondering,"."""
    return f"I was wondering, {lowered_start(question)}"


def request(question: str) -> str:
    """Wrapped in a request (ungrammatical for questions that do not start with a wh-word)."""
    return f"Can you tell me {lowered_start(question)}"


Grader = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]

VARIANTS: Final[dict[str, Callable[[str], str]]] = {
    "as written": as_written,
    "typed": typed,
    "opener": opener,
    "wondering": wondering,
    "request": request,
}


def right_count(
    kb: KB, rows: list[dict[str, Any]], variant: Callable[[str], str], grade: Grader
) -> int:
    """How many questions of a set, rephrased, are answered right."""
    right = 0
    for gold in rows:
        result = answer_to_json(answer(variant(gold["question"]), kb))
        right += bool(grade(gold, result)["correct"])
    return right


def main() -> None:
    """Print each set's accuracy under each phrasing."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=get_settings().data_dir)
    parser.add_argument("sets", nargs="*", default=["dev", "dev2"])
    args = parser.parse_args()
    kb = load_kb(args.data_dir, embed_model=get_settings().embed_model)
    grade = load_grader()
    for name in args.sets:
        rows = gold_rows(name)
        figures = [
            f"{label} {right_count(kb, rows, variant, grade)}"
            for label, variant in VARIANTS.items()
        ]
        print(f"{name} ({len(rows)} questions): " + ", ".join(figures), flush=True)


if __name__ == "__main__":
    main()
