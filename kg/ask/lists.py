"""List answers: entities from the graph's edges, the evidence blocks or the offered options."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Final

from kg.ask.execute import ask_index
from kg.ask.parse import Direction, Intent
from kg.ask.plan import Plan
from kg.ask.quote import block_text, source_ref
from kg.ask.retrieve import Ranked
from kg.ask.text import content_stems, stem, stems
from kg.graph import entity_iri, id_from_iri
from kg.kb import KB
from kg.types import Item, SourceRef

# Words that make a list question about security, where mechanisms are the answer.
SECURITY_WORDS_RE: Final = re.compile(
    r"\b(?:secur\w*|encrypt\w*|authent\w*|authori[sz]\w*|access|permission\w*|protect\w*|"
    r"network\w*|private\w*)",
    re.IGNORECASE,
)
# Asked nouns right after "which"/"what" and the entity types they admit.
ASKED_TYPES: Final = (
    (
        re.compile(r"\b(?:aws |managed |other aws |amazon )?services?\b", re.I),
        ("Service", "Feature"),
    ),
    (
        re.compile(r"\b(?:tools?|librar(?:y|ies)|frameworks?|engines?|runtimes?|ides?)\b", re.I),
        ("Software", "ThirdPartyProduct", "Service", "Feature"),
    ),
    (re.compile(r"\b(?:file |data )?formats?\b", re.I), ("DataFormat",)),
    (re.compile(r"\bcompression(?: formats?| codecs?)?\b", re.I), ("Compression",)),
)
ASKED_NOUN_RE: Final = re.compile(
    r"\b(?:which|what|list|name)\s+((?:[\w'-]+\s+){0,4}?[\w'-]+)(?=\s+(?:can|could|does|do|did|"
    r"is|are|was|were|will|would|should|have|has|from|to|in|on|of|for|that|the|does)\b|\?|,|$)",
    re.I,
)
# A terse chat question without a question word ("Athena supported file formats?") asks for the
# noun phrase it ends with.
TERSE_NOUN_RE: Final = re.compile(r"((?:[\w'-]+\s+){0,2}[\w'-]+)\s*\?*\s*$")
QUESTION_WORD_RE: Final = re.compile(
    r"\b(?:which|what|who|where|when|how|why|list|name|can|could|does|do|is|are)\b", re.I
)


def asked_noun(text: str) -> str:
    """The noun phrase a question asks for ("which notebook environments"), or ""."""
    match = ASKED_NOUN_RE.search(text)
    if match is not None:
        return match.group(1)
    if QUESTION_WORD_RE.search(text):
        return ""
    terse = TERSE_NOUN_RE.search(text.strip())
    return terse.group(1) if terse else ""


# Blocks whose score is this close to the best one also give items when they use the question's
# specific words: a list answer often spans two slides.
ITEM_MARGIN: Final = 0.12
ITEM_BLOCKS: Final = 6
# On the best block's own slide a parallel bullet ("CloudWatch Metrics: ..." / "Prometheus: ...")
# may rank further behind and still belong to the list.
SAME_SLIDE_MARGIN: Final = 0.25
# A bare list of names this close to a best block that names one thing answers a list question
# better ("Spark, Python, JDBC, HBase + more" under "like iPython notebooks").
BARE_LIST_MARGIN: Final = 0.3
# Entity types that are never list items on their own (generic concepts).
NOT_ITEMS: Final = frozenset({"Concept"})
# A parenthesis after a name qualifies it ("S3 buckets (via Lambda to Kinesis)"); after a generic
# noun it gives the examples ("sharing services (JDBC, S3)").
PAREN_RE: Final = re.compile(r"\([^()]*\)")
# How many words before a parenthesis may hold the name it qualifies.
QUALIFIED_WORDS: Final = 2
# A subject opens a statement within its first few words ("Lambda consumer has a library ...").
SUBJECT_WORDS: Final = 3


def asked_types(text: str) -> tuple[str, ...]:
    """Entity types the question's asked noun admits ("which AWS services" -> services)."""
    noun = asked_noun(text)
    if not noun:
        return ()
    admitted = [t for pattern, types in ASKED_TYPES if pattern.search(noun) for t in types]
    if re.search(r"\bproducts?\b", noun, re.I):
        admitted += ["ThirdPartyProduct", "Software"]
    return tuple(dict.fromkeys(admitted))


# Entity types that describe the data itself, not a system it flows to or from; and the words of a
# question that asks for them after all ("which formats can Firehose convert to").
PAYLOAD_TYPES: Final = frozenset({"DataFormat", "Compression"})
FORMAT_WORDS_RE: Final = re.compile(
    r"\b(?:formats?|compress\w*|codecs?|encodings?|file types?|serdes?)\b", re.IGNORECASE
)


def skipped(kb: KB, plan: Plan) -> set[str]:
    """Entities a list must not name: the question's own, the excluded, and their parts."""
    excluded = set(plan.linked.excluded)
    out = set(plan.linked.entities) | excluded | skipped_mechanisms(kb, plan)
    out |= {part for part, parent in kb.parts.items() if parent in excluded}
    out |= concept_members(kb, {e for e in excluded if is_concept(kb, e)})
    out |= {kb.parts[e] for e in plan.linked.entities if e in kb.parts}
    if plan.flow is not None and not FORMAT_WORDS_RE.search(plan.text):
        # Data moves between systems: a file format or codec on the same line is no partner.
        out |= {e for e, known in kb.entities.items() if known.type in PAYLOAD_TYPES}
    return out


# A header naming a class of things ends here; the names after it are its members
# ("On-premises databases: Oracle, MySQL").
HEADER_END: Final = ":"


def concept_members(kb: KB, concepts: set[str]) -> set[str]:
    """Names the deck lists as members of set-aside classes ("besides on-prem databases" also sets
    aside the "Oracle, MySQL" the deck lists after "On-premises databases:")."""
    index = ask_index(kb)
    store = index.store
    out: set[str] = set()
    for concept in concepts:
        for block in index.entity_blocks.get(concept, set()):
            for pid in store.blocks[block].members:
                passage = store.passages[pid]
                out |= header_members(kb, passage.text, concept)
                if passage.text.rstrip().endswith(HEADER_END) and concept in text_entities(
                    kb, passage.text
                ):
                    out |= {e for c in passage.children for e in index.passage_entities[c]}
    return out - concepts


def header_members(kb: KB, text: str, concept: str) -> set[str]:
    """The names after "header:" in one passage when the header names the class."""
    header, colon, rest = text.partition(HEADER_END)
    if not colon or concept not in text_entities(kb, header):
        return set()
    return set(text_entities(kb, rest))


def keep(kb: KB, entity: str, skip: set[str], types: Sequence[str]) -> bool:
    """Whether an entity can be a list item here."""
    known = kb.entities.get(entity)
    if known is None or entity in skip or known.type in NOT_ITEMS:
        return False
    return not types or known.type in types


def skipped_mechanisms(kb: KB, plan: Plan) -> set[str]:
    """Security mechanisms that are features (SSE-S3, bucket policies) are no partners of a
    service: a list that does not ask about security leaves them out."""
    if plan.intent is Intent.SECURITY or SECURITY_WORDS_RE.search(plan.text):
        return set()
    mechanisms = ask_index(kb).mechanisms
    return {
        e for e in mechanisms if kb.entities.get(e) is not None and kb.entities[e].type == "Feature"
    }


def item(kb: KB, entity: str, refs: Sequence[SourceRef]) -> Item:
    """A list item for an entity with its slides."""
    known = kb.entities.get(entity)
    return Item(known.label if known else entity, str(entity_iri(entity)), tuple(refs))


# A question asking for services counts a feature by its service (Glue Studio as AWS Glue); one
# asking where or what keeps the place the slide names (CloudWatch Logs, not CloudWatch).
SERVICE_TYPE: Final = "Service"


def graph_items(kb: KB, plan: Plan, rows: Sequence[dict[str, Any]]) -> list[Item]:
    """One item per related entity with its slides; a feature also stands for its service when
    the question asks for services."""
    focus = plan.focus or ""
    skip = skipped(kb, plan)
    types = asked_types(plan.text)
    grouped: dict[str, list[SourceRef]] = {}
    for row in rows:
        other = id_from_iri(row["entity"])
        if other == focus or kb.parts.get(other) == focus or not keep(kb, other, skip, types):
            continue
        info = kb.slides.get(row["slide"])
        if info is None:
            continue
        owner = other
        parent = kb.parts.get(other, "")
        if (
            row["type"] == "Feature"
            and SERVICE_TYPE in types
            and parent
            and parent != focus
            and kb.parts.get(focus) != parent
            and parent not in skip
            and kb.entities.get(parent) is not None
            and kb.entities[parent].type == SERVICE_TYPE
        ):
            owner = parent
        refs = grouped.setdefault(owner, [])
        ref = source_ref(kb, info.deck, info.number, 1.0, row["text"])
        if ref is not None and all(r.slide != ref.slide for r in refs):
            refs.append(ref)
    items = [item(kb, e, refs) for e, refs in grouped.items()]
    return sorted(items, key=lambda i: (-len(i.sources), i.label))


def item_blocks(kb: KB, plan: Plan, ranked: Sequence[Ranked]) -> list[Ranked]:
    """The best block that names something to list, its list's continuation on the slide, and
    close runners-up that use the question's specific words."""
    store = ask_index(kb).store
    skip = skipped(kb, plan)
    types = asked_types(plan.text)
    anchor = None
    for candidate in ranked[:ITEM_BLOCKS]:
        if sets_aside(kb, plan, candidate):
            continue
        if block_names(kb, plan, candidate, skip, types):
            anchor = candidate
            break
        following = (
            next_list(kb, candidate)
            or following_names(kb, candidate)
            or next_slide_list(kb, plan, candidate)
        )
        if following is not None and block_names(kb, plan, following, skip, types):
            anchor = following
            break
    headed = headed_list(kb, plan, ranked, skip, types)
    if headed is not None:
        return [headed]
    if anchor is None:
        return []
    anchor = bare_list_instead(kb, plan, ranked, anchor, skip, types)
    anchor = written_list_instead(kb, plan, ranked, anchor, skip, types)
    anchor = examples_instead(kb, plan, ranked, anchor, skip, types)
    chosen = [anchor, *list_continuation(kb, ranked, anchor)]
    chosen += [r for r in labelled_siblings(kb, ranked, anchor) if r not in chosen]
    wanted = set(plan.predicate_stems)
    # A runner-up must use at least as many of the question's specific words as the best block.
    needed = max(1, len(wanted & set(store.term_freqs[anchor.block.id])))
    for other in ranked[:ITEM_BLOCKS]:
        same_slide = (other.block.deck, other.block.slide) == (
            anchor.block.deck,
            anchor.block.slide,
        )
        margin = SAME_SLIDE_MARGIN if same_slide else ITEM_MARGIN
        if other in chosen or other.score < anchor.score - margin:
            continue
        if sets_aside(kb, plan, other) or opposite_role(kb, plan, other):
            continue
        if wanted and len(wanted & set(store.term_freqs[other.block.id])) >= needed:
            part = worded_part(kb, other, wanted)
            if part is not None:
                chosen.append(part)
    return chosen


def opposite_role(kb: KB, plan: Plan, ranked: Ranked) -> bool:
    """Whether a block's header names the other end of the asked flow ("Consumers: ..." when the
    question asks for sources)."""
    if plan.flow is None or plan.flow.direction is Direction.ANY:
        return False
    store = ask_index(kb).store
    header = store.passages[ranked.block.members[0]].text.split(":", 1)[0]
    role = OUT_ROLE_RE if plan.flow.direction is Direction.IN else IN_ROLE_RE
    return len(header.split()) <= ROLE_HEADER_WORDS and bool(role.search(header))


def worded_part(kb: KB, ranked: Ranked, wanted: set[str]) -> Ranked | None:
    """A runner-up narrowed to the members that use the question's words (with the header that
    introduces them): its other members speak of something else ("Emits metrics to CloudWatch"
    under "Features:" for where log files go)."""
    store = ask_index(kb).store
    block = ranked.block
    head, *rest = block.members
    if wanted & set(content_stems(store.passages[head].text)):
        return ranked
    kept = tuple(pid for pid in rest if wanted & set(content_stems(store.passages[pid].text)))
    if not kept:
        return None
    introduced = INTRODUCES_RE.search(store.passages[head].text) is not None
    members = (head, *kept) if introduced else kept
    return replace(ranked, block=replace(block, members=members), best=members[0])


# A bullet labelled by a name before a colon ("IAM integration: ...", "S3: Can browse ...") is one
# of a list of such bullets on its slide, each naming one partner, whatever their scores.
LABEL_RE: Final = re.compile(r"^\s*([^:;,.()]+?)\s*:")
LABEL_WORDS: Final = 3


def name_label(kb: KB, text: str) -> tuple[str, ...]:
    """The entities a bullet's short label before a colon names, if it has one."""
    match = LABEL_RE.match(text)
    if match is None or len(match.group(1).split()) > LABEL_WORDS:
        return ()
    return text_entities(kb, match.group(1))


def labelled_siblings(kb: KB, ranked: Sequence[Ranked], anchor: Ranked) -> list[Ranked]:
    """The other name-labelled bullets on the anchor's slide when the anchor is one."""
    store = ask_index(kb).store
    if not name_label(kb, store.passages[anchor.block.head].text):
        return []
    by_block = {r.block.id: r for r in ranked}
    place = (anchor.block.deck, anchor.block.slide)
    ids = dict.fromkeys(store.block_of[pid] for pid in store.by_slide.get(place, []))
    out = []
    for block in (store.blocks[i] for i in ids if i != anchor.block.id):
        if name_label(kb, store.passages[block.head].text):
            out.append(by_block.get(block.id, Ranked(block, anchor.score, 0.0, 0.0, block.head)))
    return out


# A run of names the deck heads with the asked noun ("Jupyter, Zeppelin, RStudio notebooks" for
# "which notebook environments", "Snappy, Gzip compression" for "which compression") is the list
# of the asked kind in the deck's own words, even when the block ranks lower; searched this deep.
HEADED_BLOCKS: Final = 20
# Where such a run starts: after a colon, a parenthesis or a word that introduces it.
RUN_START_RE: Final = re.compile(
    r".*(?:[:(]|\b(?:with|from|to|into|of|like|including|include|includes|via|for|on|in)\b)",
    re.IGNORECASE,
)
WORD_RE: Final = re.compile(r"[\w-]+")
# Words of an asked noun that are parts of names, not the kind asked for.
NAME_PART_WORDS: Final = frozenset({"aws", "amazon", "apache"})


def asked_heads(text: str) -> set[str]:
    """Stems of the asked noun's words ("which notebook environments" -> notebook, environment)."""
    words = [w for w in asked_noun(text).split() if w.lower() not in NAME_PART_WORDS]
    return set(content_stems(" ".join(words)))


def headed_list(
    kb: KB, plan: Plan, ranked: Sequence[Ranked], skip: set[str], types: Sequence[str]
) -> Ranked | None:
    """The best block about the focus with a run of names headed by the asked noun, naming
    something to list."""
    heads = asked_heads(plan.text)
    if not heads:
        return None
    index = ask_index(kb)
    store = index.store
    for candidate in ranked[:HEADED_BLOCKS]:
        place = (candidate.block.deck, candidate.block.slide)
        about = set(index.slide_about.get(place, ())) | set(
            index.block_entities(candidate.block.id)
        )
        if plan.focus is not None and plan.focus not in about:
            continue
        texts = [store.passages[pid].text for pid in candidate.block.members]
        if any(heads_names(kb, text, heads) for text in texts):
            found = candidate
        else:
            labels = [p for p in candidate.block.members if store.passages[p].kind == "label"]
            under = [p for p in labels if labelled_names(kb, store.passages[p].text, heads)]
            if not under:
                continue
            # A diagram's labels speak of many things: only the line under the head word counts.
            block = replace(candidate.block, members=(under[0],))
            found = replace(candidate, block=block, best=under[0])
        if not sets_aside(kb, plan, found) and block_names(kb, plan, found, skip, types):
            return found
    return None


def labelled_names(kb: KB, text: str, heads: set[str]) -> bool:
    """Whether a diagram label ends in a run of names right after a head word ("Structured
    streaming Twitter, Kafka, Flume")."""
    for word in WORD_RE.finditer(text):
        if stem(word.group(0)) in heads and names_every_piece(kb, text[word.end() :]):
            return True
    return False


def heads_names(kb: KB, text: str, heads: set[str]) -> bool:
    """Whether a text has a run of names right before one of the head words."""
    for word in WORD_RE.finditer(text):
        if stem(word.group(0)) not in heads:
            continue
        before = text[: word.start()]
        start = RUN_START_RE.match(before)
        run = before[start.end() :] if start else before
        if names_every_piece(kb, run):
            return True
    return False


def sets_aside(kb: KB, plan: Plan, ranked: Ranked) -> bool:
    """Whether a block speaks of what the question sets aside ("rather than the built-in store on
    the head node": the block naming the head node lists the default, not the answer)."""
    excluded = set(plan.linked.excluded)
    named = set(ask_index(kb).block_entities(ranked.block.id))
    # Beside a set-aside name, a list of others is the list it was taken from ("S3, Redshift,
    # or RDS" for "besides S3"); one other name is what the set-aside thing is said to be.
    return bool(excluded & named) and len(named - excluded) < NAME_LIST_MIN


def bare_list_instead(
    kb: KB,
    plan: Plan,
    ranked: Sequence[Ranked],
    anchor: Ranked,
    skip: set[str],
    types: Sequence[str],
) -> Ranked:
    """A close runner-up that is a bare list of names, when the best block names only one thing."""
    if len(block_names(kb, plan, anchor, skip, types)) > 1:
        return anchor
    store = ask_index(kb).store
    for other in ranked[:ITEM_BLOCKS]:
        if other.score < anchor.score - BARE_LIST_MARGIN:
            break
        text = block_text(store, other.block)
        if names_only(kb, text) and len(block_names(kb, plan, other, skip, types)) > 1:
            return other
    return anchor


# A diagram draws one path of a flow ("Subscription Filter -> Lambda -> Amazon ES"); a written
# list this close to it ("You can stream logs into: A, B, C") names every partner.
DIAGRAM_MARGIN: Final = 0.25


def written_list_instead(
    kb: KB,
    plan: Plan,
    ranked: Sequence[Ranked],
    anchor: Ranked,
    skip: set[str],
    types: Sequence[str],
) -> Ranked:
    """A close runner-up whose header introduces a list of several names, when the best block
    is a diagram's labels (or a line of names alone, as a diagram's text comes out)."""
    store = ask_index(kb).store
    for other in ranked[:ITEM_BLOCKS]:
        if other.score < anchor.score - DIAGRAM_MARGIN:
            break
        if other == anchor or not INTRODUCES_RE.search(store.passages[other.block.head].text):
            continue
        listed = [other, *list_continuation(kb, ranked, other)]
        names = {e for r in listed for e in block_names(kb, plan, r, skip, types)}
        if (
            len(names) >= NAME_LIST_MIN
            and not sets_aside(kb, plan, other)
            and not opposite_role(kb, plan, other)
        ):
            head = store.passages[anchor.block.head]
            diagram = head.kind == "label" or names_only(kb, block_text(store, anchor.block))
            return other if diagram else anchor
    return anchor


# A question asking for the deck's "examples" wants a block that gives some: names alone in
# parentheses ("most AWS services (EBS, S3, RDS)") or after a cue ("such as A, B").
ASKS_EXAMPLES_RE: Final = re.compile(r"\bexamples?\b", re.IGNORECASE)
EXAMPLE_CUE_RE: Final = re.compile(
    r"\b(?:e\.g\.|such as|for example|for instance|like|examples?:?)\s*([^().;]*)", re.IGNORECASE
)
EXAMPLES_MARGIN: Final = 0.25


def examples_instead(
    kb: KB,
    plan: Plan,
    ranked: Sequence[Ranked],
    anchor: Ranked,
    skip: set[str],
    types: Sequence[str],
) -> Ranked:
    """A close runner-up that gives examples, when the question asks for examples and the best
    block gives none."""
    if not ASKS_EXAMPLES_RE.search(plan.parsed.masked):
        return anchor
    store = ask_index(kb).store
    if gives_examples(kb, block_text(store, anchor.block)):
        return anchor
    for other in ranked[:ITEM_BLOCKS]:
        if other.score < anchor.score - EXAMPLES_MARGIN:
            break
        text = block_text(store, other.block)
        if gives_examples(kb, text) and block_names(kb, plan, other, skip, types):
            return other
    return anchor


def gives_examples(kb: KB, text: str) -> bool:
    """Whether a text gives a run of names alone in parentheses or after an example cue outside
    them (a parenthesis that mixes words and names qualifies, "(aws/name, example: aws/rds)")."""
    runs = [m.group(0)[1:-1] for m in PAREN_RE.finditer(text)]
    runs += [m.group(1) for m in EXAMPLE_CUE_RE.finditer(PAREN_RE.sub(" ", text))]
    return any(names_every_piece(kb, run) for run in runs)


# Pieces of a run of names and what may trail it ("EBS, S3, RDS, SSM…", "A, B and more").
PIECE_RE: Final = re.compile(r",|\bor\b|\band\b", re.IGNORECASE)
TRAILING_RE: Final = re.compile(r"^(?:etc\.?|…|\.\.\.|(?:and |\+ ?)?more)$", re.IGNORECASE)


def names_every_piece(kb: KB, text: str) -> bool:
    """Whether every piece of a comma list names something ("EBS, S3, RDS, SSM…"), two at least."""
    pieces = [p.strip(" …") for p in PIECE_RE.split(text)]
    pieces = [p for p in pieces if p and not TRAILING_RE.match(p)]
    return len(pieces) >= NAME_LIST_MIN and all(text_entities(kb, p) for p in pieces)


def next_slide_list(kb: KB, plan: Plan, ranked: Ranked) -> Ranked | None:
    """The next slide as one block when its title names the focus and a word of the question and
    its body is short names alone: a statement naming nothing ("It can connect to many data
    stores") goes on there ("Presto connectors": HDFS, S3, Cassandra ...)."""
    index = ask_index(kb)
    store = index.store
    place = (ranked.block.deck, ranked.block.slide + 1)
    title = store.titles.get(place, "")
    if plan.focus is None or plan.focus not in text_entities(kb, title):
        return None
    name_stems = {t for m in plan.linked.mentions for t in content_stems(m.text)}
    if not (set(content_stems(title)) - name_stems) & set(plan.topic_stems):
        # The title must say what the question asks besides the names ("connectors", "connect").
        return None
    pids = [p.id for p in store.slide_passages(*place) if p.kind in LIST_KINDS]
    short = all(store.lengths_words[pid] <= CONTINUATION_WORDS for pid in pids)
    named = sum(1 for pid in pids if index.passage_entities[pid])
    if len(pids) <= NAME_LIST_MIN or not short or named < len(pids) / 2:
        return None
    first = store.blocks[store.block_of[pids[0]]]
    block = replace(first, members=tuple(pids))
    return Ranked(block, ranked.score, ranked.cosine, ranked.lexical, pids[0])


# Passage kinds a list slide's body is made of.
LIST_KINDS: Final = frozenset({"bullet", "text"})


def next_list(kb: KB, ranked: Ranked) -> Ranked | None:
    """The block right after a header on its slide when it is a list of short names (the header's
    list, printed apart from it because the dump lost the indentation)."""
    store = ask_index(kb).store
    index = ask_index(kb)
    following = ranked.block.id + 1
    if following >= len(store.blocks):
        return None
    block = store.blocks[following]
    if (block.deck, block.slide) != (ranked.block.deck, ranked.block.slide):
        return None
    short = all(store.lengths_words[pid] <= CONTINUATION_WORDS for pid in block.members)
    named = sum(1 for pid in block.members if index.passage_entities[pid])
    if len(block.members) < 2 or not short or named < len(block.members) / 2:
        return None
    return Ranked(block, ranked.score, ranked.cosine, ranked.lexical, block.head)


def block_names(
    kb: KB, plan: Plan, ranked: Ranked, skip: set[str], types: Sequence[str]
) -> list[str]:
    """What a block contributes to a list: its subjects or its objects; a statement about "this"
    or "it" names the slide's topic."""
    if plan.agent:
        return block_subjects(kb, plan, ranked, skip)
    found = block_objects(kb, ranked, skip, types)
    store = ask_index(kb).store
    if not found and POINTING_RE.match(store.passages[ranked.block.head].text):
        place = (ranked.block.deck, ranked.block.slide)
        topics = text_entities(kb, store.titles.get(place, ""))
        found = [e for e in topics if keep(kb, e, skip, types)][:1]
    return found


# A statement opening with a pronoun speaks of its slide's topic ("This is what X uses").
POINTING_RE: Final = re.compile(r"^\s*(?:this|it|these|they)\b", re.IGNORECASE)


# A list cut by blank lines goes on in short passages that each name something.
CONTINUATION_WORDS: Final = 6
# A header that introduces a list ends with a colon or with a word that wants an object
# ("You can stream logs into", "Destinations include").
INTRODUCES_RE: Final = re.compile(
    r"(?::|\b(?:into|to|from|with|include|includes|including|are|as|like|via|for|of|on|in|"
    r"between|through|by|support|supports))\s*$",
    re.IGNORECASE,
)


# A line of names alone after a statement gives its examples (a sub-bullet whose indentation
# the dump lost: "deploy any Kafka Connect connectors" / "Amazon S3, Amazon Redshift, etc").
NAME_LIST_MIN: Final = 2
NAME_LIST_SPARE_WORDS: Final = 1


def list_continuation(kb: KB, ranked: Sequence[Ranked], anchor: Ranked) -> list[Ranked]:
    """Blocks right after a "header:" block on its slide that carry on its list."""
    index = ask_index(kb)
    store = index.store
    head = store.passages[anchor.block.head]
    if not INTRODUCES_RE.search(head.text):
        if len(text_entities(kb, head.text)) > NAME_LIST_MIN:
            return []
        examples = following_names(kb, anchor)
        return [examples] if examples is not None else []
    by_block = {r.block.id: r for r in ranked}
    out = []
    for block in store.blocks[anchor.block.id + 1 :]:
        if (block.deck, block.slide) != (anchor.block.deck, anchor.block.slide):
            break
        first = store.passages[block.head]
        if len(block.members) > 1 or len(first.text.split()) > CONTINUATION_WORDS:
            break
        if not index.passage_entities[block.head]:
            break
        out.append(by_block.get(block.id, Ranked(block, anchor.score, 0.0, 0.0, block.head)))
    return out


def following_names(kb: KB, anchor: Ranked) -> Ranked | None:
    """The block right after the anchor on its slide when it is a bare list of names."""
    index = ask_index(kb)
    store = index.store
    following = anchor.block.id + 1
    if following >= len(store.blocks):
        return None
    block = store.blocks[following]
    if (block.deck, block.slide) != (anchor.block.deck, anchor.block.slide):
        return None
    if len(block.members) != 1 or not names_only(kb, store.passages[block.head].text):
        return None
    return Ranked(block, anchor.score, 0.0, 0.0, block.head)


def names_only(kb: KB, text: str) -> bool:
    """Whether a text is a list of names and little else ("Amazon S3, Debezium, etc")."""
    named = text_entities(kb, text)
    if len(named) < NAME_LIST_MIN:
        return False
    name_words = {t for alias, e in kb.aliases.items() if e in named for t in content_stems(alias)}
    rest = [t for t in content_stems(text) if t not in name_words]
    return len(rest) <= NAME_LIST_SPARE_WORDS


# Header words naming one end of a flow: a list under the other end's header is no runner-up.
OUT_ROLE_RE: Final = re.compile(
    r"\b(?:consumers?|destinations?|targets?|sinks?|outputs?|readers?)\b", re.IGNORECASE
)
IN_ROLE_RE: Final = re.compile(r"\b(?:producers?|sources?|inputs?|writers?)\b", re.IGNORECASE)
# A header is a few words before its colon.
ROLE_HEADER_WORDS: Final = 4
# Each side of "what do X and Y share" offers the names of this many of its best blocks: the
# intersection, not the ranking, keeps the answer to what both say.
SHARED_BLOCKS: Final = 6
# ... from its best slides only: a third slide is about something else that ranks close.
SHARED_SLIDES: Final = 2
# "What engine ...", "which service ..." asks for one: the best-supported item alone.
ASKS_ONE_RE: Final = re.compile(
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:engine|service|database|device|tool|library|"
    r"framework|algorithm|product|runtime|store|cache|notebook)\b(?!s)",
    re.IGNORECASE,
)


def block_items(kb: KB, plan: Plan, ranked: Sequence[Ranked]) -> list[Item]:
    """Entities the evidence blocks name (or, for "what can do P", the subjects doing it)."""
    items = all_block_items(kb, plan, ranked)
    return items[:1] if asks_one(plan) else items


def asks_one(plan: Plan) -> bool:
    """Whether the question asks for one thing ("which service does X use")."""
    return bool(ASKS_ONE_RE.search(plan.parsed.masked)) and not plural_asked(plan.text)


def plural_asked(text: str) -> bool:
    """Whether the asked noun phrase ends in a plural ("which notebook environments")."""
    noun = asked_noun(text)
    last = noun.split()[-1].lower() if noun else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def all_block_items(kb: KB, plan: Plan, ranked: Sequence[Ranked]) -> list[Item]:
    """Every entity the evidence blocks name, in the order the blocks rank."""
    index = ask_index(kb)
    store = index.store
    skip = skipped(kb, plan)
    types = asked_types(plan.text)
    found: dict[str, list[SourceRef]] = {}
    for ranked_block in item_blocks(kb, plan, ranked):
        block = ranked_block.block
        entities = block_names(kb, plan, ranked_block, skip, types)
        ref = source_ref(kb, block.deck, block.slide, ranked_block.score, block_text(store, block))
        for entity in entities:
            refs = found.setdefault(entity, [])
            if ref is not None and all(r.slide != ref.slide for r in refs):
                refs.append(ref)
    if not found and plan.agent:
        # No statement names a doer: the slides put it the other way round ("the device can run
        # EC2 instances" for "what compute can run on the device"), so the named things answer.
        return all_block_items(kb, replace(plan, agent=False), ranked)
    return [item(kb, e, refs) for e, refs in found.items()]


def shared_items(kb: KB, plan: Plan, rankings: Sequence[Sequence[Ranked]]) -> list[Item]:
    """What both named things list ("both supported by X and included on Y"): the names the best
    blocks of each one's evidence share, best supported first, with the slides of both."""
    if len(rankings) < 2:
        return []
    first, second = (side_names(kb, plan, ranking) for ranking in rankings[:2])
    common = sorted(set(first) & set(second), key=lambda e: -(first[e].score + second[e].score))
    store = ask_index(kb).store
    items = []
    for entity in common:
        refs = [
            ref
            for r in (first[entity], second[entity])
            if (
                ref := source_ref(
                    kb, r.block.deck, r.block.slide, r.score, block_text(store, r.block)
                )
            )
        ]
        items.append(item(kb, entity, refs))
    return items[:1] if ASKS_ONE_RE.search(plan.parsed.masked) else items


def side_names(kb: KB, plan: Plan, ranking: Sequence[Ranked]) -> dict[str, Ranked]:
    """Each listable name of one side's best blocks, with the best block naming it."""
    index = ask_index(kb)
    skip = skipped(kb, plan)
    types = asked_types(plan.text)
    found: dict[str, Ranked] = {}
    places: list[tuple[str, int]] = []
    for ranked in ranking[:SHARED_BLOCKS]:
        place = (ranked.block.deck, ranked.block.slide)
        if place not in places:
            places.append(place)
        if len(places) > SHARED_SLIDES:
            break
        for entity in index.block_entities(ranked.block.id):
            if keep(kb, entity, skip, types):
                found.setdefault(entity, ranked)
    return found


def block_objects(kb: KB, ranked: Ranked, skip: set[str], types: Sequence[str]) -> list[str]:
    """Entities a block names: its list members first; names in parentheses only when alone."""
    index = ask_index(kb)
    store = index.store
    block = ranked.block
    members = list(block.members)
    body = (
        members[1:]
        if len(members) > 1 and INTRODUCES_RE.search(store.passages[members[0]].text)
        else []
    )
    if body and set(index.passage_entities[members[0]]) & skip - set(types):
        # The list's header names what the question sets aside ("besides on-prem databases").
        if any(e in skip for e in index.passage_entities[members[0]] if is_concept(kb, e)):
            return []
    out: list[str] = []
    for pid in body or members:
        text = store.passages[pid].text
        outside = text_entities(kb, without_qualifiers(kb, text))
        named = index.passage_entities[pid]
        usable = [e for e in outside if keep(kb, e, skip, types)]
        pool = usable if usable else [e for e in named if keep(kb, e, skip, types)]
        out.extend(pool)
    if not out and body:
        out = [e for e in index.passage_entities[members[0]] if keep(kb, e, skip, types)]
    return list(dict.fromkeys(out))


def without_qualifiers(kb: KB, text: str) -> str:
    """The text without parentheses that qualify the name just before them."""

    def drop(match: re.Match[str]) -> str:
        before = " ".join(text[: match.start()].split()[-QUALIFIED_WORDS:])
        named = [e for e in text_entities(kb, before) if not is_concept(kb, e)]
        return " " if named else match.group(0)

    return PAREN_RE.sub(drop, text)


def is_concept(kb: KB, entity: str) -> bool:
    """Whether an entity is a generic concept ("on-premises database") rather than a product."""
    known = kb.entities.get(entity)
    return known is not None and known.type in NOT_ITEMS


def text_entities(kb: KB, text: str) -> tuple[str, ...]:
    """Entities a piece of text names (exact alias matches)."""
    return ask_index(kb).text_mentions(text, kb.aliases)


def block_subjects(kb: KB, plan: Plan, ranked: Ranked, skip: set[str]) -> list[str]:
    """Who does what the question asks: a name opening a statement that uses the question's words
    or names what it asks about, else the slide's topic."""
    index = ask_index(kb)
    store = index.store
    wanted = set(plan.predicate_stems)
    asked = set(plan.linked.entities)
    out: list[str] = []
    for pid in ranked.block.members:
        text = store.passages[pid].text
        names_asked = bool(asked & set(index.passage_entities[pid]))
        if wanted and not wanted & set(content_stems(text)) and not names_asked:
            continue
        opening = " ".join(text.split()[:SUBJECT_WORDS])
        first = [e for e in text_entities(kb, opening) if e not in skip]
        if first:
            out.append(first[0])
            continue
        topics = list(index.slide_about.get((ranked.block.deck, ranked.block.slide), ()))
        title_named = text_entities(
            kb, store.titles.get((ranked.block.deck, ranked.block.slide), "")
        )
        for entity in [*title_named, *topics]:
            if entity not in skip and kb.entities.get(entity) is not None:
                out.append(entity)
                break
    return list(dict.fromkeys(out))


def option_items(kb: KB, plan: Plan, ranked: Sequence[Ranked]) -> list[Item]:
    """The offered options the evidence supports ("which of these: A, B, C")."""
    texts = option_blocks(kb, plan, ranked)
    out: list[Item] = []
    for option in plan.parsed.options:
        entities = text_entities(kb, option)
        for r, text in texts:
            if names_option(kb, option, r, text):
                ref = source_ref(kb, r.block.deck, r.block.slide, r.score, text)
                refs = (ref,) if ref else ()
                out.append(
                    item(kb, entities[0], refs) if entities else Item(option, "", refs, "value")
                )
                break
    return out


def option_blocks(kb: KB, plan: Plan, ranked: Sequence[Ranked]) -> list[tuple[Ranked, str]]:
    """Blocks that decide the options: the best one naming an option, and close runners-up that
    name one and use the question's own words ("For correlation", not "For aggregation")."""
    store = ask_index(kb).store
    offered = {t for option in plan.parsed.options for t in stems(option)}
    wanted = set(plan.predicate_stems) - offered
    texts = [(r, block_text(store, r.block)) for r in ranked[:ITEM_BLOCKS]]
    named = [
        (r, text)
        for r, text in texts
        if any(names_option(kb, option, r, text) for option in plan.parsed.options)
    ]
    if not named:
        return []
    best, _ = named[0]
    return [named[0]] + [
        (r, text)
        for r, text in named[1:]
        if r.score >= best.score - ITEM_MARGIN
        and (not wanted or wanted & set(store.term_freqs[r.block.id]))
    ]


def names_option(kb: KB, option: str, ranked: Ranked, text: str) -> bool:
    """Whether a block names an offered option (its entity, else all its words)."""
    entities = text_entities(kb, option)
    if entities:
        return entities[0] in set(ask_index(kb).block_entities(ranked.block.id))
    return option_in_text(option, text)


def option_in_text(option: str, text: str) -> bool:
    """Whether every word of a plain-value option occurs (by stem) in a text."""
    words = set(stems(text))
    return all(s in words for s in stems(option))


def quoted_items(kb: KB, plan: Plan, used: Sequence[Ranked]) -> list[Item]:
    """The entities the quoted blocks name besides the question's own (a security answer's
    mechanisms: KMS, IAM, TLS...)."""
    store = ask_index(kb).store
    skip = skipped(kb, plan)
    found: dict[str, list[SourceRef]] = {}
    for ranked in used:
        block = ranked.block
        ref = source_ref(kb, block.deck, block.slide, ranked.score, block_text(store, block))
        for entity in block_objects(kb, ranked, skip, ()):
            refs = found.setdefault(entity, [])
            if ref is not None and all(r.slide != ref.slide for r in refs):
                refs.append(ref)
    return [item(kb, e, refs) for e, refs in found.items()]
