"""Tests for ingest.segment: bullets, continuations, parents, code, labels and links."""

from __future__ import annotations

from pathlib import Path

from ingest.segment import segment_slide
from ingest.slides import read_deck
from kg.types import Segment, Slide

SAMPLE = Path(__file__).parent.parent / "data" / "sample-deck.txt"


def slide(*body: tuple[int, str]) -> Slide:
    """A slide titled "T" on line 1 with the given body lines."""
    return Slide("d", 1, "T", "", 1, 30, tuple(body))


def texts(segments: list[Segment], kind: str) -> list[str]:
    """Texts of the segments of one kind."""
    return [s.text for s in segments if s.kind == kind]


def test_segment_title_segment_first() -> None:
    first = segment_slide(slide((3, "• a")))[0]
    assert (first.kind, first.text, first.line_start) == ("title", "T", 1)


def test_segment_wrapped_bullet_joined_across_blank() -> None:
    segments = segment_slide(slide((3, "• limit of 1"), (5, "MB per second"), (7, "• next")))
    assert texts(segments, "bullet") == ["limit of 1 MB per second", "next"]
    assert (segments[1].line_start, segments[1].line_end) == (3, 5)


def test_segment_lowercase_and_paren_lines_continue() -> None:
    segments = segment_slide(slide((3, "• Data goes to the same shard"), (4, "(ordering)")))
    assert texts(segments, "bullet") == ["Data goes to the same shard (ordering)"]


def test_segment_hyphenation_and_broken_names_repaired() -> None:
    segments = segment_slide(
        slide(
            (3, "• Fully managed in-"),
            (4, "memory cache"),
            (6, "• Send to Kinesis Data"),
            (7, "Firehose"),
        )
    )
    assert texts(segments, "bullet") == [
        "Fully managed in-memory cache",
        "Send to Kinesis Data Firehose",
    ]


def test_segment_parent_children_adjacent_block() -> None:
    segments = segment_slide(
        slide(
            (3, "• Consumers:"),
            (4, "• Write your own: KCL, SDK"),
            (5, "• Managed: Lambda, Firehose"),
            (7, "• Unrelated point"),
        )
    )
    parents = [(s.text, s.parent) for s in segments if s.kind == "bullet"]
    assert parents == [
        ("Consumers:", ""),
        ("Write your own: KCL, SDK", "Consumers:"),
        ("Managed: Lambda, Firehose", "Consumers:"),
        ("Unrelated point", ""),
    ]


def test_segment_parent_children_spread_until_next_parent() -> None:
    segments = segment_slide(
        slide((3, "• Standard:"), (5, "• Cheap"), (7, "• Slow"), (9, "• Enhanced:"), (10, "• Fast"))
    )
    assert [s.parent for s in segments[1:]] == ["", "Standard:", "Standard:", "", "Enhanced:"]


def test_segment_steps_and_dashes_are_bullets() -> None:
    segments = segment_slide(
        slide((3, "1. Upload"), (4, "2. Notify"), (6, "- Cache"), (7, "-Tasks"))
    )
    assert texts(segments, "bullet") == ["Upload", "Notify", "Cache", "Tasks"]


def test_segment_code_block_labels_links_and_text() -> None:
    segments = segment_slide(
        slide(
            (3, "CREATE TABLE t ("),
            (4, " id INT)"),
            (6, "Shard 1"),
            (8, "https://example.org/docs"),
            (10, "This longer sentence is plain prose that explains the diagram above."),
        )
    )
    assert texts(segments, "code") == ["CREATE TABLE t (\n id INT)"]
    assert texts(segments, "label") == ["Shard 1"]
    assert texts(segments, "link") == ["https://example.org/docs"]
    assert len(texts(segments, "text")) == 1


def test_segment_sample_deck_firehose_destinations() -> None:
    slides = {s.title: s for s in read_deck(SAMPLE)}
    segments = segment_slide(slides["Kinesis Data Firehose – Sources and Destinations"])
    children = [s.text for s in segments if s.parent == "Destinations:"]
    assert len(children) == 4
    assert "Amazon Redshift (COPY through S3)" in children


def test_segment_figure_after_a_blank_line_is_a_label_not_the_bullet() -> None:
    segments = segment_slide(slide((3, "• Batching adds some delay"), (5, "2 KB 40 KB 500 KB")))
    assert texts(segments, "bullet") == ["Batching adds some delay"]
    assert texts(segments, "label") == ["2 KB 40 KB 500 KB"]


def test_segment_sentence_after_short_spread_items_is_not_their_child() -> None:
    segments = segment_slide(
        slide(
            (3, "• Use cases:"),
            (4, "• Quick lookups"),
            (6, "• Cached pages"),
            (8, "• Overall, the other engine has grown in popularity."),
        )
    )
    parents = [s.parent for s in segments if s.kind == "bullet"]
    assert parents == ["", "Use cases:", "Use cases:", ""]
