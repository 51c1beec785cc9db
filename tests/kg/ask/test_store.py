"""Passages and blocks built from invented segments: families, adjacency runs, label groups."""

from __future__ import annotations

from kg.ask.quote import block_text, run_on
from kg.ask.store import build_store
from kg.types import Segment


def seg(line: int, text: str, kind: str = "bullet", parent: str = "", end: int = 0) -> Segment:
    """A segment of slide 1 of deck d."""
    return Segment("d", 1, kind, text, line, end or line, parent)  # type: ignore[arg-type]


def blocks_of(segments: list[Segment]) -> list[list[str]]:
    """The blocks of a store as lists of passage texts."""
    store = build_store(segments, [], {("d", 1): "Title"})
    return [[store.passages[p].text for p in block.members] for block in store.blocks]


def test_store_header_with_colon_keeps_its_children() -> None:
    segments = [
        seg(10, "Targets:"),
        seg(11, "Warehouse", parent="Targets:"),
        seg(13, "Search engine", parent="Targets:"),
        seg(15, "Costs per hour"),
    ]
    assert blocks_of(segments) == [["Targets:", "Warehouse", "Search engine"], ["Costs per hour"]]


def test_store_bullets_printed_without_blank_lines_follow_their_head() -> None:
    segments = [
        seg(10, "Fully managed"),
        seg(12, "Integrations"),
        seg(13, "Object storage"),
        seg(14, "Event bus"),
        seg(16, "Pay per use"),
    ]
    assert blocks_of(segments) == [
        ["Fully managed"],
        ["Integrations", "Object storage", "Event bus"],
        ["Pay per use"],
    ]


def test_store_a_slide_without_blank_lines_has_no_implied_heads() -> None:
    segments = [seg(10, "One"), seg(11, "Two"), seg(12, "Three")]
    assert blocks_of(segments) == [["One"], ["Two"], ["Three"]]


def test_store_diagram_labels_group_by_nearness() -> None:
    segments = [
        seg(20, "Producer", "label"),
        seg(22, "Queue", "label"),
        seg(24, "Consumer", "label"),
        seg(40, "Dead letters", "label"),
    ]
    assert blocks_of(segments) == [["Producer", "Queue", "Consumer"], ["Dead letters"]]


def test_store_idf_favours_rare_words() -> None:
    segments = [seg(10, "queue retention"), seg(12, "queue ordering"), seg(14, "queue vacuum")]
    store = build_store(segments, [], {})
    assert store.idf["vacuum"] > store.idf["queue"]


def test_store_names_printed_before_their_descriptions_pair_up() -> None:
    segments = [
        seg(20, "Pool", "label"),
        seg(22, "Gate", "label"),
        seg(24, "Keeps the spare workers warm for later", "label"),
        seg(26, "Lets one request through at a time", "label"),
    ]
    assert blocks_of(segments) == [
        ["Pool", "Keeps the spare workers warm for later"],
        ["Gate", "Lets one request through at a time"],
    ]
    store = build_store(segments, [], {("d", 1): "Title"})
    assert block_text(store, store.blocks[1]) == "Gate: Lets one request through at a time"


def test_store_a_diagram_of_names_only_stays_one_group() -> None:
    segments = [seg(20, "Pool", "label"), seg(22, "Gate", "label"), seg(24, "Sink", "label")]
    segments.append(seg(26, "Drain", "label"))
    assert blocks_of(segments) == [["Pool", "Gate", "Sink", "Drain"]]


def test_store_a_line_announcing_a_list_runs_on_to_the_next_header() -> None:
    segments = [
        seg(10, "Reaching it from outside is hard…"),
        seg(12, "A proxy in front"),
        seg(14, "A tunnel"),
        seg(16, "Costs:"),
        seg(18, "Per hour"),
    ]
    store = build_store(segments, [], {("d", 1): "Title"})
    texts = [store.passages[p].text for p in run_on(store, store.blocks[0])]
    assert texts == ["A proxy in front", "A tunnel"]
    assert run_on(store, store.blocks[1]) == []
