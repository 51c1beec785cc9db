"""Worked arithmetic where the deck states the rule: capacity units, partition and shard counts,
transfer times, and table cells. The rule's numbers (unit sizes, factors, per-shard limits, the
printed table) are read from the deck's passages when the question is asked, never written in
code; the answer shows the formula with the question's numbers and cites the passages it used.

One entry point, compute(); the rules live in kg/ask/capacity.py, kg/ask/throughput.py and
kg/ask/cells.py, their cue patterns in kg/data/compute_rules.toml.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.ask.capacity import capacity_units, partition_count
from kg.ask.cells import table_cell
from kg.ask.retrieve import Ranked
from kg.ask.throughput import shard_count, transfer_time
from kg.ask.worked import Computation, ComputeKind, read_question
from kg.kb import KB

__all__ = ["Computation", "ComputeKind", "compute"]


def compute(kb: KB, text: str, ranked: Sequence[Ranked]) -> Computation | None:
    """The worked figure a question asks for when the deck states its rule, else None: the
    first of capacity units, partitions, shards, transfer time and a table cell that applies."""
    question = read_question(kb, text)
    for rule in (capacity_units, partition_count, shard_count, transfer_time, table_cell):
        found = rule(kb, question, ranked)
        if found is not None:
            return found
    return None
