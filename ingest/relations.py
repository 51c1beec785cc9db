"""Integration rules: direction cues, headers, diagram captions, arrows and negations."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from ingest.cues import Cue, CueKind, FindCues, default_cues, resolve
from kg.registry import RELATIONS, RelationKind, Side
from kg.types import Entity, Fact, Segment, Slide

# (entity id, start char, end char) of every gazetteer entity a text names.
Span = tuple[str, int, int]
FindMentions = Callable[[str], list[Span]]

SUBJECT_WINDOW = 12
LIST_GLUE = re.compile(r"^\s*(?:/|,|&|and|or|\+)\s*$", re.IGNORECASE)
# What may stand before an entity that is the grammatical subject of its sentence.
# Advice verbs ("Use S3 instead of ...") open a sentence whose subject is the thing advised.
OPENING = re.compile(
    r"^[\W\d]*(?:(?:the|a|an|with|then|and|or|also|both|use|try|consider|prefer)\s+){0,2}$",
    re.IGNORECASE,
)
ARROW = re.compile(r"\s(?:->|→|=>)\s")
# How far past a cue a negation word still denies it ("read from Firehose, not ...").
NEGATION_REACH = 15
# How far before a cue a negation word may stand and still deny it; further back it belongs to
# another clause ("objects that you don't need fast access to, move them to Glacier").
NEGATION_BACK = 30
# A catalog or metastore entity on the far end makes a use, integration or read a catalog use.
CATALOG_NAME = re.compile(r"\b(?:catalog|metastore)\b", re.IGNORECASE)
CATALOG_FROM: Final = frozenset({RelationKind.USES, RelationKind.INTEGRATES, RelationKind.FLOW})


# Quoted words are an example of what someone says (“How do I connect to my VPN?”), not a
# statement of the slide; a quoted single word is only stressed (“similar” to bucket policies).
QUOTED = re.compile(r"“[^”\s]*\s[^”]*”|\"[^\"\s]*\s[^\"]*\"")


def relation_cues(text: str, spans: Sequence[Span], find_cues: FindCues) -> tuple[Cue, ...]:
    """The cues of a text, without those that start inside an entity name ("Data Streams") or
    inside a quotation."""
    skipped = [(a, b) for _, a, b in spans] + [m.span() for m in QUOTED.finditer(text)]
    return resolve(
        [cue for cue in find_cues(text) if not any(a <= cue.start < b for a, b in skipped)]
    )


@dataclass(frozen=True)
class Located:
    """A segment with the entities it names, in text order."""

    segment: Segment
    spans: tuple[Span, ...]
    cues: tuple[Cue, ...] = ()

    @property
    def relation_cues(self) -> list[Cue]:
        """The cues that signal a relation kind, in text order."""
        return [cue for cue in self.cues if cue.kind is not None]

    def has(self, kind: CueKind) -> Cue | None:
        """The first negation or slide cue of this kind."""
        return next((cue for cue in self.cues if cue.label == kind.value), None)

    @property
    def entities(self) -> list[str]:
        """Entity ids in order of first mention, without repeats."""
        return list(dict.fromkeys(span[0] for span in self.spans))


def locate(
    segments: Sequence[Segment], find: FindMentions, find_cues: FindCues | None = None
) -> list[Located]:
    """Attach entity mentions and cues to every segment."""
    cues = find_cues or default_cues()
    located = []
    for segment in segments:
        # A name inside a path ("/aws/redshift/serverless/") is part of the path.
        spans = tuple(s for s in find(segment.text) if not in_path(segment.text, s[1], s[2]))
        located.append(Located(segment, spans, relation_cues(segment.text, spans, cues)))
    return located


# An item this short under a header is a list entry ("SaaS applications, such as Salesforce").
LISTED_WORDS = 6


def is_list_item(item: Located) -> bool:
    """A short bullet that mostly names entities, as a child of a header does."""
    text = item.segment.text
    covered = sum(span[2] - span[1] for span in item.spans)
    return bool(item.spans) and (
        len(text.split()) <= 3 or covered >= 0.4 * len(text) or ":" in text[:40]
    )


def in_path(text: str, start: int, end: int) -> bool:
    """Whether a span stands between two slashes with no space around it."""
    return text[start - 1 : start] == "/" and text[end : end + 1] == "/"


def make_fact(slide: Slide, segment: Segment, **fields: Any) -> Fact:
    """A fact with the provenance of its segment (and its kind's confidence for a relation)."""
    relation = fields.get("relation")
    provenance: dict[str, Any] = {
        "confidence": RELATIONS[relation].confidence if relation is not None else 1.0,
        "deck": slide.deck,
        "slide": slide.number,
        "line_start": segment.line_start,
        "line_end": segment.line_end,
        "text": segment.text,
    }
    return Fact(**(provenance | fields))


def split_at_cue(text: str, spans: Sequence[Span], cue: Cue) -> tuple[list[str], list[str]]:
    """Entities before the cue and entities after it."""
    before: list[str] = []
    previous_end = 0
    for span in spans:
        if span[2] > cue.start:
            break
        gap = text[previous_end : span[1]]
        if (not before and OPENING.match(gap)) or (before and LIST_GLUE.match(gap)):
            before.append(span[0])
            previous_end = span[2]
        elif before:
            break
    return list(dict.fromkeys(before)), parties_after(text, spans, cue)


# The names a cue governs follow it closely ("load data into the S3 bucket"); a name further
# on belongs to another clause ("sent back to AWS offline, or ... use DataSync").
AFTER_WORDS = 5
# Words that end the run of names a cue governs: an instrument ("load it into MSAF via S3"),
# a participle or relative clause ("records from Kinesis produced with the KPL", "EMR, Spark,
# anything that supports Iceberg") or a copula ("loading into Redshift is the COPY command").
CLAUSE_BREAK = re.compile(
    r"\b(?:via|through|using|within|produced|created|generated|written|which|that|where|when|if|"
    r"because|so|but|then|is|are|was|were)\b",
    re.IGNORECASE,
)


def parties_after(text: str, spans: Sequence[Span], cue: Cue) -> list[str]:
    """The entities a cue governs after it: the first within AFTER_WORDS words, and those
    following it up to a clause break."""
    after: list[str] = []
    previous_end = cue.end
    for entity, start, end in spans:
        if start < cue.end:
            continue
        gap = text[previous_end:start]
        if not after and len(gap.split()) > AFTER_WORDS:
            break
        if after and CLAUSE_BREAK.search(gap):
            break
        after.append(entity)
        previous_end = end
    return list(dict.fromkeys(after))


def direction_of(item: Located) -> Cue | None:
    """The first relation cue of a sentence."""
    cues = item.relation_cues
    return cues[0] if cues else None


def text_cue(text: str, find_cues: FindCues | None = None) -> Cue | None:
    """The first relation cue of a bare text (a parent header), entity names not excluded."""
    cues = [cue for cue in resolve((find_cues or default_cues())(text)) if cue.kind is not None]
    return cues[0] if cues else None


def head_entity(text: str, spans: Sequence[Span]) -> str | None:
    """The entity a "X:" or "X - ..." head names, as in "Kinesis Data Firehose:"."""
    head = re.match(r"^\s*([^:]{2,60}):\s*$", text)
    if head is None or not spans or text[: spans[0][1]].strip():
        return None  # "Creates GraphQL API on top of:" is a sentence, not a name's head
    return spans[0][0] if spans[0][1] < len(head.group(1)) + 1 else None


ROLE = re.compile(
    r"\b(?:can be|is|as) (?:a|an|the) (?:destination|target|sink|output)s?\b", re.IGNORECASE
)
HEAD_LIST = re.compile(r"^\s*([^:]{3,80}):\s*\S")


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
        return replace(item, spans=tuple(inside))
    return item


def relation_facts(
    slide: Slide,
    item: Located,
    subject: str | None,
    context: str,
    context_entities: Sequence[str],
) -> list[Fact]:
    """Relations a bullet states, with the slide subject when it names none."""
    text, spans = item.segment.text, item.spans
    if ROLE.search(text):
        return []
    facts = arrow_facts(slide, item) or query_from_facts(slide, item)
    if facts:
        return facts
    facts = plus_facts(slide, item)
    cues = with_targets(text, item.relation_cues)
    if not cues and context:
        # A header's cue governs the short items listed under it, not a sentence that follows.
        listed = is_list_item(item) or len(text.split()) <= LISTED_WORDS
        return context_facts(slide, item, subject, context, context_entities) if listed else []
    sources: list[str] = []
    reverse = item.has(CueKind.REVERSE_NEGATION)
    for n, (cue, is_target) in enumerate(cues):
        assert cue.kind is not None
        kind = cue.kind
        end = cues[n + 1][0].start if n + 1 < len(cues) else len(text)
        before, after = split_at_cue(text[:end], [s for s in spans if s[1] < end], cue)
        comparing = COMPARATIVE.search(text[: cue.start])
        if kind is RelationKind.INTEGRATES and comparing and not after:
            continue  # "similar to Zeppelin, with more AWS integration" compares
        if not RELATIONS[kind].directed:
            # "Kafka vs Kinesis", "similar to X": the nearest name before the cue is the other.
            before = [span[0] for span in spans if span[2] <= cue.start][-1:]
            if not after and subject:
                # "MySQL and PostgreSQL - compatible" on a slide about Aurora.
                before, after = [subject], [e for e, _, b in spans if b <= cue.start]
        elif not after and subject and kind in BACKWARD:
            before, after = clause_before(text, spans, cue), [subject]
        if not before and text.rstrip().endswith(":"):
            continue  # "Managed AWS sources for Kinesis Data Streams:": its list follows
        subjects = before if before else ([subject] if subject else [])
        objects = [e for e in after if e not in subjects]
        if is_target and not before and (subject is None or subject in [*sources, *after]):
            # "migrating from RDS to Redshift" on RDS's own slide: no tool between, a plain flow.
            kind, subjects = RelationKind.FLOW, sources
        if (kind, cue.side) in TARGET_KIND:
            sources = after
        negated = is_negated(item, cue, reverse)
        denied = contrasted(item, cue, end) if reverse is None else set()
        stated = [e for e in objects if e not in denied]
        facts += pair_facts(slide, item, kind, cue.side, subjects, stated, negated=negated)
        facts += pair_facts(slide, item, kind, cue.side, subjects, sorted(denied), negated=True)
        if reverse is not None and RELATIONS[kind].directed:
            flipped = Side.SUBJECT if cue.side is Side.OBJECT else Side.OBJECT
            facts += pair_facts(slide, item, kind, flipped, subjects, objects, negated=True)
    return facts


# An advice that ends with its cue ("use S3 instead", "EMR would be a better fit") speaks of
# the names just before the cue and of the slide's subject.
BACKWARD: Final = frozenset({RelationKind.ALTERNATIVE})
CLAUSE_MARK = re.compile(r"[,;:()]")


def clause_before(text: str, spans: Sequence[Span], cue: Cue) -> list[str]:
    """The entities of the clause that ends at a cue ("(Hive, Pig) Data Pipeline EMR would")."""
    marks = [m.end() for m in CLAUSE_MARK.finditer(text, 0, cue.start)]
    start = marks[-1] if marks else 0
    return list(dict.fromkeys(e for e, a, b in spans if a >= start and b <= cue.start))


# "Glue + Hive", "AWS Direct Connect + VPN": a plus sign joining two names says they are used
# together; "storage + retrieval cost", "HBase, Elasticsearch + more" join no two names.
PLUS = re.compile(r"\s\+\s")


def plus_facts(slide: Slide, item: Located) -> list[Fact]:
    """An integration for each "+" standing right between two entity names."""
    text, spans = item.segment.text, item.spans
    facts: list[Fact] = []
    for plus in PLUS.finditer(text):
        left = [e for e, _, b in spans if b <= plus.start() and not text[b : plus.start()].strip()]
        right = [e for e, a, _ in spans if a >= plus.end() and not text[plus.end() : a].strip()]
        kind = RelationKind.INTEGRATES
        facts += pair_facts(slide, item, kind, Side.OBJECT, left[:1], right[:1])
    return facts


# "with more AWS integration": a comparison of how much, no integration of its own.
COMPARATIVE = re.compile(r"\b(?:more|better|less|deeper|tighter)\s+(?:\w+\s+)?$", re.IGNORECASE)


# "query RDS/Aurora from Redshift": the names after "from" run the queries, the names between
# "query" and "from" are queried where they are (a federated query, not a load).
QUERY_FROM = re.compile(
    r"\bquer(?:y|ies|ying)\b(?P<queried>[^.;:]{1,60}?)\bfrom\b(?P<by>[^.;:,]{1,60})",
    re.IGNORECASE,
)


def query_from_facts(slide: Slide, item: Located) -> list[Fact]:
    """ "You can query X from Y" (Y queries X in place), and "but not the other way around"."""
    match = QUERY_FROM.search(item.segment.text)
    if match is None:
        return []
    queried = [e for e, a, _ in item.spans if match.start("queried") <= a < match.end("queried")]
    by = [e for e, a, _ in item.spans if match.start("by") <= a < match.end("by")]
    cue = Cue(RelationKind.QUERIES_IN_PLACE.value, Side.OBJECT, match.start(), match.end(), "")
    reverse = item.has(CueKind.REVERSE_NEGATION)
    negated = is_negated(item, cue, reverse)
    kind = RelationKind.QUERIES_IN_PLACE
    facts = pair_facts(slide, item, kind, Side.OBJECT, by, queried, negated=negated)
    if reverse is not None:
        facts += pair_facts(slide, item, kind, Side.SUBJECT, by, queried, negated=True)
    return facts


TARGET_TO = re.compile(r"\b(?:to|into|onto)\b", re.IGNORECASE)
# "from A to B": the "to" after a source cue starts the targets, of this kind.
TARGET_KIND: Final = {
    (RelationKind.MIGRATION_SOURCE, Side.OBJECT): RelationKind.MIGRATION_TARGET,
    (RelationKind.FLOW, Side.SUBJECT): RelationKind.FLOW,
    (RelationKind.LOADS, Side.SUBJECT): RelationKind.LOADS,
}


def with_targets(text: str, cues: list[Cue]) -> list[tuple[Cue, bool]]:
    """Each cue, and whether it starts the targets of the source cue before it: in "migrate
    from A to B" or "from S3 into HDFS" the "to" after a source starts the targets."""
    out: list[tuple[Cue, bool]] = []
    for n, cue in enumerate(cues):
        out.append((cue, False))
        target_kind = TARGET_KIND.get((cue.kind, cue.side)) if cue.kind else None
        if target_kind is None:
            continue
        end = cues[n + 1].start if n + 1 < len(cues) else len(text)
        to = TARGET_TO.search(text, cue.end, end)
        if to is not None:
            target = Cue(target_kind.value, Side.OBJECT, to.start(), to.end(), to.group())
            out.append((target, True))
    return out


def is_negated(item: Located, cue: Cue, reverse: Cue | None) -> bool:
    """Whether a negation word denies this cue: before it, or just after it; with "but not the
    other way around" only a negation before the cue counts (the reverse is what is denied),
    and the "not" of "X, not Y" denies only Y (see contrasted)."""
    reach = cue.end if reverse is not None else cue.end + NEGATION_REACH
    contrasts = [c for c in item.cues if c.label == CueKind.CONTRAST.value]
    return any(
        c.label == CueKind.NEGATION.value
        and cue.start - NEGATION_BACK <= c.start < reach
        and not any(k.start <= c.start < k.end for k in contrasts)
        for c in item.cues
        if reverse is None or c.start < reverse.start
    )


def contrasted(item: Located, cue: Cue, end: int) -> set[str]:
    """The names after a "…, not" / "but not" that follows a cue, before the next cue ("only
    writes to S3, not DynamoDB": DynamoDB is denied, S3 stated)."""
    contrast = next(
        (c for c in item.cues if c.label == CueKind.CONTRAST.value and cue.end <= c.start < end),
        None,
    )
    if contrast is None:
        return set()
    return {e for e, a, _ in item.spans if contrast.end <= a < end}


def in_parentheses(text: str, at: int) -> bool:
    """Whether a position lies inside an open parenthesis ("(ex: CSV => JSON)")."""
    return text.count("(", 0, at) > text.count(")", 0, at)


def arrow_facts(slide: Slide, item: Located) -> list[Fact]:
    """ "A -> B -> C": each arrow joins the last entity before it to the first after it; an
    arrow in parentheses is an example aside ("through Lambda (ex: CSV => JSON)"), not a flow."""
    text, spans = item.segment.text, item.spans
    facts: list[Fact] = []
    for arrow in ARROW.finditer(text):
        if in_parentheses(text, arrow.start()):
            continue
        before = [span[0] for span in spans if span[2] <= arrow.start()]
        after = [span[0] for span in spans if span[1] >= arrow.end()]
        if before and after and before[-1] != after[0]:
            facts += pair_facts(
                slide, item, RelationKind.FLOW, Side.OBJECT, [before[-1]], [after[0]]
            )
    return facts


def context_facts(
    slide: Slide,
    item: Located,
    subject: str | None,
    context: str,
    context_entities: Sequence[str],
) -> list[Fact]:
    """The cue sits in the parent ("Write data to:"): this bullet lists the other parties."""
    parties = item.entities
    if item.segment.text == context:
        return []  # the header itself: its own cue was read as a sentence
    header_cues = resolve(default_cues()(context))
    excepting = any(c.label == CueKind.EXCEPTION.value for c in header_cues)
    if subject is not None and excepting:
        # "Does everything Redshift can, except:" lists what the subject does not work with.
        kind = RelationKind.INTEGRATES
        facts = pair_facts(slide, item, kind, Side.OBJECT, [subject], parties, negated=True)
        return [replace(fact, text=f"{context} {fact.text}") for fact in facts]
    cue = text_cue(context)
    if cue is None or cue.kind is None:
        return []
    if context_entities and not any(e in parties for e in context_entities):
        # "Managed AWS sources for Kinesis Data Streams:" speaks of the name it gives.
        subject = context_entities[0]
    negated = any(c.label == CueKind.NEGATION.value for c in header_cues)
    facts = pair_facts(
        slide, item, cue.kind, cue.side, [subject] if subject else [], parties, negated=negated
    )
    return [replace(fact, text=f"{context} {fact.text}") for fact in facts]


def refine_kind(
    kind: RelationKind, a: str, b: str, gazetteer: Mapping[str, Entity] | None
) -> tuple[RelationKind, str, str]:
    """Using or integrating with a catalog or metastore, or reading from one, is a catalog use
    (a metastore that itself uses a database stays a plain use)."""
    if gazetteer is None or kind not in CATALOG_FROM:
        return kind, a, b
    is_catalog = [e in gazetteer and bool(CATALOG_NAME.search(gazetteer[e].label)) for e in (a, b)]
    if is_catalog == [False, True] and kind is not RelationKind.FLOW:
        return RelationKind.CATALOG, a, b
    if is_catalog == [True, False] and kind is not RelationKind.USES:
        return RelationKind.CATALOG, b, a
    return kind, a, b


def pair_facts(
    slide: Slide,
    item: Located,
    kind: RelationKind,
    side: Side,
    subjects: Sequence[str],
    objects: Sequence[str],
    *,
    negated: bool = False,
) -> list[Fact]:
    """One relation fact per pair: the entities after the cue take `side` of the relation."""
    facts = []
    for s in subjects:
        for o in objects:
            if s == o:
                continue
            a, b = (s, o) if side is Side.OBJECT else (o, s)
            facts.append(
                make_fact(
                    slide,
                    item.segment,
                    kind="relation",
                    subject=a,
                    relation=kind,
                    object=b,
                    negated=negated,
                )
            )
    return facts


SECURITY_ENTITY = re.compile(
    r"\b(?:SSE|IAM|Identity and Access|KMS|Key Management|CloudHSM|HSM|ACLs?|SASL|SCRAM|TLS|SSL|"
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
    if fact.relation in WHOLE_AND_PART and is_part_of(fact.subject, fact.object, gazetteer):
        return False
    # A security mechanism may integrate with or be used by a service ("integrates with KMS");
    # data never flows through it as a party (#9: a configuration line read as SSE-S3 -> Glue).
    if fact.relation not in DATA_MOVING:
        return True
    if SECURITY_LINE.search(fact.text):
        return False
    return not any(SECURITY_ENTITY.search(p.label) for p in parties)


def ancestors(entity: str, gazetteer: Mapping[str, Entity]) -> list[str]:
    """The entities an entity is part of, nearest first."""
    found: list[str] = []
    parent = gazetteer[entity].part_of if entity in gazetteer else None
    while parent and parent not in found:
        found.append(parent)
        parent = gazetteer[parent].part_of if parent in gazetteer else None
    return found


def is_part_of(a: str, b: str, gazetteer: Mapping[str, Entity]) -> bool:
    """Whether one entity is a feature, edition or component of the other."""
    return b in ancestors(a, gazetteer) or a in ancestors(b, gazetteer)


# A line that configures encryption or security ("S3 encryption mode: SSE-S3") names where data
# is protected, not where it goes.
SECURITY_LINE = re.compile(r"\bencrypt|\bsecurity configurations?\b|\bSSE\b|\bSSE-", re.IGNORECASE)


# Data does not flow, and no monitoring happens, between a service and its own feature or
# edition: "move objects to Standard IA" is a storage-class transition inside S3, "Redshift
# Serverless: Monitoring ... /aws/redshift/serverless/" names no monitor.
WHOLE_AND_PART: Final = frozenset(
    {
        RelationKind.FLOW,
        RelationKind.LOADS,
        RelationKind.QUERIES_IN_PLACE,
        RelationKind.MONITORS,
        RelationKind.MIGRATION_SOURCE,
        RelationKind.MIGRATION_TARGET,
    }
)

DATA_MOVING: Final = frozenset(
    {
        RelationKind.FLOW,
        RelationKind.LOADS,
        RelationKind.QUERIES_IN_PLACE,
        RelationKind.MIGRATION_SOURCE,
        RelationKind.MIGRATION_TARGET,
        RelationKind.TRIGGERS,
        RelationKind.ADJACENT,
    }
)
