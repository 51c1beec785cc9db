"""Facts to RDF quads, the dataset on disk, and SPARQL over it."""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from kg.errors import BadQuery, NotFound
from kg.query_guard import QueryGuard, where_brace
from kg.registry import RELATIONS, RelationKind, registry_triples
from kg.store import RemoteStore
from kg.types import Entity, Fact, Slide
from ontology.terms import KG, KGI, ONTOLOGY_TTL

Quad = tuple[Node, Node, Node, URIRef]
# The graph a KB queries: embedded, or a dataset on a SPARQL server queried the same way.
GraphStore = ox.Store | RemoteStore

QUERY_DIR = Path(__file__).with_name("queries")
UNITS_TTL = ONTOLOGY_TTL.with_name("units.ttl")
SHAPES_TTL = ONTOLOGY_TTL.with_name("shapes.ttl")
GRAPH_FILE = "graph.nq"
ONTOLOGY_GRAPH = KGI["graph/ontology"]
GAZETTEER_GRAPH = KGI["graph/gazetteer"]
ENTITY_CLASSES = {
    "Service": KG.Service,
    "Feature": KG.Feature,
    "Software": KG.Software,
    "ThirdPartyProduct": KG.ThirdPartyProduct,
    "DataFormat": KG.DataFormat,
    "Compression": KG.CompressionCodec,
    "Concept": KG.Concept,
}
SECURITY_CATEGORIES = {
    "encryptionAtRest": KG.EncryptionAtRest,
    "encryptionInTransit": KG.EncryptionInTransit,
    "accessControl": KG.AccessControl,
    "networkIsolation": KG.NetworkIsolation,
    "auditing": KG.Auditing,
    "authentication": KG.Authentication,
}
# Relative IRIs in an ad-hoc query resolve against the id namespace, so <entity/redshift>
# names an entity (W3C protocol test query_content_type_construct sends relative IRIs).
QUERY_BASE_IRI = str(KGI)


def entity_iri(entity_id: str) -> URIRef:
    """The IRI of a gazetteer entity."""
    return KGI[f"entity/{entity_id}"]


def slide_iri(deck: str, number: int) -> URIRef:
    """The IRI of a slide, which also names the graph of the facts it states."""
    return KGI[f"slide/{deck}/{number}"]


def deck_iri(deck: str) -> URIRef:
    """The IRI of a deck."""
    return KGI[f"deck/{deck}"]


def domain_iri(name: str) -> URIRef:
    """The IRI of a course section."""
    return KGI["domain/" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")]


def id_from_iri(iri: str) -> str:
    """The entity id at the end of an entity IRI."""
    return iri.rsplit("/", 1)[-1]


def fact_iri(fact: Fact) -> URIRef:
    """A stable IRI for a fact node, hashed from what it states and where."""
    key = "|".join(
        str(part)
        for part in (
            fact.kind,
            fact.subject,
            fact.deck,
            fact.slide,
            fact.line_start,
            fact.relation,
            fact.object,
            fact.limit,
            fact.security,
            fact.attribute,
            fact.value,
            fact.text,
            # Only non-default new fields join the key, so IRIs of older facts stay stable.
            *(["negated"] if fact.negated else []),
            *([fact.header, fact.role, fact.members] if fact.kind == "listing" else []),
        )
    )
    return KGI[f"fact/{hashlib.sha1(key.encode()).hexdigest()[:16]}"]


def unit_iris(units_ttl: Path = UNITS_TTL) -> dict[str, URIRef]:
    """Unit symbol -> unit IRI, read from the unit vocabulary."""
    graph = Graph().parse(units_ttl)
    return {str(symbol): URIRef(str(unit)) for unit, symbol in graph.subject_objects(KG.symbol)}


def ontology_quads() -> list[Quad]:
    """The vocabulary and unit individuals, in their own graph."""
    graph = Graph().parse(ONTOLOGY_TTL)
    if UNITS_TTL.exists():
        graph.parse(UNITS_TTL)
    for triple in registry_triples():
        graph.add(triple)
    return [(s, p, o, ONTOLOGY_GRAPH) for s, p, o in graph]


def entity_quads(gazetteer: Mapping[str, Entity]) -> list[Quad]:
    """Labels, aliases, classes and curated part-of/successor edges of the gazetteer."""
    quads: list[Quad] = []
    g = GAZETTEER_GRAPH
    for entity in gazetteer.values():
        node = entity_iri(entity.id)
        quads += [
            (node, RDF.type, ENTITY_CLASSES[entity.type], g),
            (node, RDFS.label, Literal(entity.label), g),
            (node, KG.entityType, Literal(entity.type), g),
        ]
        quads += [(node, SKOS.altLabel, Literal(alias), g) for alias in entity.aliases]
        if entity.part_of:
            quads.append((node, KG.partOf, entity_iri(entity.part_of), g))
        if entity.successor_of:
            quads.append(
                (
                    node,
                    RELATIONS[RelationKind.REPLACES].predicate,
                    entity_iri(entity.successor_of),
                    g,
                )
            )
    return quads


def deck_quads(deck: str, file_name: str, sha256: str) -> list[Quad]:
    """The deck node, in the gazetteer-independent deck graph."""
    node, g = deck_iri(deck), deck_iri(deck)
    return [
        (node, RDF.type, KG.Deck, g),
        (node, RDFS.label, Literal(file_name), g),
        (node, KG.fileName, Literal(file_name), g),
        (node, KG.sha256, Literal(sha256), g),
    ]


def slide_quads(slide: Slide) -> list[Quad]:
    """The slide node with its metadata and cleaned text, in the slide's own graph."""
    node = slide_iri(slide.deck, slide.number)
    quads: list[Quad] = [
        (node, RDF.type, KG.Slide, node),
        (node, KG.slideNumber, Literal(slide.number), node),
        (node, DCTERMS.title, Literal(slide.title), node),
        (node, DCTERMS.isPartOf, deck_iri(slide.deck), node),
        (node, KG.text, Literal(slide.text), node),
    ]
    if slide.page is not None:
        quads.append((node, KG.page, Literal(slide.page), node))
    else:
        quads.append((node, KG.lineStart, Literal(slide.line_start), node))
        quads.append((node, KG.lineEnd, Literal(slide.line_end), node))
    if slide.domain:
        domain = domain_iri(slide.domain)
        quads += [
            (node, KG.inDomain, domain, node),
            (domain, RDF.type, KG.Domain, node),
            (domain, RDFS.label, Literal(slide.domain), node),
        ]
    return quads


def _lines(node: URIRef, fact: Fact, g: URIRef) -> list[Quad]:
    """Text and line provenance of a fact node."""
    return [
        (node, KG.text, Literal(fact.text), g),
        (node, KG.lineStart, Literal(fact.line_start), g),
        (node, KG.lineEnd, Literal(fact.line_end), g),
    ]


def _relation_quads(fact: Fact, g: URIRef) -> list[Quad]:
    """A positive edge (with its materialised super-properties and flow's inverse) and the
    assertion that states it; a negated fact is a Negation node and a negative edge only."""
    assert fact.relation is not None and fact.object is not None
    spec = RELATIONS[fact.relation]
    subject, obj = entity_iri(fact.subject), entity_iri(fact.object)
    node = fact_iri(fact)
    provenance = [
        *_lines(node, fact, g),
        (node, KG.confidence, _decimal_literal(fact.confidence), g),
    ]
    if fact.negated:
        negated = [(subject, spec.negated, obj, g)] if spec.negated is not None else []
        return [
            *negated,
            (subject, KG.hasNegation, node, g),
            (node, RDF.type, KG.Negation, g),
            (node, KG.subject, subject, g),
            (node, KG.negatedProperty, spec.predicate, g),
            (node, KG.relationKind, Literal(spec.kind.value), g),
            (node, KG.object, obj, g),
            *provenance,
        ]
    quads: list[Quad] = [(subject, p, obj, g) for p in edge_properties(fact.relation)]
    if spec.inverse is not None and fact.relation is RelationKind.FLOW:
        quads.append((obj, spec.inverse, subject, g))
    if not spec.directed:
        quads.append((obj, spec.predicate, subject, g))
    quads += [
        (node, RDF.type, KG.Assertion, g),
        (node, KG.subject, subject, g),
        (node, KG.predicate, spec.predicate, g),
        (node, KG.object, obj, g),
        *provenance,
    ]
    return quads


def edge_properties(kind: RelationKind) -> list[URIRef]:
    """A kind's predicate and every property above it, so plain triple patterns on a parent
    (`?s kg:writesTo ?o`) also see refined edges without inference."""
    spec = RELATIONS[kind]
    found = [spec.predicate]
    above = [*spec.also]
    if spec.refines is not None:
        above.append(spec.refines)
    elif spec.parent is not None:
        found += edge_properties(spec.parent)
    return list(dict.fromkeys(found + above))


def _decimal_literal(value: float) -> Literal:
    """A number as an xsd:decimal literal."""
    return Literal(decimal_of(value), datatype=XSD.decimal)


def _listing_quads(fact: Fact, g: URIRef) -> list[Quad]:
    """A slide list: header, role, subject and its members in order, with provenance."""
    subject, node = entity_iri(fact.subject), fact_iri(fact)
    quads: list[Quad] = [
        (subject, KG.hasListing, node, g),
        (node, RDF.type, KG.Listing, g),
        (node, KG.subject, subject, g),
        (node, KG.header, Literal(fact.header), g),
        (node, KG.role, Literal(fact.role), g),
        *_lines(node, fact, g),
    ]
    for position, member in enumerate(fact.members, 1):
        item = URIRef(f"{node}/item/{position}")
        quads += [
            (node, KG.listItem, item, g),
            (item, RDF.type, KG.ListItem, g),
            (item, KG.position, Literal(position), g),
            (item, KG.memberText, Literal(member.text), g),
        ]
        if member.entity:
            quads.append((item, KG.member, entity_iri(member.entity), g))
    return quads


def decimal_of(value: float) -> Decimal:
    """A figure as an exact decimal in its shortest form (256, not 256.0)."""
    number = float(value)
    return Decimal(int(number)) if number.is_integer() else Decimal(repr(number))


def fact_quads(fact: Fact, units: Mapping[str, URIRef]) -> list[Quad]:
    """The quads one fact contributes to its slide's graph."""
    g = slide_iri(fact.deck, fact.slide)
    subject = entity_iri(fact.subject)
    node = fact_iri(fact)
    if fact.kind == "relation":
        return _relation_quads(fact, g)
    if fact.kind == "listing":
        return _listing_quads(fact, g)
    if fact.kind == "mention":
        return [(g, KG.mentions, subject, g)]
    if fact.kind == "about":
        return [(g, KG.about, subject, g), (g, KG.mentions, subject, g)]
    if fact.kind == "description":
        return [(subject, KG.description, Literal(fact.text), g)]
    if fact.kind == "limit":
        assert fact.limit is not None
        limit = fact.limit
        quads: list[Quad] = [
            (subject, KG.hasLimit, node, g),
            (node, RDF.type, KG.Limit, g),
            (node, KG.quantity, Literal(limit.quantity), g),
            (node, KG.value, Literal(decimal_of(limit.value), datatype=XSD.decimal), g),
            (node, KG.unit, units[limit.unit], g),
            *_lines(node, fact, g),
        ]
        if limit.qualifier:
            quads.append((node, KG.qualifier, Literal(limit.qualifier), g))
        return quads
    if fact.kind == "security":
        assert fact.security is not None
        quads = [
            (subject, KG.hasSecurityFeature, node, g),
            (node, RDF.type, KG.SecurityFeature, g),
            (node, KG.category, SECURITY_CATEGORIES[fact.security], g),
            *_lines(node, fact, g),
        ]
        if fact.object:
            quads.append((node, KG.mechanism, entity_iri(fact.object), g))
        return quads
    if fact.kind == "attribute":
        return [
            (subject, KG.hasAttribute, node, g),
            (node, RDF.type, KG.Attribute, g),
            (node, KG.attributeName, Literal(fact.attribute), g),
            (node, KG.attributeValue, Literal(fact.value), g),
            *_lines(node, fact, g),
        ]
    if fact.kind == "antiPattern":
        quads = [
            (subject, KG.hasAntiPattern, node, g),
            (node, RDF.type, KG.AntiPattern, g),
            (node, KG.subject, subject, g),
            *_lines(node, fact, g),
        ]
        if fact.object:
            quads.append((node, KG.alternative, entity_iri(fact.object), g))
        return quads
    raise ValueError(f"unknown fact kind {fact.kind!r}")


def quads_to_dataset(quads: Iterable[Quad]) -> Dataset:
    """An rdflib Dataset whose default graph is the union of its named graphs."""
    dataset = Dataset(default_union=True)
    for prefix, ns in (
        ("kg", str(KG)),
        ("kgi", str(KGI)),
        ("skos", str(SKOS)),
        ("dcterms", str(DCTERMS)),
    ):
        dataset.bind(prefix, ns)
    for s, p, o, g in quads:
        dataset.graph(g).add((s, p, o))
    return dataset


def quads_to_graph(quads: Iterable[Quad]) -> Graph:
    """The union of all named graphs as one plain graph (for SHACL)."""
    graph = Graph()
    for s, p, o, _ in quads:
        graph.add((s, p, o))
    return graph


def write_quads(quads: Iterable[Quad], path: Path) -> None:
    """Serialise quads as N-Quads (fast to write and to load)."""
    store = ox.Store()
    store.bulk_extend(_to_ox(q) for q in quads)
    store.dump(str(path), ox.RdfFormat.N_QUADS)


def _to_ox_term(node: Node) -> Any:
    """An rdflib term as its pyoxigraph twin."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype and node.datatype != XSD.string:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    return ox.BlankNode(str(node))


def _to_ox(quad: Quad) -> ox.Quad:
    """An rdflib quad as a pyoxigraph quad."""
    s, p, o, g = quad
    return ox.Quad(_to_ox_term(s), _to_ox_term(p), _to_ox_term(o), ox.NamedNode(str(g)))


def load_store(data_dir: Path) -> ox.Store:
    """The dataset of data_dir in an in-memory Oxigraph store."""
    path = data_dir / GRAPH_FILE
    if not path.exists():
        raise NotFound(f"no graph in {data_dir}: run `kgqa ingest DECK --data-dir {data_dir}`")
    return store_from_nquads(path.read_bytes())


def store_from_nquads(data: bytes) -> ox.Store:
    """An in-memory store of N-Quads, with the merge of its graphs as the default graph."""
    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    # SPARQL's default graph is the RDF merge of the slide graphs: a set, not Oxigraph's
    # multiset union, so each triple is also stored once in the default graph.
    merged = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None)}
    store.bulk_extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in merged)
    return store


@dataclass(frozen=True)
class QueryIndex:
    """The rows of one fixed query run once without bindings, grouped by its variables' values."""

    store: GraphStore
    variables: tuple[str, ...]
    rows: dict[tuple[str, ...], list[dict[str, Any]]]


# A fixed query's closing ORDER BY of plain ascending variables (the form row_order reads).
ORDER_BY = re.compile(r"\bORDER\s+BY((?:\s+\?\w+)+)\s*$", re.IGNORECASE)


def row_order(text: str) -> tuple[str, ...] | None:
    """The ORDER BY variables of a query, () without ORDER BY, None for any other ORDER BY form."""
    body = re.sub(r"#[^\n]*", "", text).strip()
    match = ORDER_BY.search(body)
    if match:
        return tuple(name.lstrip("?") for name in match.group(1).split())
    return None if re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE) else ()


def value_key(value: Any) -> tuple[int, float, str]:
    """SPARQL's ascending order for kgqa's plain values: unbound, then numbers, then text."""
    if value is None:
        return (0, 0.0, "")
    if isinstance(value, int | float):
        return (1, float(value), "")
    return (2, 0.0, str(value))


def canonical_rows(rows: list[dict[str, Any]], order: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows in the query's ORDER BY, ties broken by every column in turn.

    SPARQL leaves the order of unordered rows (and of ties) to the engine; fixing it here makes
    answers the same from the embedded store and from any SPARQL server.
    """
    return sorted(
        rows,
        key=lambda row: (
            tuple(value_key(row.get(name)) for name in order),
            tuple(value_key(value) for value in row.values()),
        ),
    )


@dataclass
class QueryBook:
    """The fixed queries of kg/queries, read once, and the per-entity row tables built at load."""

    texts: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    indexes: dict[str, QueryIndex] = field(default_factory=dict)
    orders: dict[str, tuple[str, ...] | None] = field(default_factory=dict)


def load_queries(query_dir: Path = QUERY_DIR) -> QueryBook:
    """Every .rq file, keyed by its stem."""
    texts = {path.stem: path.read_text(encoding="utf-8") for path in sorted(query_dir.glob("*.rq"))}
    return QueryBook(texts, orders={name: row_order(text) for name, text in texts.items()})


def _bind(value: object) -> Any:
    """A Python value as a pyoxigraph term for substitution."""
    if isinstance(value, URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, str):
        return ox.Literal(value)
    if isinstance(value, bool):
        return ox.Literal(str(value).lower(), datatype=ox.NamedNode(str(XSD.boolean)))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(str(XSD.integer)))
    raise TypeError(f"cannot bind {value!r}")


def term_value(term: Any) -> Any:
    """A pyoxigraph result term as a plain Python value."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        if datatype in (str(XSD.integer), str(XSD.int)):
            return int(term.value)
        if datatype in (str(XSD.decimal), str(XSD.double), str(XSD.float)):
            return float(term.value)
        return term.value
    return term.value


def index_query(store: GraphStore, book: QueryBook, name: str, *variables: str) -> None:
    """Run a fixed query once unbound and keep its rows by `variables`, for run_select to serve.

    Only for a read-only store and a query whose rows bound to values are exactly its unbound
    rows with those values, in the same order (no FILTER, aggregate or ORDER BY on the variables):
    Oxigraph evaluates a substitution as a filter over the unbound query, so those rows match.
    """
    grouped: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in run_select(store, book, name):
        grouped.setdefault(tuple(str(row[v]) for v in variables), []).append(row)
    with book.lock:
        book.indexes[name] = QueryIndex(store, variables, grouped)


def run_select(
    store: GraphStore, book: QueryBook, name: str, **bindings: object
) -> list[dict[str, Any]]:
    """Run the named fixed query with values bound, as a list of plain dict rows."""
    if name not in book.texts:
        raise NotFound(f"no query named {name!r} in {QUERY_DIR}")
    index = book.indexes.get(name)
    if index is not None and index.store is store and set(bindings) == set(index.variables):
        values = [bindings[v] for v in index.variables]
        if all(isinstance(value, URIRef) for value in values):
            key = tuple(str(value) for value in values)
            return [dict(row) for row in index.rows.get(key, ())]
    substitutions = {ox.Variable(key): _bind(value) for key, value in bindings.items()}
    results = store.query(book.texts[name], substitutions=substitutions)
    assert isinstance(results, ox.QuerySolutions)
    variables = [v.value for v in results.variables]
    rows = [{var: term_value(row[var]) for var in variables} for row in results]
    order = book.orders.get(name)
    return rows if order is None else canonical_rows(rows, order)


def rendered_query(book: QueryBook, name: str, **bindings: object) -> str:
    """The fixed query as runnable text: bound values inlined as a VALUES block in its WHERE.

    Pasted into /sparql it returns the rows run_select gives with the same bindings: Oxigraph
    evaluates a substitution as a filter over the unbound query, which is what joining a
    one-row VALUES at the top of the WHERE group does.
    """
    text = book.texts[name].strip()
    if not bindings:
        return text
    brace = where_brace(text)
    if brace is None:
        raise ValueError(f"query {name!r} has no WHERE group to bind values in")
    names = " ".join(f"?{key}" for key in bindings)
    # A list binds its variable to each of its values in turn (one VALUES row per combination),
    # for an answer that ran the query once per value.
    choices = [v if isinstance(v, (list, tuple)) else [v] for v in bindings.values()]
    rows = "\n    ".join(
        "(" + " ".join(str(_bind(value)) for value in combination) + ")"
        for combination in itertools.product(*choices)
    )
    block = f"\n  VALUES ({names}) {{\n    {rows}\n  }}"
    return text[: brace + 1] + block + text[brace + 1 :]


QUERY_PREFIXES = {
    "kg": str(KG),
    "kgi": str(KGI),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
}


def run_query(
    store: GraphStore,
    query: str,
    *,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    guard: QueryGuard | None = None,
) -> Any:
    """Run an ad-hoc read-only query; BadQuery with the parser's message on a syntax error.

    The guard refuses updates, SERVICE and deep nesting from the parsed query; the store is
    only ever asked to `query`, which parses query forms alone, so no update can run.
    """
    (guard or QueryGuard()).check(query)
    kwargs: dict[str, Any] = {}
    if default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    # Otherwise the store's own default graph, which load_store fills with the merge.
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        return store.query(query, prefixes=QUERY_PREFIXES, base_iri=QUERY_BASE_IRI, **kwargs)
    except SyntaxError as e:
        raise BadQuery(f"malformed SPARQL query: {e}") from e
