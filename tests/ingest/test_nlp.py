"""The ingest spaCy pipeline: gazetteer EntityRuler, lookup lemmas, unresolved product names."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from spacy.language import Language

from ingest.nlp import find_mentions, find_unresolved, make_nlp
from kg.gazetteer import load_gazetteer
from kg.settings import PROJECT_ROOT, SHARED_DECK
from kg.types import Entity

GAZETTEER = PROJECT_ROOT / "ontology" / "gazetteer.toml"


@pytest.fixture(scope="module")
def gazetteer() -> dict[str, Entity]:
    """The curated gazetteer, loaded once."""
    return load_gazetteer(GAZETTEER)


@pytest.fixture(scope="module")
def nlp(gazetteer: dict[str, Entity]) -> Language:
    """The ingest pipeline over the curated gazetteer, built once."""
    return make_nlp(gazetteer)


def mentioned(nlp: Language, text: str) -> list[tuple[str, str]]:
    """(entity id, surface text) of every mention in text."""
    return [(entity, text[start:end]) for entity, start, end in find_mentions(nlp(text))]


def test_nlp_pipeline_is_blank_ruler_and_lookup_lemmatizer(nlp: Language) -> None:
    assert nlp.pipe_names == ["lemmatizer", "entity_ruler"]
    assert [token.lemma_ for token in nlp("functions were written")] == ["function", "be", "write"]


def test_nlp_tags_labels_and_aliases_with_ids_and_types(nlp: Language) -> None:
    doc = nlp("Firehose loads data into Amazon Redshift via S3 and the KPL.")
    assert [(ent.text, ent.ent_id_, ent.label_) for ent in doc.ents] == [
        ("Firehose", "kinesis-data-firehose", "Service"),
        ("Amazon Redshift", "redshift", "Service"),
        ("S3", "s3", "Service"),
        ("KPL", "kinesis-producer-library", "Software"),
    ]


def test_nlp_longest_match_wins(nlp: Language) -> None:
    assert mentioned(nlp, "Kinesis Data Firehose and Redshift Spectrum") == [
        ("kinesis-data-firehose", "Kinesis Data Firehose"),
        ("redshift-spectrum", "Redshift Spectrum"),
    ]


def test_nlp_matches_case_insensitively_except_case_sensitive_aliases(nlp: Language) -> None:
    assert mentioned(nlp, "KINESIS DATA STREAMS to ES") == [
        ("kinesis-data-streams", "KINESIS DATA STREAMS"),
        ("opensearch", "ES"),
    ]
    assert mentioned(nlp, "es hue slack copy the spectrum") == []


def test_nlp_matches_plurals_possessives_and_hyphen_variants(nlp: Language) -> None:
    text = "Redshift's queues, Lambda functions, Enhanced Fan Out and SSE-KMS"
    assert [entity for entity, _ in mentioned(nlp, text)] == [
        "redshift",
        "lambda",
        "enhanced-fan-out",
        "sse-kms",
    ]


def test_nlp_works_with_plain_entities() -> None:
    nlp = make_nlp({"foo": Entity("foo", "Foo Bar", "Service", ("FB",))})
    assert find_mentions(nlp("Use foo bar or FB.")) == [("foo", 4, 11), ("foo", 15, 17)]


def test_nlp_find_unresolved_reports_unknown_product_names(
    nlp: Language, gazetteer: dict[str, Entity]
) -> None:
    doc = nlp("Amazon Widget Store feeds AWS Glue and FooBarHub; call PutRecords on AWS Cloud.")
    assert find_unresolved(doc, gazetteer) == ["Amazon Widget Store", "FooBarHub"]


def test_nlp_find_unresolved_skips_known_and_glued_names(
    nlp: Language, gazetteer: dict[str, Entity]
) -> None:
    doc = nlp("AWS Lake Formation and GuardDuty; KeyS3 label; SnowmobileSnowcone")
    assert find_unresolved(doc, gazetteer) == []


@pytest.mark.deck
def test_nlp_processes_the_whole_deck_in_seconds(nlp: Language) -> None:
    if not SHARED_DECK.exists():
        pytest.skip(f"{SHARED_DECK} is not present")
    lines = Path(SHARED_DECK).read_text(encoding="utf-8").splitlines()
    started = time.perf_counter()
    found = {
        entity for doc in nlp.pipe(lines, batch_size=512) for entity, _, _ in find_mentions(doc)
    }
    assert time.perf_counter() - started < 10
    assert {"kinesis-data-streams", "redshift", "glue-data-catalog", "hue"} <= found
    assert len(found) > 200
