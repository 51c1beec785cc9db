"""Segments of one slide to facts: integrations, negations, anti-patterns, security, attributes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from ingest.cues import Cue, CueKind, FindCues, default_cues, resolve
from ingest.diagrams import adjacency_facts, caption_facts, stated_pairs
from ingest.limits import find_quantities
from ingest.listings import header_listings, states_another, title_listing
from ingest.relations import (
    CATALOG_NAME,
    SUBJECT_WINDOW,
    FindMentions,
    Located,
    Span,
    direction_of,
    head_entity,
    head_only,
    is_list_item,
    locate,
    make_fact,
    pair_facts,
    partners_ok,
    refine_kind,
    relation_facts,
    role_facts,
)
from ingest.tables import table_facts
from kg.registry import RELATIONS, FactKind, RelationKind, Side
from kg.types import Entity, Fact, SecurityCategory, Segment, Slide

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
URL = re.compile(r"https?://\S+")
NOT_SECURED = re.compile(
    r"\b(?:is|are)\s+not\s+(?:encrypted|secured|protected)\b|\bunencrypted\b", re.IGNORECASE
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


def without_modifiers(item: Located, gazetteer: Mapping[str, Entity]) -> Located:
    """A segment without the generic concepts that only name what the entity before them is
    ("S3 “data lakes”": the data lake is S3's, not a party of its own)."""
    text, spans = item.segment.text, item.spans
    kept = [
        span
        for n, span in enumerate(spans)
        if not (
            n
            and span[0] in gazetteer
            and gazetteer[span[0]].type == "Concept"
            and not text[spans[n - 1][2] : span[1]].strip(" \"“”'")
        )
    ]
    return replace(item, spans=tuple(kept)) if len(kept) < len(spans) else item


def title_entities(slide: Slide, find: FindMentions) -> list[str]:
    """Entities the slide's title (then subtitle) names, in order."""
    for text in (slide.title, slide.subtitle):
        ids = list(dict.fromkeys(span[0] for span in find(text)))
        if ids:
            return ids
    return []


def security_facts(
    slide: Slide, item: Located, subject: str | None, gazetteer: Mapping[str, Entity]
) -> list[Fact]:
    """Security features a bullet states for its subject."""
    if subject is None or item.segment.kind not in ("bullet", "text"):
        return []
    text = URL.sub(" ", item.segment.text)
    if NOT_SECURED.search(text):
        return []
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
        if pattern.search(text) and item.has(CueKind.NEGATION) is None
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


ADVICE = re.compile(r"^\W*(?:use|try|consider|keep|prefer|go with|instead)\b", re.IGNORECASE)
CAVEAT = re.compile(
    r"^\W*(?:although|but|however|unless|if|even|except|so|because|this)\b", re.IGNORECASE
)


def anti_pattern_facts(slide: Slide, item: Located, subject: str | None) -> list[Fact]:
    """Each anti-pattern bullet of an anti-pattern slide; advice and caveats are not new ones."""
    if subject is None or not ANTI_PATTERN_TITLE.search(slide.title):
        return []
    if NOT_ANTI_PATTERN.search(slide.title) or item.segment.kind not in ("bullet", "text"):
        return []
    if ADVICE.search(item.segment.text.strip(" •")) or CAVEAT.search(item.segment.text):
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


# A figure in a clause about someone else ("Foursquare, whose data is derived from 220 million
# consumers") is not the service's.
OTHER_PARTY = re.compile(r",\s*(?:who|whose)\b", re.IGNORECASE)
# "Better than Snowball if you transfer more than 10 PB": the name compared with owns nothing.
COMPARED_WITH = re.compile(r"\bthan\s+(?:the\s+)?$", re.IGNORECASE)
# A name inside a slash-joined list of API verbs ("PUT/COPY/POST") is an operation, not an owner.
API_LIST = re.compile(r"^/.*|.*/$", re.DOTALL)
# A line of this many figures outside a bullet, naming no entity, is a flattened table row.
TABLE_ROW_FIGURES = 3
# A diagram label's figure is a limit only when it says how it bounds ("Up to 1 MB").
BOUNDED = re.compile(r"\b(?:maximum|minimum|default|per)\b")


def limit_facts(
    slide: Slide, item: Located, subject: str | None, gazetteer: Mapping[str, Entity]
) -> list[Fact]:
    """Figures with units, owned by the entity named just before them or the slide subject."""
    if item.segment.kind not in ("bullet", "text", "label"):
        return []
    text = item.segment.text
    facts = []
    found = find_quantities(text)
    if item.segment.kind != "bullet" and len(found) >= TABLE_ROW_FIGURES and not item.spans:
        return []  # "$0.023 $0.0125 $0.01 $0.004": a flattened table row, its columns unknown
    for quantity in found:
        if item.segment.kind == "label" and not BOUNDED.search(quantity.qualifier):
            continue  # a bare figure in a diagram ("Monitoring Cost (per 1000 objects)")
        at = text.find(quantity.text)
        if OTHER_PARTY.search(text, 0, max(at, 0)):
            continue  # "Change Healthcare, who process ... $1 trillion": a customer's figure
        owners = [
            span[0]
            for span in item.spans
            if span[2] <= max(at, 0)
            and gazetteer.get(span[0]) is not None
            and gazetteer[span[0]].type in ("Service", "Feature", "Software")
            and not API_LIST.match(text[max(span[1] - 1, 0) : span[2] + 1])
            and not COMPARED_WITH.search(text[: span[1]])
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
    scoped: bool = False
    until_heading: bool = False


SUBHEADING_WORDS = 5


def dangling(text: str, spans: Sequence[Span], cue: Cue) -> bool:
    """A cue with nothing after it ("stream the logs into"), so the list follows."""
    return not any(span[1] >= cue.end for span in spans) and len(text) - cue.end < 50


def next_context(
    item: Located,
    context: Context,
    subject: str | None,
    services: frozenset[str] = frozenset(),
    leads: frozenset[str] = frozenset(),
    tight: bool = True,
) -> tuple[Context, bool]:
    """The context after this segment, and whether the segment only switched the subject."""
    text = item.segment.text.rstrip()
    own = direction_of(item)
    if text.endswith(":"):
        # "Does everything Redshift can, except:" lists what the subject lacks, not Redshift's.
        head = None if item.has(CueKind.EXCEPTION) else head_entity(text, item.spans)
        if head and own is None:
            # "IAM roles:" speaks for its own children only, not for the rest of the slide.
            return Context("", (), head, scoped=True), True
        # After "Master node:" a new header speaks for the slide again, not for that head.
        before = subject if context.scoped else context.subject
        return Context(text, tuple(item.entities), head or before or subject), False
    if item.segment.parent or (context.text and is_list_item(item) and own is None):
        return context, False
    covered = sum(span[2] - span[1] for span in item.spans)
    if (
        item.segment.kind == "bullet"
        and len(item.entities) == 1
        and covered >= 0.8 * len(text)
        and item.entities[0] in services
        and tight
    ):
        # A one-entity sub-heading ("CloudWatch Metrics") speaks for the bullets under it,
        # up to the next sub-heading, not for the rest of the slide; its first bullet follows
        # on the very next line, where a list item ("• Kinesis Agent") stands alone.
        return Context("", (), item.entities[0], until_heading=True), True
    lead = lead_entity(item, services | leads)
    if lead is not None:
        return Context("", (), lead, until_heading=True), False
    if context.until_heading:
        # The sub-heading's subject goes on; a dangling cue's list ended with the list items.
        kept = Context("", (), context.subject, until_heading=True)
        return (kept if not is_subheading(item) else Context("", (), subject)), False
    return Context("", (), subject if context.scoped else (context.subject or subject)), False


# "EMRFS: access S3 ...", "EMRFS Consistent View - optional ...": a bullet led by a name and a
# colon or dash speaks about that name, as do the bullets under it.
LEAD_HEAD = re.compile(r"^[^:–—-]{0,40}?\s*(?::|\s[–—-]\s)")


def heads_what_follows(item: Located, following: Located | None) -> bool:
    """Whether a bullet can head the next one: the next follows on the very next line, or it
    is a sentence that names no subject of its own ("• Amazon SQS" / "• Sends messages to
    Lambda"); a list item after it ("• Kinesis Agent" / "• 3rd party libraries: Spark")
    makes it a list item too."""
    if following is None:
        return False
    if following.segment.line_start - item.segment.line_end == 1:
        return True
    text = following.segment.text
    opens_with_name = bool(following.spans) and not text[: following.spans[0][1]].strip()
    listing = ":" in text
    return following.segment.kind == "bullet" and not listing and not opens_with_name


def lead_entity(item: Located, services: frozenset[str]) -> str | None:
    """The service a "Name: ..." or "Name - ..." bullet is about, if it opens with one."""
    if item.segment.kind != "bullet" or not item.spans or item.spans[0][1] > 1:
        return None
    head = LEAD_HEAD.match(item.segment.text)
    if head is None or item.spans[0][2] > head.end():
        return None
    if any(span[1] < head.end() for span in item.spans[1:]):
        return None  # "MySQL and PostgreSQL - compatible" names two: neither is the topic
    entity = item.spans[0][0]
    return entity if entity in services else None


def is_subheading(item: Located) -> bool:
    """A short title-case bullet with no cue and no closing punctuation ("Broker Log Delivery")."""
    text = item.segment.text.strip()
    words = [w for w in text.split() if w[:1].isalpha()]
    return (
        item.segment.kind == "bullet"
        and 0 < len(words) <= SUBHEADING_WORDS
        and not text.endswith((".", "!", "?", ":"))
        and not item.relation_cues
        and sum(w[0].isupper() for w in words) == len(words)
    )


def extract_facts(
    slide: Slide,
    segments: Sequence[Segment],
    find: FindMentions,
    gazetteer: Mapping[str, Entity],
    *,
    carried_subject: str | None = None,
    find_cues: FindCues | None = None,
) -> list[Fact]:
    """Every fact one slide states; the subject falls back to the section's running topic."""
    items = [without_modifiers(item, gazetteer) for item in locate(segments, find, find_cues)]
    title_ids = title_entities(slide, find)
    subject = title_ids[0] if title_ids else carried_subject
    kind = slide_kind(slide, find_cues)
    facts = mention_facts(slide, items, title_ids, subject)
    facts += description_fact(slide, items, subject, title_ids)
    facts += title_facts(slide, title_ids, find, find_cues, carried_subject)
    if kind is SlideKind.PLAIN:
        facts += caption_facts(slide, items, subject)
        facts += title_listing_facts(slide, items, subject, find, find_cues)
    kinds = {e: gazetteer[e].type for item in items for e in item.entities if e in gazetteer}
    services = frozenset(e for e, kind in kinds.items() if kind in ("Service", "Software"))
    # A feature leads its own bullet ("EMRFS: access S3 ...") but heads the bullets under it
    # only where the slide is built of such headings ("S3 Standard-IA" / "99.9% Availability",
    # "S3 One Zone-IA" / "99.5% Availability"); alone ("EC2 Security Groups") it is one point.
    features = frozenset(e for e, kind in kinds.items() if kind == "Feature")
    headings = [
        item.entities[0]
        for n, item in enumerate(items[:-1])
        if item.segment.kind == "bullet"
        and len(item.entities) == 1
        and item.entities[0] in features
        and names_only(item)
        and items[n + 1].segment.line_start - item.segment.line_end == 1
    ]
    if len(headings) >= PARALLEL_HEADINGS:
        services |= frozenset(headings)
    tabled, table_rows = table_facts(slide, items, gazetteer)
    facts += tabled
    context = Context("", (), subject)
    migrating = is_migration_slide(slide, subject, gazetteer)
    subjects: list[str | None] = []
    for n, item in enumerate(items):
        subjects.append(context.subject)
        if item.segment.kind in ("title", "link", "code"):
            continue
        tight = heads_what_follows(item, items[n + 1] if n + 1 < len(items) else None)
        context, switched = next_context(item, context, subject, services, features, tight)
        subjects[-1] = context.subject
        if switched:
            continue
        shifted = topic_shift(item, title_ids, context.subject)
        if shifted is not None:
            subject = shifted
            context = Context(context.text, context.entities, shifted)
        local = context.subject
        denied = bool(context.text) and any(
            c.label == CueKind.NEGATION.value for c in resolve(default_cues()(context.text))
        )
        # A scenario ("Requirement 2", "Lifecycle Rules (Scenario 2)") states what someone
        # needs, not what a service offers.
        if n not in table_rows and not denied and kind is not SlideKind.SCENARIO:
            # On a comparison slide a figure without its own name is either column's; under
            # "You can't do the following:" a figure is what may not be done, not a limit.
            column = context.until_heading or context.scoped
            owner = None if kind is SlideKind.COMPARISON and not column else local
            facts += limit_facts(slide, item, owner, gazetteer)
        if item.segment.kind == "label":
            continue
        if kind is SlideKind.PLAIN:
            facts += role_facts(slide, item, title_ids)
        advice = kind is SlideKind.ANTI_PATTERN and is_anti_pattern_line(item)
        paired = []
        if local is not None and kind is SlideKind.PLAIN and migrating:
            paired = migration_pair_facts(slide, item, local)
        facts += paired
        if kind in MINED and not paired:
            # On a comparison slide a bullet's implicit subject is either column: none is taken,
            # unless a sub-heading ("Firehose") names the column it stands in.
            column = context.until_heading or context.scoped
            implicit = None if kind is SlideKind.COMPARISON and not column else local
            stated = relation_facts(
                slide, head_only(item, gazetteer), implicit, context.text, context.entities
            )
            # An anti-pattern slide's advice states what to use instead, nothing else.
            facts += [f for f in stated if not advice or f.relation is RelationKind.ALTERNATIVE]
        facts += security_facts(slide, item, local, gazetteer)
        facts += attribute_facts(slide, item, local, gazetteer)
        facts += anti_pattern_facts(slide, item, local)
        own = direction_of(item)
        if own is not None and dangling(item.segment.text, item.spans, own):
            context = Context(item.segment.text, (), local, until_heading=context.until_heading)
    facts = fold_alternatives(facts, items, subject, gazetteer)
    facts += alternative_facts(facts)
    facts = migration_facts(facts, slide, subject, gazetteer)
    facts += header_listings(slide, items, subjects)
    named = set(title_ids) | {e for item in items for e in item.entities}
    facts = [
        refine_catalog(fact, gazetteer)
        for fact in facts
        if partners_ok(fact, gazetteer)
        and (fact.kind != "relation" or {fact.subject, fact.object} <= named)
    ]
    if kind is SlideKind.PLAIN:
        # The owner of the title's metastore is named through it ("Hive Metastores": Hive).
        facts += catalog_option_facts(slide, items, title_ids, gazetteer)
    facts += adjacency_facts(slide, items, stated_pairs(facts))
    return dedupe(facts)


def is_anti_pattern_line(item: Located) -> bool:
    """On an anti-pattern slide, a bullet that states an anti-pattern or the advice against it."""
    text = item.segment.text.strip(" •")
    return bool(ADVICE.search(text)) or not item.relation_cues or bool(INSTEAD.search(text))


class SlideKind(StrEnum):
    """How a slide's bullets are mined: plain statements, or not as plain statements."""

    PLAIN = "plain"
    COMPARISON = "comparison"
    SCENARIO = "scenario"
    ANTI_PATTERN = "antiPattern"


# Slide kinds whose bullets are mined for relations (a scenario states a hypothetical need; an
# anti-pattern slide states what not to do, its redirects become alternatives).
MINED: Final = frozenset({SlideKind.PLAIN, SlideKind.COMPARISON, SlideKind.ANTI_PATTERN})


def slide_kind(slide: Slide, find_cues: FindCues | None) -> SlideKind:
    """The kind of a slide from cues in its title."""
    labels = {cue.label for cue in resolve((find_cues or default_cues())(slide.title))}
    if ANTI_PATTERN_TITLE.search(slide.title) and not NOT_ANTI_PATTERN.search(slide.title):
        return SlideKind.ANTI_PATTERN
    if CueKind.SCENARIO_SLIDE.value in labels:
        return SlideKind.SCENARIO
    if CueKind.COMPARISON_SLIDE.value in labels:
        return SlideKind.COMPARISON
    return SlideKind.PLAIN


def title_facts(
    slide: Slide,
    title_ids: Sequence[str],
    find: FindMentions,
    find_cues: FindCues | None,
    carried: str | None,
) -> list[Fact]:
    """What a title joining two names states ("X vs Y", "Glue + Hive"); a title comparing one
    name ("Sounds a lot like DynamoDB") compares it with the section's running topic."""
    title = Segment(
        slide.deck, slide.number, "title", slide.title, slide.line_start, slide.line_start
    )
    [item] = locate([title], find, find_cues)
    if len(title_ids) > 1:
        return relation_facts(slide, item, None, "", ())
    compares = [c for c in item.relation_cues if c.kind is RelationKind.COMPARED]
    if len(title_ids) == 1 and compares and carried not in (None, title_ids[0]):
        return relation_facts(slide, replace(item, cues=tuple(compares)), carried, "", ())
    return []


def alternative_facts(facts: Sequence[Fact]) -> list[Fact]:
    """An anti-pattern's redirect ("use EC2 instead") makes EC2 an alternative to its subject."""
    return [
        replace(
            fact,
            kind=FactKind.RELATION,
            relation=RelationKind.ALTERNATIVE,
            subject=fact.object,
            object=fact.subject,
            confidence=RELATIONS[RelationKind.ALTERNATIVE].confidence,
        )
        for fact in facts
        if fact.kind == FactKind.ANTI_PATTERN and fact.object is not None
    ]


def title_listing_facts(
    slide: Slide,
    items: Sequence[Located],
    subject: str | None,
    find: FindMentions,
    find_cues: FindCues | None,
) -> list[Fact]:
    """A role-titled slide's members as a listing, and the relation its title's cue gives."""
    title = Segment(
        slide.deck, slide.number, "title", slide.title, slide.line_start, slide.line_end
    )
    [located] = locate([title], find, find_cues)
    listings = title_listing(slide, located, items, subject)
    cues = located.relation_cues
    if not listings or not cues or cues[0].kind is None or subject is None:
        return listings
    # A member whose own line states its relation ("Delivery to Amazon S3" on a monitoring
    # slide) takes that relation, not the title's.
    kind = cues[0].kind
    stating = {e for i in items if states_another({kind}, i) for e in i.entities}
    entities = [m.entity for m in listings[0].members if m.entity and m.entity not in stating]
    return listings + pair_facts(slide, located, kind, cues[0].side, [subject], entities)


# How many feature sub-headings make a slide a set of parallel sections.
PARALLEL_HEADINGS = 2
# What may stand between the names of a bullet that only names options ("Amazon RDS / Aurora").
OPTION_GLUE = re.compile(r"^[\s/&,+()]*(?:(?:and|or)\b[\s/&,+()]*)?$", re.IGNORECASE)


def names_only(item: Located) -> bool:
    """A bullet that is nothing but entity names joined by "/", "&", "and", "or"."""
    text, edges = item.segment.text, [0]
    for _, start, end in item.spans:
        edges += [start, end]
    edges.append(len(text))
    gaps = [text[edges[n] : edges[n + 1]] for n in range(0, len(edges), 2)]
    return bool(item.spans) and all(OPTION_GLUE.match(gap) for gap in gaps)


CATALOG_OPTIONS = re.compile(r"\b(?:metastores|catalogs)\b", re.IGNORECASE)


def catalog_option_facts(
    slide: Slide,
    items: Sequence[Located],
    title_ids: Sequence[str],
    gazetteer: Mapping[str, Entity],
) -> list[Fact]:
    """A slide titled after a component's catalog ("External Hive Metastores") whose top-level
    bullets only name stores offers them as that component's catalog (Hive uses each)."""
    catalogs = [e for e in title_ids if e in gazetteer and CATALOG_NAME.search(gazetteer[e].label)]
    # Plural: the slide weighs several stores for the catalog ("Glue Crawler / Data Catalog"
    # is about one catalog, whose users it lists).
    plural = CATALOG_OPTIONS.search(slide.title)
    owner = gazetteer[catalogs[0]].part_of if catalogs and plural else None
    if owner is None:
        return []
    facts: list[Fact] = []
    for item in items:
        if item.segment.kind == "bullet" and not item.segment.parent and names_only(item):
            options = [e for e in item.entities if e not in (owner, catalogs[0])]
            facts += pair_facts(slide, item, RelationKind.CATALOG, Side.OBJECT, [owner], options)
    return facts


# A slide about moving a database ("Database Migration Service", "migrating") speaks of
# migration sources and targets where another slide would speak of data flows.
MIGRATION = re.compile(r"\bmigrat|\bschema conversion\b", re.IGNORECASE)
# "ex Oracle to Aurora", "(SQL Server or Oracle) to MySQL" on such a slide: a source and a
# target with no verb between them.
MIGRATION_PAIR = re.compile(r"(?P<source>[^:]*?)\s(?:to|=>|->|→)\s(?P<target>.+)$", re.IGNORECASE)


def is_migration_slide(slide: Slide, subject: str | None, gazetteer: Mapping[str, Entity]) -> bool:
    """A slide about a migration tool or about migrating."""
    label = gazetteer[subject].label if subject is not None and subject in gazetteer else ""
    return subject is not None and bool(MIGRATION.search(slide.title) or MIGRATION.search(label))


def migration_pair_facts(slide: Slide, item: Located, tool: str) -> list[Fact]:
    """ "Heterogeneous migrations: ex SQL Server to Aurora": the tool migrates from the names
    before "to" and to the names after it."""
    text = item.segment.text
    pair = MIGRATION_PAIR.search(text, text.rfind(":") + 1)
    if pair is None or item.relation_cues:
        return []
    sources = [e for e, a, _ in item.spans if pair.start("source") <= a < pair.end("source")]
    targets = [e for e, a, _ in item.spans if a >= pair.start("target")]
    if not sources or not targets:
        return []
    return pair_facts(
        slide, item, RelationKind.MIGRATION_SOURCE, Side.OBJECT, [tool], sources
    ) + pair_facts(slide, item, RelationKind.MIGRATION_TARGET, Side.OBJECT, [tool], targets)


def migration_facts(
    facts: Sequence[Fact], slide: Slide, subject: str | None, gazetteer: Mapping[str, Entity]
) -> list[Fact]:
    """On a migration tool's slide, flows into the tool are migration sources, flows out of it
    migration targets."""
    if subject is None or not is_migration_slide(slide, subject, gazetteer):
        return list(facts)
    out = []
    for fact in facts:
        if (
            fact.relation is RelationKind.FLOW
            and not fact.negated
            and subject
            in (
                fact.subject,
                fact.object,
            )
        ):
            into_tool = fact.object == subject
            kind = RelationKind.MIGRATION_SOURCE if into_tool else RelationKind.MIGRATION_TARGET
            other = fact.subject if into_tool else fact.object
            # The data still flows: the flow stays beside its migration reading.
            out.append(
                replace(
                    fact,
                    relation=kind,
                    subject=subject,
                    object=other,
                    confidence=min(fact.confidence, RELATIONS[kind].confidence),
                )
            )
        out.append(fact)
    return out


def refine_catalog(fact: Fact, gazetteer: Mapping[str, Entity]) -> Fact:
    """A relation whose far end is a catalog or metastore becomes a catalog use."""
    if fact.relation is None or fact.object is None or fact.negated:
        return fact
    kind, subject, obj = refine_kind(fact.relation, fact.subject, fact.object, gazetteer)
    if kind is fact.relation:
        return fact
    return replace(fact, relation=kind, subject=subject, object=obj)


def fold_alternatives(
    facts: list[Fact],
    items: Sequence[Located],
    subject: str | None,
    gazetteer: Mapping[str, Entity],
) -> list[Fact]:
    """ "Use EC2 instead" under an anti-pattern names that anti-pattern's alternative."""
    out = list(facts)
    for item in items:
        text = item.segment.text.strip(" •")
        if not ADVICE.search(text):
            continue
        alternative = next((e for e in item.entities if e != subject and e in gazetteer), None)
        before = [
            n
            for n, f in enumerate(out)
            if f.kind == "antiPattern" and f.line_start < item.segment.line_start
        ]
        if alternative and before and out[before[-1]].object is None:
            last = out[before[-1]]
            out[before[-1]] = replace(last, object=alternative, text=f"{last.text}; {text}")
    return out


def topic_shift(item: Located, title_ids: Sequence[str], current: str | None) -> str | None:
    """A bullet that opens with another entity of a two-entity title makes it the topic."""
    if len(title_ids) < 2 or not item.spans or item.spans[0][1] > SUBJECT_WINDOW:
        return None
    first = item.spans[0][0]
    return first if first in title_ids and first != current else None


def dedupe(facts: Sequence[Fact]) -> list[Fact]:
    """Facts without exact repeats, first occurrence kept."""
    return list(dict.fromkeys(facts))
