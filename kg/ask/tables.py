"""Tables a slide prints as label lines: a header of column names, then rows of a label followed by
one value per column. The text export keeps neither cell borders nor alignment, so cells are cut
by what starts one (a figure, a value word like "None", a capitalised word after a finished value)
and what cannot (a unit after its number, a lower-case word, anything inside brackets).

Rows are read once per slide text and cached; the header is split per call, with the gazetteer's
names keeping "Glacier Instant Retrieval" in one column.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from typing import Final, Generic, TypeVar

from kg.ask.amounts import plain, rules_data, size_unit, time_seconds, units
from kg.linking import alias_index, longest_exact, tokenise

# What a cut costs (SPLIT_*) and what leaving a place uncut costs (JOIN_*); a row is read as the
# cheapest cut into label + one cell per column.
SPLIT_AFTER_VALUE: Final = 0.1  # a capitalised word after a finished value starts a new cell
SPLIT_IN_PHRASE: Final = 0.3  # between two capitalised words: usually one name ("Group ID")
JOIN_STRONG: Final = 1.0  # a figure or value word inside a cell: two values merged
JOIN_LINE: Final = 0.3  # a label continued on the next line ("Min. Storage / Duration Charge")
# A line glued after a finished value is usually the next row's label or text after the table.
JOIN_LINE_AFTER_VALUE: Final = 1.0
JOIN_AFTER_VALUE: Final = 0.1
# A row whose best cut merges two values is not a row of this table.
MAX_ROW_COST: Final = 0.95
# Skipping a line costs this: a row read at a lower cost is preferred to leaving its lines out.
SKIP_LINE: Final = 1.0
MAX_ROW_LINES: Final = 8
# The longest phrase looked for printed again in the next cell.
MAX_REPEAT: Final = 4
# Header cuts: inside a known name never, at a name's start or a line start free, mid-line dear.
HEADER_MID_LINE: Final = 0.5
# A header cell over the label column ("Time to Transfer") is read only when it fits better.
CORNER_COST: Final = 0.5
MAX_HEADER_COST: Final = 0.95
# Earlier cuts win ties, so a row label stays as short as the values allow.
TIE_BREAK: Final = 1e-4
MIN_COLUMNS: Final = 2
FIGURE_RE: Final = re.compile(r"^[$€£]?\d")
URL_RE: Final = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)
BULLETS: Final = ("•", "▪", "◦", "‣")


T = TypeVar("T")


class Kind(StrEnum):
    """What a token of a table line is."""

    FIGURE = "figure"
    COMPARATOR = "comparator"
    VALUE = "value"
    UNIT = "unit"
    CONNECTOR = "connector"
    LOWER = "lower"
    WORD = "word"


# Tokens that start a cell of their own.
STRONG_KINDS: Final = frozenset({Kind.FIGURE, Kind.COMPARATOR, Kind.VALUE})


@dataclass(frozen=True)
class Token:
    """One whitespace-separated token of a table's lines."""

    text: str
    kind: Kind
    line: int
    line_start: bool
    continues: bool
    strong: bool


@dataclass(frozen=True)
class Row:
    """A label and its cells, one per column, with the slide lines it was read from."""

    label: str
    cells: tuple[str, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Grid:
    """One reading of a table's lines: `header_lines` name the columns, `rows` follow them."""

    width: int
    rows: tuple[Row, ...]
    header_lines: tuple[str, ...]
    cost: float


@dataclass(frozen=True)
class Table:
    """A table: column names, the name over the label column, and the rows."""

    columns: tuple[str, ...]
    corner: str
    rows: tuple[Row, ...]
    header_lines: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The table words of kg/data/compute_rules.toml."""

    value_words: frozenset[str]
    comparators: frozenset[str]
    connectors: frozenset[str]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Value words, comparators and connectors, read once."""
    data = rules_data()["table"]
    return Vocabulary(
        value_words=frozenset(data["value_words"]),
        comparators=frozenset(data["comparators"]),
        connectors=frozenset(data["connectors"]),
    )


def slide_lines(text: str) -> list[str]:
    """A slide's lines, folded; a word hyphenated across lines is joined ("Intelligent-Tiering")."""
    lines: list[str] = []
    for raw in plain(text).splitlines():
        line = raw.strip()
        if not line:
            continue
        if lines and re.search(r"[A-Za-z]-$", lines[-1]) and line[:1].isalpha():
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def regions(lines: Sequence[str]) -> list[list[str]]:
    """Runs of lines that can hold a table: no bullets, no links."""
    out: list[list[str]] = [[]]
    for line in lines:
        if line.startswith(BULLETS) or URL_RE.match(line):
            if out[-1]:
                out.append([])
            continue
        out[-1].append(line)
    return [region for region in out if len(region) >= 2]


def kind_of(text: str, previous: Kind | None, *, same_line: bool) -> Kind:
    """The kind of one token; a unit word is a unit only right after its number on the same
    line ("30 Days")."""
    words = vocabulary()
    key = text.lower().strip(".,;:")
    if text in words.comparators:
        return Kind.COMPARATOR
    if FIGURE_RE.match(text):
        return Kind.FIGURE
    if key in words.value_words:
        return Kind.VALUE
    if key in words.connectors or not any(c.isalnum() for c in text):
        return Kind.CONNECTOR
    if previous is Kind.FIGURE and same_line and is_unit(text):
        return Kind.UNIT
    if text[:1].islower():
        return Kind.LOWER
    return Kind.WORD


def is_unit(text: str) -> bool:
    """Whether a token is a unit that belongs to the number before it ("KB", "Days", "Mbps")."""
    core = text.strip(".,;:")
    if core.endswith("/s"):
        return True
    return (
        bool(size_unit(core, None) or time_seconds(core) or core.lower() in units().bitrate)
        or core.lower().rstrip("s") in units().size_words
    )


def tokens_of(lines: Sequence[str]) -> list[Token]:
    """The tokens of some lines, each marked as continuing its cell or starting one."""
    out: list[Token] = []
    depth = 0
    for number, line in enumerate(lines):
        for position, text in enumerate(line.split()):
            previous = out[-1] if out else None
            kind = kind_of(text, previous.kind if previous else None, same_line=position > 0)
            continues = previous is not None and (
                depth > 0
                or text[0] in "()]},;.…'’"
                or kind in (Kind.CONNECTOR, Kind.LOWER)
                or previous.kind in (Kind.CONNECTOR, Kind.COMPARATOR)
                or kind is Kind.UNIT
                or (kind is Kind.FIGURE and position > 0 and previous.text.endswith(":"))
            )
            strong = not continues and kind in STRONG_KINDS
            out.append(Token(text, kind, number, position == 0, continues, strong))
            depth = max(0, depth + text.count("(") - text.count(")"))
    return out


def finished(token: Token) -> bool:
    """Whether a token ends a value, so a capitalised word after it starts a new cell."""
    return token.kind in (Kind.LOWER, Kind.FIGURE, Kind.UNIT, Kind.VALUE) or token.text.endswith(
        ")"
    )


def row_costs(tokens: Sequence[Token]) -> list[tuple[float, float]]:
    """(cut, no cut) cost before each token of a row (the first token has none)."""
    costs = [(math.inf, 0.0)]
    starts = repeat_starts(tokens)
    for previous, token in zip(tokens, tokens[1:], strict=False):
        if token.continues:
            costs.append((math.inf, 0.0))
        elif token.strong:
            costs.append((0.0, JOIN_STRONG))
        elif len(costs) in starts:
            costs.append((0.0, SPLIT_IN_PHRASE))
        elif token.line_start and finished(previous):
            costs.append((0.0, JOIN_LINE_AFTER_VALUE))
        elif token.line_start:
            costs.append((SPLIT_IN_PHRASE, JOIN_LINE))
        elif finished(previous):
            costs.append((SPLIT_AFTER_VALUE, JOIN_AFTER_VALUE))
        else:
            costs.append((SPLIT_IN_PHRASE, 0.0))
    return costs


def repeat_starts(tokens: Sequence[Token]) -> set[int]:
    """Places where a phrase that began a cell is printed again ("Per GB Per GB"): a repeated
    cell, so a cut belongs there."""
    texts = [t.text for t in tokens]
    starts: set[int] = set()
    for i in range(1, len(tokens)):
        for length in range(1, min(MAX_REPEAT, i) + 1):
            j = i - length
            anchored = tokens[j].strong or j in starts or (j > 0 and finished(tokens[j - 1]))
            if anchored and j > 0 and texts[i : i + length] == texts[j:i]:
                starts.add(i)
                break
    return starts


def cut(costs: Sequence[tuple[float, float]], cells: int) -> tuple[float, list[int]] | None:
    """The cheapest way to cut tokens into exactly `cells` runs: (cost, cut positions)."""
    if cells < 1:
        return None
    base = sum(join for _, join in costs)
    open_places = [
        (split - join + TIE_BREAK * i, i)
        for i, (split, join) in enumerate(costs)
        if split < math.inf
    ]
    if len(open_places) < cells - 1:
        return None
    chosen = sorted(open_places)[: cells - 1]
    cost = base + sum(delta - TIE_BREAK * i for delta, i in chosen)
    return cost, sorted(i for _, i in chosen)


def pieces(tokens: Sequence[Token], places: Sequence[int]) -> list[str]:
    """The texts of the runs between cut positions."""
    bounds = [0, *places, len(tokens)]
    return [" ".join(t.text for t in tokens[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def read_row(lines: Sequence[str], tokens: Sequence[Token], width: int) -> tuple[float, Row] | None:
    """Lines (and their tokens) read as one row of `width` columns (label + width cells), with the
    cut's cost. A row over several lines starts most of its cells with a figure or a value word:
    lines of names, "key: value" notes or two rows run together are not one."""
    if len(tokens) <= width or tokens[0].kind in (Kind.LOWER, Kind.CONNECTOR):
        return None
    if tokens[0].text[0] in "()":
        return None
    found = cut(row_costs(tokens), width + 1)
    if found is None or found[0] > MAX_ROW_COST:
        return None
    places = found[1]
    if len(lines) > 1 and sum(tokens[i].strong for i in places) * 2 <= width:
        return None
    texts = pieces(tokens, places)
    return found[0], Row(texts[0], tuple(texts[1:]), tuple(lines))


def strong_counts(lines: Sequence[str]) -> list[int]:
    """How many cells each line starts with a figure or a value word."""
    counts = [0] * len(lines)
    for token in tokens_of(lines):
        counts[token.line] += token.strong
    return counts


RowReader = Callable[[int, int], "tuple[float, Row] | None"]


def read_rows(
    lines: Sequence[str], start: int, first_value: int, row_at: RowReader
) -> tuple[float, list[tuple[int, Row]]]:
    """The cheapest reading of lines[start:] as rows and skipped lines: (cost, rows with the index
    of their first line); `row_at(a, b)` reads lines[a:b] as one row. No row ends before the
    first line holding a value."""
    best: list[tuple[float, list[tuple[int, Row]]]] = [(0.0, [])]
    for end in range(start + 1, len(lines) + 1):
        cost, rows = best[-1]
        options = [(cost + SKIP_LINE, rows)]
        for first in range(max(start, end - MAX_ROW_LINES), end if end > first_value else start):
            found = row_at(first, end)
            if found is not None:
                before, rows_before = best[first - start]
                options.append((before + found[0], [*rows_before, (first, found[1])]))
        best.append(min(options, key=lambda option: (option[0], -len(option[1]))))
    return best[-1]


@lru_cache(maxsize=512)
def read_grids(text: str) -> tuple[Grid, ...]:
    """The readings of the table a slide's text prints, one per column count and header extent;
    none when it prints no table."""
    return tuple(grid for region in regions(slide_lines(text)) for grid in region_grids(region))


def region_grids(lines: Sequence[str]) -> list[Grid]:
    """Readings of one run of lines: for the column count the lines with several values agree
    on (or one less, when each row's label is itself a figure), and for each split of the lines
    before the first value into header lines and the first row's label lines."""
    tokens = tokens_of(lines)
    counts = [0] * len(lines)
    for token in tokens:
        counts[token.line] += token.strong
    several = [n for n in counts if n >= MIN_COLUMNS]
    if not several:
        return []
    # The count most lines agree on; on a tie the wider, which keeps more cells apart.
    common = max(Counter(several).items(), key=lambda item: (item[1], item[0]))[0]
    first_value = next(i for i, n in enumerate(counts) if n)
    grids = []
    for width in (common, common - 1):
        if width < MIN_COLUMNS:
            continue
        row_at = row_reader(lines, tokens, width)
        for header in range(first_value + 1):
            cost, rows = read_rows(lines, header, first_value, row_at)
            if rows:
                body = tuple(row for _, row in rows)
                grids.append(Grid(width, body, tuple(lines[:header]), cost))
    return grids


def row_reader(lines: Sequence[str], tokens: Sequence[Token], width: int) -> RowReader:
    """read_row over lines[a:b], remembered (every header extent reads the same rows); the
    tokens are the region's, the first one read afresh as the start of a row."""
    by_line: list[list[Token]] = [[] for _ in lines]
    for token in tokens:
        by_line[token.line].append(token)
    memo: dict[tuple[int, int], tuple[float, Row] | None] = {}

    def row_at(start: int, end: int) -> tuple[float, Row] | None:
        if (start, end) not in memo:
            group = [token for line in by_line[start:end] for token in line]
            if group:
                head = group[0]
                group[0] = replace(head, continues=False, strong=head.kind in STRONG_KINDS)
            memo[start, end] = read_row(lines[start:end], group, width)
        return memo[start, end]

    return row_at


def header_costs(
    tokens: Sequence[Token], names: Sequence[tuple[int, int]]
) -> list[tuple[float, float]]:
    """(cut, no cut) cost before each header token; `names` are token spans of known names. A
    line after a complete name is a new column, as a line after a finished value is a new cell."""
    inside = {i for a, b in names for i in range(a + 1, b)}
    starts = {a for a, _ in names}
    ends = {b for _, b in names}
    costs = [(math.inf, 0.0)]
    for i, token in enumerate(tokens[1:], start=1):
        if i in inside or token.continues:
            costs.append((math.inf, 0.0))
        elif i in starts or token.strong:
            costs.append((0.0, JOIN_STRONG if token.strong else JOIN_LINE))
        elif token.line_start:
            costs.append((0.0, JOIN_LINE_AFTER_VALUE if i in ends else JOIN_LINE))
        else:
            costs.append((HEADER_MID_LINE, 0.0))
    return costs


class Identity(Generic[T]):
    """An object compared by identity, so that work over it can be cached (an alias table, a
    passage store); the cache holds it, so its identity is never reused while cached."""

    def __init__(self, value: T) -> None:
        """Wrap the object."""
        self.value = value

    def __hash__(self) -> int:
        """The object's identity."""
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        """Whether both wrap the same object."""
        return isinstance(other, Identity) and other.value is self.value


def name_spans(tokens: Sequence[Token], aliases: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """Token spans that are a known name, with its entity, longest first from the left."""
    owner: list[int] = []
    for i, token in enumerate(tokens):
        owner.extend([i] * (len(token.text) + 1))
    text = " ".join(t.text for t in tokens)
    return [
        (owner[start], owner[end - 1] + 1, entity)
        for start, end, entity in text_names(text, Identity(aliases))
    ]


@lru_cache(maxsize=8192)
def text_names(text: str, names: Identity[Mapping[str, str]]) -> tuple[tuple[int, int, str], ...]:
    """(start, end, entity) character spans of the known names in a text, longest first."""
    words = tokenise(text)
    width = alias_index(names.value).width
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        span = longest_exact(words, i, names.value, width=width)
        if span is None:
            i += 1
            continue
        spans.append((words[span[0]].start, words[span[1] - 1].end, span[2]))
        i = span[1]
    return tuple(spans)


def split_header(
    lines: Sequence[str], width: int, aliases: Mapping[str, str]
) -> tuple[float, str, tuple[str, ...]] | None:
    """Header lines cut into `width` column names, or `width` + 1 with the label column's name
    first: (cost, corner, columns). No column may hold two known names."""
    tokens = tokens_of(lines)
    spans = name_spans(tokens, aliases)
    costs = header_costs(tokens, [(a, b) for a, b, _ in spans])
    options = []
    for cells, extra in ((width, 0.0), (width + 1, CORNER_COST)):
        found = cut(costs, cells)
        if found is None or mixes_names(found[1], spans):
            continue
        texts = pieces(tokens, found[1])
        corner, columns = (texts[0], texts[1:]) if cells > width else ("", texts)
        options.append((found[0] + extra, corner, tuple(columns)))
    return min(options, default=None, key=lambda option: option[0])


def mixes_names(places: Sequence[int], spans: Sequence[tuple[int, int, str]]) -> bool:
    """Whether a cut leaves two different known names in one cell."""
    bounds = [0, *places]
    cells: dict[int, set[str]] = {}
    for start, _, entity in spans:
        cell = max(i for i, bound in enumerate(bounds) if bound <= start)
        cells.setdefault(cell, set()).add(entity)
    return any(len(entities) > 1 for entities in cells.values())


def read_table(text: str, aliases: Mapping[str, str]) -> Table | None:
    """The table a slide prints with its column names: the reading with the most rows whose
    header lines cut cleanly into its columns (ties: the cheaper cut, the longer header); when no
    header does, the first row is the header. Cached per slide text and alias table."""
    return named_table(text, Identity(aliases))


@lru_cache(maxsize=512)
def named_table(text: str, names: Identity[Mapping[str, str]]) -> Table | None:
    """read_table over a wrapped alias table."""
    best: tuple[tuple[float, ...], Table] | None = None
    for grid in read_grids(text):
        header = header_table(grid, names.value)
        if header is None:
            continue
        table, cost = header
        key = (-len(table.rows), round(cost + grid.cost, 6), -len(grid.header_lines))
        if best is None or key < best[0]:
            best = (key, table)
    return best[1] if best else None


def header_table(grid: Grid, aliases: Mapping[str, str]) -> tuple[Table, float] | None:
    """A reading as a table: its header lines as column names, else its first row. A row label
    may be a figure only when the column names are figures too (volumes by link speeds)."""
    table: Table | None = None
    cost = MAX_HEADER_COST
    if grid.header_lines:
        header = split_header(grid.header_lines, grid.width, aliases)
        if header is not None and header[0] <= MAX_HEADER_COST:
            cost, corner, columns = header
            table = Table(columns, corner, grid.rows, grid.header_lines)
    if table is None and len(grid.rows) >= MIN_COLUMNS:
        first = grid.rows[0]
        table = Table(first.cells, first.label, grid.rows[1:], first.lines)
    if table is None:
        return None
    table = consistent(table)
    return (table, cost) if table.rows else None


def consistent(table: Table) -> Table:
    """The table without rows labelled by a figure under named columns: such a row is a line
    of values read as a label ("$0.023 ..."). Volumes by link speeds keep theirs."""
    if all(FIGURE_RE.match(column) for column in table.columns):
        return table
    rows = tuple(row for row in table.rows if not FIGURE_RE.match(row.label))
    return Table(table.columns, table.corner, rows, table.header_lines)
