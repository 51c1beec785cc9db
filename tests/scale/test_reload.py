"""One `kgqa serve` on a plain data dir picks up a re-ingest by itself, without mixing versions."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.reload import build_signature, pin_root
from kg.settings import PROJECT_ROOT, Settings
from tests.conftest import EMBED_MODEL, build_data_dir

pytestmark = pytest.mark.slow
TINY_DECK = PROJECT_ROOT / "tests" / "data" / "tiny-deck.txt"
RELOAD_WITHIN_S = 10.0


def test_reload_after_ingest_swaps_the_whole_version(
    tmp_path: Path, sample_data_dir: Path, encoder: object
) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_data_dir, data)
    settings = Settings(
        data_dir=data, embed_model=EMBED_MODEL, embed_backend="torch", reload_interval_s=0.2
    )
    query = {"query": "SELECT (COUNT(?s) AS ?n) WHERE { ?s a kg:Slide }"}
    accept = {"Accept": "application/sparql-results+json"}
    with TestClient(create_app(settings)) as client:
        first = client.get("/health").json()
        served = client.app.state.follower.loaded  # type: ignore[attr-defined]
        assert served.source.data_dir.parent == pin_root(data)  # workers read a pinned copy
        assert client.get("/ready").json() == {"ready": True, "version": first["version"]}
        build_data_dir(TINY_DECK, data, encoder)  # what `kgqa ingest` does: a new folder
        started = time.monotonic()
        while client.get("/health").json()["version"] == first["version"]:
            assert time.monotonic() - started < RELOAD_WITHIN_S
            assert client.get("/ask", params={"q": "What is Amazon Athena?"}).status_code == 200
            time.sleep(0.1)
        second = client.get("/health").json()
        assert second["counts"]["slides"] != first["counts"]["slides"]
        rows = client.get("/sparql", params=query, headers=accept).json()["results"]["bindings"]
        assert rows[0]["n"]["value"] == str(second["counts"]["slides"])
        assert not served.pin.exists()  # the old version's pinned files are gone with it
        assert build_signature(data) == client.app.state.follower.signature  # type: ignore[attr-defined]
    assert list(pin_root(data).iterdir()) == []
