"""Throughput arithmetic: the shards a stream needs for a throughput, by the per-shard limits the
deck states, and the time a data volume takes over a link, from the deck's table of transfer
times when it prints one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Final

from kg.ask.amounts import Amount, Measure, ceil, read_amounts, show_duration
from kg.ask.execute import ask_index
from kg.ask.figures import Figure
from kg.ask.retrieve import Ranked
from kg.ask.store import PassageStore
from kg.ask.tables import Row, Table, read_table
from kg.ask.worked import (
    Computation,
    ComputeKind,
    Question,
    cues,
    deck_places,
    figure_of,
    first_line,
    passages_of,
    row_passages,
    same,
    single_amount,
    statements,
)
from kg.graph import slide_iri
from kg.kb import KB

BITS_PER_BYTE: Final = 8
# Link speeds in a slide's text: the cheap test before a table is read.
BITRATE_HINT: Final = re.compile(r"\d\s?[KMGT]bps", re.IGNORECASE)


class Flow(StrEnum):
    """Which way data moves through a shard; the rules file's cue of each has its name."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


def shard_count(kb: KB, question: Question, ranked: Sequence[Ranked]) -> Computation | None:
    """Shards a throughput needs: each demand over the per-shard limit the deck states for its
    direction, rounded up, the largest of them."""
    cue = cues().shard
    if not cue["question"].search(question.text):
        return None
    demands = shard_demands(question)
    if not demands:
        return None
    # A question that names no direction asks what writing the data needs.
    reads = cue[Flow.OUTGOING].search(question.text) and not cue[Flow.INCOMING].search(
        question.text
    )
    direction = Flow.OUTGOING if reads else Flow.INCOMING
    store = ask_index(kb).store
    terms: list[tuple[Amount, Amount, int]] = []
    pids: list[int] = []
    for demand in demands:
        limit = shard_limit(store, ranked, demand.measure, direction)
        if limit is not None:
            terms.append((demand, limit[0], ceil(demand.base / limit[0].base)))
            pids += limit[1]
    if not terms:
        return None
    result = max(count for _, _, count in terms)
    shown = [f"⌈{term(d)} ÷ {lim.shown}⌉" for d, lim, _ in terms]
    formula = (shown[0] if len(shown) == 1 else f"max({', '.join(shown)})") + f" = {result}"
    formula += " shard" if result == 1 else " shards"
    passages = passages_of(store, pids)
    figure = figure_of(result, "shards", "shards", Measure.COUNT, first_line(passages))
    return Computation(ComputeKind.SHARDS, figure, formula, passages)


def shard_demands(question: Question) -> list[Amount]:
    """The throughputs a question asks shards for: bytes per second and records per second; a
    record rate with a record size gives a byte rate too."""
    byterate = question.first(Measure.BYTERATE)
    rate = question.first(Measure.RATE)
    size = question.first(Measure.SIZE)
    if byterate is None and rate is not None and size is not None:
        base = rate.base * size.base
        value = rate.base * size.value
        text = f"{rate.shown} × {size.shown}"
        unit = f"{size.unit}/s"
        byterate = Amount(value, unit, Measure.BYTERATE, base, text, rate.start, size.end)
    return [a for a in (byterate, rate) if a is not None]


def term(amount: Amount) -> str:
    """An amount in a formula: a derived rate shows how it was derived ("5 records/s × 2 KB")."""
    return amount.text if "×" in amount.text else amount.shown


def shard_limit(
    store: PassageStore, ranked: Sequence[Ranked], measure: Measure, direction: Flow
) -> tuple[Amount, tuple[int, ...]] | None:
    """The per-shard limit of a measure for a direction, read from the first statement that
    gives one ("each shard gets 1MB/s in")."""
    cue = cues().shard
    for text, pids in statements(store, ranked, cue["limit"]):
        amounts = read_amounts(text)
        for i, amount in enumerate(amounts):
            if amount.measure is not measure:
                continue
            end = amounts[i + 1].start if i + 1 < len(amounts) else len(text)
            after, before = text[amount.end : end], text[: amount.start]
            said = amount_direction(after, nearest_last=False) or amount_direction(
                before, nearest_last=True
            )
            if said == direction:
                return amount, pids
    return None


def amount_direction(text: str, *, nearest_last: bool) -> Flow | None:
    """The direction the cue nearest to an amount names: the first cue after it, or the last
    one before it ("1MB/s in", "writes: 1 MB/s")."""
    cue = cues().shard
    found = [(match.start(), flow) for flow in Flow for match in cue[flow].finditer(text)]
    if not found:
        return None
    return (max(found) if nearest_last else min(found))[1]


# ------------------------------------------------------------------ transfer times


def transfer_time(kb: KB, question: Question, ranked: Sequence[Ranked]) -> Computation | None:
    """How long a volume takes over a link: the deck's table of volumes by link speeds (its cell,
    or its nearest cell scaled), else the volume in bits over the speed."""
    volume = question.first(Measure.SIZE)
    speed = question.first(Measure.BITRATE)
    if volume is None or speed is None or not cues().transfer.search(question.text):
        return None
    found = transfer_table(kb, ranked)
    if found is None:
        seconds = volume.base * BITS_PER_BYTE / speed.base
        formula = (
            f"{volume.shown} × {BITS_PER_BYTE} bits ÷ {speed.shown} = {show_duration(seconds)}"
            " at the full line rate"
        )
        figure = duration_figure(seconds, 0)
        return Computation(ComputeKind.TRANSFER, figure, formula, ())
    place, table, by_rows = found
    cells = transfer_cells(table, by_rows)
    if not cells:
        return None
    exact = [c for c in cells if same(c[0], volume) and same(c[1], speed)]
    store = ask_index(kb).store
    if exact:
        cell_volume, cell_speed, duration, row = exact[0]
        formula = (
            f"{cell_volume.shown} over {cell_speed.shown} = {duration.shown} (the deck's table)"
        )
        seconds = duration.base
    else:
        cell_volume, cell_speed, duration, row = min(
            cells, key=lambda c: (not same(c[1], speed), ratio(c[0].base, volume.base))
        )
        seconds = duration.base * (volume.base / cell_volume.base) * (cell_speed.base / speed.base)
        formula = f"{duration.shown} × ({volume.shown} ÷ {cell_volume.shown})"
        if not same(cell_speed, speed):
            formula += f" × ({cell_speed.shown} ÷ {speed.shown})"
        formula += (
            f" = {show_duration(seconds)} (scaled from the deck's table: {cell_volume.shown}"
            f" over {cell_speed.shown} takes {duration.shown})"
        )
    passages = row_passages(store, place, table, row)
    return Computation(
        ComputeKind.TRANSFER, duration_figure(seconds, first_line(passages)), formula, passages
    )


def duration_figure(seconds: float, line: int) -> Figure:
    """A duration as a figure in the unit it is shown in ("12 days")."""
    text = show_duration(seconds)
    number, unit = text.split(" ", 1)
    return Figure(text, float(number.replace(",", "")), unit, "transfer time", "time", line)


def ratio(a: float, b: float) -> float:
    """How far apart two positive amounts are, as the larger over the smaller."""
    return max(a, b) / min(a, b) if min(a, b) > 0 else float("inf")


def transfer_table(kb: KB, ranked: Sequence[Ranked]) -> tuple[tuple[str, int], Table, bool] | None:
    """A table of transfer times: volumes by link speeds (by_rows True: volumes label the rows),
    on the best ranked slides first, then anywhere in the deck."""
    for place in deck_places(kb, ranked):
        info = kb.slides.get(str(slide_iri(*place)))
        if info is None or not BITRATE_HINT.search(info.text):
            continue
        table = read_table(info.text, kb.aliases)
        if table is None:
            continue
        columns = [single_amount(c) for c in table.columns]
        labels = [single_amount(r.label) for r in table.rows]
        for by_rows, across, down in ((True, columns, labels), (False, labels, columns)):
            if all(a and a.measure is Measure.BITRATE for a in across) and all(
                a and a.measure is Measure.SIZE for a in down
            ):
                return place, table, by_rows
    return None


def transfer_cells(table: Table, by_rows: bool) -> list[tuple[Amount, Amount, Amount, Row]]:
    """(volume, speed, duration, row) of every cell of a transfer table that states a time."""
    out = []
    for row in table.rows:
        label = single_amount(row.label)
        for column, cell in zip(table.columns, row.cells, strict=False):
            head, duration = single_amount(column), single_amount(cell)
            if label is None or head is None or duration is None:
                continue
            if duration.measure is not Measure.TIME:
                continue
            volume, speed = (label, head) if by_rows else (head, label)
            out.append((volume, speed, duration, row))
    return out
