"""Entity linking for questions: longest-match alias lookup, then a conservative typo fallback."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kg.gazetteer import WORD_RE, normalise, singular_forms

# Bare names that several entities share: the first id is the usual reading.
AMBIGUOUS_ALIASES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "kinesis": ("kinesis-data-streams", "kinesis-data-firehose", "kinesis-data-analytics"),
    }
)
_PREFIXES: Final = ("amazon ", "aws ", "apache ")
HARD_BREAKS: Final = frozenset(',;:()[]{}!?"')
# Words a typo-tolerant n-gram may not start or end with.
STOPWORDS: Final = frozenset(
    "a an and are as at be by can do does for from how i in into is it its of on or the their "
    "to via vs what when where which who why will with without my our your".split()
)
EXACT_SCORE: Final = 1.0
PLURAL_SCORE: Final = 0.95
AMBIGUOUS_SCORE: Final = 0.5
MIN_FUZZY_CHARS: Final = 5
MAX_FUZZY_WORDS: Final = 4
# (first token, one past the last token, entity id, score) of a linked n-gram.
Span = tuple[int, int, str, float]


@dataclass(frozen=True)
class Mention:
    """An entity named in a question: the chosen id, where it was named, and the alternatives."""

    entity: str
    text: str
    start: int
    end: int
    score: float
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class Token:
    """A word of the question with its case-folded key, its span, and a break before it."""

    text: str
    key: str
    start: int
    end: int
    breaks: bool = False


class AliasIndex(Mapping[str, str]):
    """A read-only alias table with the lookups linking derives from it, built once."""

    def __init__(self, table: Mapping[str, str]) -> None:
        """Copy the table and derive the n-gram width and the fuzzy-match groups."""
        self.table = dict(table)
        self.width = max((key.count(" ") + 1 for key in self.table), default=1)
        self.by_initial = compact_keys(self.table)
        self.choices = {initial: list(group) for initial, group in self.by_initial.items()}
        self.compacts: dict[str, list[str]] = {}
        for group in self.by_initial.values():
            for compact, (entity, _) in group.items():
                self.compacts.setdefault(entity, []).append(compact)

    def __getitem__(self, key: str) -> str:
        """The entity id of an alias key."""
        return self.table[key]

    def __contains__(self, key: object) -> bool:
        """Whether the key is an alias (a dict lookup, without Mapping's try/except)."""
        return key in self.table

    def __iter__(self) -> Iterator[str]:
        """The alias keys."""
        return iter(self.table)

    def __len__(self) -> int:
        """How many alias keys there are."""
        return len(self.table)


def alias_index(table: Mapping[str, str]) -> AliasIndex:
    """The table itself when it is already an AliasIndex, else one built from it."""
    return table if isinstance(table, AliasIndex) else AliasIndex(table)


def tokenise(question: str) -> list[Token]:
    """Split a question into words, dropping possessive 's ("Redshift's" -> "Redshift")."""
    tokens: list[Token] = []
    for match in WORD_RE.finditer(question):
        start, text = match.start(), match.group()
        if text.lower() == "s" and tokens and is_possessive(question, tokens[-1].end, start):
            continue
        surface = unicodedata.normalize("NFKC", text)
        breaks = not tokens or is_break(question[tokens[-1].end : start])
        tokens.append(Token(surface, surface.casefold(), start, match.end(), breaks))
    return tokens


def is_break(gap: str) -> bool:
    """Whether the text between two words ends a name: a comma, bracket or sentence end.

    Dashes, slashes and dots inside a word ("Fan-Out", "SSL/TLS", "Chart.js") do not.
    """
    return any(c in HARD_BREAKS for c in gap) or ("." in gap and any(c.isspace() for c in gap))


def is_possessive(question: str, previous_end: int, start: int) -> bool:
    """Whether the gap between a word and a following "s" is a single apostrophe."""
    return question[previous_end:start] in {"'", "\u2019", "\u02bc"}


def link_entities(
    question: str,
    *,
    aliases: Mapping[str, str],
    labels: Mapping[str, str],
    ambiguous: Mapping[str, tuple[str, ...]] = AMBIGUOUS_ALIASES,
) -> list[Mention]:
    """Find the gazetteer entities a question names, in question order and non-overlapping.

    `aliases` is kg.gazetteer.alias_table() (labels included); `labels` maps ids to labels, and
    only ids in it are returned.
    """
    tokens = tokenise(question)
    mentions = []
    for i, j, entity, score in link_tokens(tokens, aliases):
        text = question[tokens[i].start : tokens[j - 1].end]
        mentions.append(make_mention(text, tokens[i].start, entity, score, labels, ambiguous))
    return [mention for mention in mentions if mention.entity in labels]


def link_tokens(tokens: Sequence[Token], table: Mapping[str, str]) -> list[Span]:
    """Greedy left-to-right linking: the longest exact n-gram, unless a longer typo match exists."""
    index = alias_index(table)
    spans: list[Span] = []
    i = 0
    while i < len(tokens):
        exact = longest_exact(tokens, i, index.table, width=index.width)
        shortest = exact[1] + 1 if exact else i + 1
        fuzzy = longest_fuzzy(tokens, i, index.by_initial, shortest=shortest, choices=index.choices)
        if fuzzy is not None and exact is not None and not keeps_exact(tokens, exact, fuzzy, index):
            fuzzy = None
        span = fuzzy or exact
        if span is None:
            i += 1
        else:
            spans.append(span)
            i = span[1]
    return spans


def keeps_exact(tokens: Sequence[Token], exact: Span, fuzzy: Span, index: AliasIndex) -> bool:
    """Whether a longer typo match keeps the words an exact match read: "Kinesis Firehos" extends
    "Kinesis" to Firehose, but "SQS server" is no typo of "SQL Server" (it would change "SQS")."""
    if fuzzy[2] == exact[2]:
        return True
    read = "".join(token.key for token in tokens[exact[0] : exact[1]])
    return any(compact.startswith(read) for compact in index.compacts.get(fuzzy[2], ()))


def longest_exact(
    tokens: Sequence[Token], i: int, table: Mapping[str, str], *, width: int
) -> Span | None:
    """The longest n-gram starting at token `i` that is an alias key."""
    for j in range(phrase_end(tokens, i, width), i, -1):
        hit = lookup(tokens[i:j], table)
        if hit is not None:
            return (i, j, *hit)
    return None


def phrase_end(tokens: Sequence[Token], i: int, width: int) -> int:
    """One past the last token an n-gram from `i` may reach: at most `width`, no break inside."""
    j = i + 1
    while j < min(len(tokens), i + width) and not tokens[j].breaks:
        j += 1
    return j


def lookup(span: Sequence[Token], table: Mapping[str, str]) -> tuple[str, float] | None:
    """The entity and score of an n-gram: exact case, case-folded, then singularised."""
    surface = " ".join(token.text for token in span)
    if surface != surface.casefold() and surface in table:
        return table[surface], EXACT_SCORE
    key = " ".join(token.key for token in span)
    if key in table:
        return table[key], EXACT_SCORE
    for singular in singular_forms(key):
        if singular in table:
            return table[singular], PLURAL_SCORE
    return None


def longest_fuzzy(
    tokens: Sequence[Token],
    i: int,
    by_initial: Mapping[str, Mapping[str, tuple[str, int]]],
    *,
    shortest: int,
    choices: Mapping[str, Sequence[str]] | None = None,
) -> Span | None:
    """The longest n-gram of at least `shortest` tokens from `i` that is a typo of an alias."""
    for j in range(phrase_end(tokens, i, MAX_FUZZY_WORDS), shortest - 1, -1):
        if fuzzy_eligible(tokens[i:j]):
            hit = fuzzy_lookup(tokens[i:j], by_initial, choices=choices)
            if hit is not None:
                return (i, j, *hit)
    return None


def compact_keys(table: Mapping[str, str]) -> dict[str, dict[str, tuple[str, int]]]:
    """Case-folded alias keys without spaces, grouped by first character, with their word count."""
    groups: dict[str, dict[str, tuple[str, int]]] = {}
    for key, entity in table.items():
        compact = key.replace(" ", "")
        if key == key.casefold() and len(compact) >= MIN_FUZZY_CHARS:
            entry = (entity, key.count(" ") + 1)
            groups.setdefault(compact[0], {}).setdefault(compact, entry)
    return groups


def fuzzy_eligible(span: Sequence[Token]) -> bool:
    """Whether an n-gram may be matched fuzzily: long enough, no stopword at either end."""
    if span[0].key in STOPWORDS or span[-1].key in STOPWORDS:
        return False
    compact = "".join(token.key for token in span)
    return len(compact) >= MIN_FUZZY_CHARS and not compact.isdigit()


def fuzzy_lookup(
    span: Sequence[Token],
    by_initial: Mapping[str, Mapping[str, tuple[str, int]]],
    *,
    choices: Mapping[str, Sequence[str]] | None = None,
) -> tuple[str, float] | None:
    """The closest alias to an n-gram, ignoring spacing, within an allowed edit, with its score."""
    query = "".join(token.key for token in span)
    group = by_initial.get(query[0], {})
    keys = choices.get(query[0], ()) if choices is not None else list(group)
    for compact, distance, _ in process.extract(
        query, keys, scorer=OSA.distance, score_cutoff=2, limit=5
    ):
        entity, words = group[compact]
        # Typos are only looked for word by word: "amazons" is not a typo of "amazon s3".
        if distance == 0 or (words == len(span) and edit_allowed(query, compact, int(distance))):
            return entity, 0.9 - 0.1 * distance
    return None


def edit_allowed(query: str, alias: str, distance: int) -> bool:
    """Accept one edit on long aliases, two on very long ones; short aliases only lose their end.

    Many English words are one edit from a short name ("spare" -> "spark", "pesto" -> "presto",
    "athens" -> "athena"), so on aliases under eight characters only a swap of adjacent letters,
    one extra letter or a dropped last letter ("athen") counts as a typo.
    """
    if distance == 2:
        return len(alias) >= 12
    if len(query) == len(alias):
        return len(alias) >= 9 or (len(alias) >= 6 and is_transposition(query, alias))
    if len(query) > len(alias):
        return len(alias) >= 6
    return len(alias) >= 8 or (len(alias) >= 6 and alias.startswith(query))


def is_transposition(a: str, b: str) -> bool:
    """Whether two equal-length strings differ by exactly one swap of adjacent characters."""
    diff = [k for k in range(len(a)) if a[k] != b[k]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]


def make_mention(
    text: str,
    start: int,
    entity: str,
    score: float,
    labels: Mapping[str, str],
    ambiguous: Mapping[str, tuple[str, ...]],
) -> Mention:
    """Build a Mention, widening a bare ambiguous name ("Kinesis") to all its readings."""
    key = normalise(text)
    for prefix in _PREFIXES:
        key = key.removeprefix(prefix)
    readings = tuple(id_ for id_ in ambiguous.get(key, ()) if id_ in labels)
    if len(readings) > 1:
        return Mention(readings[0], text, start, start + len(text), AMBIGUOUS_SCORE, readings)
    return Mention(entity, text, start, start + len(text), score, (entity,))
