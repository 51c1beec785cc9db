"""What an ad-hoc SPARQL query may do, decided before Oxigraph runs it (issue 10).

Three checks, cheapest first:
1. nesting depth, counted by a lexer that skips strings, IRIs and comments: a few thousand
   nested braces overflow the stack of Oxigraph's recursive parser and kill the process;
2. the query form, from rdflib's SPARQL parser: an update parses as an update, never as a query;
3. SERVICE anywhere in the parse tree (optional, nested, in EXISTS, by variable) is refused, so
   the server never calls out on a user's behalf.
A query rdflib cannot parse but Oxigraph might (RDF-star, Oxigraph extensions) runs only where
the caller says the process cannot reach the network (`sandboxed`).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from kg.errors import BadQuery, ReadOnly

T = TypeVar("T")

# Real queries nest a dozen levels at most; Oxigraph's parser overflows an 8 MiB stack
# between 2,000 and 4,000 nested braces, and rdflib's slows down past a few hundred.
MAX_QUERY_DEPTH = 64
# rdflib's pyparsing grammar recurses once per triple of a group: a 20,000-character query
# needs ~10,000 Python frames, so checks run on a thread with this much stack and recursion
# (16 MiB sufficed for such a query and for 64-deep nesting; a memory-capped worker cannot
# reserve much more).
CHECK_STACK_BYTES = 64 * 1024 * 1024
CHECK_RECURSION = 20_000
# Queries already checked, so a dashboard re-sending the same text pays the parse once.
CHECKED_CACHE = 1024
OPENERS = {"{": "}", "(": ")", "[": "]"}
CLOSERS = set(OPENERS.values())
READ_ONLY_MESSAGE = (
    "this endpoint is read-only: SPARQL Update operations are not accepted "
    "(send SELECT, ASK, CONSTRUCT or DESCRIBE)"
)
SERVICE_MESSAGE = "SERVICE (federated query) is not allowed on this endpoint"


@dataclass(frozen=True)
class Token:
    """A bracket or a bare word of a query, with where it starts."""

    text: str
    start: int
    depth: int


def _skip_string(query: str, i: int) -> int:
    """The index after the string literal starting at i."""
    quote = query[i]
    if query.startswith(quote * 3, i):
        end = i + 3
        while end < len(query) and not query.startswith(quote * 3, end):
            end += 2 if query[end] == "\\" else 1
        return min(end + 3, len(query))
    end = i + 1
    while end < len(query) and query[end] not in (quote, "\n"):
        end += 2 if query[end] == "\\" else 1
    return end + 1


def _iri_end(query: str, i: int) -> int | None:
    """The index after the IRI reference starting at i, or None if `<` is an operator."""
    end = i + 1
    while end < len(query):
        char = query[end]
        if char == ">":
            return end + 1
        if char <= " " or char in '<"{}|^`\\':
            return None
        end += 1
    return None


def tokens(query: str) -> Iterator[Token]:
    """Brackets and bare words of a query, outside strings, IRIs and comments."""
    depth, i = 0, 0
    while i < len(query):
        char = query[i]
        if char == "#":
            newline = query.find("\n", i)
            i = len(query) if newline < 0 else newline
        elif char in "\"'":
            i = _skip_string(query, i)
        elif char == "<":
            i = _iri_end(query, i) or i + 1
        elif char in OPENERS:
            depth += 1
            yield Token(char, i, depth)
            i += 1
        elif char in CLOSERS:
            yield Token(char, i, depth)
            depth -= 1
            i += 1
        elif char.isalpha() and (i == 0 or query[i - 1] not in "?$:_-"):
            end = i
            while end < len(query) and (query[end].isalnum() or query[end] in "_-:."):
                end += 1
            yield Token(query[i:end], i, depth)
            i = end
        else:
            i += 1


def query_depth(query: str) -> int:
    """How deeply brackets nest in a query (strings, IRIs and comments do not count)."""
    return max((token.depth for token in tokens(query) if token.text in OPENERS), default=0)


def check_depth(query: str, *, limit: int = MAX_QUERY_DEPTH) -> None:
    """BadQuery when brackets nest deeper than limit, before any parser sees the query."""
    depth = query_depth(query)
    if depth > limit:
        raise BadQuery(f"the query nests brackets {depth} deep; the limit is {limit}: flatten it")


def where_brace(query: str) -> int | None:
    """The index of the brace opening the query's WHERE group (None if it has none)."""
    top = [token for token in tokens(query) if token.depth <= 1]
    words = [token.text.upper() for token in top if token.depth == 0]
    after = next((t.start for t in top if t.depth == 0 and t.text.upper() == "WHERE"), None)
    if after is None:
        # Only SELECT, ASK and DESCRIBE may drop the WHERE keyword; CONSTRUCT's first group is
        # its template.
        if "CONSTRUCT" in words:
            return None
        after = -1
    return next((t.start for t in top if t.text == "{" and t.start > after), None)


def has_service(node: Any) -> bool:
    """Whether rdflib's parse tree holds a SERVICE pattern anywhere."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            if current.name == "ServiceGraphPattern":
                return True
            stack.extend(current.values())
        elif isinstance(current, (ParseResults, list, tuple)):
            stack.extend(current)
    return False


def parse_tree(query: str) -> tuple[Any | None, str]:
    """rdflib's parse of query as a query, or None and why; ReadOnly if it is an update."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        return parseQuery(query), ""
    except ParseBaseException as e:
        reason = str(e)
    except RecursionError:
        reason = "too complex to parse"
    try:
        parseUpdate(query)
    except (ParseBaseException, RecursionError):
        return None, reason
    raise ReadOnly(READ_ONLY_MESSAGE)


class QueryGuard:
    """The read-only and no-SERVICE decision, remembering queries already allowed."""

    def __init__(self, *, sandboxed: bool = False) -> None:
        self.sandboxed = sandboxed
        self._allowed: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, query: str) -> None:
        """Raise BadQuery or ReadOnly unless query may run here."""
        run_with_deep_stack(lambda: self._check(query))

    def _check(self, query: str) -> None:
        """check() on the current thread."""
        with self._lock:
            if query in self._allowed:
                self._allowed.move_to_end(query)
                return
        check_depth(query)
        tree, reason = parse_tree(query)
        if tree is None and not self.sandboxed:
            raise BadQuery(f"malformed SPARQL query: {reason}")
        if tree is not None and has_service(tree):
            raise BadQuery(SERVICE_MESSAGE)
        with self._lock:
            self._allowed[query] = None
            while len(self._allowed) > CHECKED_CACHE:
                self._allowed.popitem(last=False)


def run_with_deep_stack(fn: Callable[[], T]) -> T:
    """fn() on a thread with a large stack and recursion limit, for the parsers above."""
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn())
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            error.append(e)

    if sys.getrecursionlimit() < CHECK_RECURSION:
        sys.setrecursionlimit(CHECK_RECURSION)
    previous = threading.stack_size(CHECK_STACK_BYTES)
    try:
        thread = threading.Thread(target=target, name="kgqa-query")
        thread.start()
    except RuntimeError:  # no room for the stack: check here; deep input fails as RecursionError
        return fn()
    finally:
        threading.stack_size(previous)
    thread.join()
    if error:
        raise error[0]
    return result[0]
