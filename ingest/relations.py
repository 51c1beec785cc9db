"""Integration rules: direction cues, headers, diagram captions, arrows and negations."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from kg.types import Entity, Fact, RelationKind, Segment, Slide

# (entity id, start char, end char) of every gazetteer entity a text names.
Span = tuple[str, int, int]
FindMentions = Callable[[str], list[Span]]

# A noun cue heads a list only where a list can follow it.
HEADER_TAIL = r"(?=\s*(?::|$|\binclude|\bare\b|\bcan\b|\bsuch as|\blike\b|\())"
OUT_CUES = re.compile(
    # Passive readers ("read by Lambda") take data from the subject, like active writers' targets.
    r"\b(?:read|consumed|processed|queried|polled|pulled|analy[sz]ed|ingested|indexed)\s+by\b|"
    r"\binsert(?:s|ed|ing)?\s+(?:[\w-]+\s+){0,2}?into\b|"
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
    r"\b(?:written|sent|produced|pushed|published|delivered|generated|emitted)\s+by\b|"
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
TRIGGER_CUES = re.compile(
    r"\b(?:trigger(?:s|ed|ing)?|invok(?:e|es|ed|ing)|event notifications?)\b", re.IGNORECASE
)
ARROW = re.compile(r"\s(?:->|→|=>)\s")
NEGATION = re.compile(r"\b(?:not|cannot|can't|can’t|never|no longer)\b|n't\b|n’t\b", re.IGNORECASE)
REVERSE_NEGATION = re.compile(
    r"\bbut not the other way\b|\bnot (?:the )?vice versa\b", re.IGNORECASE
)


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
                facts += pair_facts(slide, item, group, [subject], [entity], negated=False)
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
            slide,
            item.segment,
            kind="relation",
            subject=source,
            relation=RelationKind.FLOW,
            object=target,
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
                        relation=RelationKind.FLOW,
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
            facts = pair_facts(
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
        facts += pair_facts(slide, item, way, subjects, objects, negated=negated)
        if reverse:
            facts += pair_facts(
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


def pair_facts(
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
            relation = RelationKind.TRIGGERS if way == "trigger" else RelationKind.FLOW
            a, b = (o, s) if way == "in" else (s, o)
            facts.append(
                make_fact(
                    slide,
                    item.segment,
                    kind="relation",
                    subject=a,
                    relation=relation,
                    object=b,
                    negated=negated,
                )
            )
    return facts


SECURITY_ENTITY = re.compile(
    r"\b(?:IAM|Identity and Access|KMS|Key Management|CloudHSM|HSM|ACLs?|SASL|SCRAM|TLS|SSL|"
    r"Kerberos|SAML|Cognito|Security Token|Secrets Manager|Certificate|PrivateLink|"
    r"security groups?|Macie|Active Directory|LDAP)\b",
    re.IGNORECASE,
)


def partners_ok(fact: Fact, gazetteer: Mapping[str, Entity]) -> bool:
    """Formats are what data is in and security mechanisms guard it: neither is a flow party."""
    if fact.kind != "relation" or fact.object is None:
        return True
    parties = [gazetteer[e] for e in (fact.subject, fact.object) if e in gazetteer]
    if {p.type for p in parties} & {"DataFormat", "Compression"}:
        return False
    return not any(SECURITY_ENTITY.search(p.label) for p in parties)
