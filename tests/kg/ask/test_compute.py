"""kg/ask/compute.py: worked arithmetic whose rules come from the deck's own passages.

The unit tests run on an invented deck (compute-deck.txt) whose rules differ from the real
course's (an RCU of 8 KB, three eventually consistent reads per unit, strong reads by default,
shards of 3 MB/s in, a partition per 2,000 RCU or 5 GB), so every expected figure here could only
come from the text. It is ingested for real, without embeddings; blocks are ranked lexically.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from ingest.pipeline import ingest
from kg.ask.amounts import RULES_FILE
from kg.ask.compute import Computation, ComputeKind, compute
from kg.ask.execute import search
from kg.ask.figures import limit_table
from kg.ask.index import build_ask_index
from kg.ask.link import link
from kg.graph import run_select
from kg.kb import KB, load_kb, slide_topics
from kg.linking import alias_index
from kg.settings import PROJECT_ROOT

DECK = Path(__file__).parent / "compute-deck.txt"
TINY_DECK = PROJECT_ROOT / "tests" / "data" / "tiny-deck.txt"
MODEL = "test-model"


def lexical_kb(deck: Path, out: Path) -> KB:
    """A deck ingested without embeddings and loaded with its passage index."""
    ingest([deck], out, embed=None, embed_model=MODEL)
    kb = load_kb(out, embed_model=MODEL, with_encoder=False)
    kb.ask = build_ask_index(
        out,
        [],
        {(info.deck, info.number): info.title for info in kb.slides.values()},
        kb.aliases,
        alias_width=alias_index(kb.aliases).width,
        about=slide_topics(kb),
        limits=limit_table(run_select(kb.store, kb.book, "all_limits"), kb.slides),
    )
    return kb


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KB:
    """The invented arithmetic deck."""
    return lexical_kb(DECK, tmp_path_factory.mktemp("compute") / "data")


@pytest.fixture(scope="module")
def plain_kb(tmp_path_factory: pytest.TempPathFactory) -> KB:
    """A deck that states none of the rules."""
    return lexical_kb(TINY_DECK, tmp_path_factory.mktemp("tiny") / "data")


def ask(kb: KB, question: str) -> Computation | None:
    """compute() on the blocks the question ranks (lexical ranking, no model)."""
    linked = link(question, aliases=kb.aliases, labels=kb.labels)
    return compute(kb, question, search(kb, question, None, linked.entities))


def worked(kb: KB, question: str) -> Computation:
    """compute() that must find a rule."""
    found = ask(kb, question)
    assert found is not None, question
    return found


def slides(found: Computation) -> list[int]:
    """The slide numbers a computation cites."""
    return [slide for _, slide in found.slides]


def test_compute_capacity_units_read_unit_size_and_factor_from_the_deck(kb: KB) -> None:
    found = worked(
        kb, "How many RCUs for 30 eventually consistent reads per second of 20 KB items?"
    )
    assert found.kind is ComputeKind.CAPACITY
    assert found.formula == "30 reads/s ÷ 3 (eventually consistent) × ⌈20 KB ÷ 8 KB⌉ = 30 RCU"
    assert (found.figure.value, found.figure.unit, found.figure.text) == (30, "RCU", "30 RCU")
    assert slides(found) == [2]
    assert found.sentence().endswith("(slide 2).")


def test_compute_capacity_units_take_the_decks_default_consistency(kb: KB) -> None:
    found = worked(kb, "What read capacity do 12 reads per second of 9 KB items need?")
    assert found.formula == "12 reads/s × ⌈9 KB ÷ 8 KB⌉ = 24 RCU"
    assert slides(found) == [2, 4]


def test_compute_write_units_convert_a_rate_per_minute(kb: KB) -> None:
    found = worked(kb, "How many WCUs for 600 writes per minute of 5 KB items?")
    assert found.formula == "600 writes/min ÷ 60 s × ⌈5 KB ÷ 2 KB⌉ = 30 WCU"
    assert found.figure.value == 30


def test_compute_rounds_a_fractional_result_up(kb: KB) -> None:
    found = worked(kb, "How many RCUs for 10 eventually consistent reads per second of 4 KB items?")
    assert (
        found.formula == "10 reads/s ÷ 3 (eventually consistent) × ⌈4 KB ÷ 8 KB⌉ = ⌈3.33⌉ = 4 RCU"
    )


def test_compute_request_units_borrow_the_rule_they_are_the_same_as(kb: KB) -> None:
    found = worked(kb, "In on-demand mode, how many RRUs do 5 reads per second of 17 KB items use?")
    assert found.formula == "5 reads/s × ⌈17 KB ÷ 8 KB⌉ = 15 RRU"
    assert set(slides(found)) == {2, 4, 5}


def test_compute_each_unit_a_question_names_with_its_own_rate(kb: KB) -> None:
    found = worked(
        kb, "How many RCUs and WCUs for 16 reads per second and 4 writes per second of 3 KB items?"
    )
    assert found.formula == (
        "16 reads/s × ⌈3 KB ÷ 8 KB⌉ = 16 RCU; 4 writes/s × ⌈3 KB ÷ 2 KB⌉ = 8 WCU"
    )
    assert found.figure.text == "16 RCU"
    assert set(slides(found)) == {2, 3, 4}


def test_compute_is_none_when_the_deck_defines_no_such_unit(kb: KB, plain_kb: KB) -> None:
    assert ask(kb, "How many WRUs for 5 writes per second of 3 KB items?") is None
    assert ask(plain_kb, "How many RCUs for 5 reads per second of 3 KB items?") is None


def test_compute_partitions_by_the_decks_formula(kb: KB) -> None:
    found = worked(
        kb, "How many partitions for a table with 5,000 RCUs, 1,000 WCUs and 12 GB of data?"
    )
    assert found.kind is ComputeKind.PARTITIONS
    assert found.formula == (
        "by capacity 5,000 RCU ÷ 2,000 + 1,000 WCU ÷ 500 = 4.5; by size 12 GB ÷ 5 GB = 2.4;"
        " ⌈max(4.5, 2.4)⌉ = 5 partitions"
    )
    assert slides(found) == [6]


def test_compute_shards_for_incoming_bytes_and_records(kb: KB) -> None:
    found = worked(
        kb, "How many shards does a stream need for 10 MB/s and 5000 records per second coming in?"
    )
    assert found.kind is ComputeKind.SHARDS
    assert (
        found.formula == "max(⌈10 MB/s ÷ 3 MB/s⌉, ⌈5,000 records/s ÷ 2,000 records/s⌉) = 4 shards"
    )
    assert slides(found) == [7]


def test_compute_shards_for_reading_use_the_outgoing_limit(kb: KB) -> None:
    found = worked(kb, "How many shards so that consumers can read 12 MB/s?")
    assert found.formula == "⌈12 MB/s ÷ 5 MB/s⌉ = 3 shards"


def test_compute_shards_from_a_record_rate_and_size(kb: KB) -> None:
    found = worked(kb, "How many shards to ingest 1500 records per second of 4 KB each?")
    assert found.figure.value == 2
    assert found.formula.startswith("max(⌈1,500 records/s × 4 KB ÷ 3 MB/s⌉")


def test_compute_transfer_time_reads_the_table_cell(kb: KB) -> None:
    found = worked(kb, "How long does it take to transfer 20 TB over 500 Mbps?")
    assert found.kind is ComputeKind.TRANSFER
    assert found.formula == "20 TB over 500 Mbps = 4 days (the deck's table)"
    assert (found.figure.value, found.figure.unit) == (4, "days")
    assert slides(found) == [8]


def test_compute_transfer_time_scales_the_nearest_cell(kb: KB) -> None:
    found = worked(kb, "How long to move 60 TB over a 5 Gbps link?")
    assert found.formula.startswith("10 hours × (60 TB ÷ 20 TB) = 30 hours")
    assert slides(found) == [8]


def test_compute_transfer_time_without_a_table_uses_the_line_rate(plain_kb: KB) -> None:
    found = worked(plain_kb, "How long does it take to transfer 1 TB over 100 Mbps?")
    assert found.formula == "1 TB × 8 bits ÷ 100 Mbps = 24.4 hours at the full line rate"
    assert found.passages == ()


def test_compute_reads_a_table_cell_by_row_and_column(kb: KB) -> None:
    found = worked(kb, "What is the message retention of the Ordered Queue?")
    assert found.kind is ComputeKind.TABLE
    assert found.formula == "Message Retention for Ordered Queue: 3 days"
    assert (found.figure.value, found.figure.unit) == (3, "days")
    assert slides(found) == [9]
    assert {p.line_start for p in found.passages} >= {95}


def test_compute_table_columns_named_by_known_names(kb: KB) -> None:
    found = worked(kb, "What's the minimum storage duration charge for S3 One Zone-IA?")
    assert found.formula == "Min. Storage Duration Charge for One Zone-IA: 45 Days"
    found = worked(kb, "What is the retrieval fee of S3 Glacier Instant Retrieval?")
    assert found.formula == "Retrieval Fee for Glacier Instant Retrieval: Per GB"


def test_compute_no_cell_when_the_question_names_two_columns(kb: KB) -> None:
    assert ask(kb, "What is the message retention of the Basic Queue and the Bulk Queue?") is None


def test_compute_leaves_other_questions_alone(kb: KB) -> None:
    for question in (
        "Which services write to Amazon Redshift?",
        "How many RCUs does a table need?",
        "What does an Ordered Queue guarantee about duplicates and retries in general?",
        "How long does it take to transfer data?",
    ):
        assert ask(kb, question) is None, question


# Every pattern of the rules file with the invented example that must match it.
PATTERN_EXAMPLES = [
    (("capacity", "*"), "names", "example"),
    (("capacity_rules", "definition"), "pattern", "example"),
    (("capacity_rules", "item_size"), "pattern", "example"),
    (("capacity_rules", "same_as"), "pattern", "example"),
    (("capacity_rules", "per_unit"), "pattern", "example"),
    (("capacity_rules", "default"), "pattern", "example"),
    (("consistency", "*"), "pattern", "example"),
    (("partition",), "question", "example"),
    (("partition",), "by_capacity", "formula_example"),
    (("partition",), "by_size", "formula_example"),
    (("partition",), "read_divisor", "formula_example"),
    (("partition",), "write_divisor", "formula_example"),
    (("partition",), "size_divisor", "formula_example"),
    (("shard",), "question", "example"),
    (("shard",), "limit", "limit_example"),
    (("shard",), "incoming", "incoming_example"),
    (("shard",), "outgoing", "outgoing_example"),
    (("transfer",), "question", "example"),
]


def rule_tables(data: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]]:
    """The tables at a path of the rules file ("*": every row of an array of tables)."""
    node: Any = data
    for key in path:
        if key == "*":
            return list(node)
        node = node[key]
    return [node]


@pytest.mark.parametrize(("path", "key", "example"), PATTERN_EXAMPLES)
def test_compute_rules_file_patterns_match_their_examples(
    path: tuple[str, ...], key: str, example: str
) -> None:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    for table in rule_tables(data, path):
        pattern = table[key]
        if "{names}" in pattern:
            names = "|".join(row["names"] for row in data["capacity"])
            pattern = pattern.replace("{names}", names)
        assert re.search(pattern, table[example], re.IGNORECASE), (path, key)


def test_compute_rules_file_states_no_figure_of_a_deck() -> None:
    # A pattern may say "one" of a unit; any other number would be a deck's figure.
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    for path, key, _ in PATTERN_EXAMPLES:
        for table in rule_tables(data, path):
            numbers = re.findall(r"(?<![{,\\\d])\d+", table[key])
            assert set(numbers) <= {"1"}, (path, key, numbers)


@pytest.mark.deck
@pytest.mark.parametrize(
    ("question", "kind", "value", "unit"),
    [
        (
            "How many RCUs for 22 strongly consistent reads per second of 9 KB items?",
            ComputeKind.CAPACITY,
            66,
            "RCU",
        ),
        (
            "How many partitions for a DynamoDB table with 9,000 RCUs, 1,500 WCUs and 20 GB?",
            ComputeKind.PARTITIONS,
            5,
            "partitions",
        ),
        (
            "How many shards for a Kinesis stream taking in 12 MB/s?",
            ComputeKind.SHARDS,
            12,
            "shards",
        ),
        ("How long does moving 40 TB over 10Gbps take?", ComputeKind.TRANSFER, 12, "hours"),
        ("What is the availability SLA of S3 Intelligent-Tiering?", ComputeKind.TABLE, 99, "%"),
    ],
)
def test_compute_on_the_real_deck(
    deck_kb: KB, question: str, kind: ComputeKind, value: float, unit: str
) -> None:
    linked = link(question, aliases=deck_kb.aliases, labels=deck_kb.labels)
    ranked = search(deck_kb, question, deck_kb.embed_query(question), linked.entities)
    found = compute(deck_kb, question, ranked)
    assert found is not None
    assert (found.kind, found.figure.value, found.figure.unit) == (kind, value, unit)
    assert found.passages
