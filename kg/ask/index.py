"""What answering needs beyond the graph, built at KB load: passages, blocks and their names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from kg.ask.figures import Figure
from kg.ask.matrix import ScoreIndex, build_score_index
from kg.ask.store import PassageStore, build_store, text_mentions
from kg.segments import read_segments
from kg.types import Hit

# Texts whose names are remembered before the memo starts over (questions add new texts).
MENTION_MEMO_SIZE: Final = 50_000


@dataclass
class AskIndex:
    """The passage store with lookups from vectors, slides and entities to blocks."""

    store: PassageStore
    rows_to_passage: dict[int, int]
    slide_rows: dict[tuple[str, int], int]
    passage_entities: list[tuple[str, ...]]
    entity_blocks: dict[str, set[int]]
    slide_about: dict[tuple[str, int], tuple[str, ...]]
    alias_width: int
    limits: dict[tuple[str, int], list[Figure]]
    scores: ScoreIndex
    mechanisms: frozenset[str] = frozenset()
    # Names found in a text, by text: the same passages and titles are read on every answer.
    mention_memo: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def text_mentions(self, text: str, aliases: Mapping[str, str]) -> tuple[str, ...]:
        """Entity ids a text names (exact alias matches), remembered per text."""
        found = self.mention_memo.get(text)
        if found is None:
            if len(self.mention_memo) >= MENTION_MEMO_SIZE:
                self.mention_memo.clear()
            found = text_mentions(text, aliases, width=self.alias_width)
            self.mention_memo[text] = found
        return found

    def block_entities(self, block: int) -> list[str]:
        """Entities a block names, in order, without repeats."""
        members = self.store.blocks[block].members
        return list(dict.fromkeys(e for pid in members for e in self.passage_entities[pid]))


def build_ask_index(
    data_dir: Path,
    items: Sequence[Hit],
    titles: Mapping[tuple[str, int], str],
    aliases: Mapping[str, str],
    *,
    alias_width: int,
    about: Mapping[tuple[str, int], tuple[str, ...]],
    limits: Mapping[tuple[str, int], list[Figure]],
    mechanisms: frozenset[str] = frozenset(),
) -> AskIndex:
    """Read the segments of data_dir and index them for answering."""
    store = build_store(read_segments(data_dir), items, titles)
    slide_rows = {(i.deck, i.slide): row for row, i in enumerate(items) if i.kind == "slide"}
    passage_entities = [
        text_mentions(passage.text, aliases, width=alias_width) for passage in store.passages
    ]
    entity_blocks: dict[str, set[int]] = {}
    for pid, entities in enumerate(passage_entities):
        for entity in entities:
            entity_blocks.setdefault(entity, set()).add(store.block_of[pid])
    return AskIndex(
        store=store,
        rows_to_passage={p.row: p.id for p in store.passages if p.row >= 0},
        slide_rows=slide_rows,
        passage_entities=passage_entities,
        entity_blocks=entity_blocks,
        slide_about=dict(about),
        alias_width=alias_width,
        limits=dict(limits),
        scores=build_score_index(store, slide_rows, len(items)),
        mechanisms=mechanisms,
    )
