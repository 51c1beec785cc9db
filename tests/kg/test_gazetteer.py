"""The curated gazetteer file and its loader: validation, normalisation, the alias table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kg.gazetteer import (
    ENTITY_TYPES,
    GazetteerEntry,
    alias_table,
    case_sensitive_aliases,
    load_gazetteer,
    normalise,
)
from kg.types import Entity

GAZETTEER = Path(__file__).resolve().parents[2] / "ontology" / "gazetteer.toml"


@pytest.fixture(scope="module")
def gazetteer() -> dict[str, Entity]:
    """The curated gazetteer, loaded once."""
    return load_gazetteer(GAZETTEER)


def write_toml(tmp_path: Path, text: str) -> Path:
    """A gazetteer file with the given body."""
    path = tmp_path / "gazetteer.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_gazetteer_curated_file_covers_every_type(gazetteer: dict[str, Entity]) -> None:
    counts = Counter(entity.type for entity in gazetteer.values())
    assert set(counts) == ENTITY_TYPES
    assert len(gazetteer) >= 150
    assert counts["Service"] >= 50


def test_gazetteer_curated_file_parents_exist(gazetteer: dict[str, Entity]) -> None:
    parents = {entity.part_of for entity in gazetteer.values()} - {None}
    assert parents <= set(gazetteer)


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("redshift-spectrum", "redshift"),
        ("enhanced-fan-out", "kinesis-data-streams"),
        ("glue-data-catalog", "glue"),
        ("s3-object-lambda", "s3"),
        ("emr-serverless", "emr"),
        ("opensearch-serverless", "opensearch"),
        ("athena-spark", "athena"),
        ("spice", "quicksight"),
        ("quicksight-q", "quicksight"),
        ("dax", "dynamodb"),
        ("dynamodb-streams", "dynamodb"),
        ("glue-studio", "glue"),
        ("glue-databrew", "glue"),
        ("glue-data-quality", "glue"),
        ("msk-connect", "msk"),
        ("msk-serverless", "msk"),
        ("snowball-edge", "snow-family"),
        ("snowcone", "snow-family"),
        ("snowmobile", "snow-family"),
    ],
)
def test_gazetteer_part_of_edges(gazetteer: dict[str, Entity], child: str, parent: str) -> None:
    assert gazetteer[child].part_of == parent


def test_gazetteer_flink_names_are_kinesis_data_analytics(gazetteer: dict[str, Entity]) -> None:
    table = alias_table(gazetteer)
    assert table["managed service for apache flink"] == "kinesis-data-analytics"
    assert table["msaf"] == "kinesis-data-analytics"
    assert table["elasticsearch"] == "opensearch"


def test_gazetteer_loader_returns_entities_with_case_flags(tmp_path: Path) -> None:
    path = write_toml(
        tmp_path,
        '[opensearch]\nlabel = "Amazon OpenSearch Service"\ntype = "Service"\n'
        'aliases = ["OpenSearch"]\ncase_sensitive_aliases = ["ES"]\n',
    )
    entity = load_gazetteer(path)["opensearch"]
    assert isinstance(entity, GazetteerEntry)
    assert entity.aliases == ("OpenSearch", "ES")
    assert case_sensitive_aliases(entity) == {"ES"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[x]\nlabel = "X"\ntype = "Gadget"\n', "unknown type"),
        ('[x]\nlabel = "X"\ntype = "Service"\npart_of = "nowhere"\n', "names no entry"),
        ('[x]\nlabel = "X"\ntype = "Service"\nsuccessor_of = "gone"\n', "names no entry"),
        (
            '[a]\nlabel = "A"\ntype = "Service"\naliases = ["Same Name"]\n'
            '[b]\nlabel = "B"\ntype = "Service"\naliases = ["same-name"]\n',
            "belongs to both",
        ),
        ('[x]\nlabel = "X"\ntype = "Service"\ncase_sensitive_aliases = ["es"]\n', "capital"),
        ('[x]\nlabel = "X"\ntype = "Service"\ncolour = "red"\n', "unknown field"),
        ('[Bad_Id]\nlabel = "X"\ntype = "Service"\n', "slug"),
        ('[a]\nlabel = "A"\ntype = "Feature"\npart_of = "a"\n', "cycle"),
        ("[x\n", "cannot read"),
    ],
)
def test_gazetteer_loader_rejects_bad_entries(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_gazetteer(write_toml(tmp_path, body))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Amazon Kinesis Data Firehose", "amazon kinesis data firehose"),
        ("Redshift\u2019s", "redshift"),
        ("Redshift's  COPY", "redshift copy"),
        ("Enhanced Fan\u2013Out", "enhanced fan out"),
        ("SSL/TLS", "ssl tls"),
        ("RANDOM_CUT_FOREST", "random cut forest"),
        ("  (KCL)  ", "kcl"),
    ],
)
def test_gazetteer_normalise_folds_case_punctuation_and_possessives(text: str, key: str) -> None:
    assert normalise(text) == key


def test_gazetteer_normalise_singularises_only_known_plurals() -> None:
    known = {"lambda function", "kinesis streams", "iam policy"}
    assert normalise("Lambda functions", known=known) == "lambda function"
    assert normalise("Kinesis Streams", known=known) == "kinesis streams"
    assert normalise("IAM policies", known=known) == "iam policy"
    assert normalise("data streams", known=known) == "data streams"


def test_gazetteer_alias_table_keeps_case_only_for_case_sensitive_aliases(
    gazetteer: dict[str, Entity],
) -> None:
    table = alias_table(gazetteer)
    assert table["ES"] == "opensearch"
    assert "es" not in table
    assert table["kds"] == "kinesis-data-streams"
    assert table["kinesis data firehose"] == "kinesis-data-firehose"
    assert all(key == key.casefold() or key.casefold() not in table for key in table)
