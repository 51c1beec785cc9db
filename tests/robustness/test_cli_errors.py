"""The kgqa command on bad input: one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kg.settings import PROJECT_ROOT
from tests.robustness.conftest import kgqa_command

ASK = "ASK { ?s a <https://w3id.org/kgqa/ontology#Slide> }"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """kgqa with args, as a user runs it."""
    return subprocess.run(
        [*kgqa_command(), *args], capture_output=True, text=True, timeout=180, cwd=PROJECT_ROOT
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single error line of a failed run."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr[-800:]
    assert lines[0].startswith("error:")
    return lines[0]


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "JSON"])
def test_cli_errors_sparql_ask_prints_a_boolean(sample_data_dir: Path, fmt: str) -> None:
    result = run("sparql", ASK, "--data-dir", str(sample_data_dir), "--format", fmt)
    assert result.returncode == 0, result.stderr[-500:]
    assert "true" in result.stdout.lower()


@pytest.mark.parametrize("fmt", ["xml", "tsv", ""])
def test_cli_errors_sparql_unknown_format(sample_data_dir: Path, fmt: str) -> None:
    assert "format" in one_error_line(
        run("sparql", ASK, "--data-dir", str(sample_data_dir), "--format", fmt)
    )


BATCHES = {
    "not-json": "this is not json\n",
    "no-question-key": '{"q": "what is Redshift?"}\n',
    "question-not-string": '{"question": 42}\n',
    "array-line": '["what is Redshift?"]\n',
    "second-line-bad": '{"question": "what is Redshift?"}\n{"question": \n',
    "binary": "\udcff\udcfe",
}


@pytest.mark.parametrize("case", sorted(BATCHES))
def test_cli_errors_bad_batch_is_one_line(sample_data_dir: Path, tmp_path: Path, case: str) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(BATCHES[case].encode("utf-8", "surrogateescape"))
    line = one_error_line(run("ask", "--batch", str(batch), "--data-dir", str(sample_data_dir)))
    assert "batch.jsonl" in line


def test_cli_errors_missing_batch_file(sample_data_dir: Path, tmp_path: Path) -> None:
    one_error_line(run("ask", "--batch", str(tmp_path / "none.jsonl"), "--data-dir",
                       str(sample_data_dir)))  # fmt: skip


def test_cli_errors_batch_with_an_empty_question(sample_data_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"question": "   "}) + "\n", encoding="utf-8")
    assert "question 1" in one_error_line(
        run("ask", "--batch", str(batch), "--data-dir", str(sample_data_dir))
    )


@pytest.mark.parametrize(
    "args",
    [
        ["sparql", "SELECT * WHERE { ?s", "--data-dir", "{data}"],
        ["sparql", "CLEAR ALL", "--data-dir", "{data}"],
        [
            "sparql",
            "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            "--data-dir",
            "{data}",
        ],
        ["sparql", ASK, "--data-dir", "{missing}"],
        ["ask", "what is Redshift?", "--data-dir", "{missing}"],
        ["eval", "{missing}/gold.jsonl", "--data-dir", "{data}"],
        ["serve", "--data-dir", "{missing}"],
        ["ingest", "{missing}/deck.txt", "--data-dir", "{missing}/out", "--no-embed"],
    ],
    ids=[
        "malformed",
        "update",
        "service",
        "sparql-no-data",
        "ask-no-data",
        "eval-no-gold",
        "serve-no-data",
        "ingest-no-deck",
    ],  # fmt: skip
)
def test_cli_errors_are_one_line(sample_data_dir: Path, tmp_path: Path, args: list[str]) -> None:
    filled = [
        a.replace("{data}", str(sample_data_dir)).replace("{missing}", str(tmp_path / "missing"))
        for a in args
    ]
    one_error_line(run(*filled))
