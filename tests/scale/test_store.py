"""The remote store against a real Oxigraph server: same rows as the embedded store."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from kg.errors import BadQuery, QueryTimeout, StoreUnavailable
from kg.graph import (
    QUERY_DIR,
    canonical_rows,
    load_queries,
    load_store,
    row_order,
    run_query,
    run_select,
)
from kg.kb import load_kb
from kg.publish import load_graph
from kg.store import (
    Endpoint,
    RemoteStore,
    check_status,
    endpoints_from,
    inline_values,
    insert_data_chunks,
)
from ontology.terms import KG
from tests.scale.conftest import OxigraphServer

# Which variable each fixed query is asked with by the answer code and the API.
BOUND = {
    "destinations_of": "source",
    "sources_of": "target",
    "entities_on_slide": "slide",
    "slide_entities": "slide",
    "slide_facts": "slide",
}
UNBOUND = {"parts_of", "security_features", "entity_domains"}  # and every all_* query


@pytest.fixture(scope="module")
def loaded(oxigraph_session: OxigraphServer, sample_graph_dir: Path) -> Iterator[RemoteStore]:
    """The sample graph published to the session's server."""
    load_graph(sample_graph_dir, oxigraph_session.endpoint, timeout_s=60)
    with RemoteStore(oxigraph_session.endpoint, timeout_s=10) as store:
        yield store


def asked_with(name: str, text: str) -> str | None:
    """The variable a fixed query is bound by, or None for a query run unbound."""
    if name in UNBOUND or name.startswith("all_"):
        return None
    projected = set(re.findall(r"\?(\w+)", text[text.index("SELECT") : text.index("WHERE")]))
    for variable in (BOUND.get(name), "entity", "source", "target", "slide"):
        if variable and variable in projected:
            return variable
    return None


def test_store_inline_values_opens_the_where_clause() -> None:
    query = "SELECT ?slide WHERE { GRAPH ?slide { ?slide ?p ?entity } }"
    bound = inline_values(query, {ox.Variable("entity"): ox.NamedNode("http://e/1")})
    assert bound == (
        "SELECT ?slide WHERE { VALUES (?entity) { (<http://e/1>) } "
        "GRAPH ?slide { ?slide ?p ?entity } }"
    )


def test_store_every_fixed_query_can_take_values() -> None:
    for path in sorted(QUERY_DIR.glob("*.rq")):
        text = path.read_text()
        assert "VALUES (?x)" in inline_values(text, {ox.Variable("x"): ox.Literal("1")}), path.stem


def test_store_every_fixed_query_has_a_canonical_row_order() -> None:
    orders = {path.stem: row_order(path.read_text()) for path in QUERY_DIR.glob("*.rq")}
    assert orders["destinations_of"] == ("label", "slide")
    assert [name for name, order in orders.items() if order is None] == []


def test_store_canonical_rows_keep_order_by_and_break_ties() -> None:
    rows = [
        {"label": "b", "slide": "s1"},
        {"label": "a", "slide": "s2"},
        {"label": "a", "slide": None},
        {"label": "a", "slide": "s1"},
    ]
    assert canonical_rows(rows, ("label",)) == [
        {"label": "a", "slide": None},
        {"label": "a", "slide": "s1"},
        {"label": "a", "slide": "s2"},
        {"label": "b", "slide": "s1"},
    ]
    assert row_order("SELECT * WHERE { ?s ?p ?o } ORDER BY DESC(?s)") is None


def test_store_endpoints_pair_up_by_position() -> None:
    endpoints = endpoints_from("http://a/q, http://b/q", "http://a/u,http://b/u")
    assert endpoints == [Endpoint("http://a/q", "http://a/u"), Endpoint("http://b/q", "http://b/u")]
    with pytest.raises(BadQuery, match="lists 1 URLs"):
        endpoints_from("http://a/q,http://b/q", "http://a/u")


def test_store_server_errors_map_to_statuses() -> None:
    with pytest.raises(BadQuery, match="refused"):
        check_status(400, b"Parser error", "http://x/q")
    with pytest.raises(QueryTimeout):
        check_status(500, b"Query evaluation timeout", "http://x/q")
    with pytest.raises(StoreUnavailable, match="answered 502"):
        check_status(502, b"bad gateway", "http://x/q")


def test_store_unreachable_server_is_503() -> None:
    from kgqa.cluster import free_port

    store = RemoteStore(Endpoint(f"http://127.0.0.1:{free_port()}/query"), timeout_s=2)
    with store, pytest.raises(StoreUnavailable, match="unreachable") as caught:
        store.ping()
    assert caught.value.status == 503


def test_store_insert_data_chunks_hold_every_quad() -> None:
    quads = [
        ox.Quad(ox.NamedNode(f"http://s/{n}"), ox.NamedNode("http://p"), ox.Literal(str(n)), g)
        for n, g in enumerate([ox.DefaultGraph(), ox.NamedNode("http://g")] * 3)
    ]
    chunks = list(insert_data_chunks(quads, size=4))
    assert len(chunks) == 2
    assert sum(chunk.count(" .") for chunk in chunks) == 6
    assert 'GRAPH <http://g> { <http://s/1> <http://p> "1" . }' in chunks[0]


def test_store_remote_rows_equal_embedded_rows(loaded: RemoteStore, sample_graph_dir: Path) -> None:
    embedded, book = load_store(sample_graph_dir), load_queries()
    entities = [row["entity"] for row in run_select(embedded, book, "parts_of")]
    entities += [row["entity"] for row in run_select(embedded, book, "security_features")]
    slides = [row["slide"] for row in run_select(embedded, book, "all_slides")]
    compared = 0
    for name, text in book.texts.items():
        variable = asked_with(name, text)
        if variable is None:
            if name != "all_entities":  # GROUP_CONCAT's order is the engine's (load_kb sorts it)
                assert run_select(loaded, book, name) == run_select(embedded, book, name), name
            compared += 1
            continue
        for iri in sorted(set(slides if variable == "slide" else entities)):
            bindings = {variable: URIRef(iri)}
            remote_rows = run_select(loaded, book, name, **bindings)
            assert remote_rows == run_select(embedded, book, name, **bindings), (name, iri)
            compared += 1
    assert compared > 500


def test_store_remote_kb_equals_embedded_kb(loaded: RemoteStore, sample_graph_dir: Path) -> None:
    embedded = load_kb(sample_graph_dir, embed_model="all-MiniLM-L6-v2", with_encoder=False)
    remote = load_kb(
        sample_graph_dir, embed_model="all-MiniLM-L6-v2", with_encoder=False, store=loaded
    )
    assert remote.entities == embedded.entities
    assert remote.slides == embedded.slides
    assert remote.parts == embedded.parts
    assert remote.entity_slides == embedded.entity_slides
    assert {n: i.rows for n, i in remote.book.indexes.items()} == {
        n: i.rows for n, i in embedded.book.indexes.items()
    }


def test_store_ad_hoc_queries_read_the_same_dataset(
    loaded: RemoteStore, sample_graph_dir: Path
) -> None:
    embedded = load_store(sample_graph_dir)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    local = next(iter(run_query(embedded, query)))["n"].value
    remote = next(iter(run_query(loaded, query)))["n"].value
    assert remote == local
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s kg:mentions ?o } }"
    assert (
        next(iter(run_query(loaded, named)))["n"].value
        == next(iter(run_query(embedded, named)))["n"].value
    )
    assert bool(run_query(loaded, "ASK { ?s a kg:Slide }"))
    triples = list(run_query(loaded, "CONSTRUCT { ?s a kg:Slide } WHERE { ?s a kg:Slide }"))
    assert len(triples) == len(list(run_query(embedded, "SELECT ?s WHERE { ?s a kg:Slide }")))


def test_store_malformed_query_is_the_callers_fault(loaded: RemoteStore) -> None:
    with pytest.raises(BadQuery, match="refused"):
        loaded.query("SELECT WHERE {")


def test_store_reconnects_when_the_server_closed_a_kept_alive_connection(
    loaded: RemoteStore,
) -> None:
    loaded.ping()
    for conn in loaded.opened:  # what a server's idle time-out does to a kept-alive connection
        if conn.sock is not None:
            conn.sock.shutdown(socket.SHUT_RDWR)
    loaded.ping()
    assert bool(loaded.query("ASK { ?s a kg:Slide }", prefixes={"kg": str(KG)}))
