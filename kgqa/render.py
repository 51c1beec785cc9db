"""Terminal rendering of answers and SPARQL results."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyoxigraph as ox
from rich.console import Console
from rich.table import Table

from kg.types import Answer


def render_answer(console: Console, answer: Answer) -> None:
    """An answer as a person reads it: sentence, items, value, verdict, sources."""
    console.print(f"[bold]{answer.answer}[/bold]")
    if answer.value is not None:
        console.print(
            f"value: [bold green]{answer.value.text}[/bold green] ({answer.value.quantity})"
        )
    if answer.verdict is not None:
        console.print(f"verdict: [bold]{answer.verdict}[/bold]")
    for item in answer.items:
        slides = ", ".join(str(ref.slide) for ref in item.sources)
        console.print(f"  • {item.label} [dim](slides {slides})[/dim]")
    if answer.sources:
        console.print("[dim]sources:[/dim]")
        for ref in answer.sources:
            where = f"lines {ref.lines[0]}-{ref.lines[1]}" if ref.lines else f"page {ref.page}"
            console.print(f"  [dim]slide {ref.slide} ({where}) {ref.title} score {ref.score}[/dim]")
    console.print(f"[dim]intent {answer.intent}, confidence {answer.confidence}[/dim]")


def results_rows(results: Any) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a SELECT result, ASK as one boolean cell, graphs as triples."""
    if isinstance(results, (bool, ox.QueryBoolean)):
        return ["boolean"], [[str(bool(results)).lower()]]
    if isinstance(results, ox.QuerySolutions):
        names = [v.value for v in results.variables]
        return names, [
            [str(row[n].value) if row[n] is not None else "" for n in names] for row in results
        ]
    return ["subject", "predicate", "object"], [
        [str(t.subject), str(t.predicate), str(t.object)] for t in results
    ]


def print_results(console: Console, results: Any, fmt: str) -> None:
    """Print query results as a table, CSV or JSON rows."""
    header, rows = results_rows(results)
    if fmt == "json":
        print(json.dumps([dict(zip(header, row, strict=True)) for row in rows], indent=1))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        print(buffer.getvalue(), end="")
    else:
        table = Table(*header)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        console.print(f"[dim]{len(rows)} rows[/dim]")
