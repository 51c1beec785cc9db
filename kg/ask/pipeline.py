"""Answering as a pipeline: parse -> link -> plan -> execute -> compose, one stage each."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final

from kg.ask.compose import compose
from kg.ask.confidence import calibrated
from kg.ask.execute import Evidence, ask_index, execute
from kg.ask.hop import Hop, bridge_candidates, hop_names
from kg.ask.intents import vote
from kg.ask.link import Linked, link
from kg.ask.parse import FALLBACK_RULE, AnswerType, Parsed, as_asked, parse
from kg.ask.plan import Plan, make_plan
from kg.ask.quote import fill, source_ref
from kg.ask.text import content_stems
from kg.embed import Vectors
from kg.errors import BadQuery
from kg.graph import entity_iri
from kg.kb import KB
from kg.linking import Mention
from kg.types import Answer, Item

MAX_QUESTION_CHARS = 2000


def check_question(question: str) -> str:
    """The question stripped; BadQuery when it is empty or too long."""
    text = question.strip()
    if not text:
        raise BadQuery(
            "the question is empty: ask something like 'which services write to Amazon Redshift?'"
        )
    if len(text) > MAX_QUESTION_CHARS:
        raise BadQuery(
            f"the question is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS}"
        )
    return text


def answer(question: str, kb: KB, *, k: int = 5) -> Answer:
    """Answer one question from the graph and the passages of the deck."""
    text = check_question(question)
    asked = as_asked(text)
    linked = link(asked, aliases=kb.aliases, labels=kb.labels)
    vector = kb.embed_query(
        spelled(asked, linked.mentions, kb.labels, ask_index(kb).store.postings)
    )
    plan = plan_for(asked, kb, vector, linked)
    result = None
    if plan.bridge:
        hops = bridge_candidates(kb, plan)
        if hops:
            hop, final, evidence = best_hop(kb, hops)
            result = bridged(kb, plan, hop, compose(kb, final, evidence, k=k))
    if result is None:
        result = compose(kb, plan, execute(plan, kb, vector), k=k)
    return replace(result, question=text, confidence=calibrated(result))


DIGIT_RE: Final = re.compile(r"\d")

# A one-word name the deck writes in fewer blocks than this ("KDS", "DDB") is a user's shorthand
# the encoder does not know: the question is embedded with the entity's label instead.
SHORTHAND_MAX_BLOCKS: Final = 3


def spelled(
    text: str,
    mentions: Sequence[Mention],
    labels: Mapping[str, str],
    postings: Mapping[str, Sequence[int]],
) -> str:
    """The text with each one-word mention found in few blocks written as its entity's label."""
    out, last = [], 0
    for mention in sorted(mentions, key=lambda m: m.start):
        words = content_stems(mention.text)
        label = labels.get(mention.entity, "")
        if len(words) != 1 or not label or len(postings.get(words[0], ())) >= SHORTHAND_MAX_BLOCKS:
            continue
        out.extend([text[last : mention.start], label])
        last = mention.end
    out.append(text[last:])
    return "".join(out)


# Bridge candidates this close to the best one are tried: the one whose last part finds the better
# evidence wins ("its SSD variant" has its figure on the Snowcone slide, not the Snowball one).
BRIDGE_TRIES: Final = 3
BRIDGE_MARGIN: Final = 0.15
# The setup's evidence decides; the last part's evidence only breaks near ties.
HOP_SUPPORT_WEIGHT: Final = 0.25


def best_hop(kb: KB, hops: Sequence[Hop]) -> tuple[Hop, Plan, Evidence]:
    """The bridge best supported by the setup's evidence and, a little, by its last part's."""
    tried = [h for h in hops[:BRIDGE_TRIES] if h.score >= hops[0].score - BRIDGE_MARGIN]
    questions = [h.question for h in tried]
    vectors = kb.embed_queries(questions)
    best: tuple[float, Hop, Plan, Evidence] | None = None
    for i, hop in enumerate(tried):
        final = plan_for(hop.question, kb, vectors[i])
        evidence = execute(final, kb, vectors[i])
        support = evidence.ranked[0].score if evidence.ranked else 0.0
        joint = hop.score + HOP_SUPPORT_WEIGHT * support
        if best is None or joint > best[0]:
            best = (joint, hop, final, evidence)
    assert best is not None
    return best[1], best[2], best[3]


def plan_for(text: str, kb: KB, vector: Vectors, linked: Linked | None = None) -> Plan:
    """Parse, link (unless linked already) and plan one question (no bridge resolution); the
    example phrasings decide the answer's shape when no rule of the question table does."""
    if linked is None:
        linked = link(text, aliases=kb.aliases, labels=kb.labels)
    parsed = parse(text, linked.mentions)
    if parsed.rules and FALLBACK_RULE in parsed.rules and kb.intent_model is not None:
        parsed = replace(parsed, answer=voted_answer(parsed, vote(kb.intent_model, vector)))
    return make_plan(parsed, linked)


def voted_answer(parsed: Parsed, voted: AnswerType) -> AnswerType:
    """The examples' vote, unless it makes a yes/no question without a figure ask for one."""
    # A yes/no question asks a figure only when it states one to check ("over 256 KB?").
    if parsed.verdict and voted is AnswerType.NUMBER and not DIGIT_RE.search(parsed.text):
        return parsed.answer
    return voted


def final_lists(result: Answer) -> bool:
    """Whether the last part answered with a list of entities (then those are the items)."""
    return result.intent not in ("values", "limit", "yes_no", "definition", "comparison", "search")


def bridged(kb: KB, plan: Plan, hop: Hop, result: Answer) -> Answer:
    """The last part's answer, introduced by the bridge entity; the bridge is an item unless the
    last part itself answers with entities."""
    ref = source_ref(kb, hop.ranked.block.deck, hop.ranked.block.slide, hop.ranked.score)
    bridge = Item(
        kb.labels.get(hop.named, hop.named), str(entity_iri(hop.named)), (ref,) if ref else ()
    )
    listed = final_lists(result)
    items = result.items if listed and result.items else (bridge,)
    text = fill([hop_names(kb, [hop]), result.answer])
    return replace(
        result,
        question=plan.text,
        answer=text,
        intent="multi_hop",
        items=items,
        sources=((ref,) if ref else ()) + tuple(s for s in result.sources if s != ref),
        entities=plan.linked.entities + tuple(dict.fromkeys((hop.entity, hop.named))),
    )
