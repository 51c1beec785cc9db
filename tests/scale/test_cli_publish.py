"""`kgqa publish` and `kgqa ingest --jobs` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kg.publish import dataset_id, read_pointer
from kg.settings import PROJECT_ROOT
from kgqa.cli import app
from tests.scale.conftest import OxigraphServer

DECKS = [PROJECT_ROOT / "tests" / "data" / name for name in ("sample-deck.txt", "tiny-deck.txt")]


def test_cli_publish_and_roll_back(
    tmp_path: Path, oxigraph_pair: tuple[OxigraphServer, ...]
) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})
    first, second, root = tmp_path / "one", tmp_path / "two", tmp_path / "versions"
    for deck, out, jobs in ((DECKS[:1], first, "1"), (DECKS, second, "2")):
        args = ["ingest", *map(str, deck), "--data-dir", str(out), "--no-embed", "--jobs", jobs]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    blue, green = (server.endpoint for server in oxigraph_pair)
    target = ["--to", blue.query_url, "--store-url", blue.store_url]
    result = runner.invoke(app, ["publish", str(first), "--into", str(root), *target])
    assert result.exit_code == 0, result.output
    assert f"current version under {root}: {dataset_id(first)}" in result.output
    target = ["--to", green.query_url, "--update-url", green.update_url]  # INSERT DATA path
    result = runner.invoke(app, ["publish", str(second), "--into", str(root), *target])
    assert result.exit_code == 0, result.output
    pointer = read_pointer(root)
    assert pointer is not None and pointer.current == dataset_id(second)
    record = json.loads((root / "versions" / pointer.current / "version.json").read_text())
    assert [d["deck"] for d in record["decks"]] == ["sample-deck", "tiny-deck"]
    result = runner.invoke(app, ["publish", "--rollback", "--into", str(root)])
    assert result.exit_code == 0, result.output
    assert read_pointer(root).current == dataset_id(first)  # type: ignore[union-attr]
    result = runner.invoke(app, ["publish", "--rollback", "--into", str(root)])
    assert result.exit_code == 2 and "nothing to roll back" in result.output


def test_cli_publish_needs_a_versions_root(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["publish", str(tmp_path)])
    assert result.exit_code == 2 and "KGQA_VERSIONS_DIR" in result.output
