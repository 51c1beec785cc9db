"""Blocks as quotes and citations: what a person reads first, with the slides it comes from."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from kg.ask.retrieve import Ranked
from kg.ask.store import Block, PassageStore
from kg.graph import slide_iri
from kg.kb import KB
from kg.types import SourceRef

# The scorer and a reader see the first 600 characters of an answer; quotes stop before that.
ANSWER_BUDGET: Final = 590
# A part cut to fit must keep at least this many characters to be worth reading.
MIN_CUT_PART: Final = 60
# A source's text shows the quoted block, cut here.
SOURCE_TEXT_CHARS: Final = 400
MAX_CHILDREN: Final = 10
# A quote's text: between its opening quote mark and the one before its "(slide …)" citation.
QUOTED_RE: Final = re.compile(r'^"(.*)" \(slide \d+[,)]', re.S)
# Between two quotes of an answer already composed: a citation's ")." then the next quote.
QUOTE_GAP_RE: Final = re.compile(r'(?<=\)\.) (?=")')
# Where a quoted block joins its lines and a header its list.
PIECE_SPLIT_RE: Final = re.compile(r"; |: ")


def cite(numbers: Iterable[int]) -> str:
    """ "slide 12" or "slides 12, 40"."""
    unique = sorted(set(numbers))
    return ("slide " if len(unique) == 1 else "slides ") + ", ".join(map(str, unique))


def block_text(store: PassageStore, block: Block, *, members: Sequence[int] | None = None) -> str:
    """A block as one line: "header: child; child" or "label / label" for a diagram group."""
    pids = list(members if members is not None else block.members)
    passages = [store.passages[pid] for pid in pids]
    if not passages:
        return ""
    if block.paired and members is None:
        return ": ".join(p.text for p in passages)
    if (
        all(p.kind in ("label", "text") for p in passages)
        and len(passages) > 1
        and all(p.parent < 0 for p in passages)
    ):
        return " / ".join(p.text for p in passages)
    head, rest = passages[0], passages[1 : 1 + MAX_CHILDREN]
    if not rest:
        return head.text
    joiner = " " if head.text.endswith(":") else ": "
    return head.text + joiner + "; ".join(p.text for p in rest)


def slide_title(kb: KB, deck: str, slide: int) -> str:
    """The title of a slide, or "" when unknown."""
    info = kb.slides.get(str(slide_iri(deck, slide)))
    return info.title if info else ""


def quote(
    kb: KB, store: PassageStore, block: Block, *, members: Sequence[int] | None = None
) -> str:
    """A block quoted with its slide and title: "…" (slide 12, Title)."""
    title = slide_title(kb, block.deck, block.slide)
    where = f"slide {block.slide}, {title}" if title else f"slide {block.slide}"
    return f'"{block_text(store, block, members=members)}" ({where}).'


def fill(parts: Sequence[str], budget: int = ANSWER_BUDGET) -> str:
    """Join parts in order within the budget; a part that does not fit is cut to the room left
    when that room is worth reading, else left out."""
    out: list[str] = []
    used = 0
    for part in (piece for whole in parts for piece in QUOTE_GAP_RE.split(whole)):
        if not part or repeats(part, " ".join(out)):
            continue
        room = budget - used - (1 if out else 0)
        if len(part) <= room:
            out.append(part)
        elif room >= MIN_CUT_PART or not out:
            out.append(part[: max(0, room - 1)].rstrip() + "…")
        else:
            continue
        used += len(out[-1]) + (1 if len(out) > 1 else 0)
    return " ".join(out)


def repeats(part: str, said: str) -> bool:
    """Whether a quote says nothing the answer has not already quoted (a block's line quoted
    again on its own after the block)."""
    match = QUOTED_RE.match(part)
    if match is None or not said:
        return False
    pieces = [p.strip() for p in PIECE_SPLIT_RE.split(match.group(1)) if p.strip()]
    return bool(pieces) and all(p in said for p in pieces)


def source_ref(kb: KB, deck: str, slide: int, score: float, text: str = "") -> SourceRef | None:
    """A citation of one slide, with the quoted text when given."""
    info = kb.slides.get(str(slide_iri(deck, slide)))
    if info is None:
        return None
    return SourceRef(
        deck=info.deck,
        slide=info.number,
        lines=info.lines,
        page=info.page,
        title=info.title,
        text=(text or info.text)[:SOURCE_TEXT_CHARS],
        score=round(score, 3),
    )


def sources(
    kb: KB,
    store: PassageStore,
    used: Sequence[Ranked],
    ranked: Sequence[Ranked],
    *,
    first: Sequence[tuple[str, int]] = (),
    k: int,
) -> tuple[SourceRef, ...]:
    """Up to k distinct slides: those the answer names, the blocks it quotes, then the ranking."""
    refs: list[SourceRef] = []
    seen: set[tuple[str, int]] = set()

    def add(deck: str, slide: int, score: float, text: str = "") -> None:
        if (deck, slide) in seen or len(refs) >= k:
            return
        ref = source_ref(kb, deck, slide, score, text)
        if ref is not None:
            seen.add((deck, slide))
            refs.append(ref)

    for deck, slide in first:
        add(deck, slide, 1.0)
    for item in [*used, *ranked]:
        add(item.block.deck, item.block.slide, item.score, block_text(store, item.block))
    return tuple(refs)


# A block headed by a name this short ("SSH", "IAM roles") lists its points under it; the text dump
# may print all but the first as lines of their own.
MAX_HEAD_WORDS: Final = 2
# A line ending so announces what follows; the text dump may print its list as lines of its own.
ANNOUNCING: Final = (":", "…", "...")
# A slide this short is quoted whole: its bullets together are the answer more often than any one.
WHOLE_SLIDE_CHARS: Final = 420


def slide_text(store: PassageStore, deck: str, slide: int) -> str:
    """A whole slide's statements in one line: blocks joined by "; ", labels left out when the
    slide has bullets."""
    pids = store.by_slide.get((deck, slide), [])
    has_bullets = any(store.passages[p].kind != "label" for p in pids)
    seen: set[int] = set()
    parts: list[str] = []
    for pid in pids:
        block_id = store.block_of[pid]
        if block_id in seen:
            continue
        seen.add(block_id)
        block = store.blocks[block_id]
        if has_bullets and all(store.passages[m].kind == "label" for m in block.members):
            continue
        parts.append(block_text(store, block))
    return "; ".join(parts)


def slide_quote(kb: KB, store: PassageStore, deck: str, slide: int) -> str:
    """A whole slide quoted under its title: "Title: …" (slide 12)."""
    title = slide_title(kb, deck, slide)
    body = slide_text(store, deck, slide)
    return f'"{title}: {body}" (slide {slide}).' if title else f'"{body}" (slide {slide}).'


def run_on(store: PassageStore, block: Block) -> list[int]:
    """The passages after a lone line that announces a list ("Getting inside a VPC is hard…",
    "Options:"), or after a short name heading its first point ("SSH: Secure connection"), up to
    the slide's next header: the rest of its list, which the text dump printed flat."""
    head = store.passages[block.head]
    announces = len(block.members) == 1 and head.text.rstrip().endswith(ANNOUNCING)
    names = len(block.members) > 1 and len(head.text.split()) <= MAX_HEAD_WORDS
    if not (announces or names):
        return []
    pids = store.by_slide.get((block.deck, block.slide), [])
    out: list[int] = []
    for pid in pids[pids.index(block.head) + 1 :]:
        passage = store.passages[pid]
        if passage.kind != head.kind or passage.children or passage.text.endswith(ANNOUNCING):
            break
        out.append(pid)
    return out


def slide_part(
    kb: KB, store: PassageStore, block: Block, budget: int, ranked: Sequence[int] = ()
) -> str:
    """A block quoted first, then the rest of its slide within a character budget: the slide's
    other blocks the question ranks (best first), then the remaining ones in slide order."""
    title = slide_title(kb, block.deck, block.slide)
    where = f" (slide {block.slide}, {title})." if title else f" (slide {block.slide})."
    pids = store.by_slide.get((block.deck, block.slide), [])
    has_bullets = any(store.passages[p].kind != "label" for p in pids)
    rest: list[str] = []
    seen = {block.id}
    own = {store.block_of[p] for p in pids}
    order = [*run_on(store, block), *(store.blocks[b].head for b in ranked if b in own), *pids]
    for pid in order:
        first = store.blocks[store.block_of[pid]]
        for other in [first, *(store.blocks[store.block_of[p]] for p in run_on(store, first))]:
            if other.id in seen:
                continue
            seen.add(other.id)
            if has_bullets and all(store.passages[m].kind == "label" for m in other.members):
                continue
            rest.append(block_text(store, other))
    room = max(0, budget - len(where) - 2)
    body = block_text(store, block)
    for text in rest:
        if len(body) + 2 + len(text) > room:
            continue
        body = f"{body}; {text}"
    if len(body) > room:
        body = body[: max(0, room - 1)].rstrip() + "…"
    return f'"{body}"{where}'
