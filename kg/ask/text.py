"""Words of questions and passages: tokens, light stems and the content words that carry a topic."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Final

STOPWORDS_FILE: Final = Path(__file__).parent.parent / "data" / "stopwords.txt"
FAMILIES_FILE: Final = Path(__file__).parent.parent / "data" / "word_families.toml"
# Letters and digits, keeping inner dots, slashes and dashes of names like "SSE-KMS" or "HTTP/2"
# together only through stems; a token is a run of letters or digits.
TOKEN_RE: Final = re.compile(r"[A-Za-z]+|\d+(?:[.,]\d+)*")
# Suffixes stripped, longest first, so "replicated", "replication" and "replicates" meet at
# "replic"; a stem keeps at least MIN_STEM letters.
SUFFIXES: Final = (
    "ational",
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ions",
    "ing",
    "ion",
    "ies",
    "ied",
    "ers",
    "er",
    "ed",
    "es",
    "ly",
    "s",
)
MIN_STEM: Final = 4
# A plural "s" comes off a word of at least this many letters before it ("logs" -> "log"; "sqs"
# and "kms" stay).
MIN_PLURAL: Final = 3
# British spellings meet American ones: "analyse", "analysis" and "analyze" share "analyz"; the
# "-ise"/"-ize" pair already meets at STEM_CHARS letters.
SPELLING_RE: Final = re.compile(r"ys(?=[ei])")
# A superlative asks for a bound: "the largest object" is the maximum ("Max.") object size.
SUPERLATIVES: Final = {
    **dict.fromkeys(
        ("largest", "biggest", "highest", "longest", "greatest", "maximal", "maximum"), "max"
    ),
    **dict.fromkeys(("smallest", "lowest", "shortest", "fewest", "minimal", "minimum"), "min"),
}
# Stems are cut to this many letters: "aggregate" and "aggregation" both become "aggreg".
STEM_CHARS: Final = 6


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stopword list of kg/data/stopwords.txt."""
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def families() -> dict[str, frozenset[str]]:
    """Each stem of kg/data/word_families.toml with the stems of its family."""
    data = tomllib.loads(FAMILIES_FILE.read_text(encoding="utf-8"))
    out: dict[str, frozenset[str]] = {}
    for row in data.get("family", []):
        family = frozenset(stem(word) for word in row["words"])
        for member in family:
            out[member] = out.get(member, frozenset()) | family
    return out


def used_stems(wanted: Collection[str], words: Collection[str]) -> set[str]:
    """The wanted stems a text's stems use, itself or through a word of the same family."""
    table = families()
    return {w for w in wanted if w in words or table.get(w, frozenset()) & set(words)}


def tokens(text: str) -> list[str]:
    """Lower-cased words and numbers of a text, in order."""
    return [token.lower() for token in TOKEN_RE.findall(text)]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stem: a common suffix stripped, then cut to STEM_CHARS letters."""
    if not word.isalpha():
        return word.replace(",", "")
    if word in SUPERLATIVES:
        return SUPERLATIVES[word]
    word = SPELLING_RE.sub("yz", word)
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) - 1 >= MIN_PLURAL:
        word = word[:-1]
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            break
    return word[:STEM_CHARS]


def stems(text: str) -> list[str]:
    """The stems of every word of a text, stopwords included, in order."""
    return [stem(token) for token in tokens(text)]


# A direction particle after a verb is a stopword alone but tells "scale down" from "scale up":
# the pair is one more index term besides the verb's own stem (blocks and search queries only;
# a question's topic words leave it out).
PARTICLES: Final = frozenset({"up", "down", "out"})


def content_stems(text: str, *, pairs: bool = False) -> list[str]:
    """Stems of the words that carry the topic: no stopwords, no one-letter words; with pairs, a
    verb with a direction particle ("scale down") adds the pair as an index term too."""
    stop = stopwords()
    out: list[str] = []
    previous = ""
    for token in tokens(text):
        if pairs and token in PARTICLES and previous:
            out.append(f"{previous}_{token}")
        if token not in stop and (len(token) > 1 or token.isdigit()):
            previous = stem(token)
            out.append(previous)
        else:
            previous = ""
    return out


# A compound's parts are at least this long ("datashares" -> "data" + "shares").
MIN_COMPOUND_PART: Final = 3


def known_stems(text: str, known: Collection[str]) -> list[str]:
    """Content stems, with a word the index does not know split into two words it does."""
    stop = stopwords()
    out: list[str] = []
    previous = ""
    for token in tokens(text):
        if token in PARTICLES and previous:
            out.append(f"{previous}_{token}")
        if token in stop or (len(token) <= 1 and not token.isdigit()):
            previous = ""
            continue
        previous = whole = stem(token)
        out.extend([whole] if whole in known else compound_parts(token, known) or [whole])
    return out


def compound_parts(word: str, known: Collection[str]) -> list[str]:
    """Stems of two known words a word is made of, longest first part first; none if no split."""
    for cut in range(len(word) - MIN_COMPOUND_PART, MIN_COMPOUND_PART - 1, -1):
        left, right = stem(word[:cut]), stem(word[cut:])
        if word[:cut] not in stopwords() and left in known and right in known:
            return [left, right]
    return []
