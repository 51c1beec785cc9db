"""Tests for ingest.limits: figures, units, ranges, qualifiers, quantity cues and the unit table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

from ingest.limits import UNITS, find_quantities, to_base, unit_factor
from kg.settings import SHARED_DECK
from kg.types import Quantity
from ontology.terms import KG

UNITS_TTL = Path(__file__).parents[2] / "ontology" / "units.ttl"


def figures(text: str) -> list[tuple[float, str]]:
    """(value, unit) of every quantity found in text."""
    return [(q.value, q.unit) for q in find_quantities(text)]


def only(text: str) -> Quantity:
    """The single quantity found in text."""
    found = find_quantities(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Each record payload can be 512 KB", (512, "KB")),
        ("Producers write 1 MB/sec into each partition", (1, "MB/s")),
        ("Ingest 500 msg/sec per partition", (500, "messages/s")),
        ("A worker reads 2,000 records per second", (2000, "records/s")),
        ("Keep history for 180 days", (180, "day")),
        ("A rebuild can take 4.5 hours", (4.5, "h")),
        ("Uploads are capped at 7 TB", (7, "TB")),
        ("Chunks are 64 MB on disk", (64, "MB")),
        ("The job stops after 10 minutes", (10, "min")),
        ("Runs can last 600 seconds", (600, "s")),
        ("Attach 12 consumers to the topic", (12, "consumers")),
        ("Set up 6 queues for the cluster", (6, "queues")),
        ("Each node has 20 GB of disk", (20, "GB")),
        ("Frames must stay under 2MB", (2, "MB")),
        ("Push 5MB/s per connection", (5, "MB/s")),
        ("Snapshots expire after 3 days", (3, "day")),
        ("Sessions time out after 45 ms", (45, "ms")),
        ("Run 300 USD per exam", (300, "USD")),
        ("Gain 30K seconds of replay", (30000, "s")),
        ("Links run at 40 Gbps", (40, "Gbps")),
        ("Service handles 900 TPS", (900, "transactions/s")),
        ("Provision 8 KPUs for the app", (8, "KPU")),
        ("Scale from 16-256 RPU’s as needed", (16, "RPU")),
    ],
)
def test_limits_number_with_unit(text: str, expected: tuple[float, str]) -> None:
    assert figures(text)[0] == expected


def test_limits_text_is_the_original_span() -> None:
    text = "• Largest payload is 256 KB per call"
    quantity = only(text)
    assert quantity.text == "256 KB"
    assert quantity.text in text


def test_limits_math_italic_units_are_formula_noise() -> None:
    assert figures("• We need 6 ∗ ( 3 𝐾𝐵 1 𝐾𝐵 ) = 18𝑊𝐶𝑈𝑠") == []


@pytest.mark.parametrize(
    "text",
    [
        "Runs on Spark 3.0 with Python 3.7 and Java 11",
        "1. Create the stream 2. Add a consumer",
        "Peer 10.0.0.0/16 with 172.16.0.0/16",
        "Key 5b21e9a0-… maps to 4421 92 Win",
        "Released in 2019, updated in 2021",
        "Shard 1 Shard 2 Shard 3",
        "Partition 1 Partition 2 …",
        "Up to 5x faster than before",
        "7/14/2021 Drama 12 Angry Men",
        "Uses AES-256 over HTTP/2 on port 5601",
        "Emits 40 events to the bus",
    ],
)
def test_limits_non_limits_ignored(text: str) -> None:
    assert find_quantities(text) == []


def test_limits_chart_percentages_ignored_but_prose_kept() -> None:
    assert figures("Uptime 99.9% 99.5% 99% 98%") == []
    assert only("The engine adds 15% overhead").quantity == "overhead"


def test_limits_range_gives_minimum_and_maximum() -> None:
    low, high = find_quantities("• Logs are kept between 2 days to 90 days")
    assert (low.value, low.unit, low.qualifier) == (2, "day", "minimum")
    assert (high.value, high.unit, high.qualifier) == (90, "day", "maximum")
    assert low.text == high.text == "2 days to 90 days"
    assert low.quantity == high.quantity == "retention"


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Policies run every 20-40 minutes", (20, "min"), (40, "min")),
        ("Thaw takes 2 – 6 hours", (2, "h"), (6, "h")),
        ("Tokens last from 5 minutes to 2 hours", (5, "min"), (2, "h")),
        ("Volumes of (2GB – 8TB)", (2, "GB"), (8, "TB")),
        ("Keys are between 4 and 64 characters", (4, "characters"), (64, "characters")),
        ("Batches are 1 to 500 records", (1, "records"), (500, "records")),
    ],
)
def test_limits_range_forms(text: str, low: tuple[float, str], high: tuple[float, str]) -> None:
    found = find_quantities(text)
    assert [(q.value, q.unit) for q in found] == [low, high]
    assert [q.qualifier.split("; ")[0] for q in found] == ["minimum", "maximum"]


def test_limits_list_shares_the_unit() -> None:
    assert figures("Ports come in 1, 10, 40 Gbps") == [(1, "Gbps"), (10, "Gbps"), (40, "Gbps")]
    assert figures("Plans of 1 and 3 years") == [(1, "year"), (3, "year")]


def test_limits_request_rates_per_prefix() -> None:
    text = (
        "• A table can reach at least 2,500 PUT/DELETE or 4,000 GET/HEAD requests per "
        "second per prefix"
    )
    writes, reads = find_quantities(text)
    assert (writes.value, writes.unit, reads.value, reads.unit) == (
        2500,
        "requests/s",
        4000,
        "requests/s",
    )
    assert writes.qualifier == reads.qualifier == "minimum; per prefix"
    assert writes.quantity == "request rate"


def test_limits_prices_per_user_per_month_and_per_tb() -> None:
    seat = only("• Pro: $21 / user / month")
    assert (seat.value, seat.unit, seat.quantity) == (21, "USD/user/month", "price")
    assert seat.qualifier == "per user per month; Pro"
    assert seat.text == "$21 / user / month"
    scan = only("• $6.00 per TB scanned")
    assert (scan.value, scan.unit, scan.qualifier) == (6.0, "USD/TB", "per TB")


def test_limits_price_tails() -> None:
    assert figures("Pay $0.30 per node per hour") == [(0.30, "USD/h")]
    assert figures("$0.40 / million requests") == [(0.40, "USD/1M requests")]
    assert figures("API calls cost $0.02 / 10000 calls") == [(0.02, "USD/10K requests")]
    assert only("Storage costs $0.12 per broker per hour").qualifier == "per broker per hour"


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("Default retention of events: 2 days", "default"),
        ("Retention of events: 2 days, maximum of 10 days", "maximum"),
        ("Max. Payload Size is 3MB", "maximum"),
        ("Minimum billing duration of 60 days", "minimum"),
        ("Receive up to 20 messages per request", "maximum; per request"),
        ("Store at least 3 replicas", "minimum"),
        ("Reduce latency (~50 ms)", "approximate"),
        ("Buffer Size (ex: 16MB)", "example"),
        ("4 MB/sec (shared)", "shared"),
        ("Each partition gets 3MB/s in", "per partition"),
        ("Each Consumer get 4 MB/s of throughput per shard", "per shard; per consumer"),
        ("Up to 32TB per database instance", "maximum; per database instance"),
        ("Fetches 500 KB per partition key", "per partition key"),
    ],
)
def test_limits_qualifiers(text: str, qualifier: str) -> None:
    assert find_quantities(text)[-1].qualifier == qualifier


def test_limits_qualifiers_stay_with_their_figure() -> None:
    default, maximum = find_quantities("Default retention of events: 2 days, maximum of 10 days")
    assert (default.qualifier, maximum.qualifier) == ("default", "maximum")
    first, second = find_quantities("Starts at 2MB default, raise it for big rows (ex: 8MB)")
    assert (first.qualifier, second.qualifier) == ("default", "example")


def test_limits_alternate_figure_inherits_bound() -> None:
    size, same = find_quantities("Max. File Size is 2TB (2000GB)")
    assert size.qualifier == same.qualifier == "maximum"


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("Messages can be retained for 7 days", "retention"),
        ("Max message size is 128KB", "message size"),
        ("Maximum size of an item is 100KB", "item size"),
        ("Max. Object Size is 2TB", "object size"),
        ("You pick a batch size of up to 500 records", "batch size"),
        ("Files stored as blocks (64MB default size)", "block size"),
        ("Jobs that run longer than 20 minutes will time out", "timeout"),
        ("Enterprise: $20 / user / month", "price"),
        ("Each shard gets 3MB/s in", "throughput"),
        ("The audit console shows the past 60 days of events", "history"),
        ("Define up to 6 queues", "queues"),
        ("Default limit of 10 consumers per stream", "consumers"),
        ("Policies run every 15 minutes", "interval"),
        ("Stay under 80 ms latency", "latency"),
        ("It took 12 days", "duration"),
        ("Copies hold 2 TB", "data size"),
        ("Allow 4 WCUs", "write capacity units"),
    ],
)
def test_limits_quantity_cues(text: str, quantity: str) -> None:
    assert find_quantities(text)[0].quantity == quantity


def test_limits_concurrency_level_after_its_noun() -> None:
    queues, level = find_quantities("• Define up to 6 queues, up to concurrency level 30")
    assert (queues.value, queues.unit, queues.qualifier) == (6, "queues", "maximum")
    assert (level.quantity, level.value, level.qualifier) == ("concurrency level", 30, "maximum")


def test_limits_numbers_inside_a_price_unit_not_counted() -> None:
    assert figures("KMS calls ($0.05 / 10000 calls)") == [(0.05, "USD/10K requests")]


def test_limits_every_emitted_unit_is_in_the_table() -> None:
    text = "1 GiB, 2 KiB/s, 3 weeks, 4 months, 5 pounds, 6 vCPUs, 7 GPU’s, 8 brokers, 9 percent"
    units = [unit for _, unit in figures(text)]
    assert units and all(unit in UNITS for unit in units)


def test_limits_to_base_and_unit_factor() -> None:
    assert to_base(256, "KB") == 256_000
    assert to_base(2, "day") == 172_800
    assert to_base(8, "Gbps") == 1e9
    assert unit_factor("MB/s") == ("data rate", 1e6)
    assert to_base(1, "TB") > to_base(999, "GB")
    with pytest.raises(ValueError, match="unknown unit"):
        unit_factor("furlong")


def test_limits_units_ttl_mirrors_the_table() -> None:
    graph = Graph().parse(UNITS_TTL)
    from_ttl = {
        str(graph.value(unit, KG.symbol)): (
            str(graph.value(unit, KG.dimension)),
            float(graph.value(unit, KG.factor).toPython()),
        )
        for unit in graph.subjects(KG.symbol, None)
    }
    from_code = {symbol: (dimension, factor) for symbol, (_, dimension, factor) in UNITS.items()}
    assert from_ttl.keys() == from_code.keys()
    for symbol, (dimension, factor) in from_code.items():
        assert from_ttl[symbol][0] == dimension, symbol
        assert from_ttl[symbol][1] == pytest.approx(factor, rel=1e-9), symbol


def deck_lines() -> list[str]:
    """Non-blank lines of the shared deck, or a skip when it is absent."""
    if not SHARED_DECK.exists():
        pytest.skip(f"{SHARED_DECK} is missing")
    return [line for line in SHARED_DECK.read_text(encoding="utf-8").splitlines() if line.strip()]


def on_line(lines: list[str], pattern: str) -> list[Quantity]:
    """Quantities of the first deck line matching pattern."""
    line = next(line for line in lines if re.search(pattern, line))
    return find_quantities(line)


@pytest.mark.deck
def test_limits_deck_counts_and_known_figures() -> None:
    lines = deck_lines()
    found = [q for line in lines for q in find_quantities(line)]
    # The deck states ~300 figures with units; ranges count twice (min and max), flattened
    # comparison tables repeat figures, and a line-by-line pass misses figures split over lines.
    assert 280 <= len(found) <= 420, len(found)
    assert all(q.unit in UNITS and q.text for q in found)

    sqs = on_line(lines, r"Max message size is 256\s?KB")[0]
    assert (sqs.value, sqs.unit, sqs.quantity, sqs.qualifier) == (
        256,
        "KB",
        "message size",
        "maximum",
    )
    kds = on_line(lines, r"Retention between 1 day to 365 days")
    assert [(q.value, q.unit, q.qualifier) for q in kds] == [
        (1, "day", "minimum"),
        (365, "day", "maximum"),
    ]
    item = on_line(lines, r"Maximum size of an item")[0]
    assert (item.value, item.unit, item.quantity) == (400, "KB", "item size")
    batch = on_line(lines, r"\(up to 10,000 records\)")[0]
    assert (batch.value, batch.unit, batch.qualifier) == (10_000, "records", "maximum")
    fan_out = on_line(lines, r"20 consumers using enhanced fan-out")[0]
    assert (fan_out.value, fan_out.unit) == (20, "consumers")
    assert "default" in fan_out.qualifier
    hdfs = on_line(lines, r"stored as blocks")[0]
    assert (hdfs.value, hdfs.unit, hdfs.quantity, hdfs.qualifier) == (
        128,
        "MB",
        "block size",
        "default",
    )
    spice = on_line(lines, r"more than 30 minutes to import")[0]
    assert (spice.value, spice.unit) == (30, "min")
    trail = on_line(lines, r"CloudTrail shows the past")[0]
    assert (trail.value, trail.unit, trail.quantity) == (90, "day", "history")
    seat = on_line(lines, r"Enterprise: \$18")[0]
    assert (seat.value, seat.unit) == (18, "USD/user/month")


def test_limits_arrows_are_not_bounds() -> None:
    qualifier = only("Paused (20 minutes) => the agent buffers data").qualifier
    assert "maximum" not in qualifier and "minimum" not in qualifier
    assert only("Objects > 50MB use multi-part").qualifier == "minimum"


# ----------------------------------------------------------------- several figures, one line


def test_limits_several_rates_on_one_line_keep_their_conditions() -> None:
    found = find_quantities("Queues take up to 2,000 per second with batching, 200/s without")
    assert [(q.value, q.unit, q.qualifier) for q in found] == [
        (2000, "1/s", "maximum; with batching"),
        (200, "1/s", "maximum; without batching"),
    ]


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("The gateway handles 40/s", "1/s"),
        ("The gateway handles 40 per second", "1/s"),
        ("The gateway handles 40 requests per second", "requests/s"),
        ("The gateway handles 40 req/s", "requests/s"),
    ],
)
def test_limits_rates_written_per_second(text: str, unit: str) -> None:
    assert (only(text).value, only(text).unit) == (40, unit)


def test_limits_condition_takes_no_name_as_its_noun() -> None:
    assert only("Store 5 objects with Amazon S3").qualifier == ""


@pytest.mark.parametrize(
    ("text", "qualifiers"),
    [
        (
            "Expedited (1 to 5 minutes), Bulk (5 to 12 hours)",
            ["minimum; Expedited", "maximum; Expedited", "minimum; Bulk", "maximum; Bulk"],
        ),
        ("Archive tier (automatic): objects not accessed for 90 days", ["Archive tier"]),
        ("Example 2: we read 6 items per second, with item size 3 KB", ["example", "example"]),
        ("If items are larger than 8 KB, more units are used", ["threshold"]),
        ("Scale more than 10x for each rolling 24-hour period", [""]),
        ("Not available 20 minutes a year", ["per year"]),
    ],
)
def test_limits_options_heads_examples_and_bounds(text: str, qualifiers: list[str]) -> None:
    assert [q.qualifier for q in find_quantities(text)] == qualifiers


def test_limits_quantity_words_after_a_figure_stay_in_its_clause() -> None:
    first = find_quantities(
        "A call returns up to 8MB of data (then waits 2 seconds) or 500 records"
    )[0]
    assert first.quantity == "data size"
