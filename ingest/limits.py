"""Numbers with units in a cleaned sentence, as Quantity records (what, value, unit, qualifier)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from kg.types import Quantity

SIZE, TIME, DATA_RATE, RECORD_RATE = "data size", "time", "data rate", "record rate"
REQUEST_RATE, RATE, COUNT, MONEY = "request rate", "rate", "count", "money"
PERCENT, MASS = "percentage", "mass"
MONTH, YEAR = 30 * 86400, 365 * 86400  # calendar-free approximations, stated in units.ttl

# symbol -> (label, dimension, factor to the dimension's base unit); mirrored by units.ttl.
UNITS: dict[str, tuple[str, str, float]] = {
    "B": ("byte", SIZE, 1.0),
    "KB": ("kilobyte", SIZE, 1e3),
    "MB": ("megabyte", SIZE, 1e6),
    "GB": ("gigabyte", SIZE, 1e9),
    "TB": ("terabyte", SIZE, 1e12),
    "PB": ("petabyte", SIZE, 1e15),
    "EB": ("exabyte", SIZE, 1e18),
    "KiB": ("kibibyte", SIZE, 1024.0),
    "MiB": ("mebibyte", SIZE, 1024.0**2),
    "GiB": ("gibibyte", SIZE, 1024.0**3),
    "TiB": ("tebibyte", SIZE, 1024.0**4),
    "ms": ("millisecond", TIME, 1e-3),
    "s": ("second", TIME, 1.0),
    "min": ("minute", TIME, 60.0),
    "h": ("hour", TIME, 3600.0),
    "day": ("day", TIME, 86400.0),
    "week": ("week", TIME, 604800.0),
    "month": ("month", TIME, float(MONTH)),
    "year": ("year", TIME, float(YEAR)),
    "KB/s": ("kilobytes per second", DATA_RATE, 1e3),
    "MB/s": ("megabytes per second", DATA_RATE, 1e6),
    "GB/s": ("gigabytes per second", DATA_RATE, 1e9),
    "Mbps": ("megabits per second", DATA_RATE, 1.25e5),
    "Gbps": ("gigabits per second", DATA_RATE, 1.25e8),
    "records/s": ("records per second", RECORD_RATE, 1.0),
    "messages/s": ("messages per second", RECORD_RATE, 1.0),
    "items/s": ("items per second", RECORD_RATE, 1.0),
    "requests/s": ("requests per second", REQUEST_RATE, 1.0),
    "transactions/s": ("transactions per second", REQUEST_RATE, 1.0),
    "1/s": ("events per second", RATE, 1.0),
    "USD": ("US dollar", MONEY, 1.0),
    "USD/h": ("US dollars per hour", "money rate", 1 / 3600),
    "USD/month": ("US dollars per month", "money rate", 1 / MONTH),
    "USD/user/month": ("US dollars per user per month", "money rate per user", 1 / MONTH),
    "USD/GB": ("US dollars per gigabyte", "price per data size", 1e-9),
    "USD/TB": ("US dollars per terabyte", "price per data size", 1e-12),
    "USD/GB/month": ("US dollars per gigabyte per month", "storage price", 1e-9 / MONTH),
    "USD/1K requests": ("US dollars per thousand requests", "price per request", 1e-3),
    "USD/10K requests": ("US dollars per ten thousand requests", "price per request", 1e-4),
    "USD/1M requests": ("US dollars per million requests", "price per request", 1e-6),
    "%": ("percent", PERCENT, 0.01),
    "kg": ("kilogram", MASS, 1.0),
    "lb": ("pound", MASS, 0.45359237),
}
# Count nouns: "20 consumers"; the singular is accepted only for the value 1 ("Shard 4" is a label).
COUNT_NOUNS = (
    "shard consumer queue record message item partition node table column attribute file user "
    "request call job transaction execution replica broker character object connection instance "
    "worker GPU"
).split()
# Spelling -> count symbol for plurals and abbreviations that "+s" does not cover.
COUNT_SPELLINGS = {
    "queries": "queries", "query": "queries", "indexes": "indexes", "indices": "indexes",
    "index": "indexes", "msgs": "messages", "msg": "messages", "times": "times",
    "GPU's": "GPUs", "GPU’s": "GPUs",
}  # fmt: skip
ABBREVIATIONS = {
    "KPU": "Kinesis processing units", "DPU": "data processing units",
    "WCU": "write capacity units", "RCU": "read capacity units",
    "RPU": "Redshift processing units", "OCU": "OpenSearch compute units",
    "vCPU": "virtual CPUs", "CPU": "CPUs",
}  # fmt: skip
for _symbol in [f"{noun}s" for noun in COUNT_NOUNS] + ["queries", "indexes", "times"]:
    UNITS[_symbol] = (_symbol, COUNT, 1.0)
for _abbr, _label in ABBREVIATIONS.items():
    UNITS[_abbr] = (_label, COUNT, 1.0)

PER_SECOND = ("per second", "per sec", "/s", "/sec")
# Symbol, then its spellings ("_" stands for a space); matched case-insensitively.
SPELLINGS = """
B bytes byte | KB KB KBs kilobytes | MB MB MBs megabytes | GB GB GBs gigabytes
TB TB TBs terabytes | PB PB PBs petabytes | EB EB exabytes | KiB KiB | MiB MiB | GiB GiB | TiB TiB
ms ms msec millisecond milliseconds | s sec secs second seconds | min min mins minute minutes
h h hr hrs hour hours | day day days | week week weeks | month month months
year year years yr yrs | Mbps Mbps Mbit/s | Gbps Gbps Gbit/s | transactions/s TPS
1/s per_second per_sec /s /sec s_per_second | USD USD | % % percent | kg kg
lb lb pound pounds
"""
RATE_SPELLINGS = {
    "records/s": "records record", "messages/s": "messages message msg msgs",
    "items/s": "items item", "requests/s": "requests request req calls",
    "transactions/s": "transactions",
}  # fmt: skip
DIRECT_ALIASES = {
    alias.replace("_", " ").lower(): entry.split()[0]
    for entry in SPELLINGS.replace("\n", " | ").split("|")
    if entry.strip()
    for alias in entry.split()[1:]
}
DIRECT_ALIASES |= {
    f"{s}{' ' if p[0] == 'p' else ''}{p}".lower(): f"{s}/s"
    for s in ("KB", "MB", "GB")
    for p in PER_SECOND
}
DIRECT_ALIASES |= {
    f"{abbr}{end}".lower(): abbr for abbr in ABBREVIATIONS for end in ("", "s", "'s", "’s")
}
NOUN_ALIASES = {
    f"{word}{' ' if p[0] == 'p' else ''}{p}": symbol
    for symbol, words in RATE_SPELLINGS.items()
    for word in words.split()
    for p in PER_SECOND
}
NOUN_ALIASES |= {form.lower(): f"{noun}s" for noun in COUNT_NOUNS for form in (noun, f"{noun}s")}
NOUN_ALIASES |= {form.lower(): symbol for form, symbol in COUNT_SPELLINGS.items()}
SINGULARS = {noun.lower() for noun in COUNT_NOUNS} | {"query", "index", "msg"}


def _alternation(aliases: dict[str, str]) -> str:
    """A regex alternation of the aliases, longest first so "MB/sec" beats "MB"."""
    return "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))


STOP = r"(?:of|the|to|and|or|per|in|for|at|with|than|a|an|on|from|by|is|are|up|more|less|each)"
NUMBER_RE = re.compile(
    r"(?<![\w.$/⁄])(?<![A-Za-z]-)(\$ ?)?(\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?|\.\d+)(?![.,]\d)"
    r"\+?([KkM](?!\w))?(?: (thousand|million|billion|trillion)\b)?"
)
DIRECT_RE = re.compile(rf"(?:[ \t]?|-)({_alternation(DIRECT_ALIASES)})(?![A-Za-z_-])", re.I)
NOUN_RE = re.compile(
    rf"\s+(?:(?!{STOP}\b)[A-Za-z][\w’'/-]*\s+){{0,2}}?({_alternation(NOUN_ALIASES)})(?![A-Za-z_-])",
    re.I,
)
MONEY_PER_RE = re.compile(
    r"\s*(?:/|\bper\b)\s*(?:(\d[\d,]*|million|thousand)\s+)?([A-Za-z][\w-]*)"
    r"|\s+(monthly|hourly)\b",
    re.I,
)
BEFORE_NUMBER_RE = re.compile(r"\bconcurrency level(?: of)?\s+$", re.I)
RANGE_GAP_RE = re.compile(r"\s*[-–—]\s*|\s+to\s+|\s+and\s+")
UNIT_RANGE_GAP_RE = re.compile(r"-|\s*[–—]\s*|\s+to\s+|\s+and\s+")
LIST_GAP_RE = re.compile(r"\s*,\s*|\s+(?:[A-Z][A-Z/]*\s+)?(?:or|and)\s+")
INHERIT_RE = re.compile(r"(?:\s|[(=+,]|\b(?:or|and|in|out)\b|\b[A-Z][A-Z/]*\b)*")
SENTENCE_RE = re.compile(r"[•;\n!?]|(?<=[a-z]{3}\.)\s+(?=[A-Z])")
CLAUSE_END_RE = re.compile(r"[,;•\n]")
MATH_LETTERS = range(0x1D400, 0x1D800)

PER_NOUNS = (
    "partition key|data stream|database instance|shard|partition|prefix|consumer|account|stream|"
    "table|message|item|user|instance|node|cluster|worker|region|query|call|batch|record|request|"
    "broker|topic|function|bucket|key|job|index|connection|queue|second|minute|hour|day|week|"
    "month|year"
)
PER_RE = re.compile(
    rf"(?:\bper|/)\s*({PER_NOUNS})s?\b|\ba\s+(second|minute|hour|day|week|month|year)\b", re.I
)
EACH_RE = re.compile(rf"\beach\s+({PER_NOUNS})\b", re.I)
PAREN_RE = re.compile(r"\s*\(([a-z][a-z-]*(?: [a-z-]+)?)\)")
# Qualifier cues: the nearest one before the figure wins, else the first one after it.
BOUND_CUES = (
    (
        "maximum",
        re.compile(
            r"\bmax(?:imum|imize)?\b\.?|\bup to\b|\bat most\b|\bno more than\b"
            r"|\bless than\b|\bsmaller than\b|<(?![=-])|(?<!lower )\blimit(?:ed|ation)?\b"
            r"|\bbelow\b",
            re.I,
        ),
    ),
    (
        "minimum",
        re.compile(
            r"\bmin(?:imum)?\b|\bat least\b|\bmore than\b|\bover\b|(?<![=-])>"
            r"|\bgreater than\b|\blonger than\b|\blarger than\b|\bbigger than\b"
            r"|\bexceed(?:s|ing)?\b|\blower limit\b",
            re.I,
        ),
    ),
)
OTHER_CUES = (
    ("default", re.compile(r"\bdefault\b", re.I)),
    ("approximate", re.compile(r"~|\babout\b|\baround\b|\broughly\b|\bapprox", re.I)),
    ("example", re.compile(r"\bex:|\bexample\b|\be\.g\.", re.I)),
    # "Generous free tier (1M requests / month)": what is given free, not a limit.
    ("free tier", re.compile(r"\bfree tier\b", re.I)),
)
# Quantity cues: (words, quantity, dimensions the cue applies to).
QUANTITY_CUES: tuple[tuple[re.Pattern[str], str, frozenset[str]], ...] = tuple(
    (re.compile(rf"\b(?:{words})\b", re.I), quantity, frozenset(dims))
    for words, quantity, dims in (
        (r"messages?", "message size", {SIZE}),
        (r"items?", "item size", {SIZE}),
        (r"objects?", "object size", {SIZE}),
        (r"records?|data blob", "record size", {SIZE}),
        (r"payload", "payload size", {SIZE}),
        (r"batch(?:es)?", "batch size", {SIZE, COUNT}),
        (r"blocks?", "block size", {SIZE}),
        (r"buffer(?: size)?", "buffer size", {SIZE}),
        (r"buffer time|buffer interval", "buffer interval", {TIME}),
        (r"files?", "file size", {SIZE}),
        (r"memory|ram", "memory", {SIZE}),
        (r"capacity|storage", "storage capacity", {SIZE}),
        (r"spice", "SPICE capacity", {SIZE}),
        (
            r"retention|retain(?:s|ed)?|kept|keep|data storage|stores?|expire[sd]?",
            "retention",
            {TIME},
        ),
        (r"storage duration", "storage duration", {TIME}),
        (r"time ?outs?|times? out|timed out", "timeout", {TIME}),
        (r"latency", "latency", {TIME}),
        (r"ttl", "ttl", {TIME}),
        (r"every|interval|frequency", "interval", {TIME}),
        (r"past|history", "history", {TIME}),
        (r"delay", "delay", {TIME}),
        (r"lead times?", "lead time", {TIME}),
        (r"double|resharding|reshard", "resharding time", {TIME}),
        (r"concurren(?:cy|t)|simultaneous", "concurrency", {COUNT}),
        (r"retries|retry", "retries", {COUNT}),
        (r"availability", "availability", {PERCENT}),
        (r"durability", "durability", {PERCENT}),
        (r"overhead", "overhead", {PERCENT}),
    )
)
FALLBACK = {
    SIZE: "data size",
    TIME: "duration",
    DATA_RATE: "throughput",
    RATE: "throughput",
    RECORD_RATE: "throughput",
    REQUEST_RATE: "request rate",
    PERCENT: "percentage",
    MASS: "weight",
}


@dataclass(frozen=True)
class _Figure:
    """A number read with its unit, before its quantity and qualifier are worked out."""

    start: int
    end: int
    value: float
    unit: str
    number_end: int
    qualifier: str = ""
    role: str = ""
    quantity: str = ""


def unit_factor(symbol: str) -> tuple[str, float]:
    """The (dimension, factor to base unit) of a unit symbol of ontology/units.ttl."""
    if symbol not in UNITS:
        raise ValueError(f"unknown unit {symbol!r}: add it to UNITS and ontology/units.ttl")
    _, dimension, factor = UNITS[symbol]
    return dimension, factor


def to_base(value: float, unit: str) -> float:
    """The value expressed in its dimension's base unit (bytes, seconds, USD, 1)."""
    return value * unit_factor(unit)[1]


def normalise_text(text: str) -> tuple[str, list[int]]:
    """NFKC per character (math italics -> ASCII), with each output position's source index."""
    parts: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char)
        parts.append(folded)
        index.extend([i] * len(folded))
    index.append(len(text))
    return "".join(parts), index


def number_value(match: re.Match[str]) -> float:
    """The value of a NUMBER_RE match, with K/M suffixes and million/billion words applied."""
    value = float(match.group(2).replace(",", ""))
    scale = {"k": 1e3, "m": 1e6, "thousand": 1e3, "million": 1e6, "billion": 1e9}
    for word in (match.group(3), match.group(4)):
        if word:
            value *= scale.get(word.lower(), 1e12)
    return value


def money_unit(norm: str, at: int) -> tuple[str, str, int]:
    """(unit symbol, "per ..." qualifier, end) for the "/ user / month" tail of a price."""
    parts: list[str] = []
    words: list[str] = []
    while match := MONEY_PER_RE.match(norm, at):
        amount, word = match.group(1), (match.group(2) or match.group(3)).lower()
        word = {"monthly": "month", "hourly": "hour"}.get(word, word)
        shown = word.upper() if word in ("gb", "tb") else word
        words.append(f"{amount} {word}" if amount else shown)
        if word in ("hour", "hours", "hr", "h"):
            parts.append("h")
        elif word in ("month", "months", "user", "users"):
            parts.append(word.rstrip("s"))
        elif word in ("gb", "tb"):
            parts.append(word.upper())
        elif word.startswith(("request", "call")) and amount:
            count = {"million": "1M", "1000": "1K", "10000": "10K", "10,000": "10K"}.get(amount, "")
            parts.append(f"{count} requests")
        at = match.end()
    symbol = "/".join(["USD", *parts])
    qualifier = " ".join(f"per {w}" for w in words)
    return (symbol if symbol in UNITS else "USD"), qualifier, at


def read_unit(norm: str, number: re.Match[str]) -> _Figure | None:
    """The figure a number starts, or None when no unit follows it."""
    start, end, value = number.start(), number.end(), number_value(number)
    if number.group(1):
        paren = PAREN_RE.match(norm, end)
        unit, qualifier, stop = money_unit(norm, paren.end() if paren else end)
        if paren and unit == "USD":
            return _Figure(start, end, value, unit, end)
        qualifier = "; ".join(q for q in (paren and paren.group(1), qualifier) if q)
        return _Figure(start, stop, value, unit, end, qualifier)
    if direct := DIRECT_RE.match(norm, end):
        unit = DIRECT_ALIASES[direct.group(1).lower()]
        if unit == "USD":
            unit, qualifier, stop = money_unit(norm, direct.end())
            return _Figure(start, stop, value, unit, end, qualifier)
        return _Figure(start, direct.end(), value, unit, end)
    if noun := NOUN_RE.match(norm, end):
        word = noun.group(1).lower()
        before = re.findall(r"[A-Za-z]+", norm[max(0, start - 20) : start])
        if word in SINGULARS and value != 1 or before and before[-1].lower() == word:
            return None  # "Shard 1 Shard 2" diagram labels, not counts
        return _Figure(start, noun.end(), value, NOUN_ALIASES[word], end)
    if BEFORE_NUMBER_RE.search(norm, max(0, start - 30), start):
        return _Figure(start, end, value, "queries", end, quantity="concurrency level")
    return None


def link_bare_numbers(
    norm: str, numbers: list[re.Match[str]], figures: list[_Figure | None]
) -> list[_Figure | None]:
    """Give "30-48 minutes" and "1, 2, 5 Gbps" the unit of the figure they lead into."""
    linked = list(figures)
    for i in range(len(numbers) - 2, -1, -1):
        after = linked[i + 1]
        if linked[i] is not None or after is None or after.unit.startswith("USD"):
            continue
        number, gap = numbers[i], norm[numbers[i].end() : numbers[i + 1].start()]
        value = number_value(number)
        is_between = re.search(r"\bbetween\s+$", norm[: number.start()], re.I) is not None
        if RANGE_GAP_RE.fullmatch(gap) and ("and" not in gap or is_between) and after.role == "":
            linked[i] = _Figure(
                number.start(),
                after.end,
                value,
                after.unit,
                number.end(),
                after.qualifier,
                "minimum",
            )
            linked[i + 1] = replace(after, start=number.start(), role="maximum")
        elif LIST_GAP_RE.fullmatch(gap):
            linked[i] = _Figure(
                number.start(), after.end, value, after.unit, number.end(), after.qualifier
            )
    return linked


def pair_ranges(norm: str, figures: list[_Figure]) -> list[_Figure]:
    """Mark "1 day to 365 days" and "(1GB – 16TB)" as minimum and maximum of one range."""
    paired = list(figures)
    for i in range(len(paired) - 1):
        low, high = paired[i], paired[i + 1]
        gap = norm[low.end : high.start]
        same = UNITS[low.unit][1] == UNITS[high.unit][1] and not low.unit.startswith("USD")
        is_between = re.search(r"\bbetween\s+$", norm[: low.start], re.I) is not None
        if (
            same
            and not low.role
            and not high.role
            and UNIT_RANGE_GAP_RE.fullmatch(gap)
            and ("and" not in gap or is_between)
        ):
            paired[i] = replace(low, end=high.end, role="minimum")
            paired[i + 1] = replace(high, start=low.start, role="maximum")
    return paired


def sentence_bounds(norm: str, start: int, end: int) -> tuple[int, int]:
    """The start and end of the sentence (bullet, clause after ";") holding a span."""
    first, last = 0, len(norm)
    for match in SENTENCE_RE.finditer(norm):
        if match.end() <= start:
            first = match.end()
        elif match.start() >= end:
            last = match.start()
            break
    return first, last


# A bound before a figure is its own only with no other number between them ("more than 10x
# for each 24-hour period": "more than" is the 10x's); one after it only up to the next clause
# ("5 seconds) or up to 10000 records": "up to" is the records').
LAST_NUMBER_RE = re.compile(r".*\d[\w.,]*", re.DOTALL)
NEXT_CLAUSE_RE = re.compile(r",|;|\bor\b|\band\b")


def nearest_cue(before: str, after: str, cues: tuple[tuple[str, re.Pattern[str]], ...]) -> str:
    """The name of the cue closest to the figure: last one before it, else first one after."""
    number = LAST_NUMBER_RE.match(before)
    before = before[number.end() :] if number else before
    hits = [(m.end(), name) for name, pattern in cues for m in pattern.finditer(before)]
    if hits:
        return max(hits)[1]
    clause = NEXT_CLAUSE_RE.search(after)
    after = after[: clause.start()] if clause else after
    hits = [(m.start(), name) for name, pattern in cues for m in pattern.finditer(after)]
    return min(hits)[1] if hits else ""


# "If the items are larger than 1 KB, more units are consumed": in a condition a bound is the
# threshold at which something happens, not a limit of the service.
CONDITIONAL_RE = re.compile(r"\b(?:if|unless)\b", re.IGNORECASE)


def quantity_name(unit: str, before: str, after: str) -> str:
    """What a figure limits: the closest cue word fitting its dimension, else a fallback."""
    dimension = UNITS[unit][1]
    if dimension.startswith(("money", "price", "storage price")):
        return "price"
    hits = [
        (float(len(before) - m.end()), quantity)
        for pattern, quantity, dims in QUANTITY_CUES
        if dimension in dims
        for m in pattern.finditer(before)
    ]
    if dimension != COUNT:  # a count's own noun ("8 queues") names it better than later words
        hits += [
            (m.start() + 0.5, quantity)
            for pattern, quantity, dims in QUANTITY_CUES
            if dimension in dims
            for m in pattern.finditer(after)
        ]
    return min(hits)[1] if hits else FALLBACK.get(dimension, UNITS[unit][0].lower())


# "Expedited (1 to 5 minutes), Bulk (5 to 12 hours)": the option a parenthesised figure is of;
# "Standard: $9 / user / month", "Infrequent Access tier (automatic): ... for 30 days": the head
# of the bullet it follows.
OPTION_RE = re.compile(r"(?:^|[,;])\s*((?:[A-Z][\w-]*\s){0,2}[A-Z][\w-]*)\s*\(\s*$")
HEAD_QUALIFIER_RE = re.compile(r"^\s*([A-Z][^:()]{1,40}?)\s*(?:\([^)]*\))?\s*:")


def option_of(local: str) -> str:
    """The named option or bullet head a figure belongs to, if its words name one."""
    if option := OPTION_RE.search(local):
        return option.group(1)
    head = HEAD_QUALIFIER_RE.match(local)
    if head is None or describes_quantity(head.group(0)):
        return ""
    return head.group(1)


def describes_quantity(words: str) -> bool:
    """Whether a head only says what the figure measures ("Default retention of events:",
    "Example 3:"), not which option it is."""
    cues = [pattern for pattern, _, _ in QUANTITY_CUES]
    cues += [cue for _, cue in (*BOUND_CUES, *OTHER_CUES)]
    return any(cue.search(words) for cue in cues)


def qualifiers(figure: _Figure, local: str, trailing: str, sentence: str) -> list[str]:
    """Default, maximum/minimum, approximate, example, "(shared)", "per shard" qualifiers."""
    found = [figure.qualifier] if figure.qualifier else []
    bound = (
        figure.role
        if figure.role in ("minimum", "maximum")
        else nearest_cue(local, trailing, BOUND_CUES)
    )
    if bound and CONDITIONAL_RE.search(sentence[sentence.rfind(",") + 1 :]):
        bound = "threshold"
    found += [name for name, cue in OTHER_CUES[:1] if cue.search(local + " " + trailing)]
    found += [bound] if bound else []
    found += [name for name, cue in OTHER_CUES[1:2] if cue.search(local + " " + trailing)]
    # "Example 3: we write 120 items per minute, with item size 2 KB": every figure of it.
    found += [name for name, cue in OTHER_CUES[2:] if cue.search(sentence + " " + trailing)]
    found += [option for option in [option_of(local)] if option]
    if paren := PAREN_RE.match(trailing):
        found.append(paren.group(1))
    if pers := PER_RE.findall(trailing):
        found.append(" ".join(f"per {(a or b).lower()}" for a, b in pers))
    found += [f"per {e.lower()}" for e in EACH_RE.findall(sentence + " " + trailing)]
    return list(dict.fromkeys(q for q in found if q))


# "3,000/s with batching, 300/s without": a condition after the figure; a bare "without" denies
# the condition of the figure before it.
CONDITION_RE = re.compile(
    r"^\s*\(?\s*((?i:with|without|using))\b(?:\s+(?:the\s+|a\s+|an\s+)?"
    r"([a-z][\w-]*(?:\s+(?!and\b|or\b)[a-z][\w-]*)?))?"
)


def condition(trailing: str, earlier: list[_Figure]) -> str:
    """The condition a figure's trailing words state ("with batching"), "without" completed
    from the figure before it ("without batching")."""
    match = CONDITION_RE.match(trailing)
    if match is None:
        return ""
    word, what = match.group(1).lower(), (match.group(2) or "").strip()
    if what:
        return f"{word} {what}"
    previous = [q for f in earlier for q in f.qualifier.split("; ") if q.startswith("with ")]
    return f"without {previous[-1][5:]}" if word == "without" and previous else ""


def describe(norm: str, figures: list[_Figure]) -> list[_Figure]:
    """Each figure with its quantity and qualifiers worked out from its sentence."""
    described: list[_Figure] = []
    for i, figure in enumerate(figures):
        first, last = sentence_bounds(norm, figure.start, figure.end)
        earlier = [
            f.end if f.end <= figure.start else f.number_end
            for f in figures[:i]
            if f.start < figure.start
        ]
        local = norm[max([first, *earlier]) : figure.start]
        if earlier:  # the previous figure's clause ends at a comma; its words are not ours
            local = local[local.rfind(",") + 1 :]
        stops = [f.start for f in figures[i + 1 :] if f.start >= figure.end]
        clause = CLAUSE_END_RE.search(norm, figure.end, last)
        trailing = norm[figure.end : min([clause.start() if clause else last, last, *stops])]
        found = qualifiers(figure, local, trailing, norm[first : figure.start])
        found += [c for c in [condition(trailing, described)] if c]
        if earlier and not figure.role and INHERIT_RE.fullmatch(local):
            inherited = described[-1].qualifier.split("; ")
            found = [q for q in inherited if q in ("default", "maximum", "minimum")] + found
        quantity = figure.quantity or quantity_name(figure.unit, norm[: figure.start], trailing)
        described.append(
            replace(figure, qualifier="; ".join(dict.fromkeys(found)), quantity=quantity)
        )
    return described


# "(1 EB = 1,000 PB = 1,000,000 TBs)": a unit conversion in parentheses states no limit.
EQUATION_RE = re.compile(r"\([^()]*=[^()]*\)")


def in_equation(norm: str, figure: _Figure) -> bool:
    """Whether a figure stands in a parenthesised equation."""
    return any(m.start() < figure.start < m.end() for m in EQUATION_RE.finditer(norm))


def is_noise(figure: _Figure, text: str, index: list[int], percents: int) -> bool:
    """Worked formulas in math italics, and percentages from flattened chart or table rows."""
    original = text[index[figure.number_end] : index[figure.end]]
    in_math = any(ord(char) in MATH_LETTERS for char in original)
    return in_math or (figure.unit == "%" and percents >= 3)


def find_quantities(text: str, *, table: bool = False) -> list[Quantity]:
    """Every number-with-unit of a cleaned sentence, as Quantity records in text order.

    A range ("1 day to 365 days", "30-48 minutes") gives two records, its minimum and its
    maximum, both carrying the whole range as text. A table row (`table`) keeps its run of
    percentages, which in running text are a flattened chart.
    """
    norm, index = normalise_text(text)
    numbers: list[re.Match[str]] = []
    read: list[_Figure | None] = []
    for number in NUMBER_RE.finditer(norm):
        if read and read[-1] is not None and number.start() < read[-1].end:
            continue  # the "10000" of "$0.03 / 10000 calls" belongs to the price's unit
        numbers.append(number)
        read.append(read_unit(norm, number))
    linked = link_bare_numbers(norm, numbers, read)
    figures = pair_ranges(norm, [f for f in linked if f is not None])
    percents = 0 if table else sum(f.unit == "%" for f in figures)
    figures = [
        f for f in figures if not is_noise(f, text, index, percents) and not in_equation(norm, f)
    ]
    return [
        Quantity(
            quantity=f.quantity,
            value=f.value,
            unit=f.unit,
            qualifier=f.qualifier,
            text=text[index[f.start] : index[f.end]].strip(),
        )
        for f in describe(norm, figures)
    ]
