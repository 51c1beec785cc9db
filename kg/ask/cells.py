"""Table cells: the value a printed table gives for the row and the column a question names
("the minimum storage duration of Glacier Deep Archive")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kg.ask.amounts import Measure, plain, read_amounts
from kg.ask.execute import ask_index
from kg.ask.figures import Figure
from kg.ask.retrieve import Ranked
from kg.ask.store import Passage
from kg.ask.tables import Identity, Row, Table, read_table, text_names
from kg.ask.text import stem, stopwords
from kg.ask.worked import (
    DIMENSIONS,
    FIGURE_START,
    Computation,
    ComputeKind,
    Question,
    Word,
    first_line,
    ranked_places,
    row_passages,
    same,
    single_amount,
)
from kg.gazetteer import WORD_RE
from kg.graph import slide_iri
from kg.kb import KB

# The best ranked slides a table is looked for on.
TABLE_SLIDES: Final = 8
# A table cell is read when the question names its row and its column this well (the share of
# their words the question uses); a column named as well as another is no answer.
MIN_COLUMN_MATCH: Final = 0.6
MIN_ROW_MATCH: Final = 0.5
# The row and column together must name this share of the question's words outside entity names
# and amounts, so a question about something else that happens to share a label word is not
# answered from a table.
MIN_COVERAGE: Final = 0.5
# An abbreviated label word ("Min.", "Max") matches a question word it starts, from this length.
MIN_ABBREVIATION: Final = 3


def table_cell(kb: KB, question: Question, ranked: Sequence[Ranked]) -> Computation | None:
    """The cell of a printed table whose row label and column name the question both names."""
    best: tuple[float, Computation] | None = None
    for place in ranked_places(ranked, TABLE_SLIDES):
        info = kb.slides.get(str(slide_iri(*place)))
        table = read_table(info.text, kb.aliases) if info else None
        if table is None:
            continue
        found = match_cell(kb, question, table)
        if found is None:
            continue
        score, row, column = found
        if best is not None and best[0] >= score:
            continue
        cell = row.cells[column]
        store = ask_index(kb).store
        passages = row_passages(store, place, table, row)
        formula = f"{row.label} for {table.columns[column]}: {cell}"
        best = (
            score,
            Computation(ComputeKind.TABLE, cell_figure(cell, row, passages), formula, passages),
        )
    return best[1] if best else None


def cell_figure(cell: str, row: Row, passages: Sequence[Passage]) -> Figure:
    """A table cell as a figure: its first amount with its unit, else its text."""
    amounts = read_amounts(cell)
    if not amounts:
        return Figure(cell, None, "", row.label, "count", first_line(passages))
    first = amounts[0]
    unit = first.unit or (first.noun if first.measure is Measure.COUNT else "")
    return Figure(
        cell, first.value, unit, row.label, DIMENSIONS[first.measure], first_line(passages)
    )


def match_cell(kb: KB, question: Question, table: Table) -> tuple[float, Row, int] | None:
    """The (score, row, column index) the question names: a column named better than any other,
    a row named by the words the column left, together most of the question's own words (not
    its entity names); None otherwise."""
    columns = sorted(
        ((naming(kb, question, c, frozenset()), i) for i, c in enumerate(table.columns)),
        key=lambda item: (item[0].share, item[0].hits),
        reverse=True,
    )
    if not columns or columns[0][0].share < MIN_COLUMN_MATCH:
        return None
    best, column = columns[0]
    if len(columns) > 1 and tied(best, columns[1][0]):
        return None
    rows = sorted(
        ((naming(kb, question, r.label, best.used), n) for n, r in enumerate(table.rows)),
        key=lambda item: (item[0].share, item[0].hits, -item[1]),
        reverse=True,
    )
    if not rows or rows[0][0].share < MIN_ROW_MATCH:
        return None
    named, row = rows[0]
    free = {i for i, word in enumerate(question.words) if word.free}
    if free and len(free & named.used) < MIN_COVERAGE * len(free):
        return None
    return best.share + named.share, table.rows[row], column


@dataclass(frozen=True)
class Naming:
    """How well a question names a header or a label: the share of its words named, how many,
    the question's words used so far (by index), and whether a linked name named it whole."""

    share: float
    hits: int
    used: frozenset[int]
    by_name: bool = False


def tied(best: Naming, second: Naming) -> bool:
    """Whether two columns are named equally well, or both by names the question links (it
    compares them, and no one cell answers)."""
    return (second.share, second.hits) == (best.share, best.hits) or (
        best.by_name and second.by_name
    )


def naming(kb: KB, question: Question, text: str, used: frozenset[int]) -> Naming:
    """How well the question's words not yet used name a header or label; an amount the question
    states, or a known name it links, names it whole."""
    amount = single_amount(text)
    if amount is not None and FIGURE_START.match(text):
        hit = any(same(amount, a) for a in question.amounts)
        return Naming(1.0 if hit else 0.0, int(hit), used)
    words = [w.lower() for w in WORD_RE.findall(plain(text))]
    words = [w for w in words if w not in stopwords() and len(w) > 1 and not w.isdigit()]
    if not words:
        return Naming(0.0, 0, used)
    taken = set(used)
    hits = 0
    for word in words:
        found = next(
            (i for i, q in enumerate(question.words) if i not in taken and names(word, q)), None
        )
        if found is not None:
            taken.add(found)
            hits += 1
    entities = {entity for _, _, entity in text_names(text, Identity(kb.aliases))}
    by_name = bool(entities) and entities <= question.entities
    return Naming(1.0 if by_name else hits / len(words), hits, frozenset(taken), by_name)


def names(word: str, asked: Word) -> bool:
    """Whether a label word is the question's word: the same stem, or one abbreviates the other
    ("Min." and "minimum", "charge" and "charged")."""
    if stem(word) == asked.stem:
        return True
    shorter, longer = sorted((word, asked.text), key=len)
    return len(shorter) >= MIN_ABBREVIATION and longer.startswith(shorter)
