"""Yes/no verdicts: the graph's edge or negation first, else the passage that addresses the asked
predicate, read for negations and restrictions that contradict the question's qualifiers."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

from kg.ask.execute import ask_index
from kg.ask.plan import Plan
from kg.ask.retrieve import Ranked
from kg.ask.store import PassageStore
from kg.ask.text import content_stems, stems, used_stems
from kg.graph import entity_iri, id_from_iri, run_select
from kg.kb import KB

CUES_FILE: Final = Path(__file__).parent.parent / "data" / "verdict_cues.toml"
# Passages of these many top blocks are read for the addressing one.
VERDICT_BLOCKS: Final = 4
# Passages of this many best slides are read too, scored a little under their slide's best block.
VERDICT_SLIDES: Final = 2
SLIDE_NEIGHBOUR: Final = 0.1
# A passage must share this share of the question's specific words and entities to address it.
MIN_SHARE: Final = 0.25
# Qualifiers of the asker's situation ("a cluster that's already running"): a restriction is read
# against them, a passage is not expected to use them.
STATE_QUALIFIERS: Final = frozenset({"already", "existing"})
# A phrase setting something aside speaks of the alternative ("Works against collections instead of
# provisioned domains" is not about provisioned domains): its words do not address the question.
SET_ASIDE_RE: Final = re.compile(
    r"\b(?:instead of|rather than|unlike|as opposed to)\b[^;:.,]*", re.IGNORECASE
)
# An anti-pattern slide ("... anti-patterns") answers "is X a good fit for Y" with no.
ANTI_PATTERN_TITLE: Final = re.compile(r"anti[- ]?patterns?", re.IGNORECASE)

Verdict = Literal["yes", "no"]


@dataclass(frozen=True)
class Finding:
    """A verdict, the passage that decides it and how sure the reading is."""

    verdict: Verdict | None
    pid: int
    ranked: Ranked | None
    share: float
    reason: str
    statement: str = ""
    slide: str = ""


@lru_cache(maxsize=1)
def cues() -> dict[str, tuple[re.Pattern[str], ...]]:
    """The cue patterns by kind (negation, restriction, affirmation)."""
    data = tomllib.loads(CUES_FILE.read_text(encoding="utf-8"))
    return {
        kind: tuple(re.compile(row["pattern"], re.IGNORECASE) for row in rows)
        for kind, rows in data.items()
    }


def says(kind: str, text: str) -> bool:
    """Whether a text carries a cue of that kind."""
    return any(pattern.search(text) for pattern in cues().get(kind, ()))


def passage_context(store: PassageStore, pid: int) -> str:
    """A passage with its parent's words and the list under it: what it says, in context."""
    passage = store.passages[pid]
    parts = []
    if passage.parent >= 0:
        parts.append(store.passages[passage.parent].text)
    parts.append(passage.text)
    parts += [store.passages[c].text for c in passage.children]
    return " ".join(parts)


def candidates(kb: KB, ranked: Sequence[Ranked]) -> list[tuple[int, Ranked, int]]:
    """(passage, its ranked block, rank) for the passages of the top blocks and top slides."""
    store = ask_index(kb).store
    out: list[tuple[int, Ranked, int]] = []
    seen: set[int] = set()
    places: list[tuple[str, int]] = []
    for position, item in enumerate(ranked[:VERDICT_BLOCKS]):
        place = (item.block.deck, item.block.slide)
        if place not in places:
            places.append(place)
        for pid in item.block.members:
            if pid not in seen:
                seen.add(pid)
                out.append((pid, item, position))
    by_block = {r.block.id: r for r in ranked}
    for rank, place in enumerate(places[:VERDICT_SLIDES]):
        for pid in store.by_slide.get(place, []):
            if pid in seen:
                continue
            seen.add(pid)
            block = store.blocks[store.block_of[pid]]
            fallback = Ranked(block, ranked[rank].score - SLIDE_NEIGHBOUR, 0.0, 0.0, pid)
            out.append((pid, by_block.get(block.id, fallback), VERDICT_BLOCKS + rank))
    return out


def addressed_text(text: str) -> str:
    """A passage without the phrases that set something aside: what it speaks of."""
    return SET_ASIDE_RE.sub(" ", text)


def share_of(kb: KB, plan: Plan, pid: int) -> tuple[float, set[str]]:
    """How much of the question a passage (in context) addresses: its specific words and the
    entities besides the first; and which of the question's stems it uses."""
    index = ask_index(kb)
    store = index.store
    words = set(content_stems(addressed_text(passage_context(store, pid))))
    state = {t for q in plan.parsed.qualifiers if q in STATE_QUALIFIERS for t in stems(q)}
    wanted = set(plan.predicate_stems) - state
    others = set(plan.linked.entities[1:])
    passage = store.passages[pid]
    named = set(index.passage_entities[pid]) | set(
        index.slide_about.get((passage.deck, passage.slide), ())
    )
    if passage.parent >= 0:
        named |= set(index.passage_entities[passage.parent])
    used = used_stems(wanted, words)
    hits = len(used) + len(others & named)
    total = len(wanted) + len(others)
    return (hits / total if total else 0.0), used


def addressing(kb: KB, plan: Plan, ranked: Sequence[Ranked]) -> tuple[int, Ranked | None, float]:
    """The passage that best addresses the question, with its share of the question."""
    best: tuple[float, int, Ranked | None, float] = (-9.0, -1, None, 0.0)
    for pid, item, position in candidates(kb, ranked):
        share, _ = share_of(kb, plan, pid)
        score = share + item.score - 0.02 * position
        if score > best[0]:
            best = (score, pid, item, share)
    return best[1], best[2], best[3]


def read_verdict(kb: KB, plan: Plan, ranked: Sequence[Ranked]) -> Finding:
    """The verdict the evidence passages give, or None when none addresses the question."""
    store = ask_index(kb).store
    pid, item, share = addressing(kb, plan, ranked)
    if item is None or pid < 0 or share < MIN_SHARE:
        return Finding(None, pid, item, share, "no passage addresses the question")
    own = store.passages[pid].text
    context = passage_context(store, pid)
    title = store.titles.get((item.block.deck, item.block.slide), "")
    if ANTI_PATTERN_TITLE.search(title):
        return Finding("no", pid, item, share, "anti-pattern")
    if says("negation", own) or (says("negation", context) and not says("affirmation", own)):
        return Finding("no", pid, item, share, "negation")
    if says("restriction", own) and not restriction_allows(kb, plan, own):
        return Finding("no", pid, item, share, "restriction")
    caveat = slide_caveat(kb, plan, pid, item)
    if caveat >= 0:
        return Finding("no", caveat, item, share, "caveat")
    return Finding("yes", pid, item, share, "statement")


def slide_caveat(kb: KB, plan: Plan, pid: int, item: Ranked) -> int:
    """A negated passage on the same slide about a word of the question the chosen passage does not
    use ("Nested schemas are not supported" beside "Use updateBehavior from script")."""
    store = ask_index(kb).store
    _, used = share_of(kb, plan, pid)
    for other in store.by_slide.get((item.block.deck, item.block.slide), []):
        if other == pid:
            continue
        text = store.passages[other].text
        if not says("negation", text):
            continue
        _, words = share_of(kb, plan, other)
        if words - used:
            return other
    return -1


def relation_finding(kb: KB, plan: Plan, rows: Sequence[Mapping[str, Any]]) -> Finding | None:
    """The graph's answer to "can A <flow> B?": an edge says yes, a stated negation says no; each
    coordinated subject ("A or C") is checked on its own."""
    if plan.flow is None or plan.focus is None:
        return None
    others = [e for e in plan.linked.entities if e != plan.focus]
    if not others:
        return None
    by_entity = {id_from_iri(row["entity"]): row for row in rows}
    hits = [
        by_entity.get(e) or by_entity.get(kb.parts.get(e, ""))
        for e in others
        if e in by_entity or kb.parts.get(e) in by_entity
    ]
    conjunctive = bool(re.search(r"\band\b", plan.parsed.masked)) and not re.search(
        r"\bor\b", plan.parsed.masked
    )
    if hits and (not conjunctive or len(hits) == len(others)) and hits[0] is not None:
        row = hits[0]
        return Finding("yes", -1, None, 1.0, "graph edge", str(row["text"]), str(row["slide"]))
    for row in run_select(kb.store, kb.book, "negations_of", entity=entity_iri(plan.focus)):
        ends = {id_from_iri(row["subject"]), id_from_iri(row["object"])}
        if any(e in ends for e in others):
            return Finding("no", -1, None, 1.0, "negation", str(row["text"]), str(row["slide"]))
    return Finding(None, -1, None, 0.0, "no edge")


def restriction_allows(kb: KB, plan: Plan, text: str) -> bool:
    """Whether an "only ..." statement still admits what the question asks about."""
    from kg.ask.lists import text_entities

    after = re.split(r"\bonly\b|\bexclusively\b|\bjust\b|\bsolely\b", text, flags=re.I)[-1]
    named = set(text_entities(kb, after))
    others = list(plan.linked.entities[1:])
    if others:
        return any(e in named for e in others)
    qualifiers = set(plan.parsed.qualifiers)
    return not qualifiers & (STATE_QUALIFIERS | {"automatically", "in place"})
