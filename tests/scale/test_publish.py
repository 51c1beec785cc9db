"""Publishing versions into blue/green datasets of real Oxigraph servers, and rolling back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kg.errors import BadQuery, NotFound, StoreUnavailable
from kg.publish import (
    POINTER_FILE,
    RECORD_FILE,
    dataset_id,
    publish,
    read_pointer,
    rollback,
    served_version,
    version_dir,
)
from kg.settings import PROJECT_ROOT
from kg.store import Endpoint, RemoteStore
from tests.scale.conftest import OxigraphServer

TINY_DECK = PROJECT_ROOT / "tests" / "data" / "tiny-deck.txt"


@pytest.fixture(scope="module")
def tiny_graph_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second, different build (the tiny deck), without vectors."""
    from ingest.pipeline import ingest

    out = tmp_path_factory.mktemp("tiny-graph") / "data"
    ingest([TINY_DECK], out, embed=None, embed_model="all-MiniLM-L6-v2")
    return out


def quads_on(endpoint: Endpoint) -> int:
    """How many quads a dataset holds."""
    with RemoteStore(endpoint) as store:
        return store.count_quads()


def test_publish_embedded_version_copies_the_build_and_flips_the_pointer(
    tmp_path: Path, sample_graph_dir: Path
) -> None:
    root = tmp_path / "versions"
    version = publish(sample_graph_dir, root, now=datetime(2025, 1, 2, tzinfo=UTC))
    assert version.id == dataset_id(sample_graph_dir)
    assert version.counts["slides"] > 10 and version.counts["triples"] > 1000
    assert version.decks[0]["deck"] == "sample-deck" and len(version.decks[0]["sha256"]) == 64
    assert version.published_at == "2025-01-02T00:00:00+00:00"
    folder = version_dir(root, version.id)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [p.name for p in sample_graph_dir.iterdir() if p.is_file()] + [RECORD_FILE]
    )
    served = served_version(root)
    assert served is not None and served.version == version.id and served.endpoint is None
    assert publish(sample_graph_dir, root) == version  # publishing the current build: no change
    assert read_pointer(root).history == (version.id,)  # type: ignore[union-attr]


def test_publish_blue_green_and_rollback(
    tmp_path: Path,
    sample_graph_dir: Path,
    tiny_graph_dir: Path,
    oxigraph_pair: tuple[OxigraphServer, OxigraphServer],
) -> None:
    blue, green = (server.endpoint for server in oxigraph_pair)
    root = tmp_path / "versions"
    first = publish(sample_graph_dir, root, endpoints=[blue, green])
    assert served_version(root).endpoint == blue  # type: ignore[union-attr]
    sample_quads = quads_on(blue)
    assert sample_quads > first.counts["triples"]  # named graphs plus their merged default graph

    second = publish(tiny_graph_dir, root, endpoints=[blue, green])
    assert served_version(root).endpoint == green  # type: ignore[union-attr]
    assert quads_on(blue) == sample_quads  # the previous version stays loaded for rollback
    tiny_quads = quads_on(green)
    assert tiny_quads != sample_quads

    back = rollback(root, endpoints=[blue, green])
    assert back.id == first.id
    pointer = read_pointer(root)
    assert pointer is not None and pointer.current == first.id and pointer.history == (first.id,)
    assert pointer.placement[first.id] == blue and quads_on(green) == tiny_quads

    again = publish(tiny_graph_dir, root, endpoints=[blue, green])  # still loaded on green
    assert again.id == second.id and served_version(root).endpoint == green  # type: ignore[union-attr]
    with pytest.raises(NotFound, match="nothing to roll back"):
        rollback(tmp_path / "empty")


def test_publish_refuses_to_overwrite_the_live_dataset(
    tmp_path: Path,
    sample_graph_dir: Path,
    tiny_graph_dir: Path,
    oxigraph_pair: tuple[OxigraphServer, OxigraphServer],
) -> None:
    blue = oxigraph_pair[0].endpoint
    root = tmp_path / "versions"
    publish(sample_graph_dir, root, endpoints=[blue])
    before = (root / POINTER_FILE).read_text()
    with pytest.raises(BadQuery, match="holds the current version"):
        publish(tiny_graph_dir, root, endpoints=[blue])
    assert (root / POINTER_FILE).read_text() == before


def test_publish_failed_load_keeps_the_current_version(
    tmp_path: Path,
    sample_graph_dir: Path,
    tiny_graph_dir: Path,
    oxigraph_pair: tuple[OxigraphServer, OxigraphServer],
) -> None:
    blue, green = oxigraph_pair
    root = tmp_path / "versions"
    first = publish(sample_graph_dir, root, endpoints=[blue.endpoint, green.endpoint])
    green.stop()
    with pytest.raises(StoreUnavailable, match="unreachable"):
        publish(tiny_graph_dir, root, endpoints=[blue.endpoint, green.endpoint])
    pointer = json.loads((root / POINTER_FILE).read_text())
    assert pointer["current"] == first.id and pointer["history"] == [first.id]


def test_publish_rollback_reloads_a_graph_that_was_overwritten(
    tmp_path: Path,
    sample_graph_dir: Path,
    tiny_graph_dir: Path,
    oxigraph_pair: tuple[OxigraphServer, OxigraphServer],
) -> None:
    from ingest.pipeline import ingest
    from tests.conftest import SAMPLE_DECK

    both = tmp_path / "both"
    ingest([SAMPLE_DECK, TINY_DECK], both, embed=None, embed_model="all-MiniLM-L6-v2")
    blue, green = (server.endpoint for server in oxigraph_pair)
    root = tmp_path / "versions"
    first = publish(sample_graph_dir, root, endpoints=[blue, green])  # blue
    sample_quads = quads_on(blue)
    publish(tiny_graph_dir, root, endpoints=[blue, green])  # green
    publish(both, root, endpoints=[blue, green])  # blue: the first version's graph is gone
    assert quads_on(blue) != sample_quads
    rollback(root, endpoints=[blue, green])  # back to the tiny deck, still on green
    rolled = rollback(root, endpoints=[blue, green])  # the first version, loaded again
    assert rolled.id == first.id
    assert served_version(root).endpoint == blue  # type: ignore[union-attr]
    assert quads_on(blue) == sample_quads
