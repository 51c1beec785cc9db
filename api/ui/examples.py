"""Example questions made from what the graph knows best, and the console's example queries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.kb import KB

QUERY = (Path(__file__).resolve().parent / "queries" / "example_subjects.rq").read_text("utf-8")
# One phrasing per kind of fact, filled with the entity (and detail) the graph backs most often,
# so the examples suit whatever deck was ingested. Order is the order shown.
QUESTION_FORMS: dict[str, str] = {
    "writes_to": "Which services write to {label}?",
    "limit": "What is the maximum {detail} of {label}?",
    "negation": "Can {label} write to {detail}?",
    "security": "Which security features does {label} have?",
}


@dataclass(frozen=True)
class ExampleQuery:
    """A SPARQL example of the console: its title (the file's first comment) and text."""

    title: str
    query: str


def example_questions(kb: KB) -> list[str]:
    """One question per kind of fact, about the entity with the most facts of that kind."""
    results = kb.store.query(QUERY)
    assert isinstance(results, ox.QuerySolutions)
    best: dict[str, str] = {}
    for row in results:
        kind = str(row["kind"].value)
        if kind in QUESTION_FORMS and kind not in best:
            best[kind] = QUESTION_FORMS[kind].format(
                label=row["label"].value, detail=row["detail"].value
            )
    return [best[kind] for kind in QUESTION_FORMS if kind in best]


def read_example(path: Path) -> ExampleQuery:
    """An example query file: a '# title' line, then the query."""
    text = path.read_text("utf-8")
    first, _, rest = text.partition("\n")
    return ExampleQuery(title=first.lstrip("# ").strip(), query=rest.strip() + "\n")


def load_example_queries(folder: Path) -> list[ExampleQuery]:
    """Every example query of folder, in file-name order."""
    return [read_example(path) for path in sorted(folder.glob("*.rq"))]
