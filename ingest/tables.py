"""Flattened comparison tables: a header of column names, then rows of one cell per column."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ingest.limits import find_quantities
from ingest.relations import Located, make_fact
from kg.types import Entity, Fact, Quantity, Slide

# A cell that states no figure ("365 days No 14 days"): it still takes its column's place.
EMPTY_CELL = re.compile(r"(?<![\w/])(?:none|no|n/a|yes|unlimited|-)(?![\w/])", re.IGNORECASE)
# Words of a header label outside entity names that still name a column ("Standard" before
# "Intelligent-Tiering"): a capitalised word.
COLUMN_WORD = re.compile(r"[A-Z][\w-]*")
# Entity kinds a column can be.
COLUMN_KINDS = frozenset({"Service", "Feature", "Software", "ThirdPartyProduct"})
# Row-label words that add nothing to the quantity's name ("Max Data Retention": retention).
PLAIN_ROW_WORDS = frozenset({"max", "maximum", "min", "minimum", "data", "of", "the", "per"})
# A table has at least this many columns; fewer is a label and a value.
MIN_COLUMNS = 2


@dataclass(frozen=True)
class Cell:
    """One cell of a row: its place in the row text and its figures (none for an empty cell)."""

    start: int
    end: int
    figures: tuple[Quantity, ...] = ()


def header_columns(
    items: Sequence[Located], gazetteer: Mapping[str, Entity]
) -> tuple[list[str | None], int]:
    """The columns the leading labels name (None for a column no entity names) and how many
    items the header takes."""
    columns: list[str | None] = []
    taken = 0
    for item in items:
        if item.segment.kind == "title" or item.segment.kind == "link":
            taken += 1
            continue
        named = label_columns(item, gazetteer)
        if item.segment.kind != "label" or find_quantities(item.segment.text) or not any(named):
            break
        columns += named
        taken += 1
    return columns, taken


def label_columns(item: Located, gazetteer: Mapping[str, Entity]) -> list[str | None]:
    """The columns one header label names, in order: its entities and its unnamed words."""
    text, position = item.segment.text, 0
    columns: list[str | None] = []
    spans = [s for s in item.spans if s[0] in gazetteer and gazetteer[s[0]].type in COLUMN_KINDS]
    for entity, start, end in [*spans, ("", len(text), len(text))]:
        if COLUMN_WORD.search(text[position:start]):
            columns.append(None)
        if entity:
            columns.append(entity)
        position = max(position, end)
    return columns


def row_cells(text: str) -> list[Cell]:
    """The cells of a row: each figure (a range is one cell) and each empty-cell word, in order."""
    cells: list[Cell] = []
    position = 0
    for quantity in find_quantities(text, table=True):
        start = text.find(quantity.text, position)
        if start < 0:
            continue
        if cells and cells[-1].start == start:
            last = cells[-1]
            cells[-1] = replace(last, figures=(*last.figures, quantity))
            continue
        cells += [Cell(m.start(), m.end()) for m in EMPTY_CELL.finditer(text, position, start)]
        cells.append(Cell(start, start + len(quantity.text), (quantity,)))
        position = start + len(quantity.text)
    cells += [Cell(m.start(), m.end()) for m in EMPTY_CELL.finditer(text, position)]
    return cells


def cell_note(text: str, cell: Cell, following: Cell | None) -> str:
    """Words after a cell's figure up to the next cell ("at destination", "(more if ...)")."""
    end = following.start if following is not None else len(text)
    return text[cell.end : end].strip(" ()-–,;=")


def table_facts(
    slide: Slide, items: Sequence[Located], gazetteer: Mapping[str, Entity]
) -> tuple[list[Fact], set[int]]:
    """Limits read from a flattened table, each owned by its column's entity and named by its
    row label; and the indexes of its rows, whose figures no other rule should read (a row
    whose cells do not line up with the columns cannot say which column a figure is of)."""
    columns, taken = header_columns(items, gazetteer)
    if len(columns) < MIN_COLUMNS or not any(columns):
        return [], set()
    facts: list[Fact] = []
    read: set[int] = set()
    label: Located | None = None
    for n in range(taken, len(items)):
        item = items[n]
        if item.segment.kind not in ("label", "text"):
            break
        text = item.segment.text
        cells = row_cells(text)
        if not cells:
            label = item  # a row label printed on its own line ("Min. Storage / Duration")
            continue
        own = text[: cells[0].start].strip()
        row = (own or (label.segment.text if label else "")).strip(" :")
        segment = item.segment
        if not own and label is not None:
            segment = replace(
                segment, text=f"{label.segment.text} {text}", line_start=label.segment.line_start
            )
        label = None
        read.add(n)
        if len(cells) != len(columns) or not row:
            continue
        for index, (column, cell) in enumerate(zip(columns, cells, strict=True)):
            later = [c for c in cells[index + 1 :] if c.start > cell.start]
            following = later[0] if later else None
            if column is None or not cell.figures:
                continue
            note = cell_note(text, cell, following)
            facts += [
                make_fact(slide, segment, kind="limit", subject=column, limit=limit)
                for limit in cell_limits(row, text[cell.start : cell.end], note)
            ]
    return facts, read


def cell_limits(row: str, cell: str, note: str) -> list[Quantity]:
    """The limits one cell states, read as its row label followed by the cell
    ("Max Data Retention" + "365 days": retention, maximum) with the cell's note."""
    found = find_quantities(f"{row} {cell}", table=True)
    return [
        replace(
            quantity,
            qualifier="; ".join(
                dict.fromkeys(q for q in (quantity.qualifier, note, row_words(row, quantity)) if q)
            ),
            text=cell,
        )
        for quantity in found
        if quantity.text in cell
    ]


def row_words(row: str, quantity: Quantity) -> str:
    """The row label when it says more than the quantity's name ("Availability SLA")."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", row)}
    named = {w.lower() for w in re.findall(r"[A-Za-z]+", quantity.quantity)}
    return row if words - named - PLAIN_ROW_WORDS else ""
