"""Read a question: what kind of answer it wants, its clauses, options, qualifiers and exclusions.

Pure text in, a Parsed record out; entity mentions come from linking and are masked ("X", "Y") so
a word inside a name ("Security Lake") is never read as a cue. The rules are data
(kg/data/question_rules.toml), applied in order.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Final

from kg.ask.relations import Reading, read_relation
from kg.linking import Mention

RULES_FILE: Final = Path(__file__).parent.parent / "data" / "question_rules.toml"
PHRASINGS_FILE: Final = Path(__file__).parent.parent / "data" / "phrasings.toml"
# The answer rule that matches anything: when it decides, the example phrasings vote instead.
FALLBACK_RULE: Final = "fallback"


class AnswerType(StrEnum):
    """The shape of an answer."""

    ENTITIES = "entities"
    VALUES = "values"
    NUMBER = "number"
    TEXT = "text"


class Intent(StrEnum):
    """What a question asks; the answer object's `intent`."""

    WRITES_TO = "writes_to"
    SOURCES = "sources"
    READS_FROM = "reads_from"
    DESTINATIONS = "destinations"
    TRIGGERS = "triggers"
    TRIGGERED_BY = "triggered_by"
    INTEGRATIONS = "integrations"
    LISTING = "listing"
    VALUES = "values"
    LIMIT = "limit"
    SECURITY = "security"
    DEFINITION = "definition"
    COMPARISON = "comparison"
    HOW_TO = "how_to"
    YES_NO = "yes_no"
    MULTI_HOP = "multi_hop"
    SEARCH = "search"
    NOT_COVERED = "not_covered"


class Direction(StrEnum):
    """Which way data flows relative to the focus entity."""

    IN = "in"
    OUT = "out"
    ANY = "any"


@dataclass(frozen=True)
class Rule:
    """One row of the rule table."""

    group: str
    id: str
    pattern: re.Pattern[str]
    example: str
    answer: AnswerType | None = None
    intent: Intent | None = None
    direction: Direction | None = None
    dimension: str = ""


@dataclass(frozen=True)
class Flow:
    """A data-flow reading: the focus entity's mention index, the intent and its direction."""

    focus: int
    intent: Intent
    direction: Direction
    rule: str


@dataclass(frozen=True)
class Parsed:
    """What a question asks, read from its words."""

    text: str
    masked: str
    clauses: tuple[str, ...]
    verdict: bool
    answer: AnswerType
    intent: Intent
    rules: tuple[str, ...]
    dimension: str
    flow: Flow | None
    options: tuple[str, ...]
    excluded: tuple[tuple[int, int], ...]
    qualifiers: tuple[str, ...]
    anaphora: bool
    sides: tuple[str, ...] = ()
    reading: Reading | None = None
    scope: tuple[str, ...] = ()
    asking: str = ""
    shared: bool = False
    scoped: tuple[int, ...] = ()


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The rule table, compiled once."""
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    out = []
    for group in ("verdict", "answer", "flow", "quantity"):
        for row in data.get(group, []):
            out.append(
                Rule(
                    group=group,
                    id=row["id"],
                    pattern=re.compile(row["pattern"], re.IGNORECASE),
                    example=row["example"],
                    answer=AnswerType(row["answer"]) if "answer" in row else None,
                    intent=Intent(row["intent"]) if "intent" in row else None,
                    direction=Direction(row["direction"]) if "direction" in row else None,
                    dimension=row.get("dimension", ""),
                )
            )
    return tuple(out)


def group(name: str) -> tuple[Rule, ...]:
    """The rules of one group, in order."""
    return tuple(rule for rule in rules() if rule.group == name)


def mask(text: str, mentions: Sequence[Mention], focus: int | None = None) -> str:
    """The question with entity mentions replaced: the focus by X, the others by Y."""
    out, last = [], 0
    for mention in sorted(mentions, key=lambda m: m.start):
        out.append(text[last : mention.start])
        out.append("X" if focus is None or mentions[focus] is mention else "Y")
        last = mention.end
    out.append(text[last:])
    return "".join(out)


# Asking what two named things share (masked): "both supported by X and included on X", "X and
# X have in common", "shared by X and X", "on X and also on X": the answer is the intersection of
# each one's list.
SHARED_RE: Final = re.compile(
    r"\bboth\b[^?]*\bX\b[^?]*\band\b[^?]*\bX\b|\b(?:have|has|share)\b[^?]*\bin common\b|"
    r"\bshared (?:by|between)\b[^?]*\bX\b[^?]*\band\b[^?]*\bX\b|"
    r"\bX\b[^?]*\b(?:and|but) (?:is |are |it is )?also\b[^?]*\bX\b",
    re.IGNORECASE,
)
# "besides X", "apart from X", "not counting X, Y or Z" ... set X aside, up to the next clause
# break (a comma goes on with a set-aside list "A, B or C" unless the question starts after it).
EXCLUDE_RE: Final = re.compile(
    r"\b(?:besides|other than|except(?: for)?|apart from|excluding|not counting|aside from|"
    r"leaving aside|leaving out|ignoring|beyond|but not|without counting|separate from|"
    r"not including|instead of|rather than)\b((?:[^?.;:,]|,(?=[^?.;:,]*\b(?:or|and)\b)"
    r"(?!\s*(?:and\s+|but\s+|so\s+)?"
    r"(?:which|what|where|who|whom|how|when|can|could|does|do|is|are|will|should|i|we)\b))*)",
    re.IGNORECASE,
)
# "Which of these ...: A, B, C or D?" and "(A, B or C)" offer a closed set of options.
OPTIONS_RE: Final = re.compile(
    r"\b(?:which|what)\s+of\s+(?:these|the following|them|those)\b[^:?]*[:\-–]\s*([^?]+)\??\s*$",
    re.IGNORECASE,
)
# "according to the X slides", "on the managed X slide", "X's anti-pattern slide", "the X section":
# words that say where to look, not what is asked.
SCOPE_RE: Final = re.compile(
    r"(?:\bthe\s+|\b[XY]['’]s\s+|\bits\s+|\bservice['’]s\s+)"
    r"((?:(?!and\b|or\b|which\b|what\b|do\b|does\b)[\w()-]+\s+){0,4}?)(?:own\s+)?"
    r"(?:slides?|section|lecture)\b",
    re.IGNORECASE,
)
# "Should I pick A or B?" asks to choose between two, which a yes or a no does not answer.
CHOICE_RE: Final = re.compile(
    r"\b(?:should|shall)\s+(?:i|we|you)\s+(?:pick|choose|use|go with|select|prefer|opt for)\b"
    r"[^?]*\bor\b",
    re.IGNORECASE,
)
# Qualifiers that restrict the asked predicate; a verdict must check them against the evidence.
QUALIFIER_RE: Final = re.compile(
    r"\b(only|directly|automatically|by default|built[- ]in|natively|in place|existing|"
    r"already|without|real[- ]time|serverless|managed)\b",
    re.IGNORECASE,
)
# "that service", "this database", "its" point back to an entity the question only describes.
ANAPHORA_RE: Final = re.compile(
    r"\b(?:that|this|the same|the other) (?:service|database|engine|store|tool|node|cache|"
    r"library|product|system|algorithm|framework|device|notebook|one|streaming service|"
    r"aws service)\b|\b(?:its|it)\b(?=[^?.]*\?\s*$)",
    re.IGNORECASE,
)
# "that file" pointing back to a noun the question brought in earlier ("writes its offsets to a
# file. What rotates that file?") is an anaphor whatever the noun.
BACK_REF_RE: Final = re.compile(r"\b(?:that|this|the same)\s+([a-z]{3,})\b", re.IGNORECASE)


def points_back(text: str) -> bool:
    """Whether a "that <noun>" repeats a noun introduced earlier with an article."""
    for match in BACK_REF_RE.finditer(text):
        noun = re.escape(match.group(1))
        introduced = rf"\b(?:a|an|the|its)\s+(?:[\w-]+\s+){{0,2}}{noun}\b"
        if re.search(introduced, text[: match.start()], re.IGNORECASE):
            return True
    return False


# A second ask may open with a preposition before its question word ("..., and in which region
# does it run?").
CLAUSE_RE: Final = re.compile(
    r"(?<=[?.!;])\s+|,?\s+and\s+(?=(?:(?:in|on|at|by|for|from|to|with|under)\s+)?"
    r"(?:which|what|how|where|when|who|does|do|can|is|are|will)\b)|"
    r",\s+(?=(?:which|what|how|where|when)\b)",
    re.IGNORECASE,
)


LEAD_WORDS_RE: Final = re.compile(
    r"^(?:.*\b(?:between|is|are|pick|choose|use|should i|do|does|how|what)\s+)?(?:an?\s+|the\s+)?",
    re.IGNORECASE,
)


COMPARED_RE: Final = re.compile(
    r"\bvs\.?\b|\bversus\b|\bdifferent from\b|\bcompared (?:to|with)\b|\bor\b", re.IGNORECASE
)


ARTICLE_RE: Final = re.compile(r"^(?:an?|the)\s+", re.IGNORECASE)
# Other wordings of "A vs B": "what distinguishes A from B", "how does A differ from B", "the
# difference between A and B".
SIDE_WORDINGS: Final = (
    (re.compile(r"\bdistinguish(?:es|ed)?\s+(.+?)\s+from\s+", re.IGNORECASE), r"\1 vs "),
    (re.compile(r"\bdiffers?\s+from\s+", re.IGNORECASE), "vs "),
    (re.compile(r"\bdifferences?\s+between\s+(.+?)\s+and\s+", re.IGNORECASE), r"between \1 vs "),
)


def comparison_sides(text: str) -> tuple[str, ...]:
    """The sides a comparison question names, as short phrases ("standard queues", "FIFO")."""
    for wording, plain in SIDE_WORDINGS:
        text = wording.sub(plain, text)
    head = re.split(r"[:?,]|\s[-–—]\s", text)
    for part in head:
        if re.search(
            r"\bvs\.?\b|\bversus\b|\bdifferent from\b|\bcompared (?:to|with)\b|\bor\b", part, re.I
        ):
            pieces = re.split(
                r"\s+(?:vs\.?|versus|or|different from|compared (?:to|with))\s+", part, flags=re.I
            )
            if len(pieces) < 2:
                continue
            rest = [ARTICLE_RE.sub("", p.strip()) for p in pieces[1:]]
            sides = [LEAD_WORDS_RE.sub("", pieces[0]).strip(), *rest]
            sides = [
                " ".join(side.split()[-6:]) if i == 0 else " ".join(side.split()[:6])
                for i, side in enumerate(sides)
            ]
            return shared_head(shared_purpose(tuple(side for side in sides if side)))
    return ()


# "A vs B for backups": the purpose written after the last side is asked of every side.
PURPOSE_RE: Final = re.compile(r"\s+(for\s+\S.*)$", re.IGNORECASE)


def shared_purpose(sides: tuple[str, ...]) -> tuple[str, ...]:
    """Every side with the purpose phrase the last one ends with ("tape", "disk for backups")."""
    match = PURPOSE_RE.search(sides[-1]) if len(sides) >= 2 else None
    if match is None:
        return sides
    tail = match.group(1)
    return tuple(side if side.endswith(tail) else f"{side} {tail}" for side in sides)


def shared_head(sides: tuple[str, ...]) -> tuple[str, ...]:
    """A one-word first side borrows the head noun of the second ("Gateway vs interface VPC
    endpoints" compares "Gateway VPC endpoints" with "interface VPC endpoints")."""
    if len(sides) != 2 or len(sides[0].split()) != 1 or len(sides[1].split()) < 2:
        return sides
    return (f"{sides[0]} {' '.join(sides[1].split()[1:])}", sides[1])


# The words a question (or one of its asks) opens with.
QUESTION_WORDS: Final = (
    "which|what|how|where|when|who|why|whose|does|do|did|can|could|is|are|will|would|should|"
    "name|list|give"
)
# A part asks something when it opens with a question word or ends with a question mark; the
# rest ("Apart from plain text files", "Our apps moved to the new SDK.") only set the scene.
ASKING_RE: Final = re.compile(rf"^(?:{QUESTION_WORDS})\b|\?\s*$", re.IGNORECASE)
# A chat opener ends at the first colon, comma or dash ("Quick question:", "Hey team,", "OK so -"):
# when all its words are filler and a question starts after it, it asks nothing.
PREAMBLE_RE: Final = re.compile(r"^\s*([^:,;\u2013\u2014]{1,40}?)\s*(?:[:,;\u2013\u2014]|\s-)\s+")
QUESTION_START_RE: Final = re.compile(rf"^(?:{QUESTION_WORDS}|tell|i|my|our|we)\b", re.IGNORECASE)


# A request wrapped around the question ("Can you tell me which ...", "Do you know if ...").
WRAPPER_RE: Final = re.compile(
    r"^(?:(?:can|could|would|will) you (?:please )?(?:tell|show|list|give) me|"
    r"(?:do|does) (?:you|anyone) know|i(?:'d| would) like to know|i (?:want|need) to know|"
    r"i(?:'m| am) wondering|i was wondering|i wonder|(?:please )?tell me|(?:please )?let me know)"
    r"\s*,?\s*",
    re.IGNORECASE,
)
# "if/whether X can Y" inside a request is the yes/no question "Can X Y"; the auxiliary is the
# first one after the subject.
EMBEDDED_RE: Final = re.compile(r"^(?:if|whether)\s+(.+)$", re.IGNORECASE | re.DOTALL)
LATER_QUESTION_RE: Final = re.compile(
    r",\s*(?:which|what|how|where|when|who|why|whose|can|does|do|is|are)\b", re.IGNORECASE
)
EMBEDDED_AUX_RE: Final = re.compile(
    r"\b(can|could|does|do|is|are|will|would|should|has|have|must|may)\s+", re.IGNORECASE
)
# A question typed in chat often has no final mark; it is read as if it ended with "?".
END_MARKS: Final = frozenset("?.!")


def as_asked(text: str) -> str:
    """The question as asked: no chat opener before it, a final mark after it."""
    from kg.ask.text import stopwords, tokens

    text = text if text.rstrip()[-1:] in END_MARKS else text.rstrip() + "?"
    text = in_deck_words(unwrapped(text))
    match = PREAMBLE_RE.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    filler = all(token in stopwords() for token in tokens(match.group(1)))
    return rest if filler and QUESTION_START_RE.match(rest) else text


@dataclass(frozen=True)
class Phrasing:
    """One row of kg/data/phrasings.toml: an ask's other words and the deck's words for it."""

    id: str
    pattern: re.Pattern[str]
    deck: str
    example: str
    rewritten: str


@lru_cache(maxsize=1)
def phrasings() -> tuple[Phrasing, ...]:
    """The phrasing table, compiled once."""
    data = tomllib.loads(PHRASINGS_FILE.read_text(encoding="utf-8"))
    return tuple(
        Phrasing(
            row["id"],
            re.compile(row["pattern"], re.IGNORECASE),
            row["deck"],
            row["example"],
            row["rewritten"],
        )
        for row in data.get("phrasing", [])
    )


def in_deck_words(text: str) -> str:
    """The question with other words for an ask put in the deck's ("works with": "integrates")."""
    for phrasing in phrasings():
        text = phrasing.pattern.sub(phrasing.deck, text)
    return text


def unwrapped(text: str) -> str:
    """A question asked inside a request ("Can you tell me which ...", "I'd like to know if X can
    ...") as the question itself; an embedded yes/no question gets its auxiliary back in front."""
    match = WRAPPER_RE.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    embedded = EMBEDDED_RE.match(rest)
    if embedded is not None and LATER_QUESTION_RE.search(rest):
        # "if I create X, what else ...": a condition, then the question.
        return rest[:1].upper() + rest[1:]
    if embedded is not None:
        clause = embedded.group(1)
        aux = EMBEDDED_AUX_RE.search(clause)
        if aux is not None:
            return f"{aux.group(1).capitalize()} {clause[: aux.start()]}{clause[aux.end() :]}"
        return f"Does {clause}"
    if QUESTION_START_RE.match(rest) and not rest.lower().startswith(("i ", "my ", "our ", "we ")):
        return rest[:1].upper() + rest[1:]
    return text


# A clause needs this many topic words of its own to be looked up apart ("what's the difference?"
# has none).
MIN_CLAUSE_WORDS: Final = 2


def split_clauses(text: str) -> tuple[str, ...]:
    """The question's parts that ask something each ("... and how many ...?"), without the parts
    that only set the scene; the whole question when it is one ask."""
    from kg.ask.text import content_stems

    parts = [p.strip(" ,;") for p in CLAUSE_RE.split(text) if p and p.strip(" ,;")]
    worded = [p for p in parts if len(content_stems(p)) >= MIN_CLAUSE_WORDS]
    asking = tuple(p for p in worded if ASKING_RE.search(p))
    if len(asking) > 1 or (asking and len(worded) > len(asking)):
        return asking
    return (text,)


def excluded_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Character ranges the question explicitly sets aside."""
    return tuple((m.start(1), m.end(1)) for m in EXCLUDE_RE.finditer(text))


def parse_options(text: str) -> tuple[str, ...]:
    """The offered options of a "which of these: A, B or C" question."""
    match = OPTIONS_RE.search(text)
    if match is None:
        return ()
    parts = re.split(r",\s*|\s+or\s+|\s+and\s+", match.group(1))
    cleaned = [re.sub(r"^(?:the|a|an)\s+", "", p.strip(" .?"), flags=re.IGNORECASE) for p in parts]
    return tuple(p for p in cleaned if p)


def read_flow(text: str, mentions: Sequence[Mention], start: int = 0) -> Flow | None:
    """The first flow rule that matches with some mention as X, earlier mentions first; only the
    text from `start` on is read (the scene set before the question asks nothing)."""
    part = text[start:]
    later = shifted(mentions, start)
    offset = len(mentions) - len(later)
    for rule in group("flow"):
        for i in range(len(later)):
            if rule.pattern.search(mask(part, later, i)):
                assert rule.intent is not None and rule.direction is not None
                return Flow(offset + i, rule.intent, rule.direction, rule.id)
    return None


def shifted(mentions: Sequence[Mention], start: int) -> list[Mention]:
    """The mentions from `start` on, placed in the text cut there."""
    return [
        replace(m, start=m.start - start, end=m.end - start) for m in mentions if m.start >= start
    ]


def asking_start(text: str, clauses: Sequence[str]) -> int:
    """Where the question starts asking: after the scene-setting part, when one was dropped."""
    if len(clauses) != 1 or clauses[0] == text:
        return 0
    return max(0, text.find(clauses[0]))


def parse(text: str, mentions: Sequence[Mention]) -> Parsed:
    """Read a question given the entity mentions linking found in it."""
    masked = mask(text, mentions)
    fired: list[str] = []
    verdict = False
    for rule in group("verdict"):
        if rule.pattern.search(masked):
            verdict = True
            fired.append(rule.id)
            break
    answer, intent = AnswerType.TEXT, Intent.SEARCH
    if CHOICE_RE.search(masked):
        verdict = False
        answer, intent = AnswerType.TEXT, Intent.COMPARISON
        fired.append("choice")
    for rule in group("answer"):
        if "choice" in fired:
            break
        if rule.pattern.search(masked):
            assert rule.answer is not None and rule.intent is not None
            answer, intent = rule.answer, rule.intent
            fired.append(rule.id)
            break
    dimension = ""
    if answer is AnswerType.NUMBER:
        for rule in group("quantity"):
            if rule.pattern.search(masked):
                dimension = rule.dimension
                fired.append(rule.id)
                break
    clauses = split_clauses(text)
    start = asking_start(text, clauses)
    asking = mask(text[start:], shifted(mentions, start))
    return Parsed(
        text=text,
        masked=masked,
        clauses=clauses,
        verdict=verdict,
        answer=answer,
        intent=intent,
        rules=tuple(fired),
        dimension=dimension,
        flow=read_flow(text, mentions, start),
        options=parse_options(text),
        excluded=excluded_spans(text),
        qualifiers=tuple(m.group(1).lower() for m in QUALIFIER_RE.finditer(masked)),
        anaphora=bool(ANAPHORA_RE.search(masked)) or points_back(masked),
        sides=comparison_sides(text) if intent is Intent.COMPARISON else (),
        reading=read_relation([mask(text, mentions, i) for i in range(len(mentions))]),
        asking=asking,
        shared=len(mentions) >= 2 and bool(SHARED_RE.search(masked)),
        scope=tuple(
            words.strip()
            for m in SCOPE_RE.finditer(masked)
            if (words := re.sub(r"\b[XY]\b", " ", m.group(1)).strip())
        ),
        scoped=scoped_mentions(text, mentions),
    )


def scoped_mentions(text: str, mentions: Sequence[Mention]) -> tuple[int, ...]:
    """Mentions inside a scope phrase ("the EMR section"): where to look, not what is asked."""
    spans = [m.span(1) for m in SCOPE_RE.finditer(text)]
    return tuple(
        i
        for i, mention in enumerate(mentions)
        if any(start <= mention.start and mention.end <= end for start, end in spans)
    )
