"""Where a slide's text states its facts: runs of text, each marked with the facts it states."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A fact's text is its bullet prefixed by its header ("Destinations: Amazon S3"), so a fact
# not found whole is looked for by what follows each header separator.
HEADER_SEPARATOR = ": "
# A word broken over two lines of a slide ("real-\ntime") reads joined in a fact's text.
BROKEN_WORD = re.compile(r"-\n\s*")
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Span:
    """A run of slide text; facts holds the indexes of the facts it states (empty: plain)."""

    text: str
    facts: tuple[int, ...] = ()


def normalise(text: str) -> tuple[str, list[int]]:
    """text lower-cased, broken words joined and whitespace runs as one space; and for each
    character of that, its offset in text."""
    out: list[str] = []
    origin: list[int] = []
    position = 0
    while position < len(text):
        broken = BROKEN_WORD.match(text, position)
        if broken and position > 0:
            out.append("-")
            origin.append(position)
            position = broken.end()
            continue
        space = WHITESPACE.match(text, position)
        if space:
            if out and out[-1] != " ":
                out.append(" ")
                origin.append(position)
            position = space.end()
            continue
        out.append(text[position].lower())
        origin.append(position)
        position += 1
    return "".join(out), origin


def candidates(phrase: str) -> list[str]:
    """The phrase, then what follows each header separator in it, longest first."""
    pieces = phrase.split(HEADER_SEPARATOR)
    tails = [HEADER_SEPARATOR.join(pieces[i:]) for i in range(len(pieces))]
    return [tail.strip() for tail in tails if tail.strip()]


def locate(text: str, phrase: str) -> tuple[int, int] | None:
    """The offsets in text of the first place that states phrase, or None."""
    haystack, origin = normalise(text)
    for candidate in candidates(phrase):
        needle, _ = normalise(candidate)
        at = haystack.find(needle.strip())
        if needle.strip() and at >= 0:
            end = at + len(needle.strip()) - 1
            return origin[at], origin[end] + 1
    return None


def mark_text(text: str, phrases: Sequence[str]) -> list[Span]:
    """text cut into runs, each with the indexes of the phrases found there."""
    owners: list[set[int]] = [set() for _ in text]
    for index, phrase in enumerate(phrases):
        found = locate(text, phrase)
        if found is not None:
            for offset in range(*found):
                owners[offset].add(index)
    spans: list[Span] = []
    for offset, char in enumerate(text):
        facts = tuple(sorted(owners[offset]))
        if spans and spans[-1].facts == facts:
            spans[-1] = Span(spans[-1].text + char, facts)
        else:
            spans.append(Span(char, facts))
    return spans
