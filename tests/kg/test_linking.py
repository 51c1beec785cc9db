"""Entity linking of questions against the curated gazetteer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.gazetteer import alias_table, label_table, load_gazetteer
from kg.linking import Mention, link_entities

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = ROOT.parent / "shared" / "eval"
KINESIS_READINGS = ("kinesis-data-streams", "kinesis-data-firehose", "kinesis-data-analytics")

# Generic English and AWS-ish words that must never link on their own.
COMMON_WORDS = """
the be to of and a in that have it for not on with he as you do at this but his by from they we
say her she or an will my one all would there their what so up out if about who get which go me
when make can like time no just him know take people into year your good some could them see other
than then now look only come its over think also back after use two how our work first well way
even new want because any these give day most us is are was were been has had did does done
data stream streams table tables query queries bucket buckets cluster clusters service services
function functions shard shards cache key keys policy policies log logs record records message
messages queue topic partition node nodes instance instances database warehouse lake catalog
crawler job jobs notebook dashboard report chart index document volume snapshot backup region
zone account role user group permission secret certificate token session endpoint gateway
connector library agent client server event trigger object file format compression encryption
security storage analytics processing collection visualization serverless managed streaming
ingestion replication throughput latency consumer producer batch buffer retention checkpoint
schema engine application pipeline transform load extract copy spectrum spice slack hue pig
excel derby ranger iceberg beats inspector sap zip snappy yarn es q sql ml ttl cold storage
""".split()


@pytest.fixture(scope="module")
def tables() -> tuple[dict[str, str], dict[str, str]]:
    """(alias table, label table) of the curated gazetteer."""
    gazetteer = load_gazetteer(ROOT / "ontology" / "gazetteer.toml")
    return alias_table(gazetteer), label_table(gazetteer)


def link(question: str, tables: tuple[dict[str, str], dict[str, str]]) -> list[Mention]:
    """Link a question with the curated tables."""
    aliases, labels = tables
    return link_entities(question, aliases=aliases, labels=labels)


def ids(question: str, tables: tuple[dict[str, str], dict[str, str]]) -> list[str]:
    """The entity ids a question links to, in order."""
    return [mention.entity for mention in link(question, tables)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Where can KDF deliver data?", ["kinesis-data-firehose"]),
        ("Is Amazon ES the same as Elasticsearch?", ["opensearch", "opensearch"]),
        ("KDA or Managed Service for Apache Flink or MSAF", ["kinesis-data-analytics"] * 3),
        ("Kinesis Firehose, Data Firehose", ["kinesis-data-firehose"] * 2),
        ("DAX in front of DDB", ["dax", "dynamodb"]),
        ("What does SCT do next to DMS?", ["sct", "dms"]),
        ("Spark and Hive on EMR", ["spark", "hive", "emr"]),
    ],
)
def test_linking_resolves_aliases_and_abbreviations(
    tables: tuple[dict[str, str], dict[str, str]], question: str, expected: list[str]
) -> None:
    assert ids(question, tables) == expected


def test_linking_ignores_case_and_punctuation(
    tables: tuple[dict[str, str], dict[str, str]],
) -> None:
    assert ids("kinesis DATA firehose", tables) == ["kinesis-data-firehose"]
    assert ids("enhanced fan out vs Enhanced Fan-Out", tables) == ["enhanced-fan-out"] * 2
    assert ids("sse kms", tables) == ["sse-kms"]


def test_linking_case_sensitive_aliases_need_exact_case(
    tables: tuple[dict[str, str], dict[str, str]],
) -> None:
    assert ids("Can ES index logs? es", tables) == ["opensearch"]
    assert ids("Send alerts to Slack", tables) == ["slack"]
    assert ids("cut some slack", tables) == []


def test_linking_handles_plurals_and_possessives(
    tables: tuple[dict[str, str], dict[str, str]],
) -> None:
    mentions = link("Redshift's limits, Lambda functions and DDB tables", tables)
    assert [(m.entity, m.text) for m in mentions] == [
        ("redshift", "Redshift"),
        ("lambda", "Lambda functions"),
        ("dynamodb", "DDB tables"),
    ]
    assert [m.text for m in link("Redshift\u2019s COPY", tables)] == ["Redshift\u2019s COPY"]
    assert ids("two Kinesis streams", tables) == ["kinesis-data-streams"]


@pytest.mark.parametrize(
    ("typo", "entity"),
    [
        ("redshfit", "redshift"),
        ("kinesis firehouse", "kinesis-data-firehose"),
        ("dynamo db", "dynamodb"),
        ("athen", "athena"),
        ("Opensearch", "opensearch"),
        ("quicksigth", "quicksight"),
        ("cloud trail", "cloudtrail"),
        ("elasticmapreduce", "emr"),
    ],
)
def test_linking_tolerates_typos(
    tables: tuple[dict[str, str], dict[str, str]], typo: str, entity: str
) -> None:
    mentions = link(f"How does {typo} scale?", tables)
    assert [(m.entity, m.text) for m in mentions] == [(entity, typo)]
    assert 0.6 <= mentions[0].score <= 1.0


def test_linking_bare_kinesis_is_ambiguous(tables: tuple[dict[str, str], dict[str, str]]) -> None:
    (mention,) = link("Is Kinesis serverless?", tables)
    assert mention.entity == "kinesis-data-streams"
    assert mention.candidates == KINESIS_READINGS
    assert mention.score < 1.0
    (full,) = link("Is Kinesis Data Streams serverless?", tables)
    assert full.candidates == ("kinesis-data-streams",) and full.score == 1.0


def test_linking_prefers_the_longest_match(tables: tuple[dict[str, str], dict[str, str]]) -> None:
    mentions = link("Kinesis Data Firehose vs S3 Object Lambda and Redshift Spectrum", tables)
    assert [(m.entity, m.text) for m in mentions] == [
        ("kinesis-data-firehose", "Kinesis Data Firehose"),
        ("s3-object-lambda", "S3 Object Lambda"),
        ("redshift-spectrum", "Redshift Spectrum"),
    ]


def test_linking_returns_ordered_non_overlapping_spans(
    tables: tuple[dict[str, str], dict[str, str]],
) -> None:
    question = "Can KDS feed Firehose, then S3, Glue Data Catalog, Athena and QuickSight?"
    mentions = link(question, tables)
    assert [m.entity for m in mentions] == [
        "kinesis-data-streams",
        "kinesis-data-firehose",
        "s3",
        "glue-data-catalog",
        "athena",
        "quicksight",
    ]
    assert all(question[m.start : m.end] == m.text for m in mentions)
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:], strict=False))


def test_linking_does_not_join_words_across_brackets_or_sentences(
    tables: tuple[dict[str, str], dict[str, str]],
) -> None:
    mentions = link("How often do Index State Management (ISM) policies run?", tables)
    assert [m.text for m in mentions] == ["Index State Management", "ISM"]
    assert [m.text for m in link("Use Kinesis. Data Firehose, then?", tables)] == [
        "Kinesis",
        "Data Firehose",
    ]
    assert [m.text for m in link("Chart.js or SSL/TLS", tables)] == ["Chart.js", "SSL/TLS"]


def test_linking_common_words_link_to_nothing(
    tables: tuple[dict[str, str], dict[str, str]],
) -> None:
    assert len(COMMON_WORDS) >= 200
    linked = {word: ids(word, tables) for word in COMMON_WORDS}
    assert {word: found for word, found in linked.items() if found} == {}
    sentence = "how do i stream data from a table into a bucket with a function and a data pipeline"
    assert ids(sentence, tables) == []


def test_linking_only_returns_entities_in_labels(
    tables: tuple[dict[str, str], dict[str, str]],
) -> None:
    aliases, labels = tables
    without_kdf = {k: v for k, v in labels.items() if v != "Amazon Kinesis Data Firehose"}
    assert link_entities("KDF and Kinesis", aliases=aliases, labels=without_kdf) == [
        Mention(
            "kinesis-data-streams",
            "Kinesis",
            8,
            15,
            0.5,
            ("kinesis-data-streams", "kinesis-data-analytics"),
        )
    ]


def score_norm(name: str, aliases: dict[str, str]) -> str:
    """The scorer's norm_label (../shared/eval/score.py), reimplemented."""
    s = name.lower().replace("&", " and ")
    s = re.sub(r"\(.*?\)", " ", s)
    s = re.sub(r"[^a-z0-9 ]+", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    for prefix in ("amazon ", "aws ", "apache "):
        s = s.removeprefix(prefix)
    return aliases.get(s, s)


def test_linking_dev_answer_items_resolve_to_scored_labels(
    tables: tuple[dict[str, str], dict[str, str]],
) -> None:
    if not (EVAL_DIR / "aliases.json").exists():
        pytest.skip("../shared/eval is not present")
    scorer_aliases = json.loads((EVAL_DIR / "aliases.json").read_text())
    items = {
        item
        for line in (EVAL_DIR / "dev.jsonl").read_text().splitlines()
        if line.strip()
        for item in json.loads(line)["answer_items"]
    }
    _, labels = tables
    wrong = {}
    for item in sorted(items):
        mentions = link(item, tables)
        label = labels[mentions[0].entity] if len(mentions) == 1 else None
        whole = len(mentions) == 1 and mentions[0].text == item
        if not whole or score_norm(label or "", scorer_aliases) != score_norm(item, scorer_aliases):
            wrong[item] = [(m.text, m.entity) for m in mentions]
    assert items and wrong == {}


# The services and topics of ../shared/corpus/FORMAT.md section 2, as the deck spells them.
FORMAT_SECTION_2 = {
    "Kinesis Data Streams": "kinesis-data-streams",
    "Kinesis Producer Library": "kinesis-producer-library",
    "Kinesis Agent": "kinesis-agent",
    "Kinesis Client Library": "kinesis-client-library",
    "Kinesis Connector Library": "kinesis-connector-library",
    "Enhanced Fan-Out": "enhanced-fan-out",
    "Kinesis Data Firehose": "kinesis-data-firehose",
    "CloudWatch Logs": "cloudwatch-logs",
    "SQS": "sqs",
    "SQS FIFO": "sqs-fifo",
    "SQS Extended Client": "sqs-extended-client",
    "DMS": "dms",
    "SCT": "sct",
    "Direct Connect": "direct-connect",
    "Snow Family": "snow-family",
    "Snowball Edge": "snowball-edge",
    "Snowcone": "snowcone",
    "Snowmobile": "snowmobile",
    "OpsHub": "opshub",
    "DataSync": "datasync",
    "MSK": "msk",
    "MSK Connect": "msk-connect",
    "MSK Serverless": "msk-serverless",
    "IoT": "iot-core",
    "Data Pipeline": "data-pipeline",
    "S3": "s3",
    "Glacier": "s3-glacier",
    "S3 Analytics": "s3-analytics",
    "EventBridge": "eventbridge",
    "Transfer Acceleration": "s3-transfer-acceleration",
    "S3 Select": "s3-select",
    "Glacier Select": "glacier-select",
    "SSE-S3": "sse-s3",
    "SSE-KMS": "sse-kms",
    "SSE-C": "sse-c",
    "Access Points": "s3-access-points",
    "Object Lambda": "s3-object-lambda",
    "DynamoDB": "dynamodb",
    "PartiQL": "partiql",
    "LSI": "dynamodb-lsi",
    "GSI": "dynamodb-gsi",
    "DAX": "dax",
    "DynamoDB Streams": "dynamodb-streams",
    "ElastiCache": "elasticache",
    "Redis": "redis",
    "Memcached": "memcached",
    "Neptune": "neptune",
    "Timestream": "timestream",
    "Lambda": "lambda",
    "Glue": "glue",
    "Glue Data Catalog": "glue-data-catalog",
    "Hive": "hive",
    "Glue Studio": "glue-studio",
    "Glue Data Quality": "glue-data-quality",
    "DataBrew": "glue-databrew",
    "Lake Formation": "lake-formation",
    "Amazon Security Lake": "security-lake",
    "EMR": "emr",
    "HDFS": "hdfs",
    "EMRFS": "emrfs",
    "EBS": "ebs",
    "EMR Serverless": "emr-serverless",
    "EMR on EKS": "emr-on-eks",
    "Hadoop": "hadoop",
    "Spark": "spark",
    "Athena for Apache Spark": "athena-spark",
    "Pig": "pig",
    "HBase": "hbase",
    "Presto": "presto",
    "Zeppelin": "zeppelin",
    "EMR Notebook": "emr-notebooks",
    "Hue": "hue",
    "Splunk": "splunk",
    "Flume": "flume",
    "MXNet": "mxnet",
    "S3DistCp": "s3distcp",
    "Amazon ML": "machine-learning",
    "SageMaker": "sagemaker",
    "Kinesis Data Analytics": "kinesis-data-analytics",
    "Managed Service for Apache Flink": "kinesis-data-analytics",
    "RANDOM_CUT_FOREST": "random-cut-forest",
    "OpenSearch": "opensearch",
    "UltraWarm": "opensearch-ultrawarm",
    "ISM": "opensearch-ism",
    "OpenSearch Serverless": "opensearch-serverless",
    "Athena": "athena",
    "Iceberg": "iceberg",
    "Redshift": "redshift",
    "Redshift Spectrum": "redshift-spectrum",
    "Concurrency Scaling": "concurrency-scaling",
    "Short Query Acceleration": "short-query-acceleration",
    "WLM": "redshift-wlm",
    "AQUA": "aqua",
    "Redshift ML": "redshift-ml",
    "Redshift Serverless": "redshift-serverless",
    "RDS": "rds",
    "Aurora": "aurora",
    "QuickSight": "quicksight",
    "SPICE": "spice",
    "ML Insights": "quicksight-ml-insights",
    "QuickSight Q": "quicksight-q",
    "D3.js": "d3js",
    "Chart.js": "chartjs",
    "Highchart.js": "highcharts",
    "Tableau": "tableau",
    "MicroStrategy": "microstrategy",
    "KMS": "kms",
    "CloudHSM": "cloudhsm",
    "STS": "sts",
    "SAML": "saml",
    "Cognito": "cognito",
    "IAM": "iam",
    "CloudTrail": "cloudtrail",
    "VPC Endpoints": "vpc-endpoints",
    "PrivateLink": "privatelink",
    "EC2": "ec2",
    "AppSync": "appsync",
    "Kendra": "kendra",
    "AWS Data Exchange": "data-exchange",
    "AppFlow": "appflow",
}


@pytest.mark.parametrize(("name", "entity"), sorted(FORMAT_SECTION_2.items()))
def test_linking_format_section_2_names_resolve(
    tables: tuple[dict[str, str], dict[str, str]], name: str, entity: str
) -> None:
    mentions = link(name, tables)
    assert [(m.entity, m.text, m.score) for m in mentions] == [(entity, name, 1.0)]


def test_linking_a_typo_match_keeps_the_words_an_exact_match_read(
    tables: tuple[dict[str, str], dict[str, str]],
) -> None:
    assert [m.entity for m in link("Is SQS server-side encryption on?", tables)] == ["sqs"]
    found = link("Can Kinesis Firehos write to S3?", tables)
    assert [m.entity for m in found] == ["kinesis-data-firehose", "s3"]
