"""Segments of one slide to facts: integrations, negations, anti-patterns, security, attributes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ingest.limits import find_quantities
from kg.types import Entity, Fact, RelationKind, SecurityCategory, Segment, Slide

# (entity id, start char, end char) of every gazetteer entity a text names.
Span = tuple[str, int, int]
FindMentions = Callable[[str], list[Span]]

# Entities that are the medium of a statement rather than a party to it.
INTEGRATION_TYPES = ("Service", "Feature", "Software", "ThirdPartyProduct", "Concept")
# A noun cue heads a list only where a list can follow it.
HEADER_TAIL = r"(?=\s*(?::|$|\binclude|\bare\b|\bcan\b|\bsuch as|\blike\b|\())"
OUT_CUES = re.compile(
    r"\b(?:writ(?:e|es|ing)|written|load(?:s|ing|ed)?|deliver(?:s|y|ing|ed)?|send(?:s|ing)?|"
    r"sent|push(?:es|ing)?|output(?:s|ting)?|export(?:s|ing)?|publish(?:es|ing)?|"
    r"stream(?:s|ing)?|forward(?:s|ing)?|replicat(?:e|es|ing|ion)|store(?:s)? (?:results|data|"
    r"output)|unload(?:s|ing)?|ship(?:s|ping)?)\b[^.;:]*?\b(?:to|into|in)\b|"
    r"^\W*(?:[\w-]+\s+){0,2}(?:destinations?|targets?|sinks?|consumers?|outputs?)\b|"
    r"\b(?:destinations?|targets?|sinks?|consumers?|outputs?)\b" + HEADER_TAIL + "|"
    r"\b(?:can be|as) (?:a|the) (?:destination|target|sink)",
    re.IGNORECASE,
)
IN_CUES = re.compile(
    r"^\W*(?:[\w-]+\s+){0,2}(?:sources?|producers?|inputs?)\b|\bsourcing\b|"
    r"\b(?:sources?|producers?|inputs?)\b" + HEADER_TAIL + "|"
    r"\b(?:read(?:s|ing)?|consum(?:e|es|ing)|ingest(?:s|ing|ion)?|import(?:s|ing)?|pull(?:s|ing)?|"
    r"fetch(?:es|ing)?|quer(?:y|ies|ying)|analy[sz](?:e|es|ing)|scan(?:s|ning)?|crawl(?:s|ing)?|"
    r"load(?:s|ing)?|cop(?:y|ies|ying)|migrat(?:e|es|ing))\b[^.;:]*?\bfrom\b|"
    r"^\s*from\b|\bfrom\b(?=[^.;:]*$)|\b(?:discovery|discover(?:s|ing)?|crawl(?:s|ing|ers?)?|"
    r"scan(?:s|ning)?)\b",
    re.IGNORECASE,
)
SUBJECT_WINDOW = 12
LIST_GLUE = re.compile(r"^\s*(?:/|,|&|and|or|\+)\s*$", re.IGNORECASE)
# What may stand before an entity that is the grammatical subject of its sentence.
OPENING = re.compile(r"^[\W\d]*(?:(?:the|a|an|with|then|and|or|also|both)\s+)?$", re.IGNORECASE)
QUERY_CUES = re.compile(
    r"\b(?:quer(?:y|ies|ying)|analy[sz](?:e|es|ing)|scan(?:s|ning)?|crawl(?:s|er|ers|ing)?|"
    r"discover(?:s|y)?)\b",
    re.IGNORECASE,
)
TRIGGER_CUES = re.compile(
    r"\b(?:trigger(?:s|ed|ing)?|invok(?:e|es|ed|ing)|event notifications?)\b", re.IGNORECASE
)
ARROW = re.compile(r"\s(?:->|→|=>)\s")
NEGATION = re.compile(r"\b(?:not|cannot|can't|can’t|never|no longer)\b|n't\b|n’t\b", re.IGNORECASE)
REVERSE_NEGATION = re.compile(
    r"\bbut not the other way\b|\bnot (?:the )?vice versa\b", re.IGNORECASE
)
ANTI_PATTERN_TITLE = re.compile(r"anti-?patterns?", re.IGNORECASE)
NOT_ANTI_PATTERN = re.compile(r"\bno longer\b", re.IGNORECASE)
INSTEAD = re.compile(r"\b(?:use|try|consider|instead)\b", re.IGNORECASE)
SECURITY_RULES: tuple[tuple[SecurityCategory, re.Pattern[str]], ...] = (
    (
        "encryptionAtRest",
        re.compile(
            r"\bat[- ]rest\b|\bserver[- ]side encryption\b|\bSSE\b|\bSSE-(?:S3|KMS|C)\b|"
            r"\bclient[- ]side encryption\b|\bLUKS\b|\bTDE\b|\bencrypt(?:s|ed|ion)?\b[^.]*\b"
            r"(?:KMS|HSM|keys?|volumes?|EBS|disks?|stream|tables?|clusters?|data)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "encryptionInTransit",
        re.compile(r"\bin[- ](?:flight|transit)\b|\bTLS\b|\bSSL\b|\bHTTPS\b", re.IGNORECASE),
    ),
    (
        "accessControl",
        re.compile(
            r"\bIAM\b(?! database auth)|\bpolic(?:y|ies)\b|\bACLs?\b|"
            r"\b(?:row|column|cell)[- ]level\b|"
            r"\bpermissions?\b|\bLake Formation\b|\bfine[- ]grained\b|\baccess control\b",
            re.IGNORECASE,
        ),
    ),
    (
        "networkIsolation",
        re.compile(
            r"\bVPC\b|\bprivate subnets?\b|\bPrivateLink\b|\bPrivate Link\b|\bsecurity groups?\b",
            re.IGNORECASE,
        ),
    ),
    ("auditing", re.compile(r"\bCloudTrail\b|\baudit(?:s|ing)?\b", re.IGNORECASE)),
    (
        "authentication",
        re.compile(
            r"\bKerberos\b|\bSAML\b|\bCognito\b|\bauthenticat(?:e|es|ion)\b|\bActive Directory\b|"
            r"\bMFA\b|\bfederat(?:ed|ion)\b|\bLDAP\b",
            re.IGNORECASE,
        ),
    ),
)
FINE_GRAINED = re.compile(
    r"\b(?:row|column|cell)[- ]level\b|\bfine[- ]grained\b|"
    r"\b(?:row|column|cell) and (?:row|column|cell)[- ]level\b",
    re.IGNORECASE,
)
SECURITY_TITLE = re.compile(r"\bsecurity\b|\bencryption\b|\bKMS\b|\bIAM\b", re.IGNORECASE)
ATTRIBUTE_RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("serverless", "serverless", re.compile(r"\bserverless\b", re.IGNORECASE)),
    ("managed", "fully managed", re.compile(r"\bfully[- ]managed\b", re.IGNORECASE)),
    ("capacityMode", "provisioned", re.compile(r"\bprovisioned\b", re.IGNORECASE)),
    ("capacityMode", "on-demand", re.compile(r"\bon[- ]demand\b", re.IGNORECASE)),
    ("deliverySemantics", "at least once", re.compile(r"\bat[- ]least[- ]once\b", re.IGNORECASE)),
    ("deliverySemantics", "exactly once", re.compile(r"\bexactly[- ]once\b", re.IGNORECASE)),
    ("deliverySemantics", "at most once", re.compile(r"\bat[- ]most[- ]once\b", re.IGNORECASE)),
    (
        "ordering",
        "ordered",
        re.compile(r"(?<!best effort )\b(?:ordering|ordered|FIFO)\b", re.IGNORECASE),
    ),
    ("latency", "real time", re.compile(r"(?<!near )(?<!near-)\breal[- ]time\b", re.IGNORECASE)),
    ("latency", "near real time", re.compile(r"\bnear[- ]real[- ]time\b", re.IGNORECASE)),
    ("scaling", "automatic scaling", re.compile(r"\bauto(?:matic)?[- ]?scal", re.IGNORECASE)),
)
DEFINITION_TITLE = re.compile(r"^\s*(?:what is|what's|what are|intro(?:duction)?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Located:
    """A segment with the entities it names, in text order."""

    segment: Segment
    spans: tuple[Span, ...]

    @property
    def entities(self) -> list[str]:
        """Entity ids in order of first mention, without repeats."""
        return list(dict.fromkeys(span[0] for span in self.spans))


def locate(segments: Sequence[Segment], find: FindMentions) -> list[Located]:
    """Attach entity mentions to every segment."""
    return [Located(segment, tuple(find(segment.text))) for segment in segments]


def title_entities(slide: Slide, find: FindMentions) -> list[str]:
    """Entities the slide's title (then subtitle) names, in order."""
    for text in (slide.title, slide.subtitle):
        ids = list(dict.fromkeys(span[0] for span in find(text)))
        if ids:
            return ids
    return []


def make_fact(slide: Slide, segment: Segment, **fields: Any) -> Fact:
    """A fact with the provenance of its segment."""
    provenance: dict[str, Any] = {
        "deck": slide.deck,
        "slide": slide.number,
        "line_start": segment.line_start,
        "line_end": segment.line_end,
        "text": segment.text,
    }
    return Fact(**(provenance | fields))


def split_at_cue(
    text: str, spans: Sequence[Span], cue: re.Match[str]
) -> tuple[list[str], list[str]]:
    """Entities before the cue and entities after it."""
    before: list[str] = []
    previous_end = 0
    for span in spans:
        if span[2] > cue.start():
            break
        gap = text[previous_end : span[1]]
        if (not before and OPENING.match(gap)) or (before and LIST_GLUE.match(gap)):
            before.append(span[0])
            previous_end = span[2]
        elif before:
            break
    after = [span[0] for span in spans if span[1] >= cue.end()]
    return list(dict.fromkeys(before)), list(dict.fromkeys(after))


def direction_of(text: str) -> tuple[str, re.Match[str]] | None:
    """Which way data flows in a sentence ("out" of or "in" to its subject), and the cue."""
    found = [(m.start(), "out", m) for m in OUT_CUES.finditer(text)]
    found += [(m.start(), "in", m) for m in IN_CUES.finditer(text)]
    found += [(m.start(), "trigger", m) for m in TRIGGER_CUES.finditer(text)]
    if not found:
        return None
    _, way, match = min(found, key=lambda item: item[0])
    return way, match


def head_entity(text: str, spans: Sequence[Span]) -> str | None:
    """The entity a "X:" or "X - ..." head names, as in "Kinesis Data Firehose:"."""
    head = re.match(r"^\s*([^:]{2,60}):\s*$", text)
    if head is None or not spans:
        return None
    return spans[0][0] if spans[0][1] < len(head.group(1)) + 1 else None


ROLE = re.compile(
    r"\b(?:can be|is|as) (?:a|an|the) (?:destination|target|sink|output)s?\b", re.IGNORECASE
)
HEAD_LIST = re.compile(r"^\s*([^:]{3,80}):\s*\S")


LABEL_CUE = re.compile(
    r"(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))(?:([Dd]estinations?|[Tt]argets?|"
    r"[Ss]inks?|[Oo]utputs?|[Cc]onsumers?)|([Ss]ources?|[Pp]roducers?|"
    r"[Ii]nputs?))(?![a-z])"
)
LABEL_GROUP = 6


def label_facts(slide: Slide, items: Sequence[Located], subject: str | None) -> list[Fact]:
    """Flattened diagrams: labels after a "Destinations"/"Producers" caption belong to it."""
    if subject is None:
        return []
    facts: list[Fact] = []
    way: str | None = None
    budget = 0
    for item in items:
        text = item.segment.text
        if item.segment.kind != "label" or len(text.split()) > 6:
            continue
        cue = LABEL_CUE.search(text)
        if cue is not None and any(a <= cue.start() < b for _, a, b in item.spans):
            cue = None
        cue_way = None if cue is None else ("out" if cue.group(1) else "in")
        for entity, start, _ in item.spans:
            if entity == subject:
                way, budget = None, 0
                continue
            group = way if cue is None or start < cue.start() else cue_way
            group = group or cue_way
            if group is not None and (budget > 0 or group == cue_way):
                facts += _pair_facts(slide, item, group, [subject], [entity], negated=False)
        if cue_way is not None:
            way, budget = cue_way, LABEL_GROUP
        elif item.spans:
            budget -= 1
    return facts


def role_facts(slide: Slide, item: Located, title_ids: Sequence[str]) -> list[Fact]:
    """ "X can be a destination" on a slide about Y and X: Y writes to X."""
    text, spans = item.segment.text, item.spans
    role = ROLE.search(text)
    if role is None or not spans or not OPENING.match(text[: spans[0][1]]):
        return []
    target = spans[0][0]
    sources = [e for e in title_ids if e != target]
    return [
        make_fact(
            slide, item.segment, kind="relation", subject=source, relation="writesTo", object=target
        )
        for source in sources[:1]
    ]


def head_only(item: Located, gazetteer: Mapping[str, Entity]) -> Located:
    """In "On-premises databases: Oracle, MySQL", the head concept is the party, not the list."""
    head = HEAD_LIST.match(item.segment.text)
    if head is None:
        return item
    inside = [span for span in item.spans if span[2] <= head.end(1)]
    if any(
        gazetteer.get(span[0]) is not None and gazetteer[span[0]].type == "Concept"
        for span in inside
    ):
        return Located(item.segment, tuple(inside))
    return item


def relation_facts(
    slide: Slide, item: Located, subject: str | None, context: str, context_entities: Sequence[str]
) -> list[Fact]:
    """Directional integrations a bullet states, with the slide subject when it names none."""
    text, spans = item.segment.text, item.spans
    facts: list[Fact] = []
    if ROLE.search(text):
        return []
    arrows = list(ARROW.finditer(text))
    if arrows:
        # "A -> B -> C": each arrow joins the last entity before it to the first after it.
        for arrow in arrows:
            before = [span[0] for span in spans if span[2] <= arrow.start()]
            after = [span[0] for span in spans if span[1] >= arrow.end()]
            if before and after and before[-1] != after[0]:
                facts.append(
                    make_fact(
                        slide,
                        item.segment,
                        kind="relation",
                        subject=before[-1],
                        relation="writesTo",
                        object=after[0],
                    )
                )
        if facts:
            return facts
    found = direction_of(text)
    parties = item.entities
    if found is None and context:
        found = direction_of(context)
        if found is not None:
            # The cue sits in the parent ("Write data to:"): this bullet lists the parties.
            way, _ = found
            subject = (
                context_entities[0]
                if context_entities
                and way != "in"
                and not any(e in parties for e in context_entities)
                else subject
            )
            facts = _pair_facts(
                slide,
                item,
                way,
                [subject] if subject else [],
                parties,
                negated=bool(NEGATION.search(context)),
            )
            return [replace(fact, text=f"{context} {fact.text}") for fact in facts]
    if found is None:
        return []
    cues = all_cues(text)
    for n, (way, cue) in enumerate(cues):
        end = cues[n + 1][1].start() if n + 1 < len(cues) else len(text)
        before, after = split_at_cue(text[:end], [s for s in spans if s[1] < end], cue)
        subjects = before if before else ([subject] if subject else [])
        objects = [e for e in after if e not in subjects]
        reverse = REVERSE_NEGATION.search(text)
        window = text[: cue.end()] if reverse else text[: cue.end() + 15]
        negated = bool(NEGATION.search(window))
        facts += _pair_facts(slide, item, way, subjects, objects, negated=negated)
        if reverse:
            facts += _pair_facts(
                slide, item, "in" if way == "out" else "out", subjects, objects, negated=True
            )
    return facts


def all_cues(text: str) -> list[tuple[str, re.Match[str]]]:
    """Every non-overlapping direction cue of a sentence, in order."""
    found = [(m.start(), "out", m) for m in OUT_CUES.finditer(text)]
    found += [(m.start(), "in", m) for m in IN_CUES.finditer(text)]
    found += [(m.start(), "trigger", m) for m in TRIGGER_CUES.finditer(text)]
    found.sort(key=lambda item: item[0])
    kept: list[tuple[str, re.Match[str]]] = []
    for _, way, match in found:
        if kept and match.start() < kept[-1][1].end():
            continue
        kept.append((way, match))
    return kept


def _pair_facts(
    slide: Slide,
    item: Located,
    way: str,
    subjects: Sequence[str],
    objects: Sequence[str],
    *,
    negated: bool,
) -> list[Fact]:
    """One relation fact per subject-object pair, oriented by the flow direction."""
    facts = []
    for s in subjects:
        for o in objects:
            if s == o:
                continue
            relation: RelationKind
            if way == "trigger":
                relation, a, b = "triggers", s, o
            elif way == "out":
                relation, a, b = "writesTo", s, o
            else:
                relation, a, b = "writesTo", o, s
            if negated:
                relation = "notWritesTo" if relation == "writesTo" else "notIntegratesWith"
            facts.append(
                make_fact(
                    slide, item.segment, kind="relation", subject=a, relation=relation, object=b
                )
            )
    return facts


def security_facts(
    slide: Slide, item: Located, subject: str | None, gazetteer: Mapping[str, Entity]
) -> list[Fact]:
    """Security features a bullet states for its subject."""
    if subject is None or item.segment.kind not in ("bullet", "text"):
        return []
    text = item.segment.text
    on_security_slide = bool(SECURITY_TITLE.search(slide.title))
    facts = []
    for category, pattern in SECURITY_RULES:
        if not pattern.search(text):
            continue
        if (
            not on_security_slide
            and category in ("accessControl", "auditing", "authentication")
            and not FINE_GRAINED.search(text)
        ):
            continue
        mechanisms: list[str | None] = [
            e for e in item.entities if e != subject and gazetteer.get(e, None) is not None
        ] or [None]
        for mechanism in mechanisms[:3]:
            facts.append(
                make_fact(
                    slide,
                    item.segment,
                    kind="security",
                    subject=subject,
                    security=category,
                    object=mechanism,
                )
            )
    return facts


def attribute_facts(
    slide: Slide, item: Located, subject: str | None, gazetteer: Mapping[str, Entity]
) -> list[Fact]:
    """Named attributes (serverless, modes, semantics) and supported formats."""
    if subject is None:
        return []
    text = item.segment.text
    facts = [
        make_fact(
            slide, item.segment, kind="attribute", subject=subject, attribute=name, value=value
        )
        for name, value, pattern in ATTRIBUTE_RULES
        if pattern.search(text) and not NEGATION.search(text)
    ]
    for entity in item.entities:
        kind = gazetteer[entity].type if entity in gazetteer else ""
        if kind in ("DataFormat", "Compression"):
            facts.append(
                make_fact(
                    slide,
                    item.segment,
                    kind="attribute",
                    subject=subject,
                    attribute="format" if kind == "DataFormat" else "compression",
                    value=entity,
                )
            )
    return facts


def anti_pattern_facts(slide: Slide, item: Located, subject: str | None) -> list[Fact]:
    """Every bullet of an anti-pattern slide, with the alternative it recommends."""
    if subject is None or not ANTI_PATTERN_TITLE.search(slide.title):
        return []
    if NOT_ANTI_PATTERN.search(slide.title) or item.segment.kind not in ("bullet", "text"):
        return []
    alternatives = (
        [e for e in item.entities if e != subject] if INSTEAD.search(item.segment.text) else []
    )
    return [
        make_fact(
            slide,
            item.segment,
            kind="antiPattern",
            subject=subject,
            object=alternatives[0] if alternatives else None,
        )
    ]


def limit_facts(
    slide: Slide, item: Located, subject: str | None, gazetteer: Mapping[str, Entity]
) -> list[Fact]:
    """Figures with units, owned by the entity named just before them or the slide subject."""
    if item.segment.kind not in ("bullet", "text", "label"):
        return []
    text = item.segment.text
    facts = []
    for quantity in find_quantities(text):
        at = text.find(quantity.text)
        owners = [
            span[0]
            for span in item.spans
            if span[2] <= max(at, 0)
            and gazetteer.get(span[0]) is not None
            and gazetteer[span[0]].type in ("Service", "Feature", "Software")
        ]
        owner = owners[-1] if owners else subject
        if owner is not None:
            facts.append(
                make_fact(slide, item.segment, kind="limit", subject=owner, limit=quantity)
            )
    return facts


def defining_title(title: str) -> bool:
    """A title that is the entity's name alone, "What is X", or X with one more word."""
    if DEFINITION_TITLE.search(title):
        return True
    extra = re.sub(r"\b(?:amazon|aws|apache)\b", " ", title, flags=re.IGNORECASE)
    return not re.search(
        r"security|anti-?pattern|cost|pricing|limit|vs\.?|\bversus\b|"
        r"troubleshoot|monitor",
        extra,
        re.IGNORECASE,
    )


def description_fact(
    slide: Slide, items: Sequence[Located], subject: str | None, title_ids: Sequence[str]
) -> list[Fact]:
    """The first prose bullet of a slide whose title is just the entity, or "What is X"."""
    if subject is None or len(title_ids) != 1 or not defining_title(slide.title):
        return []
    for item in items:
        if item.segment.kind in ("bullet", "text") and len(item.segment.text) > 25:
            return [make_fact(slide, item.segment, kind="description", subject=subject)]
    return []


def mention_facts(
    slide: Slide, items: Sequence[Located], title_ids: Sequence[str], subject: str | None
) -> list[Fact]:
    """The slide's subject and every entity it names."""
    facts = []
    title_segment = Segment(
        slide.deck, slide.number, "title", slide.title, slide.line_start, slide.line_start
    )
    if subject is not None:
        facts.append(make_fact(slide, title_segment, kind="about", subject=subject))
    seen = {subject}
    for item in items:
        for entity in item.entities:
            if entity not in seen:
                seen.add(entity)
                facts.append(make_fact(slide, item.segment, kind="mention", subject=entity))
    return facts


@dataclass(frozen=True)
class Context:
    """The header a run of list bullets hangs from, and the subject they speak about."""

    text: str
    entities: tuple[str, ...]
    subject: str | None


def is_list_item(item: Located) -> bool:
    """A short bullet that mostly names entities, as a child of a header does."""
    text = item.segment.text
    covered = sum(span[2] - span[1] for span in item.spans)
    return bool(item.spans) and (
        len(text.split()) <= 3 or covered >= 0.4 * len(text) or ":" in text[:40]
    )


def dangling(text: str, spans: Sequence[Span], cue: re.Match[str]) -> bool:
    """A cue with nothing after it ("stream the logs into"), so the list follows."""
    return not any(span[1] >= cue.end() for span in spans) and len(text) - cue.end() < 50


def next_context(
    item: Located, context: Context, subject: str | None, services: frozenset[str] = frozenset()
) -> tuple[Context, bool]:
    """The context after this segment, and whether the segment only switched the subject."""
    text = item.segment.text.rstrip()
    own = direction_of(text)
    if text.endswith(":"):
        head = head_entity(text, item.spans)
        if head and own is None:
            return Context("", (), head), True
        return Context(text, tuple(item.entities), head or context.subject or subject), False
    if item.segment.parent or (context.text and is_list_item(item) and own is None):
        return context, False
    covered = sum(span[2] - span[1] for span in item.spans)
    if (
        item.segment.kind == "bullet"
        and len(item.entities) == 1
        and covered >= 0.8 * len(text)
        and item.entities[0] in services
    ):
        return Context("", (), item.entities[0]), True
    return Context("", (), context.subject or subject), False


def extract_facts(
    slide: Slide,
    segments: Sequence[Segment],
    find: FindMentions,
    gazetteer: Mapping[str, Entity],
    *,
    carried_subject: str | None = None,
) -> list[Fact]:
    """Every fact one slide states; the subject falls back to the section's running topic."""
    items = locate(segments, find)
    title_ids = title_entities(slide, find)
    subject = title_ids[0] if title_ids else carried_subject
    facts = mention_facts(slide, items, title_ids, subject)
    facts += description_fact(slide, items, subject, title_ids)
    facts += label_facts(slide, items, subject)
    services = frozenset(
        e
        for item in items
        for e in item.entities
        if e in gazetteer and gazetteer[e].type in ("Service", "Software")
    )
    context = Context("", (), subject)
    for item in items:
        if item.segment.kind in ("title", "link", "code"):
            continue
        context, switched = next_context(item, context, subject, services)
        if switched:
            continue
        shifted = topic_shift(item, title_ids, context.subject)
        if shifted is not None:
            subject = shifted
            context = Context(context.text, context.entities, shifted)
        local = context.subject
        facts += limit_facts(slide, item, local, gazetteer)
        if item.segment.kind == "label":
            continue
        facts += role_facts(slide, item, title_ids)
        facts += relation_facts(
            slide, head_only(item, gazetteer), local, context.text, context.entities
        )
        facts += security_facts(slide, item, local, gazetteer)
        facts += attribute_facts(slide, item, local, gazetteer)
        facts += anti_pattern_facts(slide, item, local)
        own = direction_of(item.segment.text)
        if own is not None and dangling(item.segment.text, item.spans, own[1]):
            context = Context(item.segment.text, (), local)
    named = set(title_ids) | {e for item in items for e in item.entities}
    return dedupe(
        [
            fact
            for fact in facts
            if partners_ok(fact, gazetteer)
            and (fact.kind != "relation" or {fact.subject, fact.object} <= named)
        ]
    )


def topic_shift(item: Located, title_ids: Sequence[str], current: str | None) -> str | None:
    """A bullet that opens with another entity of a two-entity title makes it the topic."""
    if len(title_ids) < 2 or not item.spans or item.spans[0][1] > SUBJECT_WINDOW:
        return None
    first = item.spans[0][0]
    return first if first in title_ids and first != current else None


def partners_ok(fact: Fact, gazetteer: Mapping[str, Entity]) -> bool:
    """Formats are what data is in, not a party data flows to or from."""
    if fact.kind != "relation" or fact.object is None:
        return True
    types = {gazetteer[e].type for e in (fact.subject, fact.object) if e in gazetteer}
    return not types & {"DataFormat", "Compression"}


def dedupe(facts: Sequence[Fact]) -> list[Fact]:
    """Facts without exact repeats, first occurrence kept."""
    return list(dict.fromkeys(facts))
