"""A question to what it asks: linked entities, intent, direction, filters and exclusions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.embed import Vectors
from kg.linking import Mention

INTENT_EXAMPLES = Path(__file__).with_name("data") / "intents.jsonl"

LIST_INTENTS = (
    "writes_to",
    "reads_from",
    "destinations",
    "sources",
    "triggers",
    "triggered_by",
    "integrations",
)
OUT_ALSO = re.compile(
    r"\band\b[^?]*\b(?:where|destinations?|targets?|deliver\w*|send\w*|"
    r"writ\w*)\b",
    re.IGNORECASE,
)
YES_NO_START = re.compile(
    r"(?:^|[,;:?.]\s*|\band\s+)(?:can|could|does|do|did|is|are|was|were|should|will|would|"
    r"may|must|has|have)\b\s+(?!you tell)",
    re.IGNORECASE,
)
COMPARISON = re.compile(
    r"\bvs\.?\b|\bversus\b|\bdiffer(?:ence|ent|s)?\b|\bcompare[ds]?\b|"
    r"\bcomparison\b",
    re.IGNORECASE,
)
LIMIT = re.compile(
    r"\bhow (?:long|many|much|large|big|far|often|fast|small|quickly)\b|\b(?:max|maximum|min|"
    r"minimum|limit|largest|smallest|biggest|default \w+ (?:size|period|ttl|timeout)|cost|costs|"
    r"price|pricing|charge|ttl|timeout|time out|block size|batch size|retention|per second|"
    r"throughput)\b",
    re.IGNORECASE,
)
SECURITY = re.compile(
    r"\b(?:encrypt\w*|secur\w*|at rest|in transit|in flight|iam|access control|access polic\w*|"
    r"authenticat\w*|authoriz\w*|tde|kms|hsm|audit\w*|row[- ]level|column[- ]level|"
    r"cell[- ]level|permission\w*|kerberos|saml|vpc|private\w*)\b",
    re.IGNORECASE,
)
# Direction words, each read relative to where the entity stands in the question.
INTO_X = re.compile(
    r"\b(?:writ\w*|load\w*|send\w*|sent|deliver\w*|stream\w*|push\w*|ingest\w*|replicat\w*|"
    r"feed\w*|put\w*|cop(?:y|ies|ying)|export\w*|ship\w*|land\w*|move\w*|migrat\w*|"
    r"publish\w*|forward\w*)\b[^?]*?\b(?:to|into|in)\s*$",
    re.IGNORECASE,
)
FROM_X = re.compile(
    r"\b(?:read\w*|consum\w*|quer\w*|pull\w*|process\w*|analy[sz]\w*|subscrib\w*|poll\w*|"
    r"fetch\w*|scan\w*|discover\w*|retriev\w*)\b[^?]*?\b(?:from|in|on|over)?\s*(?:an?|the)?\s*$",
    re.IGNORECASE,
)
X_WRITES = re.compile(
    r"^\s*(?:can|does|do|could|will)?\s*(?:\w+\s+){0,3}?(?:writ\w*|load\w*|send\w*|deliver\w*|"
    r"stream\w*|push\w*|output\w*|export\w*|ship\w*|store\w*|forward\w*|replicat\w*|sink\w*)\b",
    re.IGNORECASE,
)
X_READS = re.compile(
    r"^\s*(?:can|does|do|could|will)?\s*(?:\w+\s+){0,3}?(?:read\w*|consum\w*|pull\w*|ingest\w*|"
    r"discover\w*|crawl\w*|scan\w*|import\w*|sourc\w*|fetch\w*|quer\w*|get\w*)\b[^?]*\bfrom\b",
    re.IGNORECASE,
)
DESTINATION_NOUNS = re.compile(r"\b(?:destinations?|targets?|sinks?|outputs?)\b", re.IGNORECASE)
SOURCE_NOUNS = re.compile(r"\b(?:sources?|producers?|inputs?|origins?)\b", re.IGNORECASE)
CONSUMER_NOUNS = re.compile(r"\b(?:consumers?|readers?|subscribers?)\b", re.IGNORECASE)
WHERE = re.compile(r"\bwhere\b", re.IGNORECASE)
TRIGGER = re.compile(r"\b(?:trigger\w*|invok\w*)\b", re.IGNORECASE)
EXCLUDE = re.compile(
    r"\b(?:besides|other than|except(?: for)?|apart from|excluding|not counting|aside from|"
    r"beyond)\b([^?.;,]*)",
    re.IGNORECASE,
)
MANAGED_ONLY = re.compile(r"\bmanaged (?:aws )?services?\b|\baws services?\b(?! or)", re.IGNORECASE)
ASKED = r"\b(?:which|what|list(?: the)?|name(?: the)?)\s+(?:[\w-]+\s+){0,3}?"
TYPE_NOUNS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(ASKED + r"(?:file |data )?formats?\b", re.IGNORECASE), ("DataFormat",)),
    (
        re.compile(ASKED + r"(?:runtimes?|engines?|frameworks?|librar(?:y|ies))\b", re.IGNORECASE),
        ("Software",),
    ),
    (re.compile(ASKED + r"saas\b", re.IGNORECASE), ("ThirdPartyProduct", "Service")),
    (re.compile(ASKED + r"compression(?: formats?| codecs?)?\b", re.IGNORECASE), ("Compression",)),
)
CLAUSE = re.compile(
    r",?\s+and\s+(?=(?:which|what|how|in what|where|does|do|can|is)\b)|"
    r"\s+(?:vs\.?|versus)\s+|;\s+|\?\s+",
    re.IGNORECASE,
)
ASKS_ONE = re.compile(
    ASKED + r"(?:engine|service|database|runtime|library|tool|store|cache|"
    r"format|framework|product)\b(?!s)",
    re.IGNORECASE,
)
ANAPHORA = re.compile(
    r"\b(?:that|this|the same) (?:service|database|engine|store|tool|node|"
    r"cache|caching service|library|product|system)\b|\bits\b",
    re.IGNORECASE,
)
ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs)\.", re.IGNORECASE)


@dataclass(frozen=True)
class Parsed:
    """What a question asks, as far as the parser can tell."""

    text: str
    intent: str
    coarse: str
    entities: tuple[str, ...]
    mentions: tuple[Mention, ...]
    excluded: tuple[str, ...]
    types: tuple[str, ...]
    yes_no: bool
    managed_only: bool


@dataclass(frozen=True)
class IntentModel:
    """Example phrasings per intent and their embeddings, for nearest-neighbour voting."""

    intents: tuple[str, ...]
    texts: tuple[str, ...]
    vectors: Vectors


def read_examples(path: Path = INTENT_EXAMPLES) -> list[tuple[str, str]]:
    """(intent, text) pairs of the labelled example set."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [(row["intent"], row["text"]) for row in rows]


def classify_knn(model: IntentModel, query: Vectors, *, k: int = 5) -> tuple[str, float]:
    """The intent most of the k nearest examples carry, weighted by similarity."""
    scores = model.vectors @ query
    top = np.argsort(-scores)[:k]
    votes: dict[str, float] = {}
    for row in top:
        votes[model.intents[row]] = votes.get(model.intents[row], 0.0) + float(scores[row])
    intent = max(votes, key=lambda key: votes[key])
    return intent, float(scores[top[0]])


def excluded_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges the question explicitly sets aside ("besides X", "not counting Y")."""
    plain = ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", " "), text)
    spans = []
    for match in EXCLUDE.finditer(plain):
        end = match.end(1)
        opened = plain.rfind("(", 0, match.start())
        if opened > plain.rfind(")", 0, match.start()):
            closing = plain.find(")", match.start())
            end = closing if closing > 0 else len(plain)
        spans.append((match.start(1), end))
    return spans


def split_mentions(text: str, mentions: list[Mention]) -> tuple[list[Mention], list[str]]:
    """Mentions to answer about, and entities the question excludes."""
    spans = excluded_spans(text)
    kept, excluded = [], []
    for mention in mentions:
        if any(a <= mention.start < b for a, b in spans):
            excluded.append(mention.entity)
        else:
            kept.append(mention)
    return kept, excluded


def directed(text: str, mention: Mention) -> tuple[str | None, int]:
    """The list intent around an entity and how close its cue stands (2 adjacent, 1 elsewhere)."""
    before, after = text[: mention.start], text[mention.end :]
    if TRIGGER.search(text):
        return simple_direction(text, before, after), 2
    if INTO_X.search(before[-40:]):
        return "writes_to", 2
    if FROM_X.search(before[-40:]) and re.search(r"\bfrom\s+(?:an?|the)?\s*$", before):
        return "reads_from", 2
    if X_WRITES.search(after) and not X_READS.search(after):
        return (
            ("destinations", 2)
            if re.match(
                r"^\W*(?:\w+\W+){0,3}?(?:can|could|does|do|"
                r"will)?\W*\w*\s*(?:send|writ|deliver|"
                r"output|export|push|load)",
                after,
                re.IGNORECASE,
            )
            else ("destinations", 1)
        )
    if X_READS.search(after) and re.match(
        r"^\W*(?:\w+\W+){0,4}?(?:read|consum|pull|ingest|"
        r"discover|crawl|scan|import|sourc|fetch|quer|get)",
        after,
        re.IGNORECASE,
    ):
        return "sources", 2
    return simple_direction(text, before, after), 1


def simple_direction(text: str, before: str, after: str) -> str | None:
    """The list intent from direction words anywhere in the question."""
    if TRIGGER.search(text):
        passive = re.match(
            r"^\W*(?:\w+\s+){0,2}?(?:be|is|are|get|gets|being)\s+"
            r"(?:triggered|invoked)\b",
            after,
            re.IGNORECASE,
        )
        active_before = re.search(r"\b(?:trigger\w*|invok\w*)\b[^?]*$", before, re.IGNORECASE)
        return "triggered_by" if passive or active_before else "triggers"
    if INTO_X.search(before):
        return "writes_to"
    if CONSUMER_NOUNS.search(before) or FROM_X.search(before):
        return "reads_from"
    if DESTINATION_NOUNS.search(text) or (WHERE.search(before) and X_WRITES.search(after)):
        return "destinations"
    if SOURCE_NOUNS.search(text) or X_READS.search(after):
        return "sources"
    if X_WRITES.search(after):
        return "destinations"
    if CONSUMER_NOUNS.search(after):
        return "reads_from"
    return None


ATTRIBUTE_NOUNS = re.compile(
    r"\b(?:semantics|guarantees?|(?:capacity |scaling |storage |deployment )?modes?|"
    r"(?:storage )?classes|tiers?|(?:file |data )?formats?|runtimes?|languages?|editions?|"
    r"node types?|instance types?)\b",
    re.IGNORECASE,
)


WHAT_IS = re.compile(
    r"^\s*(?:what(?:'s|’s| is| are)|describe|explain|define|tell me about)\s+(?:an?\s+|the\s+)?"
    r"[^,?]{1,60}\?*\s*$|^\s*what (?:does|do) [^?]{1,60} (?:do|mean)\??\s*$|\bused for\b",
    re.IGNORECASE,
)


def coarse_intent(text: str, knn: str) -> str:
    """The broad kind of question: rules first, nearest neighbours to break ties."""
    if COMPARISON.search(text):
        return "comparison"
    if WHAT_IS.search(text) and not LIMIT.search(text):
        return "definition"
    if ATTRIBUTE_NOUNS.search(text) and not re.search(
        r"\bhow (?:many|long|much)\b", text, re.IGNORECASE
    ):
        return "attribute"
    if LIMIT.search(text):
        return "limit"
    if SECURITY.search(text):
        return "security"
    if knn in LIST_INTENTS:
        return "integration"
    if knn in ("definition", "attribute", "yes_no", "limit", "security"):
        return knn
    return "search"


def yes_no_clause(text: str) -> str:
    """The part of a question that asks yes or no ("... , and does X increase Y?")."""
    match = YES_NO_START.search(text)
    if match is None or not re.search(
        r"\b(?:which|what|how|where|who)\b", text[: match.start()], re.IGNORECASE
    ):
        return text
    return text[match.start() :].lstrip(",;:?. ")


def wanted_types(text: str) -> tuple[str, ...]:
    """Entity types a list answer should keep, from the nouns the question uses."""
    for pattern, types in TYPE_NOUNS:
        match = pattern.search(text)
        if match and not re.search(r"\bservices?\b", match.group(0), re.IGNORECASE):
            return types
    return ()


def parse_question(text: str, mentions: list[Mention], knn: str) -> Parsed:
    """Combine linking, rules and the nearest-neighbour intent into one reading."""
    kept, excluded = split_mentions(text, mentions)
    ranked = sorted(
        ((directed(text, m), i, m) for i, m in enumerate(kept)),
        key=lambda t: (-(t[0][1] if t[0][0] else 0), t[1]),
    )
    focus = [m for _, _, m in ranked]
    entities = tuple(dict.fromkeys(m.entity for m in focus))
    yes_no = bool(YES_NO_START.search(text.strip()))
    coarse = coarse_intent(text, knn)
    intent = coarse
    list_direction = directed(text, focus[0])[0] if focus else None
    if list_direction in ("sources", "writes_to") and OUT_ALSO.search(text):
        list_direction = "integrations"
    if (
        kept
        and coarse not in ("comparison",)
        and list_direction is not None
        and not (
            coarse in ("limit", "security") and not re.search(r"\bwhich\b|\bwhat\b.*\bs\b", text)
        )
    ):
        strong = directed(text, focus[0])[1] == 2
        if (
            coarse in ("integration", "search", "definition", "yes_no")
            or (coarse == "attribute" and strong and not ATTRIBUTE_NOUNS.search(text))
            or (
                re.search(r"\b(?:which|what|where|list)\b", text, re.IGNORECASE)
                and coarse not in ("limit", "attribute")
            )
        ):
            intent = list_direction
    if intent == "integration":
        intent = knn if knn in LIST_INTENTS else "search"
    by_rule = coarse != knn or coarse in ("comparison",)
    if yes_no and intent not in LIST_INTENTS and coarse != "comparison":
        intent = (
            "yes_no"
            if coarse in ("yes_no", "search", "attribute", "definition")
            or not by_rule
            or not text.lower().startswith(("what", "which", "how", "where"))
            else coarse
        )
    masked = "".join(
        "_" if any(m.start <= i < m.end for m in mentions) else ch for i, ch in enumerate(text)
    )
    return Parsed(
        text=text,
        intent=intent,
        coarse=coarse,
        entities=entities,
        mentions=tuple(focus),
        excluded=tuple(excluded),
        types=wanted_types(masked),
        yes_no=yes_no,
        managed_only=bool(MANAGED_ONLY.search(text))
        and not re.search(r"\blibrar(?:y|ies)\b", text, re.IGNORECASE),
    )
