"""answer() end to end on the sample deck (per intent, several phrasings) and on the real deck."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.answer import answer
from kg.contract import CONTRACT_KEYS, answer_to_json
from kg.errors import BadQuery
from kg.kb import KB
from kg.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
# What the answer pipeline reaches on each gold set (accuracy, evidence recall@5); CI fails more
# than GUARD_MARGIN below it.
REACHED = {"dev": (0.943, 1.0), "dev2": (0.975, 0.992)}
GUARD_MARGIN = 0.03


def labels(result) -> set[str]:  # type: ignore[no-untyped-def]
    """The item labels of an answer."""
    return {item.label for item in result.items}


@pytest.mark.parametrize(
    "question",
    [
        "which services can write to Redshift?",
        "What can load data into Amazon Redshift?",
        "who pushes data into redshfit?",
    ],
)
def test_answer_writes_to_lists_sources_with_slides(sample_kb: KB, question: str) -> None:
    result = answer(question, sample_kb)
    assert result.intent == "writes_to"
    assert {"Amazon S3", "Amazon Kinesis Data Firehose"} <= labels(result)
    assert all(item.sources for item in result.items)
    assert result.sparql and "kg:writesTo" not in result.sparql or "predicate" in result.sparql


@pytest.mark.parametrize(
    "question",
    [
        "Where can Firehose deliver data?",
        "What are the destinations of Kinesis Data Firehose?",
        "where does KDF send records to?",
    ],
)
def test_answer_destinations_of_firehose(sample_kb: KB, question: str) -> None:
    result = answer(question, sample_kb)
    assert result.intent == "destinations"
    assert {"Amazon S3", "Amazon Redshift", "Splunk", "Datadog"} <= labels(result)


@pytest.mark.parametrize(
    "question",
    [
        "what are the consumers of Kinesis Data Streams?",
        "Which managed services can read from a Kinesis stream?",
    ],
)
def test_answer_reads_from_kinesis(sample_kb: KB, question: str) -> None:
    result = answer(question, sample_kb)
    assert result.intent == "reads_from"
    assert {"AWS Lambda", "Amazon Kinesis Data Firehose"} <= labels(result)


def test_answer_managed_services_exclude_libraries(sample_kb: KB) -> None:
    result = answer("Which managed AWS services can read from Kinesis Data Streams?", sample_kb)
    assert "Kinesis Client Library" not in labels(result)
    assert "AWS Lambda" in labels(result)


@pytest.mark.parametrize(
    "question,value,unit",
    [
        ("what is the max SQS message size?", 256, "KB"),
        ("How big can an SQS message be?", 256, "KB"),
        ("how big can one DDB item get at most?", 400, "KB"),
        ("What is the default TTL of DAX?", 5, "min"),
    ],
)
def test_answer_limit_value_with_unit(
    sample_kb: KB, question: str, value: float, unit: str
) -> None:
    result = answer(question, sample_kb)
    assert result.intent == "limit"
    assert result.value is not None
    assert (result.value.value, result.value.unit) == (value, unit)
    assert result.sources


def test_answer_limit_default_and_maximum_both_named(sample_kb: KB) -> None:
    result = answer("For SQS, how long are messages kept by default and at most?", sample_kb)
    assert re.search(r"\b4 day", result.answer) and re.search(r"\b14 day", result.answer)


@pytest.mark.parametrize(
    "question",
    [
        "How do I encrypt a Kinesis stream at rest?",
        "What options does Kinesis Data Streams offer for encryption at rest?",
    ],
)
def test_answer_security_at_rest_names_kms(sample_kb: KB, question: str) -> None:
    result = answer(question, sample_kb)
    assert result.intent == "security"
    assert "AWS Key Management Service" in labels(result)


@pytest.mark.parametrize(
    "question,verdict",
    [
        ("Can Spark read from Firehose?", "no"),
        ("can KCL consume a Firehose delivery stream?", "no"),
        ("Can Firehose deliver to Splunk?", "yes"),
        ("Should I pick Lambda for long-running applications?", "no"),
        ("Can I turn on Object Lock for an S3 bucket that already exists?", "no"),
        ("Can an SQS message be 1 MB?", "no"),
        ("Can I send a 100 KB message through SQS?", "yes"),
        ("Can a Lambda function run for 30 minutes?", "no"),
        ("Can a single DynamoDB item be 1 MB?", "no"),
        ("Can a Kinesis data stream keep records for a full year?", "yes"),
        ("Is the default SQS message retention 4 days?", "yes"),
        ("Is the default SQS message retention 7 days?", "no"),
        ("Can Firehose only deliver to S3?", "no"),
        ("Can S3 event notifications only target SQS?", "no"),
        ("Can Object Lock be turned on when a bucket is created?", "yes"),
        ("Can snapshots only be copied within the same region on EMR?", "yes"),
        ("Can EMR snapshots only be copied to another region?", "no"),
        ("Does an EMR task node store HDFS blocks?", "no"),
        ("Does an EMR core node store HDFS blocks?", "yes"),
        ("Is instance store mode the default volume mode on EMR?", "yes"),
        ("Can EMR snapshots be copied to another region?", "no"),
    ],
)
def test_answer_yes_no_verdicts(sample_kb: KB, question: str, verdict: str) -> None:
    result = answer(question, sample_kb)
    assert result.verdict == verdict
    assert result.sources


def test_answer_partner_missing_from_a_long_list_is_a_guarded_no(sample_kb: KB) -> None:
    result = answer("Can Kinesis Data Firehose write to DynamoDB?", sample_kb)
    assert result.verdict == "no"
    assert "Splunk" in result.answer and "DynamoDB is not among them" in result.answer
    assert result.confidence < 0.7


def test_answer_unstated_relation_between_short_lists_is_not_decided(sample_kb: KB) -> None:
    result = answer("Can Athena write to DynamoDB?", sample_kb)
    assert result.verdict is None
    assert "does not say" in result.answer


@pytest.mark.parametrize(
    "question",
    [
        "Which file formats is Athena able to query?",
        "what data formats does Amazon Athena support?",
    ],
)
def test_answer_attribute_formats(sample_kb: KB, question: str) -> None:
    result = answer(question, sample_kb)
    assert {"CSV", "JSON", "Apache Parquet", "Apache ORC", "Apache Avro"} <= labels(result)


def test_answer_capacity_modes_named(sample_kb: KB) -> None:
    result = answer("Which capacity modes does DynamoDB offer?", sample_kb)
    assert "provisioned" in result.answer.lower() and "on-demand" in result.answer.lower()


def test_answer_list_takes_the_examples_line_after_a_statement(sample_kb: KB) -> None:
    result = answer("Which connectors can a Glue job add as a plugin?", sample_kb)
    labels = {i.label for i in result.items}
    assert {"Amazon S3", "Amazon Redshift", "Amazon DynamoDB"} <= labels


def test_answer_list_takes_examples_in_parentheses_after_a_generic_noun(sample_kb: KB) -> None:
    result = answer("Which services' logs can Athena read once they sit in S3?", sample_kb)
    labels = {i.label for i in result.items}
    assert {"AWS CloudTrail", "Amazon VPC"} <= labels


def test_answer_flow_lists_leave_out_file_formats(sample_kb: KB) -> None:
    result = answer("Where can Kinesis Data Firehose deliver data?", sample_kb)
    labels = {i.label for i in result.items}
    assert "Amazon S3" in labels
    assert not labels & {"JSON", "Apache Parquet", "Parquet", "GZIP"}


def test_answer_format_lists_keep_file_formats(sample_kb: KB) -> None:
    result = answer("Which file formats does Amazon Athena support?", sample_kb)
    assert {"JSON", "CSV"} <= {i.label for i in result.items}


def test_answer_definition_quotes_the_entity(sample_kb: KB) -> None:
    result = answer("What is Amazon Athena?", sample_kb)
    assert result.intent == "definition"
    assert "S3" in result.answer


def test_answer_comparison_speaks_of_both(sample_kb: KB) -> None:
    result = answer("Kinesis Data Streams vs Firehose: which one can replay data?", sample_kb)
    assert result.intent == "comparison"
    assert "replay" in result.answer.lower()


def test_answer_bridge_may_own_what_the_last_part_names(sample_kb: KB) -> None:
    # Multi-part upload is a feature of the bridge (S3): naming it must not rule S3 out.
    result = answer(
        "The DynamoDB anti-pattern slide names a home for large binary files. In that"
        " service, above what size must uploads use multi-part upload?",
        sample_kb,
    )
    assert result.intent == "multi_hop"
    assert [i.label for i in result.items] == ["Amazon S3"]


@pytest.mark.parametrize(
    "question",
    [
        "Which sources do the Glue crawler and the Redshift COPY command have in common?",
        "Which data stores can both the Glue crawler scan and Redshift COPY load from?",
    ],
)
def test_answer_shared_list_is_the_intersection(sample_kb: KB, question: str) -> None:
    result = answer(question, sample_kb)
    assert sorted(i.label for i in result.items) == ["Amazon DynamoDB", "Amazon S3"]


def test_answer_chat_opener_does_not_change_the_answer(sample_kb: KB) -> None:
    question = "Quick question: what is Amazon Athena?"
    result = answer(question, sample_kb)
    assert result.intent == "definition" and result.question == question
    assert result.answer == answer("what is Amazon Athena?", sample_kb).answer


def test_answer_what_follows_except_is_a_no(sample_kb: KB) -> None:
    result = answer("Does Redshift Serverless support Redshift Spectrum?", sample_kb)
    assert result.verdict == "no" and "except" in result.answer


def test_answer_unknown_topic_abstains(sample_kb: KB) -> None:
    result = answer("tell me something about quantum gardening", sample_kb)
    assert result.intent == "not_covered"
    assert "does not cover" in result.answer
    assert result.confidence < 0.3
    assert not result.items and result.verdict is None


def test_answer_rejects_empty_and_too_long_questions(sample_kb: KB) -> None:
    with pytest.raises(BadQuery, match="empty"):
        answer("   ", sample_kb)
    with pytest.raises(BadQuery, match="2000"):
        answer("why " * 600, sample_kb)


def test_answer_contract_shape(sample_kb: KB) -> None:
    payload = answer_to_json(answer("which services can write to Redshift?", sample_kb))
    assert set(payload) == CONTRACT_KEYS
    assert all(set(item) == {"label", "iri", "sources"} for item in payload["items"])
    source = payload["sources"][0]
    assert {"slide", "lines", "title", "text", "score"} <= set(source)
    assert len(source["lines"]) == 2 and source["lines"][0] <= source["lines"][1]
    json.dumps(payload)


def gold_questions(name: str = "dev") -> list[dict[str, object]]:
    """A gold set, or skip when it is not beside the project."""
    path = EVAL_DIR / f"{name}.jsonl"
    if not path.exists():
        pytest.skip(f"no gold set at {path}")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.deck
def test_answer_dev_items_are_traceable_to_slides(deck_kb: KB) -> None:
    untraced = []
    for gold in gold_questions():
        result = answer(str(gold["question"]), deck_kb)
        for item in result.items:
            entity = deck_kb.entities[item.iri.rsplit("/", 1)[1]]
            names = [entity.label, *entity.aliases]
            texts = [
                deck_kb.slides[f"https://w3id.org/kgqa/id/slide/{s.deck}/{s.slide}"].text
                + " "
                + s.title
                for s in item.sources
            ]
            if not any(
                re.sub(r"\W+", " ", n).lower() in re.sub(r"\W+", " ", t).lower()
                for n in names
                for t in texts
            ):
                untraced.append((gold["question"], item.label))
    assert untraced == []


@pytest.mark.deck
@pytest.mark.parametrize("name", sorted(REACHED))
def test_answer_gold_set_accuracy_does_not_regress(deck_kb: KB, tmp_path: Path, name: str) -> None:
    gold = gold_questions(name)
    answers = tmp_path / "answers.jsonl"
    with answers.open("w") as fh:
        for row in gold:
            fh.write(json.dumps(answer_to_json(answer(str(row["question"]), deck_kb))) + "\n")
    scored = subprocess.run(
        [
            sys.executable,
            str(EVAL_DIR / "score.py"),
            str(EVAL_DIR / f"{name}.jsonl"),
            "--answers",
            str(answers),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(scored.stdout.strip().splitlines()[-1])
    print(f"\n{name}: accuracy {summary['accuracy']}, recall@5 {summary['evidence_recall@5']}")
    assert summary["errors"] == 0
    accuracy, recall = REACHED[name]
    assert summary["accuracy"] >= accuracy - GUARD_MARGIN, summary
    assert summary["evidence_recall@5"] >= recall - GUARD_MARGIN, summary


def test_answer_service_pointer_after_a_feature_names_its_service(sample_kb: KB) -> None:
    from kg.ask.execute import ask_index
    from kg.ask.hop import hop_name, make_hop
    from kg.ask.retrieve import Ranked

    block = ask_index(sample_kb).store.blocks[0]
    ranked = Ranked(block, 1.0, 0.5, 0.5, block.head)
    hop = make_hop(sample_kb, "dax", ranked, "What is the item size of that database service?", 1.0)
    assert hop.named == "dynamodb"
    assert hop.question.startswith("What is the item size of Amazon DynamoDB")
    assert hop_name(sample_kb, hop).endswith(", of Amazon DynamoDB.")
    same = make_hop(sample_kb, "dax", ranked, "What is the default TTL of that cache?", 1.0)
    assert same.named == "dax" and "Amazon DynamoDB Accelerator" in same.question
