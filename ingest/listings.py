"""Slide lists as facts: a header with its children, an inline "Header: a, b, c" list, or a
slide whose title names a role ("Kinesis Data Firehose Destinations")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Final

from ingest.relations import DATA_MOVING, Located, make_fact
from kg.registry import RelationKind
from kg.types import Fact, FactKind, ListMember, Segment, Slide


class ListRole(StrEnum):
    """What the members of a list are to its subject."""

    PRODUCERS = "producers"
    CONSUMERS = "consumers"
    SOURCES = "sources"
    DATA_SOURCES = "dataSources"
    EVENT_SOURCES = "eventSources"
    TARGETS = "targets"
    DESTINATIONS = "destinations"
    INTEGRATIONS = "integrations"
    MONITORING = "monitoring"
    MEMBERS = "members"


# Header words that name a role, most specific first ("Data sources" before "Sources").
ROLE_WORDS: Final = (
    (ListRole.DATA_SOURCES, re.compile(r"\bdata\s+sources?\b", re.IGNORECASE)),
    (ListRole.EVENT_SOURCES, re.compile(r"\bevent\s+sources?\b", re.IGNORECASE)),
    (ListRole.PRODUCERS, re.compile(r"\bproducers?\b", re.IGNORECASE)),
    (ListRole.CONSUMERS, re.compile(r"\bconsumers?\b", re.IGNORECASE)),
    (ListRole.SOURCES, re.compile(r"\bsources?\b|\binputs?\b", re.IGNORECASE)),
    (ListRole.DESTINATIONS, re.compile(r"\bdestinations?\b|\bsinks?\b", re.IGNORECASE)),
    (ListRole.TARGETS, re.compile(r"\btargets?\b|\boutputs?\b", re.IGNORECASE)),
    (ListRole.INTEGRATIONS, re.compile(r"\bintegrations?\b|\bintegrates?\b", re.IGNORECASE)),
    (ListRole.MONITORING, re.compile(r"\bmonitoring\b|\blogging\b|\bauditing\b", re.IGNORECASE)),
)
# "Managed: Lambda, Firehose": a header of words (not "${aws:username}" or a URL) and its list.
INLINE_LIST = re.compile(r"^\s*([A-Za-z0-9][^:${}/]{1,59}):\s+(.+)$")
LIST_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b|\bor\b|\+|\s&\s)\s*", re.IGNORECASE)
# A piece that opens with a modal or a verb is a clause of a sentence, not a list member.
CLAUSE_PIECE = re.compile(r"^(?:can|must|may|should|will|is|are|allows?|lets?)\b", re.IGNORECASE)
# An inline list needs at least this many members to be a list rather than a label and a value.
MIN_INLINE_MEMBERS = 2
# A member longer than this is a sentence, not a list value.
MAX_MEMBER_WORDS = 8


ROLE_TAIL = re.compile(r"[\s:()…,.]*$")


def role_of(header: str) -> ListRole:
    """The role a header ends with ("Kinesis consumers:"), or MEMBERS when it names none
    ("Consumer retries happen when ..." is not a list of consumers)."""
    text = ROLE_TAIL.sub("", header)
    return next(
        (
            role
            for role, pattern in ROLE_WORDS
            if any(m.end() == len(text) for m in pattern.finditer(text))
        ),
        ListRole.MEMBERS,
    )


def members_of(item: Located, *, sentences: bool = False) -> list[ListMember]:
    """The members one list line gives: each entity a line of names names, else the line as a
    plain value (under a header, a sentence naming a service is not that service: "Insert into
    OpenSearch Service" is a use case); on a slide titled with a role, each bullet is a member
    and the entities it names are the members (`sentences`)."""
    text = item.segment.text.strip(" •,")
    if sentences:
        # Under a role title each bullet gives the names it mentions ("Amazon EC2 for the
        # instances", "3rd party libraries: Spark, Flume"); a plain text is no member of a role.
        return [ListMember(text[a:b], e) for e, a, b in dedupe_spans(item)]
    if item.entities and names_a_member(text, item.spans):
        return [ListMember(text[a:b], e) for e, a, b in dedupe_spans(item)]
    inline = inline_members(item)
    if inline is not None:  # "Write your own: KCL, AWS SDK" under "Consumers:"
        return inline[1]
    return [ListMember(text)] if text else []


# Besides its names, a member line may hold joiners and this many other words ("EBS
# encryption", "Kinesis Producer Library (KPL)"); more make it a sentence.
MEMBER_EXTRA_WORDS = 2
# "AWS services like Amazon S3", "such as Salesforce": words that introduce the name.
EXAMPLE_LEAD = re.compile(
    r"^.*\b(?:like|such as|including|e\.g\.|ex:|for example)\s*$", re.IGNORECASE
)
JOINERS = re.compile(r"[\s/&,+().…-]+|\b(?:and|or)\b", re.IGNORECASE)


def names_a_member(text: str, spans: Sequence[tuple[str, int, int]]) -> bool:
    """Whether a line (or a piece of one) is a name, or a name and a word or two, not a
    sentence that happens to name something."""
    lead = text[: spans[0][1]] if spans else ""
    if not spans or EXAMPLE_LEAD.sub("", lead).strip(' •,("“'):
        return False
    rest = text
    for _, start, end in sorted(spans, key=lambda span: -span[1]):
        rest = rest[:start] + " " + rest[end:]
    rest = rest[len(lead) :]
    return len(JOINERS.sub(" ", rest).split()) <= MEMBER_EXTRA_WORDS


def dedupe_spans(item: Located) -> list[tuple[str, int, int]]:
    """Entity spans of a segment, each entity once, in order."""
    seen: set[str] = set()
    out = []
    for entity, start, end in item.spans:
        if entity not in seen:
            seen.add(entity)
            out.append((entity, start, end))
    return out


def inline_members(item: Located) -> tuple[str, list[ListMember]] | None:
    """ "Managed: Lambda, Firehose, Kinesis Data Analytics" -> header and members."""
    match = INLINE_LIST.match(item.segment.text)
    if match is None:
        return None
    header, body = match.group(1), match.group(2)
    offset = match.start(2)
    members: list[ListMember] = []
    position = 0
    for piece in LIST_SPLIT.split(body):
        start = body.find(piece, position)
        position = start + len(piece)
        if piece.count("(") != piece.count(")"):
            return None  # "free (aws/service-name, ...)": a slash inside a parenthesis
        piece = piece.strip(" .…")
        if piece.startswith("(") and piece.endswith(")"):
            piece = piece[1:-1]
        if not piece:
            continue
        inside = [
            (e, a - offset - start, b - offset - start)
            for e, a, b in item.spans
            if offset + start <= a < offset + position
        ]
        if len(piece.split()) > MAX_MEMBER_WORDS or CLAUSE_PIECE.match(piece):
            return None  # "All: Can run EC2 Instances & AWS Lambda": a sentence, not a list
        named = names_a_member(body[start:position], inside)
        members.append(ListMember(piece, inside[0][0] if named else ""))
    if len(members) < MIN_INLINE_MEMBERS or not any(m.entity for m in members):
        return None
    return header, members


def listing_fact(
    slide: Slide, segments: Sequence[Segment], subject: str, header: str, members: list[ListMember]
) -> Fact:
    """A listing fact with the lines of its header and members (each once, the subject left out)."""
    # The subject itself is no member of its own list, but the line naming it stays as text
    # ("DynamoDB APIs" under "Run PartiQL queries from:" on a DynamoDB slide).
    members = [m if m.entity != subject else ListMember(m.text) for m in members]
    members = list({(m.entity or m.text): m for m in members}.values())
    first, last = segments[0], segments[-1]
    span = Segment(
        first.deck,
        first.slide,
        first.kind,
        header,
        first.line_start,
        max(last.line_end, first.line_end),
    )
    return make_fact(
        slide,
        span,
        kind=FactKind.LISTING,
        subject=subject,
        header=header,
        role=role_of(header).value,
        members=tuple(members),
    )


def header_listings(
    slide: Slide, items: Sequence[Located], subjects: Sequence[str | None]
) -> list[Fact]:
    """A parent bullet and its children, and inline "Header: a, b" lists, as listing facts."""
    facts: list[Fact] = []
    for n, item in enumerate(items):
        subject = subjects[n]
        if subject is None or item.segment.kind != "bullet":
            continue
        text = item.segment.text.rstrip()
        if text.endswith(":"):
            children = [c for c in items[n + 1 :] if c.segment.parent == item.segment.text]
            members = [m for child in children for m in members_of(child)]
            # "Managed AWS sources for Kinesis Data Streams:" lists the sources of the name.
            named = item.entities if roles_named(item) else []
            owner = named[0] if len(named) == 1 else subject
            if [m for m in members if m.entity != owner]:
                segments = [item.segment] + [c.segment for c in children]
                facts.append(listing_fact(slide, segments, owner, text, members))
            continue
        inline = inline_members(item)
        if inline is not None and any(m.entity != subject for m in inline[1]):
            facts.append(listing_fact(slide, [item.segment], subject, inline[0], inline[1]))
    return facts


def roles_named(title: Located) -> list[ListRole]:
    """The roles a title names outside entity names ("Producer" in "Kinesis Producer Library"
    is a name, not a role)."""
    text = title.segment.text
    for _, start, end in sorted(title.spans, key=lambda span: -span[1]):
        text = text[:start] + " " * (end - start) + text[end:]
    return [role for role, pattern in ROLE_WORDS if pattern.search(text)]


def states_another(kinds: set[RelationKind | None], item: Located) -> bool:
    """Whether a bullet on a monitoring slide states a data flow of its own ("Delivery to
    Amazon S3" on "MSK – Monitoring"): where logs are delivered is no monitor."""
    monitoring = RelationKind.MONITORS in kinds
    return monitoring and any(cue.kind in DATA_MOVING for cue in item.relation_cues)


def title_listing(
    slide: Slide, title: Located, items: Sequence[Located], subject: str | None
) -> list[Fact]:
    """A slide whose title names one role lists its members in its bullets and labels; a
    bullet whose own cue states another relation ("Delivery to Amazon S3" on a monitoring
    slide) gives no member of that role."""
    roles = roles_named(title)
    # "Sources and Targets" names two roles: its members cannot be told apart by the title.
    if subject is None or len(roles) != 1:
        return []
    kinds = {cue.kind for cue in title.relation_cues}
    body = [
        i
        for i in items
        if i.segment.kind in ("bullet", "label")
        and not i.segment.parent
        and not states_another(kinds, i)
    ]
    members = [m for item in body for m in members_of(item, sentences=True) if m.entity != subject]
    if not members or not any(m.entity for m in members):
        return []
    return [listing_fact(slide, [i.segment for i in body], subject, slide.title, members)]
