"""Content negotiation for SPARQL results: an Accept header to a pyoxigraph format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import NotAcceptable

F = TypeVar("F")

# Server preference order: the first entry is the default for a missing Accept or */*.
RESULT_FORMATS: tuple[tuple[str, ox.QueryResultsFormat], ...] = (
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ("application/json", ox.QueryResultsFormat.JSON),
    ("application/xml", ox.QueryResultsFormat.XML),
    ("text/xml", ox.QueryResultsFormat.XML),
)
GRAPH_FORMATS: tuple[tuple[str, ox.RdfFormat], ...] = (
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/trig", ox.RdfFormat.TRIG),
    ("application/n-quads", ox.RdfFormat.N_QUADS),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/x-turtle", ox.RdfFormat.TURTLE),
    ("application/turtle", ox.RdfFormat.TURTLE),
    ("text/plain", ox.RdfFormat.N_TRIPLES),
    ("application/json", ox.RdfFormat.JSON_LD),
)


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    position: int

    def specificity(self, media_type: str) -> int:
        """How closely this range matches media_type: 2 exact, 1 type/*, 0 */*, -1 none."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == main and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == sub:
            return 2
        return -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; an absent or empty header accepts anything."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        if "/" not in media:
            continue
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        main, _, sub = media.partition("/")
        ranges.append(MediaRange(main, sub, q, position))
    return ranges


def choose(header: str | None, formats: tuple[tuple[str, F], ...], what: str) -> tuple[str, F]:
    """The best (media type, format) for the header; NotAcceptable when none has q > 0."""
    ranges = parse_accept(header)
    best: tuple[float, int, int, int] | None = None
    chosen: tuple[str, F] | None = None
    for order, (media_type, fmt) in enumerate(formats):
        matches = [(r.specificity(media_type), r) for r in ranges]
        matches = [(s, r) for s, r in matches if s >= 0]
        if not matches:
            continue
        specificity, match = max(matches, key=lambda m: (m[0], -m[1].position))
        if match.q <= 0:
            continue
        # Highest q wins; then an explicitly named type over a wildcard; then the client's
        # order; then ours.
        rank = (match.q, specificity, -match.position, -order)
        if best is None or rank > best:
            best, chosen = rank, (media_type, fmt)
    if chosen is None:
        offered = ", ".join(dict.fromkeys(m for m, _ in formats))
        raise NotAcceptable(
            f"no acceptable format for {what} in Accept: {header!r}; this endpoint offers {offered}"
        )
    return chosen


def result_format(header: str | None) -> tuple[str, ox.QueryResultsFormat]:
    """The format for SELECT and ASK results."""
    media_type, fmt = choose(header, RESULT_FORMATS, "SELECT/ASK results")
    return fmt.media_type, fmt


def graph_format(header: str | None) -> tuple[str, ox.RdfFormat]:
    """The format for CONSTRUCT and DESCRIBE results."""
    media_type, fmt = choose(header, GRAPH_FORMATS, "CONSTRUCT/DESCRIBE results")
    return fmt.media_type, fmt
