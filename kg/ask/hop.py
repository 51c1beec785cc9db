"""Two-step questions: the first part describes an entity ("another AWS service", "that engine"),
the last part asks about it. Find the bridge, then answer the last part about it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kg.ask.execute import ask_index, search
from kg.ask.link import Linked, link
from kg.ask.parse import SCOPE_RE, mask, parse
from kg.ask.plan import Plan
from kg.ask.retrieve import Ranked
from kg.ask.text import content_stems
from kg.kb import KB

# The anaphor's noun says what kind of entity the bridge is.
BRIDGE_TYPES: Final = (
    # "an open-source engine" is software, not an AWS service.
    (re.compile(r"\bopen[- ]source\b", re.I), ("Software", "ThirdPartyProduct")),
    (
        re.compile(r"\b(?:service|database|store|device|cache|caching)\b", re.I),
        ("Service", "Feature"),
    ),
    (
        re.compile(r"\b(?:engine|framework|library|tool|notebook|algorithm)\b", re.I),
        ("Software", "ThirdPartyProduct", "Service", "Feature", "Concept"),
    ),
)
# Words that point back to the bridge in the last part.
POINTER_RE: Final = re.compile(
    r"\b(?:that|this|the same|the other) (?:aws )?(?:service|database|engine|library|tool|"
    r"framework|algorithm|device|notebook|streaming service|one|store|cache)\b|\bits\b|\bit\b|"
    r"\bthem\b",
    re.I,
)
# A pointer that names a service: a feature found for it stands for the service it is of.
SERVICE_POINTER_RE: Final = re.compile(r"\b(?:service|database)\b", re.IGNORECASE)
# Bridge candidates from this many of the setup's best blocks (4 and 8 measured the same on
# dev+dev2; 6 reaches a fifth-ranked "X under the hood" line).
BRIDGE_BLOCKS: Final = 6


@dataclass(frozen=True)
class Hop:
    """The bridge entity, the block that names it, the last part rewritten about it, and how well
    the setup's evidence supports the entity."""

    entity: str
    ranked: Ranked
    question: str
    score: float = 0.0
    # What the last part's pointer names: the entity, or the service it is a feature of.
    pointed: str = ""

    @property
    def named(self) -> str:
        """The entity the last part asks about."""
        return self.pointed or self.entity


def split_setup(plan: Plan) -> tuple[str, str]:
    """(setup, final question): the sentences, or clauses, before the last one, and the last."""
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", plan.text.strip()) if s]
    if len(sentences) >= 2:
        return " ".join(sentences[:-1]), sentences[-1]
    clauses = plan.parsed.clauses
    if len(clauses) >= 2:
        return " ".join(clauses[:-1]), clauses[-1]
    return plan.text, plan.text


def parse_scope(text: str) -> list[str]:
    """The scope phrases of a text ("X's anti-pattern slide" -> "anti-pattern")."""
    return [m.group(1) for m in SCOPE_RE.finditer(text)]


def bridge_types(setup: str) -> tuple[str, ...]:
    """Entity types the setup's noun admits."""
    for pattern, types in BRIDGE_TYPES:
        if pattern.search(setup):
            return types
    return ()


def find_bridge(kb: KB, plan: Plan) -> Hop | None:
    """The entity the setup describes: named by, or the topic of, the passage best matching it."""
    hops = bridge_candidates(kb, plan)
    return hops[0] if hops else None


def bridge_candidates(kb: KB, plan: Plan) -> list[Hop]:
    """Entities the setup may describe, best first, one hop each: a typed graph edge's partner
    and the names of the passages best matching the setup."""
    from kg.ask.lists import text_entities
    from kg.ask.verdicts import passage_context

    index = ask_index(kb)
    store = index.store
    setup, final = split_setup(plan)
    if setup == final:
        return []
    ranked = search(kb, setup, kb.embed_query(setup), plan.linked.entities)
    linked = link(setup, aliases=kb.aliases, labels=kb.labels)
    typed = graph_bridge(kb, plan, setup, linked, ranked)
    named = setup_names(kb, plan, linked.entities)
    types = bridge_types(setup)
    # Scope phrases are read with names masked ("X's anti-pattern slide"), as the parser does.
    masked = mask(setup, linked.mentions)
    scope = {t for phrase in parse_scope(masked) for t in content_stems(phrase)}
    weights = {t: store.idf.get(t, 0.0) for t in set(content_stems(setup)) - scope}
    mass = sum(weights.values()) or 1.0
    best: dict[str, tuple[float, Ranked]] = {}
    for position, item in enumerate(ranked[:BRIDGE_BLOCKS]):
        place = (item.block.deck, item.block.slide)
        candidates: list[tuple[str, float]] = []
        for pid in item.block.members:
            words = set(content_stems(passage_context(store, pid)))
            share = sum(w for t, w in weights.items() if t in words) / mass
            header = bool(store.passages[pid].children)
            weight = HEADER_WEIGHT if header else 1.0
            candidates += [(e, weight * SHARE_WEIGHT * share) for e in index.passage_entities[pid]]
        if not candidates:
            # A header without names answers through the line printed right after it.
            following = item.block.id + 1
            if (
                following < len(store.blocks)
                and (
                    store.blocks[following].deck,
                    store.blocks[following].slide,
                )
                == place
            ):
                for pid in store.blocks[following].members:
                    candidates += [(e, NEXT_BONUS) for e in index.passage_entities[pid]]
        candidates += [(e, TITLE_BONUS) for e in text_entities(kb, store.titles.get(place, ""))]
        candidates += [(e, TOPIC_BONUS) for e in index.slide_about.get(place, ())]
        for entity, bonus in candidates:
            known = kb.entities.get(entity)
            if entity in named or known is None or (types and known.type not in types):
                continue
            score = item.score + bonus - 0.03 * position
            if entity not in best or score > best[entity][0]:
                best[entity] = (score, item)
    order = sorted(best, key=lambda e: -best[e][0])
    hops = [make_hop(kb, entity, best[entity][1], final, best[entity][0]) for entity in order]
    # A typed edge whose slide the setup's evidence reaches decides, unless a passage names a
    # better-supported candidate ("Presto under the hood" for "runs on an engine"): then both are
    # tried, the passage's first.
    if typed is not None and typed.score > 0:
        rivals = [h for h in hops if h.entity != typed.entity]
        if not rivals or rivals[0].score <= typed.score:
            return [typed]
        return rivals[:1] + [typed]
    return hops


def setup_names(kb: KB, plan: Plan, entities: Sequence[str]) -> set[str]:
    """Entities the setup names, which the bridge is not; the last part's names may be parts of
    the bridge ("In that service, ... the Standard-IA class" names a class of the bridge)."""
    named = set(entities) | set(plan.linked.excluded)
    # The service of a named feature is named too ("a Glue dev endpoint" names Glue).
    return named | {kb.parts[e] for e in named if e in kb.parts}


def make_hop(kb: KB, entity: str, item: Ranked, final: str, score: float) -> Hop:
    """A hop to an entity, with the last part rewritten to name it."""
    known = kb.entities.get(entity)
    parent = kb.parts.get(entity, "")
    for pointer in POINTER_RE.finditer(final):
        types = bridge_types(pointer.group(0))
        pointed = entity
        owner = kb.entities.get(parent)
        if (
            known is not None
            and known.type == "Feature"
            and SERVICE_POINTER_RE.search(pointer.group(0))
        ):
            # "that streaming service" after a feature names the service the feature is of.
            if owner is None or owner.type != "Service":
                continue
            pointed = parent
        elif types and known is not None and known.type not in types:
            continue
        name = kb.labels.get(pointed, pointed)
        rewritten = final[: pointer.start()] + name + final[pointer.end() :]
        return Hop(entity, item, rewritten, score, pointed if pointed != entity else "")
    return Hop(entity, item, f"{final} ({kb.labels.get(entity, entity)})", score)


# How much a candidate's passage matching the setup's words counts, against the block's score; a
# name in a list's header is context, worth less than one in the list; the slide's title and topic
# are candidates too.
SHARE_WEIGHT: Final = 0.3
HEADER_WEIGHT: Final = 0.5
TITLE_BONUS: Final = 0.05
NEXT_BONUS: Final = 0.02
TOPIC_BONUS: Final = 0.03


def graph_bridge(
    kb: KB, plan: Plan, setup: str, linked: Linked, ranked: Sequence[Ranked]
) -> Hop | None:
    """The bridge by a typed edge when the setup asks a relation the registry knows ("X is built
    on another service" -> what X uses): the partner the most slides state, cited on its slide."""
    from kg.ask.execute import related_rows

    reading = parse(setup, linked.mentions).reading
    if reading is None:
        return None
    focus = linked.mentions[reading.focus].entity
    rows, _ = related_rows(kb, reading.kind, focus, reading.asked)
    types = bridge_types(setup)
    counts: dict[str, list[str]] = {}
    for row in rows:
        entity = row["entity"].rsplit("/", 1)[-1]
        known = kb.entities.get(entity)
        if entity in plan.linked.entities or known is None or (types and known.type not in types):
            continue
        counts.setdefault(entity, []).append(str(row["slide"]))
    if not counts:
        return None
    entity = max(counts, key=lambda e: len(set(counts[e])))
    info = kb.slides.get(counts[entity][0])
    place = (info.deck, info.number) if info else None
    item = next((r for r in ranked if (r.block.deck, r.block.slide) == place), None)
    if item is None:
        store = ask_index(kb).store
        pids = store.by_slide.get(place, []) if place else []
        if not pids:
            return None
        item = Ranked(store.blocks[store.block_of[pids[0]]], 0.0, 0.0, 0.0, pids[0])
    _, final = split_setup(plan)
    return make_hop(kb, entity, item, final, item.score)


def hop_names(kb: KB, hops: Sequence[Hop]) -> str:
    """The bridge entities as "That is X (slide N)."."""
    return " ".join(hop_name(kb, h) for h in hops)


def hop_name(kb: KB, hop: Hop) -> str:
    """One bridge as "That is X (slide N)." or "That is X (slide N), of Y." for a feature."""
    lead = f"That is {kb.labels.get(hop.entity, hop.entity)} (slide {hop.ranked.block.slide})"
    if hop.pointed:
        return f"{lead}, of {kb.labels.get(hop.pointed, hop.pointed)}."
    return f"{lead}."
