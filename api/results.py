"""SPARQL results serialized row by row under a row cap and a byte cap (issue 10).

A query may return far more than a client can use (one 730-character query produced 524 MB).
Rows are encoded one at a time until either cap is reached; a truncated result says so in its
body where the format has room for it (JSON: top-level `truncated` and `warning` members; XML:
a comment and a `link` in the head; Turtle, TriG, N-Triples, N-Quads: a `#` comment line;
RDF/XML: a comment) and always in the X-Results-Truncated header.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
TRUNCATED_LINK = "urn:kgqa:results-truncated"
# Turtle-family formats where a line starting with '#' is a comment.
HASH_COMMENT_FORMATS = (
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.TRIG,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.N_QUADS,
)
# A serialization of a graph can outgrow its N-Triples size estimate (RDF/XML, JSON-LD); the
# kept triples shrink by this factor until it fits.
SHRINK = 0.8


@dataclass(frozen=True)
class Capped:
    """A serialized result, how many rows or triples it holds and whether a cap cut it."""

    body: bytes
    count: int
    truncated: bool


def warning_text(count: int, *, max_rows: int, max_bytes: int) -> str:
    """The sentence a truncated result carries."""
    return (
        f"results truncated to the first {count} (limits: {max_rows} rows, {max_bytes} bytes); "
        "add LIMIT/OFFSET or narrow the query"
    )


def term_to_json(term: Any) -> dict[str, Any]:
    """A pyoxigraph term in the SPARQL 1.1 JSON results encoding."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": term_to_json(term.subject),
            "predicate": term_to_json(term.predicate),
            "object": term_to_json(term.object),
        },
    }


def term_to_xml(term: Any) -> str:
    """A pyoxigraph term in the SPARQL XML results encoding."""
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    parts = (("subject", term.subject), ("predicate", term.predicate), ("object", term.object))
    inner = "".join(f"<{name}>{term_to_xml(part)}</{name}>" for name, part in parts)
    return f"<triple>{inner}</triple>"


def term_to_csv(term: Any) -> str:
    """A term as a CSV cell: IRIs and literals by value, blank nodes as _:id."""
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term.value)
    return str(term)


def csv_line(cells: Sequence[str]) -> str:
    """One CSV record with RFC 4180 quoting and CRLF, as the SPARQL CSV format asks."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


class RowEncoder:
    """Head, rows and tail of one SPARQL results format."""

    def __init__(self, fmt: ox.QueryResultsFormat, variables: list[str]) -> None:
        self.fmt, self.variables = fmt, variables

    def head(self, *, truncated_note: str | None) -> str:
        """Everything before the first row."""
        if self.fmt == ox.QueryResultsFormat.JSON:
            head = json.dumps({"vars": self.variables})
            return f'{{"head":{head},"results":{{"bindings":['

        if self.fmt == ox.QueryResultsFormat.XML:
            comment = f"<!-- {truncated_note} -->\n" if truncated_note else ""
            names = "".join(f"<variable name={quoteattr(v)}/>" for v in self.variables)
            link = f"<link href={quoteattr(TRUNCATED_LINK)}/>" if truncated_note else ""
            return (
                f'<?xml version="1.0"?>\n{comment}<sparql xmlns="{RESULTS_NS}">'
                f"<head>{names}{link}</head><results>"
            )
        if self.fmt == ox.QueryResultsFormat.CSV:
            return csv_line(self.variables)
        return "\t".join(f"?{v}" for v in self.variables) + "\n"

    def row(self, solution: Any, first: bool) -> str:
        """One solution."""
        terms = [(v, solution[v]) for v in self.variables]
        if self.fmt == ox.QueryResultsFormat.JSON:
            binding = {v: term_to_json(t) for v, t in terms if t is not None}
            text = json.dumps(binding, ensure_ascii=False, separators=(",", ":"))
            return text if first else "," + text
        if self.fmt == ox.QueryResultsFormat.XML:
            cells = "".join(
                f"<binding name={quoteattr(v)}>{term_to_xml(t)}</binding>"
                for v, t in terms
                if t is not None
            )
            return f"<result>{cells}</result>"
        if self.fmt == ox.QueryResultsFormat.CSV:
            return csv_line(["" if t is None else term_to_csv(t) for _, t in terms])
        return "\t".join("" if t is None else str(t) for _, t in terms) + "\n"

    def tail(self, *, truncated_note: str | None) -> str:
        """Everything after the last row."""
        if self.fmt == ox.QueryResultsFormat.JSON:
            extra = (
                f',"truncated":true,"warning":{json.dumps(truncated_note)}'
                if truncated_note
                else ""
            )
            return "]}" + extra + "}"
        if self.fmt == ox.QueryResultsFormat.XML:
            return "</results></sparql>\n"
        return ""


def solutions_body(
    variables: list[str],
    solutions: Iterable[Any],
    fmt: ox.QueryResultsFormat,
    *,
    max_rows: int,
    max_bytes: int,
) -> Capped:
    """SELECT results in fmt, at most max_rows rows and about max_bytes bytes."""
    encoder = RowEncoder(fmt, variables)
    # Room for the head and tail with a note, so the whole body stays within the cap.
    budget = max_bytes - 1024 - 16 * sum(len(v) + 8 for v in variables)
    rows: list[bytes] = []
    size, truncated = 0, False
    for solution in solutions:
        if len(rows) >= max_rows:
            truncated = True
            break
        encoded = encoder.row(solution, first=not rows).encode()
        if size + len(encoded) > budget:
            truncated = True
            break
        rows.append(encoded)
        size += len(encoded)
    note = warning_text(len(rows), max_rows=max_rows, max_bytes=max_bytes) if truncated else None
    head, tail = encoder.head(truncated_note=note), encoder.tail(truncated_note=note)
    body = b"".join([head.encode(), *rows, tail.encode()])
    return Capped(body, len(rows), truncated)


def boolean_body(result: ox.QueryBoolean, fmt: ox.QueryResultsFormat) -> bytes:
    """An ASK result in fmt."""
    return result.serialize(format=fmt) or b""


def first_triples(
    triples: Iterator[Any], *, max_rows: int, max_bytes: int
) -> tuple[list[Any], bool]:
    """The triples that fit the caps by their N-Triples size, and whether any were left out."""
    kept: list[Any] = []
    size = 0
    for triple in triples:
        line = len(str(triple).encode()) + 3
        if len(kept) >= max_rows or size + line > max_bytes:
            return kept, True
        kept.append(triple)
        size += line
    return kept, False


def graph_body(
    triples: Iterator[Any],
    rdf_format: ox.RdfFormat,
    *,
    prefixes: dict[str, str],
    max_rows: int,
    max_bytes: int,
) -> Capped:
    """CONSTRUCT/DESCRIBE triples in rdf_format within both caps."""
    budget = max_bytes - 1024
    kept, truncated = first_triples(triples, max_rows=max_rows, max_bytes=budget)
    while True:
        items: list[Any] = kept
        if rdf_format.supports_datasets:
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept]
        body = ox.serialize(items, format=rdf_format, prefixes=prefixes) or b""
        if len(body) <= budget or not kept:
            break
        kept, truncated = kept[: int(len(kept) * SHRINK)], True
    if truncated:
        note = warning_text(len(kept), max_rows=max_rows, max_bytes=max_bytes)
        body = with_graph_note(body, rdf_format, note)
    return Capped(body, len(kept), truncated)


def with_graph_note(body: bytes, rdf_format: ox.RdfFormat, note: str) -> bytes:
    """The body with a comment saying it was truncated, where the format allows one."""
    if rdf_format in HASH_COMMENT_FORMATS:
        return f"# {note}\n".encode() + body
    if rdf_format == ox.RdfFormat.RDF_XML and body.startswith(b"<?xml"):
        declaration, _, rest = body.partition(b"\n")
        return declaration + f"\n<!-- {note} -->\n".encode() + rest
    return body
