"""ingest.pipeline.ingest on bad inputs, several decks, and the real deck."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from fpdf import FPDF

from ingest.pipeline import ingest
from kg.build import SUMMARY_FILE
from kg.errors import BadDeck
from kg.graph import load_store, run_query
from kg.settings import PROJECT_ROOT, SHARED_DECK
from ontology.terms import KGI

TINY_DECK = PROJECT_ROOT / "tests" / "data" / "tiny-deck.txt"
MODEL = "test-model"


def run(paths: list[Path], out: Path):  # type: ignore[no-untyped-def]
    """Ingest without embeddings."""
    return ingest(paths, out, embed=None, embed_model=MODEL)


def select(store: ox.Store, query: str) -> list[tuple[str | None, ...]]:
    """Rows of a SELECT as tuples of plain values (None where unbound)."""
    results = run_query(store, f"PREFIX ent: <{KGI['entity/']}>\n{query}")
    names = [v.value for v in results.variables]
    return [tuple(None if row[n] is None else row[n].value for n in names) for row in results]


def blank_pdf(path: Path) -> Path:
    """A two-page PDF with drawings and no text layer."""
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 80, 40)
    pdf.output(str(path))
    return path


# ----------------------------------------------------------------- bad inputs


def test_pipeline_missing_file_raises_bad_deck(tmp_path: Path) -> None:
    with pytest.raises(BadDeck, match="does not exist"):
        run([tmp_path / "nope.txt"], tmp_path / "data")
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b"  \n\n \n", "is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", " Caf\xe9 Slide\n\n- na\xefve\n".encode("latin-1"), "not UTF-8"),
        ("untitled.txt", b"no titles here\njust lines\n", "no slide titles"),
    ],
)
def test_pipeline_bad_text_deck_is_reported(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    deck = tmp_path / name
    deck.write_bytes(content)
    with pytest.raises(BadDeck, match=message) as info:
        run([deck], tmp_path / "data")
    assert name in str(info.value)
    assert not (tmp_path / "data").exists()


def test_pipeline_pdf_without_text_layer_is_reported(tmp_path: Path) -> None:
    deck = blank_pdf(tmp_path / "scanned.pdf")
    with pytest.raises(BadDeck, match="no text layer"):
        run([deck], tmp_path / "data")


def test_pipeline_corrupt_pdf_is_reported(tmp_path: Path) -> None:
    deck = tmp_path / "broken.pdf"
    deck.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    with pytest.raises(BadDeck, match="broken.pdf"):
        run([deck], tmp_path / "data")


def test_pipeline_pdf_with_text_layer_gives_one_slide_per_page(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=14)
    for title, line in [
        ("Amazon SQS", "- Max message size is 256KB"),
        ("Kinesis Data Firehose", "- Load data into Amazon S3"),
    ]:
        pdf.add_page()
        pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "two.pdf"))
    report, extraction = run([tmp_path / "two.pdf"], tmp_path / "data")
    assert report.slides == 2
    assert [s.page for s in extraction.decks[0].slides] == [1, 2]
    relations = {
        (f.subject, f.relation, f.object, f.slide) for f in extraction.facts if f.kind == "relation"
    }
    assert relations == {("kinesis-data-firehose", "flow", "s3", 2)}


def test_pipeline_good_deck_survives_a_bad_one(tmp_path: Path) -> None:
    bad = blank_pdf(tmp_path / "scanned.pdf")
    report, extraction = run([bad, TINY_DECK], tmp_path / "data")
    assert [d.file_name for d in extraction.decks] == ["tiny-deck.txt"]
    assert len(extraction.failures) == 1 and "scanned.pdf" in extraction.failures[0]
    assert report.slides == 4
    summary = json.loads((tmp_path / "data" / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert [d["file"] for d in summary["decks"]] == ["tiny-deck.txt"]


# ----------------------------------------------------------------- several decks


def test_pipeline_two_decks_keep_their_identity(tmp_path: Path) -> None:
    other = tmp_path / "Other Deck.txt"
    other.write_text(
        TINY_DECK.read_text(encoding="utf-8").replace("Splunk", "Amazon OpenSearch"),
        encoding="utf-8",
    )
    report, extraction = run([TINY_DECK, other], tmp_path / "data")
    assert report.slides == 8
    assert {(d.deck, d.file_name) for d in extraction.decks} == {
        ("tiny-deck", "tiny-deck.txt"),
        ("other-deck", "Other Deck.txt"),
    }
    store = load_store(tmp_path / "data")
    decks = select(
        store,
        """
        SELECT ?deck ?file ?sha WHERE { ?deck a kg:Deck ; kg:fileName ?file ; kg:sha256 ?sha }""",
    )
    assert len(decks) == 2
    assert {(d, f) for d, f, _ in decks} == {
        ("https://w3id.org/kgqa/id/deck/tiny-deck", "tiny-deck.txt"),
        ("https://w3id.org/kgqa/id/deck/other-deck", "Other Deck.txt"),
    }
    assert len({sha for *_, sha in decks}) == 2
    # Each deck's writesTo edge is stated on its own slide, in its own deck.
    rows = select(
        store,
        """
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?target ?deck WHERE {
          GRAPH ?slide { ent:kinesis-data-firehose kg:writesTo ?target }
          ?slide dcterms:isPartOf ?deck }""",
    )
    by_deck = {(t.rsplit("/", 1)[-1], d.rsplit("/", 1)[-1]) for t, d in rows}
    assert ("splunk", "tiny-deck") in by_deck and ("opensearch", "other-deck") in by_deck
    assert ("splunk", "other-deck") not in by_deck and ("opensearch", "tiny-deck") not in by_deck


def test_pipeline_same_file_name_in_two_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = shutil.copy(TINY_DECK, tmp_path / "a" / "deck.txt")
    second = tmp_path / "b" / "deck.txt"
    second.write_text(
        TINY_DECK.read_text(encoding="utf-8").replace("Splunk", "OpenSearch"), encoding="utf-8"
    )
    report, extraction = run([Path(first), second], tmp_path / "data")
    assert report.slides == 8
    assert len({d.deck for d in extraction.decks}) == 2


# ----------------------------------------------------------------- the real deck


@pytest.fixture(scope="module")
def deck_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[ox.Store, dict[str, object]]:
    """The real deck ingested without embeddings; skipped when the deck is absent."""
    if not SHARED_DECK.exists():
        pytest.skip(f"the real deck is not at {SHARED_DECK}")
    out = tmp_path_factory.mktemp("deck") / "data"
    run([SHARED_DECK], out)
    summary = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    return load_store(out), summary


@pytest.mark.slow
@pytest.mark.deck
def test_pipeline_real_deck(deck_store: tuple[ox.Store, dict[str, object]]) -> None:
    store, summary = deck_store
    assert abs(int(summary["slides"]) - 517) <= 10  # type: ignore[call-overload]
    assert summary["shacl_conforms"] is True
    relations: dict[str, int] = summary["relations_by_kind"]  # type: ignore[assignment]
    assert 150 <= relations["flow"] <= 1500
    assert 1 <= relations.get("not flow", 0) <= 100
    facts: dict[str, int] = summary["facts_by_kind"]  # type: ignore[assignment]
    assert 100 <= facts["limit"] <= 1500 and 100 <= facts["security"] <= 1500

    def targets(subject: str, prop: str = "writesTo") -> set[str]:
        rows = select(store, f"SELECT DISTINCT ?o WHERE {{ ent:{subject} kg:{prop} ?o }}")
        return {o.rsplit("/", 1)[-1] for (o,) in rows}

    assert {"s3", "redshift", "opensearch", "splunk"} <= targets("kinesis-data-firehose")
    # Redshift receives from S3 through COPY, and from KDS/MSK through streaming ingestion.
    feeders = select(
        store,
        """
        SELECT DISTINCT ?src ?via WHERE {
          ?src kg:writesTo ?via . ?via kg:partOf* ent:redshift }""",
    )
    pairs = {(s.rsplit("/", 1)[-1], v.rsplit("/", 1)[-1]) for s, v in feeders}
    assert ("s3", "redshift-copy") in pairs
    # Streaming ingestion lands in Redshift itself or in its streaming-ingestion feature.
    assert {"kinesis-data-streams", "msk"} <= {source for source, _ in pairs}

    # "Spark / KCL do not read from KDF": negative fact, and never a positive edge.
    negations = select(
        store,
        """
        SELECT ?o ?text WHERE {
          ent:kinesis-data-firehose kg:hasNegation ?n .
          ?n kg:negatedProperty kg:writesTo ; kg:object ?o ; kg:text ?text }""",
    )
    assert any(o.endswith("/spark") and "do not read" in text for o, text in negations)
    assert "spark" not in targets("kinesis-data-firehose")
    assert "kinesis-client-library" not in targets("kinesis-data-firehose")

    limits = select(
        store,
        """
        SELECT ?slide ?line WHERE {
          GRAPH ?slide { ent:sqs kg:hasLimit ?l .
                         ?l kg:quantity "message size" ; kg:value ?v ; kg:unit ?u ;
                            kg:lineStart ?line } FILTER(?v = 256 && STRENDS(STR(?u), "/KB")) }""",
    )
    assert limits, "the SQS 256 KB message size limit is missing"
    assert all("/slide/das-c01-slides/" in slide for slide, _ in limits)

    anti = select(
        store,
        """
        SELECT ?text ?alt WHERE { ent:lambda kg:hasAntiPattern ?a . ?a kg:text ?text
          OPTIONAL { ?a kg:alternative ?alt } }""",
    )
    assert any("Long-running" in text for text, _ in anti)
    assert any(alt is not None and alt.endswith("/ec2") for _, alt in anti)
