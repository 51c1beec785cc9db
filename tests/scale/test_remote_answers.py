"""The dev and dev2 questions answered with the graph embedded and on an Oxigraph server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.answer import answer
from kg.contract import answer_to_json
from kg.kb import KB, load_kb
from kg.publish import load_graph
from kg.settings import PROJECT_ROOT
from kg.store import RemoteStore
from kgqa.cluster import OxigraphServer
from tests.conftest import EMBED_MODEL

pytestmark = [pytest.mark.slow, pytest.mark.deck]
EVAL = PROJECT_ROOT.parent / "shared" / "eval"


def gold_questions() -> list[str]:
    """Every question of dev.jsonl and dev2.jsonl."""
    return [
        json.loads(line)["question"]
        for name in ("dev.jsonl", "dev2.jsonl")
        for line in (EVAL / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_remote_answers_equal_embedded_answers(
    tmp_path: Path, deck_data_dir: Path, deck_kb: KB
) -> None:
    questions = gold_questions()
    server = OxigraphServer(tmp_path / "oxigraph").start()
    try:
        load_graph(deck_data_dir, server.endpoint, timeout_s=300)
        with RemoteStore(server.endpoint, timeout_s=30) as store:
            remote = load_kb(deck_data_dir, embed_model=EMBED_MODEL, store=store, reuse=deck_kb)
            different = [
                question
                for question in questions
                if answer_to_json(answer(question, remote))
                != answer_to_json(answer(question, deck_kb))
            ]
    finally:
        server.stop()
    assert len(questions) > 150
    assert different == []
