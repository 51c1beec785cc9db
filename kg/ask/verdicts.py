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

from kg.ask.bounds import (
    BEYOND_RE,
    asked_amount,
    same_amount,
    stated_bounds,
    stated_default,
    within,
)
from kg.ask.execute import ask_index, relation_rows
from kg.ask.parse import Intent
from kg.ask.plan import Plan
from kg.ask.retrieve import Ranked
from kg.ask.store import PassageStore
from kg.ask.text import content_stems, stem, stems, used_stems
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
# A passage about another entity ("Redshift unloads to S3 in Parquet" for "can Athena query
# Parquet") addresses the question less than one about the asked entity.
OFF_FOCUS_PENALTY: Final = 0.2
# A line's label: a short name before a colon ("Task node: runs tasks, hosts no data").
LABEL_RE: Final = re.compile(r"^\s*([^:;,.]{2,40}):\s*\S")
# An anti-pattern slide ("... anti-patterns") answers "is X a good fit for Y" with no.
ANTI_PATTERN_TITLE: Final = re.compile(r"(?<!no longer an )anti[- ]?patterns?", re.IGNORECASE)
# A bullet that is only an anti-pattern header ("• Anti Pattern") heads the bullets after it.
ANTI_PATTERN_HEADER: Final = re.compile(r"^\s*anti[- ]?patterns?\s*:?\s*$", re.IGNORECASE)
# A question about doing something to an existing thing, which "set at creation" answers with no.
AFTER_CREATION_RE: Final = re.compile(
    r"\b(?:after|afterwards|later|already|existing|once it(?:'s| is| has been))\b", re.IGNORECASE
)
# A question about needing or having to do something, which "no need to" answers with no.
NEED_RE: Final = re.compile(r"\b(?:need|needs|must|have to|has to|required?|necessary)\b", re.I)

# A figure verdict reads the limits of this many top blocks: the deck's limit is often ranked low,
# since its figure is not the question's ("Max is 900 seconds" for "run for 30 minutes").
BOUND_BLOCKS: Final = 40
# A question about a default asks for the figure itself: the line's default, not its limit.
DEFAULT_RE: Final = re.compile(r"\bdefault\b", re.IGNORECASE)

# A question whether something happens on its own, which "optionally, you can ..." answers with no.
ON_ITS_OWN_RE: Final = re.compile(
    r"^\s*will\b|\bautomatically\b|\bby default\b|\bon (?:its|their) own\b|\bby itself\b",
    re.IGNORECASE,
)

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


@lru_cache(maxsize=4)
def cue_pairs(kind: str) -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    """(what the deck states, what a question asks instead) pairs of a kind of cue."""
    data = tomllib.loads(CUES_FILE.read_text(encoding="utf-8"))
    return tuple(
        (re.compile(row["pattern"], re.IGNORECASE), re.compile(row["asked"], re.IGNORECASE))
        for row in data.get(kind, [])
    )


def contrasts() -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    """(what a restriction keeps, what a question asks instead) pairs ("same" / "another")."""
    return cue_pairs("contrast")


# Words a line's clauses share ("X on by default, Y off"): they pick no clause.
SHARED_STATE_WORDS: Final = "default"


def opposite_state(plan: Plan, text: str) -> bool:
    """Whether the clause of a line that best matches the question states the other state ("on
    by default" in "Protection on by default, auto-stop off" for "is protection off?")."""
    asked = set(plan.predicate_stems) - set(stems(SHARED_STATE_WORDS))
    clauses = [c for c in re.split(r"[,;]", text) if c.strip()]
    if not clauses:
        return False
    best = max(clauses, key=lambda c: len(used_stems(asked, set(content_stems(c)))))
    return any(
        stated.search(best) and wanted.search(plan.text) and not wanted.search(best)
        for stated, wanted in cue_pairs("opposite")
    )


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
    used = used_stems(wanted, words)
    hits = len(used) + len(others & spoken_of(kb, pid))
    total = len(wanted) + len(others)
    return (hits / total if total else 0.0), used


def focus_family(kb: KB, focus: str) -> set[str]:
    """The asked entity, what it is part of and its parts."""
    return {focus, kb.parts.get(focus, focus)} | {e for e, p in kb.parts.items() if p == focus}


def headed_names(kb: KB, pid: int) -> set[str]:
    """Entities a passage names, with those its header names."""
    index = ask_index(kb)
    passage = index.store.passages[pid]
    named = set(index.passage_entities[pid])
    if passage.parent >= 0:
        named |= set(index.passage_entities[passage.parent])
    return named


def spoken_of(kb: KB, pid: int) -> set[str]:
    """Entities a passage speaks of: those it or its header names, and its slide's topics."""
    index = ask_index(kb)
    passage = index.store.passages[pid]
    return headed_names(kb, pid) | set(index.slide_about.get((passage.deck, passage.slide), ()))


def about_focus(kb: KB, focus: str, pid: int) -> bool:
    """Whether a passage speaks of the asked entity: it, its parent or a part of it is named in
    the passage, its header, or the slide it is on is about it."""
    return bool(focus_family(kb, focus) & spoken_of(kb, pid))


def label_entities(kb: KB, text: str) -> set[str]:
    """The entities a line's label names ("Task node: runs tasks" names the task node)."""
    from kg.ask.lists import text_entities

    label = LABEL_RE.match(text)
    return set(text_entities(kb, label.group(1))) if label else set()


def child_entities(kb: KB, pid: int) -> set[str]:
    """The entities the lines under a passage name: a header speaks of them too."""
    index = ask_index(kb)
    return {e for c in index.store.passages[pid].children for e in index.passage_entities[c]}


def addressing(kb: KB, plan: Plan, ranked: Sequence[Ranked]) -> tuple[int, Ranked | None, float]:
    """The passage that best addresses the question, with its share of the question; a line
    labelled with the asked entity ("Task node: ...") goes first, unless a line naming it in its
    text addresses more of the question."""
    index = ask_index(kb)
    scored: list[tuple[float, int, Ranked, float]] = []
    for pid, item, position in candidates(kb, ranked):
        share, _ = share_of(kb, plan, pid)
        score = share + item.score - 0.02 * position
        if plan.focus and not about_focus(kb, plan.focus, pid):
            score -= OFF_FOCUS_PENALTY
        scored.append((score, pid, item, share))
    if not scored:
        return -1, None, 0.0
    best = max(scored, key=lambda row: row[0])
    if plan.focus:
        labelled = [
            row
            for row in scored
            if row[3] >= MIN_SHARE
            and plan.focus in label_entities(kb, index.store.passages[row[1]].text)
        ]
        if labelled:
            first = max(labelled, key=lambda row: row[0])
            if not any(
                row[3] > first[3] and plan.focus in index.passage_entities[row[1]] for row in scored
            ):
                best = first
    return best[1], best[2], best[3]


def read_verdict(
    kb: KB, plan: Plan, ranked: Sequence[Ranked], *, every_entity: bool = False
) -> Finding:
    """The verdict the evidence passages give, or None when none addresses the question (or, with
    every_entity, when the addressing passage does not speak of every asked entity)."""
    from kg.ask.restrictions import (
        asks_restriction,
        restricted_answer,
        restricted_to_others,
        restriction_allows,
    )

    store = ask_index(kb).store
    bound = bound_finding(kb, plan, ranked)
    if bound is not None:
        return bound
    pid, item, share = addressing(kb, plan, ranked)
    if item is None or pid < 0 or share < MIN_SHARE:
        return Finding(None, pid, item, share, "no passage addresses the question")
    own = store.passages[pid].text
    asked = plan.linked.entities
    # A line labelled with the asked entity speaks of it even when it names no other asked one.
    if (
        every_entity
        and not all(about_focus(kb, e, pid) or e in child_entities(kb, pid) for e in asked)
        and not (plan.focus and plan.focus in label_entities(kb, own))
    ):
        if restricted_to_others(kb, plan, own):
            return Finding("no", pid, item, share, "restriction")
        return Finding(None, pid, item, share, "no passage names every asked entity")
    context = passage_context(store, pid)
    title = store.titles.get((item.block.deck, item.block.slide), "")
    if ANTI_PATTERN_TITLE.search(title) or under_anti_pattern(store, pid):
        return Finding("no", pid, item, share, "anti-pattern")
    if says("unneeded", context) and NEED_RE.search(plan.text):
        return Finding("no", pid, item, share, "unneeded")
    if says("optional", own) and ON_ITS_OWN_RE.search(plan.text):
        return Finding("no", pid, item, share, "optional")
    if opposite_state(plan, own):
        return Finding("no", pid, item, share, "opposite state")
    if hedged(plan, context):
        return Finding("no", pid, item, share, "hedge")
    if excepted(kb, plan, context):
        return Finding("no", pid, item, share, "exception")
    if says("creation", context) and AFTER_CREATION_RE.search(plan.text):
        return Finding("no", pid, item, share, "at creation")
    if says("unbounded", own) and says("unbounded", plan.text):
        return Finding("yes", pid, item, share, "unbounded")
    if says("negation", own) or (says("negation", context) and not says("affirmation", own)):
        return Finding("no", pid, item, share, "negation")
    asked_only = restricted_answer(kb, plan, own) if asks_restriction(plan.text) else None
    if asked_only is not None:
        return Finding(asked_only, pid, item, share, "asked restriction")
    if says("restriction", own) and not restriction_allows(kb, plan, own):
        return Finding("no", pid, item, share, "restriction")
    caveat = slide_caveat(kb, plan, pid, item)
    if caveat >= 0:
        return Finding("no", caveat, item, share, "caveat")
    return Finding("yes", pid, item, share, "statement")


def names_other(kb: KB, focus: str, pid: int) -> bool:
    """Whether a passage (or its header) names entities, none of them the asked one or its parts:
    it speaks of another entity even on a slide about the asked one ("Core node: ...")."""
    named = headed_names(kb, pid)
    return bool(named) and not named & focus_family(kb, focus)


def bound_finding(kb: KB, plan: Plan, ranked: Sequence[Ranked]) -> Finding | None:
    """A verdict on a figure the question states ("can a message be 1 MB?"): inside or outside the
    limit the best passage about the asked entity states in that dimension."""
    asked = asked_amount(plan.text)
    if asked is None or plan.focus is None:
        return None
    by_default = bool(DEFAULT_RE.search(plan.text))
    store = ask_index(kb).store
    wanted = set(plan.predicate_stems) - set(stems(asked.text))
    found: list[tuple[float, int, Ranked, bool]] = []
    for position, item in enumerate(ranked[:BOUND_BLOCKS]):
        for pid in item.block.members:
            text = store.passages[pid].text
            default = stated_default(text, asked.dimension) if by_default else None
            bounds = [] if by_default else stated_bounds(text, asked.dimension)
            if not (bounds or default) or not about_focus(kb, plan.focus, pid):
                continue
            if names_other(kb, plan.focus, pid):
                continue
            used = used_stems(wanted, set(content_stems(passage_context(store, pid))))
            share = len(used) / len(wanted) if wanted else 0.0
            beyond = bool(BEYOND_RE.search(plan.text))
            inside = (
                same_amount(asked, default) if default else within(asked, bounds, beyond=beyond)
            )
            found.append((share + item.score - 0.02 * position, pid, item, inside))
    if not found:
        return None
    score, pid, item, inside = max(found, key=lambda row: row[0])
    share, _ = share_of(kb, plan, pid)
    # A limit that uses none of the question's words decides only when every limit agrees.
    if not share and len({row[3] for row in found}) > 1:
        return None
    return Finding("yes" if inside else "no", pid, item, max(share, MIN_SHARE), "bound")


def hedged(plan: Plan, text: str) -> bool:
    """Whether a passage hedges a word the question asks plainly ("near real time" for "is it real
    time?")."""
    asked = set(content_stems(plan.text))
    for pattern in cues().get("hedge", ()):
        for match in pattern.finditer(text):
            word = stem(match.group(1).lower())
            if word in asked and not pattern.search(plan.text):
                return True
    return False


def excepted(kb: KB, plan: Plan, text: str) -> bool:
    """Whether what the question asks about comes after an "except" ("does everything X can,
    except: Spectrum" for "does it support Spectrum?")."""
    from kg.ask.lists import text_entities

    for pattern in cues().get("exception", ()):
        for match in pattern.finditer(text):
            after = match.group(1)
            asked = set(plan.linked.entities[1:]) & set(text_entities(kb, after))
            words = set(plan.predicate_stems) & set(content_stems(after))
            if asked or (not plan.linked.entities[1:] and words):
                return True
    return False


def under_anti_pattern(store: PassageStore, pid: int) -> bool:
    """Whether a passage comes after an anti-pattern header bullet on its slide, or is one."""
    passage = store.passages[pid]
    for other in store.by_slide.get((passage.deck, passage.slide), []):
        if other > pid:
            break
        text = store.passages[other].text
        if ANTI_PATTERN_HEADER.match(text) or ANTI_PATTERN_HEADER.match(text.split(":")[0] + ":"):
            return True
    return False


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
        if words - used and not rival_section(kb, plan, pid, other):
            return other
    return -1


def section_head(store: PassageStore, pid: int) -> int:
    """The line heading a passage's section: its parent, else the last header above it on its
    slide (a flat export loses the indent that put "No planning needed" under "On-demand")."""
    passage = store.passages[pid]
    if passage.parent >= 0 or passage.children:
        return passage.parent if passage.parent >= 0 else pid
    head = -1
    for other in store.by_slide.get((passage.deck, passage.slide), []):
        if other >= pid:
            break
        if store.passages[other].children:
            head = other
    return head


def rival_section(kb: KB, plan: Plan, pid: int, other: int) -> bool:
    """Whether another passage sits under a heading of another member of the asked kind: one that
    uses fewer of the question's words than the chosen passage's heading, but some ("On-demand
    mode" beside "Provisioned mode (default)" when the provisioned mode is asked)."""
    store = ask_index(kb).store
    mine, theirs = section_head(store, pid), section_head(store, other)
    if theirs < 0 or theirs == mine:
        return False
    wanted = set(plan.predicate_stems)

    def heading_words(head: int) -> int:
        """How many of the question's words a heading's own line uses."""
        text = store.passages[head].text if head >= 0 else ""
        return len(used_stems(wanted, set(content_stems(text))))

    return 0 < heading_words(theirs) < heading_words(mine)


# A partner list this long is taken as the deck's whole list for a "no" (shorter lists are too
# likely to be cut short); the answer names this many of them.
CLOSED_LIST_MIN: Final = 4
CLOSED_LIST_SHOWN: Final = 8
# Entity types that are carried or described, never a flow's partner: no list's absence denies them.
NO_PARTNER_TYPES: Final = frozenset({"DataFormat", "Compression", "Concept"})
# A "no" by absence is less sure than a stated edge or negation.
CLOSED_LIST_SHARE: Final = 0.6
# How a "no" by absence opens its statement (kg/ask/confidence.py reports it apart).
ABSENCE_LEAD: Final = "The deck names what"
# Each flow intent's list read from the other end, and how the answer words each list.
MIRROR: Final = {
    Intent.WRITES_TO: Intent.DESTINATIONS,
    Intent.SOURCES: Intent.DESTINATIONS,
    Intent.READS_FROM: Intent.SOURCES,
    Intent.DESTINATIONS: Intent.SOURCES,
    Intent.TRIGGERS: Intent.TRIGGERED_BY,
    Intent.TRIGGERED_BY: Intent.TRIGGERS,
}
FLOW_WORDS: Final = {
    Intent.WRITES_TO: "gets data from",
    Intent.SOURCES: "gets data from",
    Intent.READS_FROM: "sends data to",
    Intent.DESTINATIONS: "sends data to",
    Intent.TRIGGERS: "triggers",
    Intent.TRIGGERED_BY: "is triggered by",
}


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
        not_only = partners_besides(kb, plan, rows, others)
        if not_only is not None:
            return not_only
        row = hits[0]
        return Finding("yes", -1, None, 1.0, "graph edge", str(row["text"]), str(row["slide"]))
    for row in run_select(kb.store, kb.book, "negations_of", entity=entity_iri(plan.focus)):
        ends = {id_from_iri(row["subject"]), id_from_iri(row["object"])}
        if any(e in ends for e in others):
            return Finding("no", -1, None, 1.0, "negation", str(row["text"]), str(row["slide"]))
    return closed_list(kb, plan, rows, others) or Finding(None, -1, None, 0.0, "no edge")


def partners_besides(
    kb: KB, plan: Plan, rows: Sequence[Mapping[str, Any]], others: Sequence[str]
) -> Finding | None:
    """A "no" to "can A only <flow> B?" when the deck names B among several of A's partners."""
    from kg.ask.restrictions import asks_restriction, restricted_entity

    kept = restricted_entity(kb, plan) if asks_restriction(plan.text) else None
    if plan.flow is None or plan.focus is None or kept is None:
        return None
    for end, intent, end_rows in flow_ends(kb, plan, rows, others):
        partners = partners_of(end, end_rows)
        if end == kept or kept not in partners or len(partners) < 2 or intent not in FLOW_WORDS:
            continue
        statement = (
            f"{ABSENCE_LEAD} {kb.labels.get(end, end)} {FLOW_WORDS[intent]}: "
            f"{listed_names(kb, partners)}; {kb.labels.get(kept, kept)} is one of them"
        )
        return Finding("no", -1, None, 1.0, "closed list", statement, str(end_rows[0]["slide"]))
    return None


def flow_ends(
    kb: KB, plan: Plan, rows: Sequence[Mapping[str, Any]], others: Sequence[str]
) -> list[tuple[str, Intent, Sequence[Mapping[str, Any]]]]:
    """The ends of an asked flow with their graph rows: the focus's, then each other entity's
    read the other way round (Firehose's destinations, then what DynamoDB gets data from)."""
    assert plan.flow is not None and plan.focus is not None
    ends: list[tuple[str, Intent, Sequence[Mapping[str, Any]]]] = [
        (plan.focus, plan.flow.intent, rows)
    ]
    if plan.flow.intent in MIRROR:
        mirror = MIRROR[plan.flow.intent]
        ends += [(o, mirror, relation_rows(kb, mirror, o)[0]) for o in others]
    return ends


def partners_of(end: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The entities an end's rows relate it to, in order, without the end itself."""
    return [p for p in dict.fromkeys(id_from_iri(r["entity"]) for r in rows) if p != end]


def listed_names(kb: KB, partners: Sequence[str]) -> str:
    """The first partners of a list by label, as an answer names them."""
    return ", ".join(kb.labels.get(p, p) for p in partners[:CLOSED_LIST_SHOWN])


def closed_list(
    kb: KB, plan: Plan, rows: Sequence[Mapping[str, Any]], others: Sequence[str]
) -> Finding | None:
    """A "no" from the graph's lists: when the deck names several partners of one end in the asked
    direction and the other end is not among them ("Can Firehose deliver to DynamoDB?": Firehose's
    destinations, or what DynamoDB gets data from, whichever list is longer)."""
    if plan.flow is None or plan.focus is None or plan.flow.intent not in MIRROR:
        return None
    # The other end's list is read only when one other entity is asked.
    mirrored = others if len(others) == 1 else ()
    listed = []
    for end, intent, end_rows in flow_ends(kb, plan, rows, mirrored):
        partners = partners_of(end, end_rows)
        # Absence from a list of partners says nothing of a format, an idea or the end's feature.
        missing = [
            m
            for m in (others if end == plan.focus else [plan.focus])
            if kb.parts.get(m) != end
            and (m not in kb.entities or kb.entities[m].type not in NO_PARTNER_TYPES)
        ]
        if not missing:
            continue
        if any(m in partners or kb.parts.get(m) in partners for m in missing):
            return None
        listed.append((len(partners), end, intent, partners, missing, end_rows))
    if not listed:
        return None
    count, end, intent, partners, missing, end_rows = max(listed, key=lambda row: row[0])
    if count < CLOSED_LIST_MIN:
        return None
    more = ", …" if count > CLOSED_LIST_SHOWN else ""
    statement = (
        f"{ABSENCE_LEAD} {kb.labels.get(end, end)} {FLOW_WORDS[intent]}: "
        f"{listed_names(kb, partners)}{more}; "
        f"{' or '.join(kb.labels.get(m, m) for m in missing)} is not among them"
    )
    slide = str(end_rows[0]["slide"])
    return Finding("no", -1, None, CLOSED_LIST_SHARE, "closed list", statement, slide)
