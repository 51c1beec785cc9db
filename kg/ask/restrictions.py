"""Restrictions: an "only ..." in the deck read against the question, and an "only" in the
question ("is it limited to JSON?") read against the deck's list."""

from __future__ import annotations

import re
from typing import Final, Literal

from kg.ask.lists import text_entities
from kg.ask.plan import Plan
from kg.ask.text import content_stems
from kg.ask.verdicts import AFTER_CREATION_RE, STATE_QUALIFIERS, contrasts, says
from kg.kb import KB

# Words that restrict, in the deck or in a question.
RESTRICT_RE: Final = re.compile(r"\bonly\b|\bexclusively\b|\bjust\b|\bsolely\b", re.I)
# A question that restricts what it asks about ("does it only accept JSON?").
ASKED_RESTRICTION_RE: Final = re.compile(
    r"\b(?:only|exclusively|solely|limited to|restricted to)\b", re.IGNORECASE
)
# What separates the members of a written list ("XML, JSON, Unformatted text", "S3 / Redshift").
LIST_SPLIT_RE: Final = re.compile(r"\s*(?:,|;|/|\band\b|\bor\b)\s*", re.IGNORECASE)
# A line lists this many members at least to be a list the asked one is among.
LIST_MIN_MEMBERS: Final = 2
# Words that open the condition of a restriction ("only when launching", "only at creation").
CONDITION_RE: Final = re.compile(r"\b(?:when|while|at|during|on|before)\b\s+(.+)$", re.I)


def restricted_span(text: str) -> str:
    """What an "only ..." statement restricts to: the text after its last restricting word."""
    parts = RESTRICT_RE.split(text)
    # "Json, csv, avro, parquet only": the restricting word closes the list it restricts.
    if len(parts) > 1 and not parts[-1].strip(" .!)"):
        return parts[-2]
    return parts[-1]


def restricted_to_others(kb: KB, plan: Plan, text: str) -> bool:
    """Whether an "only ..." statement names what it keeps and none of the asked entities ("only
    for S3" when Redshift is asked)."""
    if not says("restriction", text):
        return False
    named = set(text_entities(kb, restricted_span(text)))
    return bool(named) and not named & set(plan.linked.entities)


def restriction_allows(kb: KB, plan: Plan, text: str) -> bool:
    """Whether an "only ..." statement still admits what the question asks about."""
    after = restricted_span(text)
    if any(kept.search(after) and asked.search(plan.text) for kept, asked in contrasts()):
        return False
    condition = CONDITION_RE.search(after)
    if condition and not AFTER_CREATION_RE.search(plan.text):
        # "Can only be attached when launching" admits "can I attach them at launch?".
        if set(content_stems(condition.group(1))) & set(content_stems(plan.text)):
            return True
    named = set(text_entities(kb, after))
    others = list(plan.linked.entities[1:])
    for other in others:
        # "Only GZIP is loaded into Redshift" keeps one compression: another one asked is out.
        kind = kb.entities[other].type if other in kb.entities else ""
        rivals = {n for n in named if n in kb.entities and kb.entities[n].type == kind}
        if rivals and other not in rivals:
            return False
    if others:
        return any(e in named for e in others)
    qualifiers = set(plan.parsed.qualifiers)
    return not qualifiers & (STATE_QUALIFIERS | {"automatically", "in place"})


def asks_restriction(question: str) -> bool:
    """Whether a question restricts what it asks about ("does it only accept JSON?")."""
    return bool(ASKED_RESTRICTION_RE.search(question))


def restricted_answer(kb: KB, plan: Plan, text: str) -> Literal["yes", "no"] | None:
    """A restricting question read against the deciding line: "no" when the line lists what is
    asked among other members, "yes" when the line restricts to it too, else None."""
    asked_part = ASKED_RESTRICTION_RE.split(plan.text)[-1]
    asked_entities = set(text_entities(kb, asked_part))
    asked_stems = set(content_stems(asked_part))

    restricts = says("restriction", text)
    body = restricted_span(text) if restricts else text.split(":", 1)[-1]
    # Names the line does not use ("... on EMR") only place the question: its words decide.
    by_name = bool(asked_entities & set(text_entities(kb, body)))

    def names_asked(member: str) -> bool:
        """Whether a list member is what the question restricts to."""
        if by_name:
            return bool(asked_entities & set(text_entities(kb, member)))
        return bool(asked_stems & set(content_stems(member)))

    members = [m for m in LIST_SPLIT_RE.split(body) if m.strip()]
    matching = [m for m in members if names_asked(m)]
    if len(members) >= LIST_MIN_MEMBERS and matching and len(matching) < len(members):
        return "no"
    if restricts:
        kept_else = any(
            kept.search(body) and asked.search(plan.text) for kept, asked in contrasts()
        )
        return "yes" if matching and not kept_else else "no"
    return None


def restricted_entity(kb: KB, plan: Plan) -> str | None:
    """The one entity a restricting question keeps ("only deliver to S3": S3)."""
    asked = list(text_entities(kb, ASKED_RESTRICTION_RE.split(plan.text)[-1]))
    return asked[0] if len(set(asked)) == 1 else None
