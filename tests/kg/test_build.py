"""kg/build.py on a tiny hand-written deck: golden graph, SHACL gate, atomic swap, summary."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from ingest.pipeline import Extraction, ingest
from kg.build import SUMMARY_FILE, build
from kg.errors import ShapeViolation
from kg.gazetteer import load_gazetteer
from kg.graph import GAZETTEER_GRAPH, GRAPH_FILE, ONTOLOGY_GRAPH, deck_iri, entity_iri, slide_iri
from kg.settings import PROJECT_ROOT
from kg.types import Entity
from ontology.terms import GAZETTEER, KG, KGI

DATA = PROJECT_ROOT / "tests" / "data"
TINY_DECK = DATA / "tiny-deck.txt"
GOLDEN = DATA / "tiny-deck.expected.ttl"
MODEL = "test-model"


@pytest.fixture(scope="module")
def gazetteer() -> dict[str, Entity]:
    """The curated gazetteer, loaded once."""
    return load_gazetteer(GAZETTEER)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Extraction]:
    """The tiny deck ingested without embeddings into a fresh data dir."""
    out = tmp_path_factory.mktemp("tiny") / "data"
    _, extraction = ingest([TINY_DECK], out, embed=None, embed_model=MODEL)
    return out, extraction


def load_dataset(data_dir: Path) -> Dataset:
    """graph.nq of a data dir as an rdflib Dataset."""
    dataset = Dataset()
    dataset.parse(data_dir / GRAPH_FILE, format="nquads")
    return dataset


def deck_and_slide_triples(dataset: Dataset) -> Graph:
    """The union of the deck and slide graphs, without slide text and descriptions."""
    graph = Graph()
    slides, decks = str(KGI["slide/"]), str(KGI["deck/"])
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if not str(g).startswith((slides, decks)):
            continue
        if p == KG.description or (p == KG.text and str(s).startswith(slides)):
            continue
        graph.add((s, p, o))
    return graph


def test_build_tiny_deck_matches_golden(tiny: tuple[Path, Extraction]) -> None:
    built = deck_and_slide_triples(load_dataset(tiny[0]))
    expected = Graph().parse(GOLDEN)
    if not isomorphic(built, expected):
        _, only_built, only_expected = graph_diff(to_isomorphic(built), to_isomorphic(expected))
        pytest.fail(
            f"built graph differs from {GOLDEN.name}:\n+ built only:\n"
            f"{only_built.serialize(format='nt')}\n- golden only:\n"
            f"{only_expected.serialize(format='nt')}"
        )
    assert len(built) == len(expected)


def test_build_descriptions_come_only_from_entity_slides(tiny: tuple[Path, Extraction]) -> None:
    dataset = load_dataset(tiny[0])
    descriptions = {(s, o) for s, _, o, _ in dataset.quads((None, KG.description, None, None))}
    assert descriptions == {
        (entity_iri("kinesis-data-firehose"), Literal("Fully managed delivery service")),
    }


def test_build_one_named_graph_per_slide(tiny: tuple[Path, Extraction]) -> None:
    dataset = load_dataset(tiny[0])
    names = {str(g) for _, _, _, g in dataset.quads((None, None, None, None))}
    slides = {name for name in names if name.startswith(str(KGI["slide/"]))}
    assert slides == {str(slide_iri("tiny-deck", n)) for n in (1, 2, 3, 4)}
    assert names - slides == {str(ONTOLOGY_GRAPH), str(GAZETTEER_GRAPH), str(deck_iri("tiny-deck"))}
    # Each fact lives in the graph of the slide that states it.
    edge = (entity_iri("kinesis-data-firehose"), KG.writesTo, entity_iri("s3"))
    assert {str(g) for *_, g in dataset.quads((*edge, None))} == {str(slide_iri("tiny-deck", 1))}
    limit_graphs = {str(g) for *_, g in dataset.quads((entity_iri("sqs"), KG.hasLimit, None, None))}
    assert limit_graphs == {str(slide_iri("tiny-deck", 2))}


def test_build_summary_json(tiny: tuple[Path, Extraction]) -> None:
    summary = json.loads((tiny[0] / SUMMARY_FILE).read_text(encoding="utf-8"))
    digest = hashlib.sha256(TINY_DECK.read_bytes()).hexdigest()
    assert (summary["slides"], summary["text_slides"], summary["vectors"]) == (4, 4, 0)
    assert summary["shacl_conforms"] is True
    assert summary["model"] == MODEL
    assert summary["relations_by_kind"] == {"alternative": 1, "flow": 2, "not flow": 1}
    # One negated relation plus one anti-pattern.
    assert summary["negative_facts"] == 2
    assert {
        k: summary["facts_by_kind"][k]
        for k in ("about", "antiPattern", "attribute", "limit", "relation", "security")
    } == {
        "about": 4,
        "antiPattern": 1,
        "attribute": 2,
        "limit": 1,
        "relation": 4,
        "security": 1,
    }
    assert summary["decks"] == [
        {"deck": "tiny-deck", "file": "tiny-deck.txt", "sha256": digest, "slides": 4}
    ]
    assert summary["entities"] == len(load_gazetteer(GAZETTEER))
    assert summary["triples"] > 0 and summary["built_at"]


def test_build_shape_violation_leaves_data_dir_untouched(
    tiny: tuple[Path, Extraction], gazetteer: dict[str, Entity], tmp_path: Path
) -> None:
    _, extraction = tiny
    out = tmp_path / "data"
    build(extraction.decks, extraction.facts, gazetteer, out, embed=None, embed_model=MODEL)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    relation = next(f for f in extraction.facts if f.kind == "relation")
    bad = replace(relation, object="no-such-service")
    with pytest.raises(ShapeViolation, match="shapes"):
        build(
            extraction.decks,
            [*extraction.facts, bad],
            gazetteer,
            out,
            embed=None,
            embed_model=MODEL,
        )
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    # The lock file stays (removing it would race a waiting writer); nothing else does.
    assert sorted(path.name for path in tmp_path.iterdir()) == [".data.lock", "data"]


def test_build_rebuild_swaps_whole_dir(
    tiny: tuple[Path, Extraction], gazetteer: dict[str, Entity], tmp_path: Path
) -> None:
    _, extraction = tiny
    out = tmp_path / "data"
    build(extraction.decks, extraction.facts, gazetteer, out, embed=None, embed_model=MODEL)
    (out / "stale.txt").write_text("left over", encoding="utf-8")
    kept = [f for f in extraction.facts if f.kind != "limit"]
    report = build(extraction.decks, kept, gazetteer, out, embed=None, embed_model=MODEL)
    assert "limit" not in report.facts_by_kind
    assert not (out / "stale.txt").exists()
    # The lock file stays (removing it would race a waiting writer); nothing else does.
    assert sorted(path.name for path in tmp_path.iterdir()) == [".data.lock", "data"]
    dataset = load_dataset(out)
    assert not list(dataset.quads((URIRef(entity_iri("sqs")), KG.hasLimit, None, None)))
