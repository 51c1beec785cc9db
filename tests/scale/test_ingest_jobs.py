"""`kgqa ingest --jobs N`: decks extracted in parallel give exactly the serial result."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import extract_decks
from kg.gazetteer import load_gazetteer
from kg.settings import PROJECT_ROOT
from ontology.terms import GAZETTEER

DECKS = [PROJECT_ROOT / "tests" / "data" / name for name in ("sample-deck.txt", "tiny-deck.txt")]


def test_ingest_jobs_extract_like_one_job(tmp_path: Path) -> None:
    copy = tmp_path / "sample-deck.txt"  # same deck id: the copy is renamed, in both modes
    copy.write_text(DECKS[0].read_text())
    gazetteer = load_gazetteer(GAZETTEER)
    serial = extract_decks([*DECKS, copy, tmp_path / "missing.txt"], gazetteer)
    parallel = extract_decks([*DECKS, copy, tmp_path / "missing.txt"], gazetteer, jobs=2)
    assert [d.deck for d in parallel.decks] == [d.deck for d in serial.decks]
    assert len({d.deck for d in serial.decks}) == 3
    assert parallel.decks == serial.decks
    assert parallel.facts == serial.facts and len(serial.facts) > 100
    assert parallel.unresolved == serial.unresolved
    assert parallel.failures == serial.failures and len(serial.failures) == 1
