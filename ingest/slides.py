"""Read a course deck (PDF or its exported text layer) into cleaned `Slide` records."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from kg.errors import BadDeck
from kg.types import Slide

Line = tuple[int, str]

BULLET = "•"
TITLE_RE = re.compile(r"^ (?=[^ •}.\s])[^a-z]")
URL_RE = re.compile(r"^(?:https?://|mailto:)\S*$")
SPACED_BULLET_RE = re.compile(r"^ •")
CODE_OPEN_RE = re.compile(r"CREATE TABLE|\bval |spark\.|[{(\[]\s*$")
SECTION_PREFIX_RE = re.compile(r"^(?:domain|section|part|module|chapter)\s*\d+\s*[–\-:.]?\s*", re.I)
TOC_TITLE_RE = re.compile(r"contents|agenda|outline", re.I)
CONNECTOR_END_RE = re.compile(
    r"(?:[-–/&,]|\b(?:to|for|of|and|or|the|a|an|in|on|with|vs\.?))$", re.I
)
STOPWORDS = frozenset({"the", "for", "a", "an", "of", "and", "to", "in", "on", "with"})
VERTICAL_MAX = 5
VERTICAL_MIN_RUN = 4


@dataclass(frozen=True)
class Chunk:
    """Raw lines of one slide between boundaries, before titles are resolved."""

    lines: tuple[Line, ...]
    forced: bool
    footer: int | None
    links: tuple[str, ...]


def slug(stem: str) -> str:
    """Lowercase [a-z0-9-] id of a file stem."""
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "deck"


def read_deck(path: Path) -> list[Slide]:
    """Read a deck, choosing the reader by file suffix."""
    reader = READERS.get(path.suffix.lower(), read_text_deck)
    return reader(path)


def check_file(path: Path) -> bytes:
    """Return the bytes of a readable, non-empty deck file or raise BadDeck."""
    if not path.exists():
        raise BadDeck(f"deck {path} does not exist: check the path")
    if path.is_dir():
        raise BadDeck(f"deck {path} is a directory: pass a .txt or .pdf file")
    data = path.read_bytes()
    if not data.strip():
        raise BadDeck(f"deck {path} is empty: export the deck's text again")
    return data


def read_text_deck(path: Path) -> list[Slide]:
    """Read a deck exported as plain UTF-8 text."""
    data = check_file(path)
    if b"\x00" in data:
        raise BadDeck(f"deck {path} is binary (NUL bytes): pass the .txt export or the .pdf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BadDeck(f"deck {path} is not UTF-8 text: re-export it as UTF-8") from e
    slides = parse_text_deck(text, deck=slug(path.stem))
    if all(slide.unsure.startswith("title inferred") for slide in slides):
        raise BadDeck(f"deck {path} has no slide titles: expected ' Title' lines with one space")
    return slides


def read_pdf_deck(path: Path) -> list[Slide]:
    """Read a PDF deck: one page is one slide, its first non-empty line the title."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    check_file(path)
    try:
        texts = [page.extract_text() or "" for page in PdfReader(path).pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise BadDeck(f"deck {path} is not a valid PDF ({e}): re-export it") from e
    if not any(text.strip() for text in texts):
        raise BadDeck(f"deck {path} has no text layer: run OCR or export the text")
    deck = slug(path.stem)
    pages = [(number, text) for number, text in enumerate(texts, 1) if text.strip()]
    slides = [
        page_to_slide(text, deck=deck, number=index, page=number)
        for index, (number, text) in enumerate(pages, 1)
    ]
    return assign_domains(slides, sections=None)


def page_to_slide(text: str, *, deck: str, number: int, page: int) -> Slide:
    """Turn one PDF page's text into a Slide; body lines are numbered within the page."""
    lines = [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    title = lines[0][1] if lines else ""
    return Slide(deck, number, title, "", 0, 0, tuple(lines[1:]), page=page)


READERS: dict[str, Callable[[Path], list[Slide]]] = {".pdf": read_pdf_deck}


def parse_text_deck(text: str, *, deck: str, sections: Sequence[str] | None = None) -> list[Slide]:
    """Split a deck's text layer into cleaned slides (see FORMAT.md §1)."""
    lines = [line.rstrip() for line in text.splitlines()]
    footer = find_footer(lines)
    skipped = watermark_lines(lines)
    chunks = split_chunks(lines, footer=footer, skipped=skipped)
    slides = [chunk_to_slide(chunk, deck=deck, number=i) for i, chunk in enumerate(chunks, 1)]
    return assign_domains(slides, sections=sections)


def find_footer(lines: Sequence[str]) -> str:
    """The deck's footer: its most frequent standalone URL line, if repeated at least 3 times."""
    counts = Counter(line for line in lines if URL_RE.match(line))
    if not counts:
        return ""
    url, count = counts.most_common(1)[0]
    return url if count >= 3 else ""


def is_copyright(line: str) -> bool:
    """A watermark header line: starts with © and carries more than a fragment."""
    return line.startswith("©") and len(line) > 6


def watermark_lines(lines: Sequence[str]) -> dict[int, int]:
    """Map each watermark block's first index to its length."""
    starts: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if is_copyright(line):
            start = i
            while start > 0 and lines[start - 1].strip():
                start -= 1
            starts.setdefault(line, []).append(start)
    blocks: dict[int, int] = {}
    for group in starts.values():
        for start in group:
            blocks[start] = block_length(lines, start, group)
    return blocks


def block_length(lines: Sequence[str], start: int, group: Sequence[int]) -> int:
    """Length of a watermark block: what all copies share, else header plus short fragments."""
    if len(group) >= 2:
        size = 0
        while (
            all(s + size < len(lines) for s in group) and len({lines[s + size] for s in group}) == 1
        ):
            size += 1
        while size and not lines[start + size - 1].strip():
            size -= 1
        return size
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    while end < len(lines) and len(lines[end].strip()) <= VERTICAL_MAX:
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end - start


def starts_slide(line: str) -> bool:
    """A title line (exactly one leading space) or a spaced bullet that opens a title-less slide."""
    if URL_RE.match(line.strip()):
        return False
    return bool(TITLE_RE.match(line) or SPACED_BULLET_RE.match(line))


def code_depth(line: str, depth: int) -> int:
    """Bracket depth after a line, counting only once a code line opened a block."""
    if depth == 0 and not CODE_OPEN_RE.search(line):
        return 0
    depth += line.count("(") + line.count("{") + line.count("[")
    depth -= line.count(")") + line.count("}") + line.count("]")
    return max(depth, 0)


def split_chunks(lines: Sequence[str], *, footer: str, skipped: dict[int, int]) -> list[Chunk]:
    """Cut the deck at footers, watermark blocks and title lines."""
    chunks: list[Chunk] = []
    current: list[Line] = []
    forced = False
    depth = 0
    i = 0

    def close(footer_line: int | None, links: tuple[str, ...] = ()) -> None:
        nonlocal current, forced
        if any(text.strip() for _, text in current):
            chunks.append(Chunk(tuple(current), forced, footer_line, links))
            forced = False
        current = []

    while i < len(lines):
        line = lines[i]
        if i in skipped:
            close(None)
            forced, depth = True, 0
            i += skipped[i]
        elif footer and line.strip() == footer:
            end, links = collect_links(lines, i + 1)
            close(i + 1, links)
            depth, i = 0, end
        else:
            if line.strip() and depth == 0 and starts_slide(line):
                close(None)
            current.append((i + 1, line))
            depth = code_depth(line, depth)
            i += 1
    close(None)
    return chunks


def collect_links(lines: Sequence[str], start: int) -> tuple[int, tuple[str, ...]]:
    """Link annotations printed after a footer: column-0 URLs, then one spaced repeat."""
    end = start
    while end < len(lines) and URL_RE.match(lines[end]):
        end += 1
    if end > start and end < len(lines) and URL_RE.match(lines[end].removeprefix(" ")):
        end += 1
    return end, tuple(line.strip() for line in lines[start:end])


def is_bullet(text: str) -> bool:
    """A bullet line, with or without the one stray leading space."""
    return text.lstrip().startswith(BULLET)


def runs(lines: Sequence[Line]) -> list[list[Line]]:
    """Group lines into runs of consecutive non-blank lines."""
    groups: list[list[Line]] = [[]]
    for line in lines:
        if line[1].strip():
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [group for group in groups if group]


def can_continue_title(text: str) -> bool:
    """A line directly under a title that may belong to it (wrapped title or subtitle)."""
    stripped = text.strip()
    if is_bullet(text) or starts_slide(text) or URL_RE.match(stripped):
        return False
    # Code-ish tokens ("aws:SecureTransport", braces) are diagram or policy text, not titles.
    return not re.search(r"\w:\w|[{}=;]", stripped)


def is_wrap(previous: str, following: str) -> bool:
    """Whether `following` continues the title line `previous` rather than being a subtitle."""
    following = following.strip()
    previous = previous.strip()
    if CONNECTOR_END_RE.search(previous) or re.match(r"[a-z(0-9&]", following):
        return True
    # A lone capitalised word under a title is the title's last word pushed over by the
    # slide width ("... Capacity" / "Modes"); after ")" or ":" it is a subtitle ("Batching").
    return len(following.split()) == 1 and not previous.endswith((")", ":", "?"))


def split_title(lines: Sequence[Line]) -> tuple[str, str]:
    """Join wrapped title lines; the first line that is not a wrap starts the subtitle."""
    title = [lines[0][1].strip()]
    subtitle: list[str] = []
    for _, text in lines[1:]:
        if not subtitle and is_wrap(title[-1], text):
            title.append(text.strip())
        else:
            subtitle.append(text.strip())
    return join_wrapped(title), " ".join(subtitle)


def join_wrapped(parts: Sequence[str]) -> str:
    """Join wrapped pieces, repairing hyphenation ("cross-" + "account") and broken URLs."""
    text = ""
    for part in parts:
        glued = text.endswith("-") and not text.endswith(" -")
        broken_url = "://" in text.rsplit(" ", 1)[-1] and " " not in part
        if not text or glued or broken_url:
            text += part
        else:
            text += " " + part
    return re.sub(r"\s+", " ", text).strip()


def title_block(lines: Sequence[Line], first: int) -> list[Line]:
    """The title line at index `first` plus the lines directly under it that can continue it."""
    block = [lines[first]]
    for line in lines[first + 1 :]:
        if not line[1].strip() or not can_continue_title(line[1]) or len(block) >= 5:
            break
        block.append(line)
    return block


def label_before_title(lines: Sequence[Line]) -> int | None:
    """Index of the real title when a short diagram label was printed above it, else None."""
    nonblank = [i for i, (_, text) in enumerate(lines) if text.strip()]
    if len(nonblank) < 3 or nonblank[1] == nonblank[0] + 1:
        return None
    label, candidate = lines[nonblank[0]][1], lines[nonblank[1]][1]
    if not looks_like_label(label) or candidate[:1] in (" ", BULLET) or not candidate[:1].isupper():
        return None
    block = title_block(lines, nonblank[1])
    if len(" ".join(text for _, text in block).split()) < 2:
        return None
    after = [text for _, text in lines[nonblank[1] + len(block) :] if text.strip()]
    return nonblank[1] if after and is_bullet(after[0]) else None


def looks_like_label(text: str) -> bool:
    """A diagram label rather than a title: one word, or words not in title case."""
    words = text.split()
    return len(words) == 1 or 1 < len(words) <= 3 and any(w[:1].islower() for w in words[1:])


def end_title(lines: Sequence[Line]) -> list[Line]:
    """The title printed at the end of a slide: its last run, if short and not a bullet."""
    last = runs(lines)[-1]
    if len(last) <= 3 and not any(is_bullet(t) or URL_RE.match(t.strip()) for _, t in last):
        return last
    return []


def is_fragment(text: str) -> bool:
    """A piece of vertically printed text: a few letters, no digits."""
    stripped = text.strip()
    return 0 < len(stripped) <= VERTICAL_MAX and stripped.isascii() and not re.search(r"\d", text)


def join_vertical(body: Sequence[Line]) -> list[Line]:
    """Glue vertically printed text ("SEC", "U", "R", "ITY") back into one line."""
    out: list[Line] = []
    i = 0
    while i < len(body):
        j = i
        while j < len(body) and is_fragment(body[j][1]):
            j += 1
        run = body[i:j]
        if len(run) >= VERTICAL_MIN_RUN and sum(len(t.strip()) <= 2 for _, t in run) * 2 >= len(
            run
        ):
            out.append((run[0][0], "".join(t.strip() for _, t in run)))
            i = j
        else:
            out.append(body[i])
            i += 1
    return out


def clean_body_line(text: str) -> str:
    """Drop trailing spaces and the stray space before a bullet; keep code indentation."""
    return text.rstrip()[1:] if SPACED_BULLET_RE.match(text) else text.rstrip()


def chunk_to_slide(chunk: Chunk, *, deck: str, number: int) -> Slide:
    """Resolve a chunk's title, subtitle and body into a Slide."""
    lines = chunk.lines
    first = next(i for i, (_, text) in enumerate(lines) if text.strip())
    first_text = lines[first][1]
    unsure = ""
    title_lines: list[Line]
    if SPACED_BULLET_RE.match(first_text) and not chunk.forced:
        title_lines = end_title(lines)
        unsure = "title printed at end of slide" if title_lines else "no title found"
    elif chunk.forced or TITLE_RE.match(first_text):
        real = None if chunk.forced else label_before_title(lines)
        title_lines = title_block(lines, first if real is None else real)
        if real is not None:
            unsure = "diagram label printed above the title"
    else:
        title_lines = title_block(lines, first)
        unsure = "title inferred: no leading space"
    title, subtitle = split_title(title_lines) if title_lines else ("", "")
    taken = {n for n, _ in title_lines}
    body = [(n, clean_body_line(t)) for n, t in lines if t.strip() and n not in taken]
    numbers = [n for n, t in lines if t.strip()]
    if chunk.footer is None and not unsure and body and not chunk.forced and looks_cut(body):
        unsure = "no footer: boundary may be off"
    return Slide(
        deck=deck,
        number=number,
        title=title,
        domain="",
        line_start=numbers[0],
        line_end=chunk.footer or numbers[-1],
        body=tuple(join_vertical(body)),
        subtitle=subtitle,
        links=chunk.links,
        unsure=unsure,
    )


def looks_cut(body: Sequence[Line]) -> bool:
    """A footer-less slide ending in a dangling wrap (the next title may have cut it)."""
    last = body[-1][1].rstrip()
    return bool(CONNECTOR_END_RE.search(last)) and not last.endswith("-")


def section_key(name: str) -> frozenset[str]:
    """Word stems of a section name, so "Preparing for the exam" matches "Exam Preparation"."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    return frozenset(word[:5] for word in words if word not in STOPWORDS)


def toc_sections(slides: Sequence[Slide]) -> list[str]:
    """Section names listed as bullets on the deck's table-of-contents slide."""
    for slide in slides:
        if TOC_TITLE_RE.search(slide.title):
            entries = [text.lstrip(BULLET + " ") for _, text in slide.body if is_bullet(text)]
            return [SECTION_PREFIX_RE.sub("", entry).strip() for entry in entries]
    return []


def assign_domains(slides: Sequence[Slide], *, sections: Sequence[str] | None) -> list[Slide]:
    """Set each slide's domain from the last near-empty divider slide named like a section."""
    names = list(sections) if sections is not None else toc_sections(slides)
    keys = {section_key(name): name for name in names if section_key(name)}
    domain = ""
    out: list[Slide] = []
    for slide in slides:
        key = section_key(slide.title)
        if key in keys and len(slide.body) <= 2:
            domain = keys[key]
        out.append(replace(slide, domain=domain))
    return out
