"""Split a cleaned slide into segments: bullets with their wrapped lines, labels, code, links."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.slides import BULLET, CONNECTOR_END_RE, URL_RE, join_wrapped
from kg.types import Segment, SegmentKind, Slide

Line = tuple[int, str]

ITEM_RE = re.compile(rf"^\s*(?:{BULLET}\s*|\d{{1,2}}[.)]\s+|-\s?(?=[A-Za-z]))")
CONTINUE_START_RE = re.compile(
    r"^(?:[a-z(&]|\d|(?:KB|MB|GB|TB|PB|ms|sec|seconds?|minutes?|hours?|days?|%)\b)"
)
CODE_RE = re.compile(
    r"^\s*[{}\[\]()]+[,;]?\s*$"  # lone brackets
    r"|^\s{2,}\S"  # indented code
    r"|[{\[(;\\]\s*$"  # line ending in an opener, ';' or a shell continuation
    r"|^\s*\"[^\"]+\"\s*:"  # JSON key
    r"|^\s*(?:CREATE|SELECT|INSERT|UPDATE|DELETE FROM|ROW FORMAT|STORED AS|LOCATION '|"
    r"PARTITIONED BY|import |from \w+ import|val |var |def |aws \w|spark\.|--\w|"
    r"(?:FROM|WHERE|GROUP BY|ORDER BY|JOIN|VALUES|OPTIONS|RETURNS|OVERWRITE|LIMIT)\b)"
    r"|^\s*\.\w+\("  # chained call
)
TERMINAL = (".", "!", "?")
LABEL_MAX_WORDS = 6


@dataclass(frozen=True)
class Piece:
    """A segment under construction: its kind and its lines."""

    kind: SegmentKind
    lines: tuple[Line, ...]


def segment_slide(slide: Slide) -> list[Segment]:
    """Cut a slide into its title segment and one segment per bullet, label, code block or link."""
    title = Segment(
        slide.deck, slide.number, "title", slide.title, slide.line_start, slide.line_start
    )
    pieces = group_lines(slide.body)
    parents = find_parents(pieces)
    segments = [title] if slide.title else []
    for piece, parent in zip(pieces, parents, strict=True):
        segments.append(
            Segment(
                deck=slide.deck,
                slide=slide.number,
                kind=piece.kind,
                text=piece_text(piece),
                line_start=piece.lines[0][0],
                line_end=piece.lines[-1][0],
                parent=parent,
            )
        )
    return segments


def line_kind(text: str) -> SegmentKind:
    """What a line would start if it does not continue the previous segment."""
    if ITEM_RE.match(text):
        return "bullet"
    if URL_RE.match(text.strip()):
        return "link"
    if CODE_RE.search(text):
        return "code"
    words = text.split()
    return "label" if len(words) <= LABEL_MAX_WORDS and not text.endswith(TERMINAL) else "text"


def continues(piece: Piece, line: Line) -> bool:
    """Whether `line` belongs to `piece` (wrapped line, code inside a block, broken URL)."""
    number, text = line
    last_number, last = piece.lines[-1]
    gap = number - last_number
    if ITEM_RE.match(text) or gap > 2 or URL_RE.match(text.strip()):
        return False
    if piece.kind == "code":
        open_line = last.rstrip().endswith((",", "\\")) or (
            gap == 1 and bool(CONTINUE_START_RE.match(text.strip())) and not last.endswith(";")
        )
        return bool(CODE_RE.search(text)) or bracket_depth(piece) > 0 or open_line
    if piece.kind == "link":
        return gap == 1 and " " not in text.strip() and not URL_RE.match(text.strip())
    if line_kind(text) == "code" and not CONTINUE_START_RE.match(text.strip()):
        return False
    stripped, last = text.strip(), last.rstrip()
    # Across a blank line a bullet goes on with a word ("for" / "" / "redundancy", "limit of 1"
    # / "" / "MB per second"), but a line opening with a figure there is a diagram label ("2 KB
    # 40 KB 500 KB"). A table row ("Max Object Size 1MB" / "" / "256KB") does go on over its
    # cells.
    across = gap == 1 or not stripped[:1].isdigit() or piece.kind != "bullet"
    if CONNECTOR_END_RE.search(last) or (CONTINUE_START_RE.match(stripped) and across):
        return True
    # A bullet goes on over its wrapped lines until a blank line or the next bullet, even when
    # the next line opens with a capital or a name ("You can query" / "RDS/Aurora from ...").
    if piece.kind == "bullet" and gap == 1:
        return True
    if piece.kind == "label":
        return gap == 1
    # A name pushed onto the next line ("... Kinesis Data" / "Firehose").
    return gap == 1 and len(stripped.split()) <= 2 and not last.endswith(TERMINAL)


def bracket_depth(piece: Piece) -> int:
    """Open brackets left in a code piece."""
    text = "\n".join(t for _, t in piece.lines)
    return sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")


def group_lines(body: Sequence[Line]) -> list[Piece]:
    """Group body lines into pieces, attaching each continuation to the piece it continues."""
    pieces: list[Piece] = []
    for line in body:
        if pieces and continues(pieces[-1], line):
            pieces[-1] = Piece(pieces[-1].kind, (*pieces[-1].lines, line))
        else:
            pieces.append(Piece(line_kind(line[1]), (line,)))
    return pieces


def piece_text(piece: Piece) -> str:
    """The text of a piece: code keeps its lines, links glue, everything else joins words."""
    if piece.kind == "code":
        return "\n".join(text.rstrip() for _, text in piece.lines)
    parts = [text.strip() for _, text in piece.lines]
    if piece.kind == "link":
        return "".join(parts)
    parts[0] = ITEM_RE.sub("", parts[0], count=1).strip() if piece.kind == "bullet" else parts[0]
    return join_wrapped(parts)


def is_parent(piece: Piece) -> bool:
    """A bullet that introduces a list: it ends with ':'."""
    return piece.kind == "bullet" and piece.lines[-1][1].rstrip().endswith(":")


# A blank-separated bullet that is a full sentence where the children before it were not
# ("Overall, Redis has grown ... than Memcached." after "Cache often accessed objects"; "Lambda
# can be used to trigger ..." after "OpenSearch") is a point of the slide, not a list item.
SENTENCE_END = re.compile(r"[.!?]\s*$")
SENTENCE_START = re.compile(
    r"^[A-Z][\w-]*(?:\s[A-Z][\w-]*)*\s(?:(?:can|has|have|creates|will|does|provides|allows|"
    r"supports|uses)\b|(?:is|are|was)\s(?:a|an|the|not)\b|[a-z]+s\s(?:the|a|an|its|their)\b)"
)


def find_parents(pieces: Sequence[Piece]) -> list[str]:
    """The parent bullet of each piece (FORMAT.md §1.6), "" for top-level pieces."""
    parents: list[str] = []
    parent = ""
    children = 0
    sentences = False
    spread = False
    previous_end = 0
    for piece in pieces:
        adjacent = piece.lines[0][0] - previous_end == 1
        text = piece_text(piece)
        sentence = bool(SENTENCE_END.search(text) or SENTENCE_START.match(text))
        breaks = not adjacent and sentence and not sentences
        if is_parent(piece) or piece.kind != "bullet":
            parents.append("")
            parent = piece_text(piece) if is_parent(piece) else ""
            children, spread, sentences = 0, False, False
        elif parent and (adjacent or spread or children <= 1) and not (children and breaks):
            # Children are either one adjacent block, or blank-separated until the next parent.
            spread = spread or not adjacent
            parents.append(parent)
            children += 1
            sentences = sentences or sentence
        else:
            parent = ""
            parents.append("")
        previous_end = piece.lines[-1][0]
    return parents
