"""Capacity arithmetic by the deck's own definitions: the capacity units a workload needs (read,
write and on-demand request units) and the partitions a table is split into."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kg.ask.amounts import Amount, Measure, ceil, number_value, plain, read_amounts, show
from kg.ask.execute import ask_index
from kg.ask.retrieve import Ranked
from kg.ask.store import Passage, PassageStore
from kg.ask.worked import (
    Computation,
    ComputeKind,
    Concept,
    Question,
    cues,
    deck_places,
    figure_of,
    first_line,
    passages_of,
    statements,
)
from kg.graph import slide_iri
from kg.kb import KB


@dataclass(frozen=True)
class UnitRule:
    """What one capacity unit buys: operations per second (per consistency level, "" for any)
    of items up to a size."""

    concept: Concept
    item: Amount
    per_unit: dict[str, float]
    pids: tuple[int, ...]


def asked_concepts(question: Question) -> list[Concept]:
    """The capacity units a question names, in the order it names them."""
    found = [(m.start(), c) for c in cues().concepts if (m := c.names.search(question.text))]
    return [concept for _, concept in sorted(found, key=lambda item: item[0])]


def capacity_units(kb: KB, question: Question, ranked: Sequence[Ranked]) -> Computation | None:
    """Units a workload needs, for each unit the question names ("how many RCUs and WCUs")."""
    asked = asked_concepts(question)
    rates = [a for a in question.amounts if a.measure is Measure.RATE]
    sizes = [a for a in question.amounts if a.measure is Measure.SIZE]
    if not asked or not rates or not sizes:
        return None
    parts = []
    for concept in asked:
        rate = rate_for(concept, rates, alone=len(asked) == 1)
        if rate is not None:
            item = next((s for s in sizes if s.start > rate.start), sizes[0])
            part = units_needed(kb, question, ranked, concept, rate, item)
            if part is not None:
                parts.append(part)
    if len(parts) <= 1:
        return parts[0] if parts else None
    passages = tuple(dict.fromkeys(p for part in parts for p in part.passages))
    formula = "; ".join(part.formula for part in parts)
    return Computation(ComputeKind.CAPACITY, parts[0].figure, formula, passages)


def rate_for(concept: Concept, rates: Sequence[Amount], *, alone: bool) -> Amount | None:
    """The rate a unit is asked for: the one counting its operation ("reads"), else, when the
    question names one unit only, its first rate."""
    own = [rate for rate in rates if rate.noun.startswith(concept.operation)]
    return own[0] if own else rates[0] if alone else None


def units_needed(
    kb: KB,
    question: Question,
    ranked: Sequence[Ranked],
    concept: Concept,
    rate: Amount,
    item: Amount,
) -> Computation | None:
    """Units of one kind a rate needs: operations per second over what one unit buys, times the
    item size rounded up to the unit's size."""
    store = ask_index(kb).store
    rule = unit_rule(store, ranked, concept)
    if rule is None:
        return None
    level, pids = consistency_of(store, ranked, question, rule)
    per = rule.per_unit.get(level, rule.per_unit.get("", 0.0))
    if per <= 0:
        return None
    units = ceil(item.base / rule.item.base)
    needed = rate.base / per * units
    result = ceil(needed)
    label = next((lab for key, lab, _ in cues().consistency if key == level), "")
    formula = rate_text(rate)
    if per != 1:
        formula += f" ÷ {show(per)}" + (f" ({label})" if label else "")
    formula += f" × ⌈{item.shown} ÷ {rule.item.shown}⌉"
    formula += f" = ⌈{show(round(needed, 2))}⌉" if needed != result else ""
    formula += f" = {result} {concept.unit}"
    passages = passages_of(store, [*rule.pids, *pids])
    figure = figure_of(result, concept.unit, concept.quantity, Measure.COUNT, first_line(passages))
    return Computation(ComputeKind.CAPACITY, figure, formula, passages)


def rate_text(rate: Amount) -> str:
    """A rate as the formula shows it, per second: "16 reads/s", "120 writes/min ÷ 60 s"."""
    per_second = rate.value / rate.base if rate.base else 1.0
    if abs(per_second - 1.0) < 1e-9:
        return rate.shown
    return f"{rate.shown} ÷ {show(per_second)} s"


def unit_rule(
    store: PassageStore, ranked: Sequence[Ranked], concept: Concept, depth: int = 0
) -> UnitRule | None:
    """The deck's definition of a unit, or of the unit it is "the same as"."""
    definition = re.compile(
        cues().definition.replace("{names}", concept.names.pattern), re.IGNORECASE
    )
    for text, pids in statements(store, ranked, definition, concept.names):
        rule = parse_definition(concept, text, pids)
        if rule is not None:
            return rule
    if depth:
        return None
    for text, pids in statements(store, ranked, cues().same_as):
        for match in cues().same_as.finditer(text):
            if match.group("abbr").upper() != concept.unit.upper():
                continue
            other = next(
                (c for c in cues().concepts if c.unit.upper() == match.group("other").upper()),
                None,
            )
            borrowed = unit_rule(store, ranked, other, depth + 1) if other else None
            if borrowed is not None:
                return UnitRule(concept, borrowed.item, borrowed.per_unit, pids + borrowed.pids)
    return None


def parse_definition(concept: Concept, text: str, pids: tuple[int, ...]) -> UnitRule | None:
    """A unit's definition read from its statement: the item size and the operations per second
    one unit buys, by consistency level."""
    size = cues().item_size.search(text)
    if size is None:
        return None
    item = next(iter(read_amounts(size.group("size"))), None)
    if item is None or item.measure is not Measure.SIZE:
        return None
    per_unit: dict[str, float] = {}
    for match in cues().per_unit.finditer(text):
        count = number_value(match.group("count"))
        if count is None:
            continue
        level = next(
            (key for key, _, pattern in cues().consistency if pattern.search(match.group(0))), ""
        )
        per_unit.setdefault(level, count)
    return UnitRule(concept, item, per_unit, pids) if per_unit else None


def consistency_of(
    store: PassageStore, ranked: Sequence[Ranked], question: Question, rule: UnitRule
) -> tuple[str, tuple[int, ...]]:
    """The consistency level a read asks for: named in the question, else the deck's default,
    else the level one unit buys one read of; with the passages that say the default."""
    levels = [key for key in rule.per_unit if key]
    if rule.concept.operation != "read" or not levels:
        return "", ()
    named = [key for key, _, pattern in cues().consistency if pattern.search(question.text)]
    if named:
        return named[0], ()
    for text, pids in statements(store, ranked, cues().default):
        said = [key for key, _, pattern in cues().consistency if pattern.search(text)]
        if len(said) == 1 and said[0] in rule.per_unit:
            return said[0], pids
    return min(levels, key=lambda key: rule.per_unit[key]), ()


def capacity_amount(question: Question, operation: str) -> tuple[Amount, Concept] | None:
    """The capacity units of an operation a question gives ("6,000 RCUs"), with their unit."""
    for amount in question.amounts:
        after = question.text[amount.end :].lstrip()
        for concept in cues().concepts:
            if concept.operation == operation and concept.names.match(after):
                return amount, concept
    return None


def partition_count(kb: KB, question: Question, ranked: Sequence[Ranked]) -> Computation | None:
    """Partitions of a table by the deck's formula: capacity over the per-partition units, size
    over the per-partition size, the larger rounded up."""
    cue = cues().partition
    if not cue["question"].search(question.text):
        return None
    reads, writes = capacity_amount(question, "read"), capacity_amount(question, "write")
    size = question.first(Measure.SIZE)
    if reads is None and writes is None and size is None:
        return None
    found = partition_formula(kb, ranked)
    if found is None:
        return None
    place, read_div, write_div, size_div = found
    parts: list[str] = []
    counts: list[float] = []
    if (reads or writes) and read_div and write_div:
        given = [(found, d) for found, d in ((reads, read_div), (writes, write_div)) if found]
        by_capacity = sum(amount.value / divisor for (amount, _), divisor in given)
        terms = [
            f"{show(amount.value)} {concept.unit} ÷ {show(divisor)}"
            for (amount, concept), divisor in given
        ]
        parts.append(f"by capacity {' + '.join(terms)} = {show(round(by_capacity, 2))}")
        counts.append(by_capacity)
    if size is not None and size_div is not None:
        by_size = size.base / size_div.base
        parts.append(f"by size {size.shown} ÷ {size_div.shown} = {show(round(by_size, 2))}")
        counts.append(by_size)
    if not counts:
        return None
    result = ceil(max(counts))
    shown = ", ".join(show(round(c, 2)) for c in counts)
    largest = f"max({shown})" if len(counts) > 1 else shown
    formula = "; ".join(parts) + f"; ⌈{largest}⌉ = {result} partitions"
    passages = formula_passages(ask_index(kb).store, place)
    figure = figure_of(result, "partitions", "partitions", Measure.COUNT, first_line(passages))
    return Computation(ComputeKind.PARTITIONS, figure, formula, passages)


def formula_passages(store: PassageStore, place: tuple[str, int]) -> tuple[Passage, ...]:
    """The passages of a slide that print the partition formula, each after its header."""
    cue = cues().partition
    pids: list[int] = []
    for pid in store.by_slide.get(place, []):
        passage = store.passages[pid]
        if cue["by_capacity"].search(plain(passage.text)) or cue["by_size"].search(
            plain(passage.text)
        ):
            pids += [passage.parent, pid] if passage.parent >= 0 else [pid]
    return passages_of(store, pids)


def partition_formula(
    kb: KB, ranked: Sequence[Ranked]
) -> tuple[tuple[str, int], float | None, float | None, Amount | None] | None:
    """The slide printing the partition formula and its divisors (read units, write units, size).
    The slide's full text is read: the export prints a formula's lines as code, not passages."""
    cue = cues().partition
    for place in deck_places(kb, ranked):
        info = kb.slides.get(str(slide_iri(*place)))
        if info is None:
            continue
        text = plain(info.text)
        if not (cue["by_capacity"].search(text) or cue["by_size"].search(text)):
            continue
        reads, writes = cue["read_divisor"].search(text), cue["write_divisor"].search(text)
        size = cue["size_divisor"].search(text)
        size_amount = next(iter(read_amounts(size.group("size"))), None) if size else None
        read_div = number_value(reads.group("n")) if reads else None
        write_div = number_value(writes.group("n")) if writes else None
        if (read_div and write_div) or size_amount:
            return place, read_div, write_div, size_amount
    return None
