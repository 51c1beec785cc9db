"""The kgqa command through typer's CliRunner: ingest, sparql, ask."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kg.contract as kg_contract
from kg.settings import PROJECT_ROOT
from kgqa.cli import app

SAMPLE_DECK = PROJECT_ROOT / "tests" / "data" / "sample-deck.txt"
CONTRACT_KEYS = set(kg_contract.CONTRACT_KEYS)
COUNT_DECKS = "SELECT (COUNT(?d) AS ?n) WHERE { ?d a kg:Deck }"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    """A CLI runner with a wide terminal so tables are not wrapped."""
    return CliRunner(env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def data_dir(runner: CliRunner, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample deck ingested by `kgqa ingest --no-embed`."""
    out = tmp_path_factory.mktemp("cli") / "data"
    result = runner.invoke(app, ["ingest", str(SAMPLE_DECK), "--data-dir", str(out), "--no-embed"])
    assert result.exit_code == 0, result.output
    return out


def test_cli_ingest_writes_data_dir_and_prints_summary(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "data"
    result = runner.invoke(app, ["ingest", str(SAMPLE_DECK), "--data-dir", str(out), "--no-embed"])
    assert result.exit_code == 0, result.output
    assert {"graph.nq", "summary.json"} <= {p.name for p in out.iterdir()}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = {
        cells[0]: cells[1]
        for line in result.output.splitlines()
        if (cells := [c.strip() for c in line.split("│") if c.strip()]) and len(cells) == 2
    }
    assert rows["slides"] == str(summary["slides"]) and rows["triples"] == str(summary["triples"])
    assert rows["SHACL"] == "conforms" and rows["vectors"] == "0"
    assert summary["vectors"] == 0


def test_cli_ingest_missing_deck_is_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = runner.invoke(
        app, ["ingest", str(missing), "--data-dir", str(tmp_path / "data"), "--no-embed"]
    )
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "nope.txt" in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "data").exists()


def test_cli_sparql_json(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(
        app, ["sparql", COUNT_DECKS, "--data-dir", str(data_dir), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": "1"}]


def test_cli_sparql_csv(runner: CliRunner, data_dir: Path) -> None:
    query = """SELECT ?target WHERE {
                 <https://w3id.org/kgqa/id/entity/kinesis-data-streams> kg:writesTo ?target }
               ORDER BY ?target"""
    result = runner.invoke(app, ["sparql", query, "--data-dir", str(data_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["target"]
    targets = {row[0].rsplit("/", 1)[-1] for row in rows[1:]}
    assert {"lambda", "kinesis-data-firehose"} <= targets


def test_cli_sparql_table(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(app, ["sparql", COUNT_DECKS, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "1 rows" in result.output and "┃ n" in result.output


def test_cli_sparql_update_is_refused(runner: CliRunner, data_dir: Path) -> None:
    before = (data_dir / "graph.nq").read_bytes()
    result = runner.invoke(
        app, ["sparql", "DELETE WHERE { ?s ?p ?o }", "--data-dir", str(data_dir)]
    )
    assert result.exit_code != 0
    assert "read-only" in result.output
    assert (data_dir / "graph.nq").read_bytes() == before


def test_cli_sparql_without_data_is_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["sparql", COUNT_DECKS, "--data-dir", str(tmp_path / "none")])
    assert result.exit_code != 0
    assert [line for line in result.output.splitlines() if line.strip()][0].startswith("error:")


@pytest.mark.slow
def test_cli_ask_prints_answer(runner: CliRunner, sample_data_dir: Path) -> None:
    result = runner.invoke(
        app, ["ask", "What is the maximum message size in SQS?", "--data-dir", str(sample_data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "intent" in result.output and "confidence" in result.output


@pytest.mark.slow
def test_cli_ask_json_has_contract_keys(runner: CliRunner, sample_data_dir: Path) -> None:
    question = "Which services can Kinesis Data Firehose write to?"
    result = runner.invoke(app, ["ask", question, "--json", "--data-dir", str(sample_data_dir)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert CONTRACT_KEYS <= set(payload)
    assert payload["question"] == question
    assert isinstance(payload["items"], list) and isinstance(payload["sources"], list)
