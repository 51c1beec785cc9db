"""Answers from evidence: the sentence a person reads, items, value, verdict, sources."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from kg.ask.compute import compute
from kg.ask.execute import Evidence, ask_index
from kg.ask.figures import Figure, as_value, fits, passage_figures
from kg.ask.lists import (
    asks_one,
    block_items,
    graph_items,
    option_items,
    quoted_items,
    shared_items,
    text_entities,
)
from kg.ask.parse import AnswerType, Intent
from kg.ask.plan import Plan
from kg.ask.quote import (
    ANSWER_BUDGET,
    MIN_CUT_PART,
    WHOLE_SLIDE_CHARS,
    block_text,
    cite,
    fill,
    quote,
    slide_part,
    slide_quote,
    slide_text,
    sources,
)
from kg.ask.retrieve import Ranked
from kg.ask.store import PassageStore
from kg.ask.text import content_stems, stem, stopwords
from kg.ask.verdicts import focus_family, passage_context, read_verdict, relation_finding
from kg.ask.worked import Computation
from kg.kb import KB
from kg.types import Answer, Item

NOT_COVERED: Final = "The deck does not cover this."
# Below these the best evidence is too weak to answer from: a question the deck does not cover.
MIN_COSINE: Final = 0.32
# A question naming no entity needs closer evidence that repeats enough of its words (words the
# deck never uses count against it at the weight of its rarest word).
MIN_COSINE_UNNAMED: Final = 0.45
MIN_COVERAGE: Final = 0.25
# The asked entity must be on the slide of one of these many best blocks.
ANCHOR_BLOCKS: Final = 5
# A capitalised word or an inner-capital word ("WorkSpaces"), as a product name is written.
NAME_RE: Final = re.compile(
    r"\b[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\b|\b[a-z]+[A-Z][A-Za-z]+\b"
)
# How many slides a prose answer quotes at most, and how close to the best one they must score.
TEXT_BLOCKS: Final = 3
TEXT_MARGIN: Final = 0.2
# A definition's own slide takes this many of the answer's characters.
DEFINITION_SHARE: Final = 420
# How the answer's characters are shared among one, two or three quoted slides: the best one first.
BUDGET_SHARES: Final = ((1.0,), (0.7, 0.3), (0.5, 0.25, 0.25))
# Room an answer's quotes leave is filled with the best blocks of this many more slides, when they
# score this close to the best block.
FILL_BLOCKS: Final = 2
FILL_MARGIN: Final = 0.6
# A slide saying what something is: a runner-up from it tells a question asking something else
# only what the thing is (definitions keep it).
DEFINING_TITLE_RE: Final = re.compile(r"^\s*what(?:'s|’s| is| are)\b", re.IGNORECASE)
# A clause's or compared side's best block is quoted when it scores this close to the question's.
PART_MARGIN: Final = 0.35
# Questions whose answer may be a list of names.
WH_LIST_RE: Final = re.compile(r"\b(?:which|what|where|who)\b", re.IGNORECASE)
# Block items win over the graph's edges when their slides use this share of the question's words.
BLOCK_FIT: Final = 0.5
# Figures from this many of the best slides are weighed; runners-up this close are quoted too.
FIGURE_SLIDES: Final = 3
FIGURE_MARGIN: Final = 0.12
MAX_FIGURES: Final = 3
# A question asking two figures ("how many can a pool hold, and how many does it open with?")
# quotes figures further behind the best one.
NUMBER_ASK_RE: Final = re.compile(
    r"\bhow (?:many|much|long|big|large|often|fast|high|low)\b|\bwhat(?:'s| is| are)? the "
    r"(?:max(?:imum)?|min(?:imum)?|default|limit|size)\b",
    re.IGNORECASE,
)
MULTI_ASK_MARGIN: Final = 0.25
# A figure is what the question asks when the question's words sit around it: in its own line
# above all ("a batch size ... (up to 10,000 records)"), less in its header's ("Too large a batch
# size can cause timeouts!" over "payload limit (6 MB)").
CONTEXT_WORDS_WEIGHT: Final = 0.15
OWN_WORDS_WEIGHT: Final = 0.15
# Confidence levels by the kind of evidence an answer rests on.
GRAPH_LIST: Final = 0.85
VERDICT_GRAPH: Final = 0.9
UNDECIDED: Final = 0.3
BLOCK_LIST: Final = 0.7


@dataclass(frozen=True)
class Draft:
    """An answer under construction: the parts compose() fills in."""

    text: str
    intent: Intent
    items: tuple[Item, ...] = ()
    figure: Figure | None = None
    verdict: str | None = None
    used: tuple[Ranked, ...] = ()
    sparql: str | None = None
    confidence: float = 0.5


def coverage(kb: KB, plan: Plan, used: Sequence[Ranked]) -> float:
    """The share of the question's specific words the used blocks' slides contain."""
    wanted = set(plan.predicate_stems) or set(plan.topic_stems)
    if not wanted:
        return 1.0
    store = ask_index(kb).store
    words: set[str] = set()
    for item in used:
        words |= set(store.slide_terms.get((item.block.deck, item.block.slide), {}))
    return len(wanted & words) / len(wanted)


def rankings(evidence: Evidence) -> list[list[Ranked]]:
    """The whole question's ranking, then one per clause and one per compared side."""
    return [evidence.ranked, *evidence.clauses, *evidence.sides]


def defines(store: PassageStore, item: Ranked) -> bool:
    """Whether a block is on a slide that says what something is ("What is Athena?")."""
    return bool(DEFINING_TITLE_RE.search(store.titles.get((item.block.deck, item.block.slide), "")))


def prose_parts(
    kb: KB, evidence: Evidence, *, skip_defining: bool = False
) -> tuple[list[str], list[Ranked]]:
    """Quotes for a prose answer: the best block of each ranking (whole question, each clause,
    each compared side) with the rest of its slide as room allows, then close runners-up."""
    store = ask_index(kb).store
    chosen: list[Ranked] = []
    places: set[tuple[str, int]] = set()
    best = evidence.ranked[0].score if evidence.ranked else 0.0
    # A comparison is answered by what each side's best slide says before the shared overview.
    ordered = [*evidence.sides, *rankings(evidence)] if evidence.sides else rankings(evidence)
    leads = [r[0] for r in ordered if r and r[0].score >= best - PART_MARGIN]
    runners = [r for r in evidence.ranked[1:] if r.score >= best - TEXT_MARGIN]
    candidates = leads + [r for r in runners if not (skip_defining and defines(store, r))]
    for item in candidates:
        place = (item.block.deck, item.block.slide)
        if place in places or len(chosen) >= TEXT_BLOCKS:
            continue
        places.add(place)
        chosen.append(item)
    parts: list[str] = []
    ranked_ids = [r.block.id for r in evidence.ranked]
    for position, item in enumerate(chosen):
        share = part_budget(BUDGET_SHARES[len(chosen) - 1], position, parts)
        place = (item.block.deck, item.block.slide)
        whole = slide_quote(kb, store, *place)
        fits_whole = len(slide_text(store, *place)) <= WHOLE_SLIDE_CHARS and len(whole) <= share
        # Another part's best block on the same slide answers that part: it comes right after.
        also = [r.block.id for r in leads if (r.block.deck, r.block.slide) == place]
        order = [*also, *ranked_ids]
        parts.append(whole if fits_whole else slide_part(kb, store, item.block, share, order))
    return parts, chosen


def part_budget(shares: Sequence[float], position: int, parts: Sequence[str]) -> int:
    """The characters one quoted slide may take: its share of the answer and what the parts
    before it left of theirs."""
    spent = sum(len(part) + 1 for part in parts)
    return int(ANSWER_BUDGET * sum(shares[: position + 1])) - spent


def defining_slide(kb: KB, plan: Plan, evidence: Evidence) -> Ranked | None:
    """For "what is X": the best-ranked slide whose title names X, its first block."""
    if plan.focus is None:
        return None
    store = ask_index(kb).store
    family = {plan.focus, *[e for e, parent in kb.parts.items() if parent == plan.focus]}
    for item in evidence.ranked:
        place = (item.block.deck, item.block.slide)
        if family & set(text_entities(kb, store.titles.get(place, ""))):
            pids = store.by_slide.get(place, [])
            first = store.blocks[store.block_of[pids[0]]] if pids else item.block
            return Ranked(first, item.score, item.cosine, item.lexical, first.head)
    return None


def text_draft(kb: KB, plan: Plan, evidence: Evidence) -> Draft:
    """A prose answer: the best slides or blocks quoted; a definition starts at the top of the
    slide about the entity."""
    skip = plan.intent is not Intent.DEFINITION
    parts, used = prose_parts(kb, evidence, skip_defining=skip)
    if plan.intent is Intent.DEFINITION:
        defining = defining_slide(kb, plan, evidence)
        if defining is not None:
            store = ask_index(kb).store
            place = (defining.block.deck, defining.block.slide)
            whole = len(slide_text(store, *place)) <= WHOLE_SLIDE_CHARS
            lead = (
                slide_quote(kb, store, *place)
                if whole
                else slide_part(kb, store, defining.block, DEFINITION_SHARE)
            )
            parts = [
                lead,
                *(p for p, u in zip(parts, used, strict=True) if u.block.slide != place[1]),
            ]
            used = [defining, *used]
    parts = [*parts, *room_fillers(kb, evidence, used, fill(parts), skip_defining=skip)]
    if lists_items(plan):
        items = tuple(clause_items(kb, plan, evidence))
    elif plan.intent is Intent.SECURITY:
        items = tuple(quoted_items(kb, plan, used))
    else:
        items = ()
    return Draft(fill(parts), plan.intent, items=items, used=tuple(used), confidence=0.6)


def room_fillers(
    kb: KB, evidence: Evidence, used: Sequence[Ranked], said: str, *, skip_defining: bool = False
) -> list[str]:
    """The best blocks of slides not yet quoted, each on its own, while the answer has room: a
    short best slide leaves room for a fact stated on another ("Message content is ...")."""
    store = ask_index(kb).store
    best = evidence.ranked[0].score if evidence.ranked else 0.0
    places = {(u.block.deck, u.block.slide) for u in used}
    room = ANSWER_BUDGET - len(said)
    out: list[str] = []
    for item in evidence.ranked:
        if len(out) >= FILL_BLOCKS or item.score < best - FILL_MARGIN or room < MIN_CUT_PART:
            break
        place = (item.block.deck, item.block.slide)
        if place in places or (skip_defining and defines(store, item)):
            continue
        places.add(place)
        text = quote(kb, store, item.block)
        if len(text) + 1 <= room:
            out.append(text)
            room -= len(text) + 1
    return out


def lists_items(plan: Plan) -> bool:
    """Whether a prose answer also lists the entities of its evidence: any which/what/where
    question but a definition, or a terse "X formats?" (names cost nothing where no list is
    expected)."""
    if plan.intent is Intent.DEFINITION:
        return False
    return plan.intent is Intent.VALUES or bool(WH_LIST_RE.search(plan.text))


def list_draft(kb: KB, plan: Plan, evidence: Evidence) -> Draft:
    """A list: the graph's edges for a relation asked across the deck, else the evidence's names."""
    if plan.parsed.options:
        items = option_items(kb, plan, evidence.ranked)
        used = tuple(evidence.ranked[:2])
        return Draft(list_sentence(kb, items, used), plan.intent, tuple(items), used=used)
    common = shared_items(kb, plan, evidence.shared)
    if common:
        used = tuple(r[0] for r in evidence.shared if r)
        return Draft(list_sentence(kb, common, used), plan.intent, tuple(common), used=used)
    block_list = clause_items(kb, plan, evidence)
    fit = item_coverage(kb, plan, block_list)
    graph_list = graph_items(kb, plan, evidence.relation_rows) if evidence.relation_rows else []
    # One name from the blocks is a list cut short when the graph states several partners.
    short = len(block_list) <= 1 < len(graph_list)
    # Likewise one partner from the graph is a poorer answer than a slide's list of several.
    thin = len(graph_list) <= 1 < len(block_list)
    loose = fit < BLOCK_FIT
    if graph_list and not thin and (plan.pure_relation or plan.deck_wide or loose or short):
        items = graph_list
        if items:
            used = tuple(evidence.ranked[:1])
            return Draft(
                list_sentence(kb, items, used),
                plan.intent,
                tuple(items),
                used=used,
                sparql="\n\n".join(evidence.sparql) or None,
                confidence=GRAPH_LIST,
            )
    if (
        len(block_list) == 1 == len(graph_list)
        and block_list[0].iri != graph_list[0].iri
        and not asks_one(plan)
    ):
        # One partner from the best slides and another from the graph: each list is cut short.
        block_list = [*block_list, *graph_list]
    used = tuple(evidence.ranked[:2])
    return Draft(
        list_sentence(kb, block_list, used),
        plan.intent,
        tuple(block_list),
        used=used,
        confidence=BLOCK_LIST,
    )


def clause_items(kb: KB, plan: Plan, evidence: Evidence) -> list[Item]:
    """List items of the whole question, or of each of its clauses ("what sources ..., and where
    can it deliver ...") merged in order."""
    if not evidence.clauses:
        return block_items(kb, plan, evidence.ranked)
    merged: dict[str, Item] = {}
    for ranking in evidence.clauses:
        for item in block_items(kb, plan, ranking):
            merged.setdefault(item.iri, item)
    return list(merged.values())


def item_coverage(kb: KB, plan: Plan, items: Sequence[Item]) -> float:
    """How much of the question's specific wording the slides of block items use."""
    if not items:
        return 0.0
    if not plan.predicate_stems:
        return 1.0
    store = ask_index(kb).store
    words: set[str] = set()
    for place in {(s.deck, s.slide) for i in items for s in i.sources}:
        words |= set(store.slide_terms.get(place, {}))
    wanted = set(plan.predicate_stems)
    return len(wanted & words) / len(wanted)


def names(items: Sequence[Item]) -> str:
    """Items with the slides that state them: "A (slide 3); B (slides 4, 9)"."""
    return "; ".join(
        f"{i.label} ({cite(s.slide for s in i.sources)})" if i.sources else i.label for i in items
    )


def list_sentence(kb: KB, items: Sequence[Item], used: Sequence[Ranked]) -> str:
    """The listed names, then the quoted evidence."""
    store = ask_index(kb).store
    lead = f"{names(items)}." if items else ""
    return fill([lead, *(quote(kb, store, item.block) for item in used)])


def number_draft(kb: KB, plan: Plan, evidence: Evidence) -> Draft:
    """Figures: the passages of the best slides that state a number of the asked kind, quoted."""
    store = ask_index(kb).store
    worked = compute(kb, plan.text, evidence.ranked)
    if worked is not None:
        return worked_draft(kb, evidence, worked)
    scored = figure_passages(kb, plan, evidence)
    if not scored:
        return text_draft(kb, plan, evidence)
    best = scored[0][0]
    margin = FIGURE_MARGIN if len(NUMBER_ASK_RE.findall(plan.text)) < 2 else MULTI_ASK_MARGIN
    parts: list[str] = []
    used: list[Ranked] = []
    picked: list[int] = []
    for score, item, pid, _ in scored:
        if score < best - margin or len(picked) >= MAX_FIGURES:
            break
        picked.append(pid)
        parts.append(quote(kb, store, item.block, members=figure_members(store, pid)))
        if item not in used:
            used.append(item)
    first = scored[0][3]
    figure = next((f for f in first if fits(f, plan.parsed.dimension)), first[0])
    return Draft(fill(parts), Intent.LIMIT, figure=figure, used=tuple(used), confidence=0.7)


def worked_draft(kb: KB, evidence: Evidence, worked: Computation) -> Draft:
    """A worked figure: the formula with its slides, then the blocks that state the rule."""
    store = ask_index(kb).store
    by_block = {r.block.id: r for r in evidence.ranked}
    used: list[Ranked] = []
    for passage in worked.passages:
        block_id = store.block_of[passage.id]
        block = store.blocks[block_id]
        item = by_block.get(block_id, Ranked(block, 0.0, 0.0, 0.0, passage.id))
        if item not in used:
            used.append(item)
    quotes = [quote(kb, store, item.block) for item in used[:MAX_FIGURES]]
    return Draft(
        fill([worked.sentence(), *quotes]),
        Intent.LIMIT,
        figure=worked.figure,
        used=tuple(used),
        confidence=0.8,
    )


# A clause's own ranking ("how much per hour and max nodes") finds figures of any slide that shares
# its few words; on the whole question's best slides it counts this much less (grid on dev+dev2:
# 0.0-0.25 equal, 0.3-0.6 one more limit right).
CLAUSE_FIGURE_DISCOUNT: Final = 0.4


def figure_passages(
    kb: KB, plan: Plan, evidence: Evidence
) -> list[tuple[float, Ranked, int, list[Figure]]]:
    """Passages stating a figure on the best slides, scored for the question, best first."""
    index = ask_index(kb)
    store = index.store
    by_place: dict[tuple[str, int], float] = {}
    by_block: dict[int, Ranked] = {}
    for position, ranking in enumerate(rankings(evidence)):
        # A clause ranks by fewer words than the whole question: its slides count a little less.
        discount = CLAUSE_FIGURE_DISCOUNT if position else 0.0
        for found in ranking:
            item = replace(found, score=found.score - discount) if discount else found
            place = (item.block.deck, item.block.slide)
            by_place[place] = max(by_place.get(place, -9.0), item.score)
            if item.block.id not in by_block or by_block[item.block.id].score < item.score:
                by_block[item.block.id] = item
    wanted = set(plan.predicate_stems)
    out = []
    for rank, place in enumerate(sorted(by_place, key=lambda p: -by_place[p])[:FIGURE_SLIDES]):
        for pid in store.by_slide.get(place, []):
            figures = passage_figures(store.passages[pid], index.limits)
            if not figures:
                continue
            block_id = store.block_of[pid]
            item = by_block.get(
                block_id, Ranked(store.blocks[block_id], by_place[place] - 0.1, 0.0, 0.0, pid)
            )
            words = set(content_stems(passage_context(store, pid)))
            own = set(content_stems(store.passages[pid].text))
            share = len(wanted & words) / max(1, len(wanted))
            own_share = len(wanted & own) / max(1, len(wanted))
            fit = any(fits(f, plan.parsed.dimension) for f in figures)
            score = (
                0.5 * item.score
                + 0.5 * by_place[place]
                + CONTEXT_WORDS_WEIGHT * share
                + OWN_WORDS_WEIGHT * own_share
                + (0.12 if fit else -0.05)
                - 0.02 * rank
            )
            out.append((score, item, pid, figures))
    out.sort(key=lambda row: -row[0])
    return out


def figure_members(store: PassageStore, pid: int) -> list[int]:
    """What to quote for a figure: its header, the labels printed just above a table row, itself."""
    passage = store.passages[pid]
    members: list[int] = []
    if passage.parent >= 0:
        members.append(passage.parent)
    elif passage.kind in ("label", "text"):
        row = store.by_slide.get((passage.deck, passage.slide), [])
        at = row.index(pid)
        for before in row[max(0, at - 2) : at]:
            if store.passages[before].kind == "label" and len(store.passages[before].text) < 40:
                members.append(before)
    members.append(pid)
    return members


def focus_members(store: PassageStore, item: Ranked, pid: int) -> list[int]:
    """The members of a block worth quoting for one passage: its header and itself."""
    members = list(item.block.members)
    if pid == members[0] or len(members) <= 3:
        return members
    return [members[0], pid]


def verdict_draft(kb: KB, plan: Plan, evidence: Evidence, rest: Draft) -> Draft:
    """A yes/no answer: the graph's edge or negation for a relation asked between two entities,
    else the passage addressing the question; then the rest of the answer."""
    store = ask_index(kb).store
    if not WH_LIST_RE.search(plan.text):
        rest = replace(rest, items=())
    graph = relation_finding(kb, plan, evidence.relation_rows)
    # No edge, negation or list in the graph: the passages may still say it ("S3 event
    # notifications invoke Lambda" where the graph has no trigger edge).
    if graph is not None and graph.verdict is not None:
        info = kb.slides.get(graph.slide)
        where = f" (slide {info.number}, {info.title})" if info else ""
        if graph.reason == "closed list":
            lead = f"No. {graph.statement}{where}."
        else:
            lead = f'{graph.verdict.capitalize()}. The deck says: "{graph.statement}"{where}.'
        evidence_text = fill([quote(kb, store, u.block) for u in evidence.ranked[:2]])
        return replace(
            rest,
            text=fill([lead, evidence_text]),
            intent=Intent.YES_NO,
            items=(),
            verdict=graph.verdict,
            confidence=VERDICT_GRAPH * graph.share,
        )
    # Past the graph, a passage decides a relation question only when it names both ends.
    finding = read_verdict(kb, plan, evidence.ranked, every_entity=graph is not None)
    if finding.verdict is None or finding.ranked is None:
        return replace(
            rest,
            text=fill(["The deck does not say directly.", rest.text]),
            intent=Intent.YES_NO,
            confidence=0.3,
        )
    item = finding.ranked
    deciding = store.blocks[store.block_of[finding.pid]]
    members = focus_members(store, item, finding.pid) if deciding.id == item.block.id else None
    said = quote(kb, store, deciding, members=members)
    parts = [f"{finding.verdict.capitalize()}.", f"The deck says: {said}"]
    if said not in rest.text:
        parts.append(without_line(rest.text, block_text(store, deciding, members=members)))
    return replace(
        rest,
        text=fill(parts),
        intent=Intent.YES_NO,
        verdict=finding.verdict,
        used=(item, *rest.used),
        confidence=0.5 + 0.4 * min(1.0, finding.share),
    )


def without_line(text: str, line: str) -> str:
    """A composed answer without one quoted line joined among others: the verdict quotes it
    already, and the room goes to the rest of the slide."""
    for joined in (f"{line}; ", f"; {line}"):
        if joined in text:
            return text.replace(joined, "", 1)
    return text


def covered(kb: KB, plan: Plan, evidence: Evidence) -> bool:
    """Whether the deck has anything that answers the question: no name the deck never uses, the
    asked entity on the evidence's slides, and enough of the question's words in the evidence."""
    if not evidence.ranked or unknown_names(kb, plan):
        return False
    top = evidence.ranked[:ANCHOR_BLOCKS]
    if plan.linked.entities and not evidence.relation_rows:
        places = set().union(*(entity_places(kb, e) for e in plan.linked.entities))
        if not any((r.block.deck, r.block.slide) in places for r in top):
            return False
    if plan.linked.entities:
        return top[0].cosine >= MIN_COSINE or evidence.relation_rows != []
    return top[0].cosine >= MIN_COSINE_UNNAMED and weighted_coverage(kb, plan, top) >= MIN_COVERAGE


def entity_places(kb: KB, entity: str) -> set[tuple[str, int]]:
    """Slides that name an entity, its parent or one of its parts (in text or title)."""
    index = ask_index(kb)
    store = index.store
    family = focus_family(kb, entity)
    places: set[tuple[str, int]] = set()
    for member in family:
        for block in index.entity_blocks.get(member, ()):
            places.add((store.blocks[block].deck, store.blocks[block].slide))
    places |= {place for place, topics in index.slide_about.items() if family & set(topics)}
    return places


def unknown_names(kb: KB, plan: Plan) -> list[str]:
    """Capitalised words outside linked names that the deck never uses: products it does not
    cover ("Amazon Lightsail", "Terraform")."""
    store = ask_index(kb).store
    masked = plan.parsed.masked
    out = []
    for match in NAME_RE.finditer(masked):
        word = match.group(0)
        if match.start() == 0 or word in ("X", "Y") or word.lower() in stopwords():
            continue
        if stem(word.lower()) not in store.slide_idf:
            out.append(word)
    if not title_cased(masked):
        out += [run for run in name_runs(masked) if run.lower() not in store.phrases]
    return out


# Two or more capitalised words in a row, digits allowed after the first ("Azure Blob Storage",
# "Route 53"): a product name the deck may know word by word but never writes.
NAME_RUN_RE: Final = re.compile(r"(?<!^)\b[A-Z][a-z]\w*(?:\s+(?:[A-Z]\w*|\d+))+\b")
# A question with this share of capitalised words is written in title case: no names stand out.
TITLE_CASE_SHARE: Final = 0.6


def name_runs(masked: str) -> list[str]:
    """Runs of capitalised words past the question's first word, without the X/Y placeholders
    and without a leading function word ("Which AWS")."""
    runs = []
    for match in NAME_RUN_RE.finditer(masked):
        words = [w for w in match.group(0).split() if w not in ("X", "Y")]
        while words and words[0].lower() in stopwords():
            words = words[1:]
        if len(words) >= 2:
            runs.append(" ".join(words))
    return runs


def title_cased(text: str) -> bool:
    """Whether most words of a text start with a capital."""
    words = re.findall(r"[A-Za-z]+", text)
    return bool(words) and sum(w[0].isupper() for w in words) / len(words) >= TITLE_CASE_SHARE


def weighted_coverage(kb: KB, plan: Plan, used: Sequence[Ranked]) -> float:
    """The IDF-weighted share of the question's topic words found on the evidence's slides."""
    store = ask_index(kb).store
    rarest = max(store.slide_idf.values(), default=1.0)
    weights = {t: store.slide_idf.get(t, rarest) for t in set(plan.topic_stems)}
    total = sum(weights.values())
    if not total:
        return 0.0
    words: set[str] = set()
    for item in used:
        words |= set(store.slide_terms.get((item.block.deck, item.block.slide), {}))
    return sum(w for t, w in weights.items() if t in words) / total


# Answers that may ask for one figure without a number word: attribute values and plain lookups.
VALUE_INTENTS: Final = frozenset({Intent.VALUES, Intent.SEARCH})


def draft(kb: KB, plan: Plan, evidence: Evidence) -> Draft:
    """The answer's parts for the plan's shape."""
    if not covered(kb, plan, evidence):
        return Draft(NOT_COVERED, Intent.NOT_COVERED, confidence=0.1)
    if plan.answer is AnswerType.ENTITIES or plan.parsed.options:
        body = list_draft(kb, plan, evidence)
    elif plan.answer is AnswerType.NUMBER:
        body = number_draft(kb, plan, evidence)
    elif (
        plan.intent in VALUE_INTENTS
        and not plan.parsed.verdict
        and (worked := compute(kb, plan.text, evidence.ranked))
    ):
        # "What's the minimum billable size for class X?" asks a table cell in other words.
        body = worked_draft(kb, evidence, worked)
    else:
        body = text_draft(kb, plan, evidence)
    if plan.parsed.verdict:
        return verdict_draft(kb, plan, evidence, body)
    if body.intent is Intent.LIMIT:
        return body
    return replace(body, intent=plan.intent)


def compose(kb: KB, plan: Plan, evidence: Evidence, *, k: int) -> Answer:
    """The answer object from the draft."""
    body = draft(kb, plan, evidence)
    store = ask_index(kb).store
    first = [(s.deck, s.slide) for i in body.items for s in i.sources][:k]
    refs = sources(kb, store, body.used, evidence.ranked, first=first, k=k)
    return Answer(
        question=plan.text,
        answer=body.text or NOT_COVERED,
        intent=body.intent.value,
        items=body.items,
        value=as_value(body.figure) if body.figure else None,
        verdict="yes" if body.verdict == "yes" else "no" if body.verdict == "no" else None,
        sources=refs if body.intent is not Intent.NOT_COVERED else (),
        sparql=body.sparql,
        confidence=round(body.confidence, 2),
        entities=plan.linked.entities,
    )
