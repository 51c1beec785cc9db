"""The answer's budget: parts fill it in order, a part that does not fit is cut or left out."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from kg.ask.compose import defines, part_budget, without_line
from kg.ask.quote import fill, slide_part
from kg.ask.retrieve import Ranked
from kg.ask.store import PassageStore, build_store
from kg.kb import KB
from kg.types import Segment


def test_quote_fill_keeps_parts_that_fit() -> None:
    assert fill(["a" * 10, "b" * 10], budget=30) == "a" * 10 + " " + "b" * 10


def test_quote_fill_cuts_a_long_last_part() -> None:
    text = fill(["a" * 100, "b" * 400], budget=200)
    assert len(text) <= 200 and text.endswith("…") and "b" in text


def test_quote_fill_drops_a_part_with_too_little_room() -> None:
    assert fill(["a" * 180, "b" * 100], budget=200) == "a" * 180


BLOCK = '"No chaining: A replicates to B; B to C" (slide 9, Replication (Notes)).'


def test_quote_fill_drops_a_line_quoted_again_after_its_block() -> None:
    again = '"No chaining: B to C" (slide 9, Replication (Notes)).'
    assert fill([BLOCK, again]) == BLOCK


def test_quote_fill_drops_repeats_inside_a_composed_part() -> None:
    other = '"Only new objects replicate" (slide 9, Replication (Notes)).'
    composed = f'"No chaining: A replicates to B" (slide 9, Replication (Notes)). {other}'
    assert fill([BLOCK, composed]) == f"{BLOCK} {other}"


def test_quote_fill_keeps_a_quote_that_adds_a_line() -> None:
    more = '"No chaining: A replicates to B; Only new objects" (slide 9, Replication (Notes)).'
    assert fill([BLOCK, more]) == f"{BLOCK} {more}"


def test_quote_a_part_gets_what_the_parts_before_left() -> None:
    assert part_budget((0.5, 0.25, 0.25), 0, []) == 295
    assert part_budget((0.5, 0.25, 0.25), 1, ["x" * 199]) == 442 - 200


def store_of(texts: list[str]) -> PassageStore:
    """A one-slide store of bullets separated by blank lines."""
    segments = [
        Segment("d", 1, "bullet", t, 10 + 2 * i, 10 + 2 * i, "") for i, t in enumerate(texts)
    ]
    return build_store(segments, [], {})


NO_SLIDES = cast(KB, SimpleNamespace(slides={}))


def test_quote_slide_part_puts_the_given_blocks_first() -> None:
    store = store_of(["Lead line here", "Filler one", "Filler two", "The second answer"])
    text = slide_part(NO_SLIDES, store, store.blocks[0], 200, [3, 1])
    assert text.startswith('"Lead line here; The second answer; Filler one')


def test_quote_slide_part_follows_a_line_announcing_a_list() -> None:
    store = store_of(["Ways in:", "Proxy", "Tunnel", "Unrelated:", "Other"])
    text = slide_part(NO_SLIDES, store, store.blocks[0], 200, [4, 3])
    assert text.startswith('"Ways in:; Proxy; Tunnel; Other')


def test_quote_a_line_the_verdict_quotes_leaves_the_rest_of_the_slide() -> None:
    text = '"Title: One line; The deciding line; Another" (slide 3).'
    assert without_line(text, "The deciding line") == '"Title: One line; Another" (slide 3).'
    assert without_line(text, "Absent") == text


def test_quote_a_slide_saying_what_a_service_is_is_recognised_by_its_title() -> None:
    segments = [Segment("d", 1, "bullet", "A query engine", 10, 10, "")]
    segments.append(Segment("d", 2, "bullet", "Control access with roles", 20, 20, ""))
    store = build_store(segments, [], {("d", 1): "What is Blaze?", ("d", 2): "Blaze Security"})
    first, second = (Ranked(b, 1.0, 0.5, 0.5, b.head) for b in store.blocks)
    assert defines(store, first) and not defines(store, second)


def test_quote_a_short_name_heading_its_first_point_keeps_the_points_printed_after_it() -> None:
    lines = [(10, "SSH"), (11, "Secure shell"), (13, "Tunnels"), (15, "Key pairs"), (17, "Roles")]
    lines += [(18, "Per user"), (20, "Costs money")]
    segments = [Segment("d", 1, "bullet", text, line, line, "") for line, text in lines]
    store = build_store(segments, [], {})
    roles = store.block_of[4]
    text = slide_part(NO_SLIDES, store, store.blocks[roles], 200, [0, 3])
    assert text.startswith('"Roles: Per user; Costs money; SSH: Secure shell; Tunnels; Key pairs')
