"""Reliability of the reported confidence: per answer shape and per confidence bin, how many
answers of the gold sets (and the project's own questions) were right."""

from __future__ import annotations

import argparse
import importlib.util
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kg.answer import answer
from kg.ask.confidence import shape
from kg.contract import answer_to_json
from kg.kb import load_kb
from kg.settings import PROJECT_ROOT, get_settings

EVAL = PROJECT_ROOT.parent / "shared" / "eval"
OWN = PROJECT_ROOT / "tests" / "data" / "own-questions.jsonl"


def load_grader() -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    """The reference scorer's grade function (eval/score.py)."""
    spec = importlib.util.spec_from_file_location("score", EVAL / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    grade: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] = module.grade
    return grade


def gold_rows(name: str) -> list[dict[str, Any]]:
    """The gold questions of a set: "own" for the project's own, else a set of ../shared/eval."""
    path = OWN if name == "own" else EVAL / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def table(rows: Sequence[tuple[str, float, bool]], key: int) -> list[str]:
    """Lines "<group>  n  right  share  mean confidence" grouped by one field of the rows."""
    groups: dict[Any, list[tuple[str, float, bool]]] = defaultdict(list)
    for row in rows:
        groups[row[0] if key == 0 else min(0.9, int(row[1] * 10) / 10)].append(row)
    lines = []
    for name in sorted(groups, key=str):
        group = groups[name]
        right = sum(1 for r in group if r[2])
        mean = sum(r[1] for r in group) / len(group)
        lines.append(
            f"  {name!s:<12} n={len(group):>3}  right={right:>3}  "
            f"share={right / len(group):.2f}  confidence={mean:.2f}"
        )
    return lines


def main() -> None:
    """Answer every gold question and print the reliability tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=get_settings().data_dir)
    parser.add_argument("sets", nargs="*", default=["dev", "dev2"])
    args = parser.parse_args()
    kb = load_kb(args.data_dir, embed_model=get_settings().embed_model)
    grade = load_grader()
    for name in args.sets:
        rows = []
        for gold in gold_rows(name):
            result = answer_to_json(answer(gold["question"], kb))
            right = bool(grade(gold, result)["correct"])
            rows.append((shape(str(result["intent"])), float(result["confidence"]), right))
        total = sum(1 for r in rows if r[2])
        print(f"{name}: {total}/{len(rows)} right")
        print(" by answer shape:")
        print("\n".join(table(rows, 0)))
        print(" by reported confidence:")
        print("\n".join(table(rows, 1)))


if __name__ == "__main__":
    main()
