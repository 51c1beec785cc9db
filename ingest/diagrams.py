"""Flattened diagrams: caption labels ("Destinations", "Producers") and arrow-less label groups."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from ingest.relations import Located, pair_facts
from kg.registry import RelationKind, Side
from kg.types import Fact, Slide

# A caption names the role of the labels that follow it; "Producers" glued to the label before
# it ("HTTP EndpointProducers") still counts, a word inside an entity name does not.
LABEL_CUE = re.compile(
    r"(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))(?:([Dd]estinations?|[Tt]argets?|"
    r"[Ss]inks?|[Oo]utputs?|[Cc]onsumers?)|([Ss]ources?|[Pp]roducers?|"
    r"[Ii]nputs?))(?![a-z])"
)
# How many labels after a caption it still speaks for: a diagram's column is a handful of boxes.
LABEL_GROUP = 8
# A label longer than this is a sentence printed beside the diagram, not a box.
LABEL_WORDS = 6
# A flow read from a diagram caption is less sure than one a sentence states: the text layer
# prints a diagram's boxes in an order that only roughly follows its columns.
CAPTION_CONFIDENCE = 0.6


class Way(StrEnum):
    """Which way data goes between a caption's labels and the diagram's subject."""

    OUT = "out"
    IN = "in"


@dataclass(frozen=True)
class Caption:
    """A caption word in a label: where it starts, the way it names, and the entity it is of
    ("Flink Sources": Flink's sources), if its label names one just before it."""

    start: int
    way: Way
    owner: str | None = None
    # "Oracle DB (source)": a caption in parentheses names its own box's role only.
    own: bool = False


def caption_of(item: Located) -> Caption | None:
    """The caption a label carries, if one and only one way is named outside entity names
    ("Source Sink" names both: no caption)."""
    text = item.segment.text
    found = [m for m in LABEL_CUE.finditer(text) if not inside_entity(item, m.start())]
    ways = {Way.OUT if m.group(1) else Way.IN for m in found}
    if len(ways) != 1:
        return None
    start = found[0].start()
    if text.count("(", 0, start) > text.count(")", 0, start):
        return Caption(start, ways.pop(), own=True)
    # "Flink Sources" names whose sources; "HTTP EndpointProducers" glues two boxes.
    owner = next((e for e, _, b in item.spans if b < start and not text[b:start].strip()), None)
    return Caption(start, ways.pop(), owner)


def inside_entity(item: Located, at: int) -> bool:
    """Whether a position falls inside an entity name."""
    return any(a <= at < b for _, a, b in item.spans)


def is_label(item: Located) -> bool:
    """A short label line of a flattened diagram."""
    return item.segment.kind == "label" and len(item.segment.text.split()) <= LABEL_WORDS


def caption_facts(slide: Slide, items: Sequence[Located], subject: str | None) -> list[Fact]:
    """Labels within LABEL_GROUP labels after a caption flow to or from the slide's subject."""
    facts: list[Fact] = []
    way: Way | None = None
    hub = subject
    budget = 0
    for item in items:
        if not is_label(item):
            continue
        caption = caption_of(item)
        if caption is not None and caption.own:
            if subject is not None:
                side = Side.OBJECT if caption.way is Way.OUT else Side.SUBJECT
                named = [e for e, a, _ in item.spans if a < caption.start and e != subject]
                facts += pair_facts(slide, item, RelationKind.FLOW, side, [subject], named)
            budget -= 1
            continue
        before = (way, hub, budget - 1)
        if caption is not None:
            # "Flink Sources" names another box's sources: the text layer prints a diagram's
            # columns too loosely to tell which boxes they are, so none is read.
            owned = caption.owner is not None and caption.owner != subject
            way, budget, hub = (None if owned else caption.way), LABEL_GROUP + 1, subject
        budget -= 1
        for entity, start, _ in item.spans:
            if entity == subject:
                way, budget = None, 0
                continue
            # A name printed before the caption word belongs to the group before it
            # ("Datadog 3rd-party Partner Destinations"), unless the caption is its own.
            early = caption is not None and start < caption.start
            if caption is not None and early and entity == caption.owner:
                continue
            entity_way, entity_hub, entity_budget = before if early else (way, hub, budget)
            if entity_hub is not None and entity_way is not None and entity_budget >= 0:
                side = Side.OBJECT if entity_way is Way.OUT else Side.SUBJECT
                facts += pair_facts(slide, item, RelationKind.FLOW, side, [entity_hub], [entity])
    return [replace(fact, confidence=CAPTION_CONFIDENCE) for fact in facts]


def label_runs(items: Sequence[Located]) -> list[list[Located]]:
    """Runs of consecutive diagram labels, broken by any bullet or sentence."""
    runs: list[list[Located]] = [[]]
    for item in items:
        if is_label(item):
            runs[-1].append(item)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def adjacency_facts(
    slide: Slide, items: Sequence[Located], stated: set[frozenset[str]]
) -> list[Fact]:
    """Neighbouring boxes of an arrow-less label run, each entity with the next one named, as
    low-confidence adjacency (kg:shownWith), unless the slide already relates the pair."""
    facts: list[Fact] = []
    for run in label_runs(items):
        named = [(item, entity) for item in run for entity in item.entities]
        for (first, a), (second, b) in zip(named, named[1:], strict=False):
            if a == b or frozenset((a, b)) in stated:
                continue
            stated.add(frozenset((a, b)))
            text = f"{first.segment.text} / {second.segment.text}" if first is not second else ""
            facts += [
                replace(
                    fact,
                    line_start=first.segment.line_start,
                    text=text or fact.text,
                )
                for fact in pair_facts(slide, second, RelationKind.ADJACENT, Side.OBJECT, [a], [b])
            ]
    return facts


def stated_pairs(facts: Sequence[Fact]) -> set[frozenset[str]]:
    """The entity pairs a slide's facts already relate."""
    return {
        frozenset((f.subject, f.object))
        for f in facts
        if f.kind == "relation" and f.object is not None
    }
