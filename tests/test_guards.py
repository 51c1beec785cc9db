"""Guards that keep code, vocabulary, queries and docs in step (datasette's test_docs style)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDFS, Graph
from rdflib.plugins.sparql import prepareQuery

from kg.graph import ONTOLOGY_GRAPH, QUERY_DIR, ontology_quads
from kg.settings import PROJECT_ROOT, Settings
from ontology.terms import KG

CODE_DIRS = ("kg", "ingest", "api", "kgqa", "ontology")


def vocabulary() -> Graph:
    """kg.ttl, units and the relation properties the registry declares: the ontology graph."""
    graph = Graph()
    for s, p, o, g in ontology_quads():
        assert g == ONTOLOGY_GRAPH
        graph.add((s, p, o))
    return graph


def code_files() -> list[Path]:
    """Every Python file of the project's packages."""
    return [p for d in CODE_DIRS for p in (PROJECT_ROOT / d).rglob("*.py")]


def test_guards_every_kg_term_in_code_is_in_the_ontology() -> None:
    graph = vocabulary()
    defined = {str(s).split("#")[1] for s in graph.subjects() if str(s).startswith(str(KG))}
    used = {m for p in code_files() for m in re.findall(r"\bKG\.(\w+)", p.read_text())}
    assert used, "no KG terms found in code: the guard would pass vacuously"
    assert used - defined == set()


def test_guards_every_kg_term_in_queries_is_in_the_ontology() -> None:
    graph = vocabulary()
    defined = {str(s).split("#")[1] for s in graph.subjects() if str(s).startswith(str(KG))}
    used = {m for p in QUERY_DIR.glob("*.rq") for m in re.findall(r"\bkg:(\w+)", p.read_text())}
    assert used - defined == set()


@pytest.mark.parametrize("path", sorted(QUERY_DIR.glob("*.rq")), ids=lambda p: p.stem)
def test_guards_every_query_file_parses(path: Path) -> None:
    query = prepareQuery(path.read_text())
    assert query.algebra is not None


def test_guards_every_class_and_property_is_documented() -> None:
    graph = vocabulary()
    terms = {s for s in graph.subjects() if str(s).startswith(str(KG))}
    undocumented = [
        str(t)
        for t in terms
        if graph.value(t, RDFS.label) is None or graph.value(t, RDFS.comment) is None
    ]
    assert len(terms) > 40
    assert undocumented == []


def test_guards_every_setting_is_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    missing = [
        f"KGQA_{name.upper()}"
        for name in Settings.model_fields
        if f"KGQA_{name.upper()}" not in readme
    ]
    assert missing == []
