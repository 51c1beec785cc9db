"""List answers on the sample deck: set-aside classes, written lists, examples, labelled bullets,
lists headed by the asked noun; and the cue patterns on invented sentences."""

from __future__ import annotations

import pytest

from kg.answer import answer
from kg.ask import lists
from kg.ask.link import Linked
from kg.ask.parse import parse, scoped_mentions
from kg.ask.plan import make_plan
from kg.ask.text import stem
from kg.kb import KB
from kg.linking import Mention

pytestmark = pytest.mark.slow


def labels(kb: KB, question: str) -> set[str]:
    """The item labels of the answer to a question."""
    return {item.label for item in answer(question, kb).items}


def test_lists_members_of_a_set_aside_class_are_set_aside(sample_kb: KB) -> None:
    members = lists.concept_members(sample_kb, {"on-premises-database"})
    assert {"oracle", "mysql", "postgresql"} <= members
    assert "s3" not in members


def test_lists_a_set_aside_class_leaves_out_its_listed_members(sample_kb: KB) -> None:
    found = labels(sample_kb, "Besides on-premises databases, which sources can DMS read from?")
    assert not found & {"Oracle", "MySQL", "PostgreSQL"}


def test_lists_a_written_list_answers_instead_of_a_diagram(sample_kb: KB) -> None:
    found = labels(sample_kb, "Which targets can a CloudWatch Logs subscription filter send to?")
    assert {"Amazon Kinesis Data Streams", "Amazon Kinesis Data Firehose", "AWS Lambda"} <= found


def test_lists_examples_come_from_names_alone_in_parentheses(sample_kb: KB) -> None:
    found = labels(
        sample_kb, "Which services does the KMS slide list as examples with KMS built into them?"
    )
    assert {"Amazon EBS", "Amazon S3", "Amazon RDS"} <= found
    assert not found & {"Amazon SQS", "Amazon DynamoDB"}


def test_lists_name_labelled_bullets_are_one_list(sample_kb: KB) -> None:
    found = labels(sample_kb, "Which AWS services does Hue on EMR work with?")
    assert {"AWS Identity and Access Management", "Amazon S3"} <= found


def test_lists_a_run_headed_by_the_asked_noun_answers(sample_kb: KB) -> None:
    found = labels(sample_kb, "Which notebook environments does Athena work with?")
    assert {"Jupyter", "Apache Zeppelin", "RStudio"} <= found


def test_lists_names_every_piece(sample_kb: KB) -> None:
    assert lists.names_every_piece(sample_kb, "EBS, S3, RDS…")
    assert lists.names_every_piece(sample_kb, "Lambda and Kinesis Data Firehose, etc")
    assert not lists.names_every_piece(sample_kb, "aws/service, example: aws/sqs")


def test_lists_gives_examples(sample_kb: KB) -> None:
    assert lists.gives_examples(sample_kb, "Built into many AWS services (EBS, S3, RDS)")
    assert lists.gives_examples(sample_kb, "Sinks such as Amazon S3, Amazon Redshift")
    assert not lists.gives_examples(sample_kb, "A name (format aws/service, example: aws/sqs)")


def test_lists_heads_names(sample_kb: KB) -> None:
    heads = {stem("notebooks")}
    assert lists.heads_names(sample_kb, "Works with Jupyter, Zeppelin and RStudio notebooks", heads)
    assert not lists.heads_names(sample_kb, "Athena can run notebooks", heads)


def test_lists_name_label(sample_kb: KB) -> None:
    assert lists.name_label(sample_kb, "S3: browse and copy files") == ("s3",)
    assert lists.name_label(sample_kb, "IAM integration: roles are inherited") == ("iam",)
    assert lists.name_label(sample_kb, "Writes to S3 and Redshift: both supported") == ()


def test_lists_cue_patterns() -> None:
    assert lists.ASKS_EXAMPLES_RE.search("Which services does the slide give as examples?")
    assert lists.EXAMPLE_CUE_RE.search("Sinks such as S3 and Redshift")
    assert lists.LABEL_RE.match("IAM integration: roles")
    assert lists.RUN_START_RE.match("Integration with ")
    assert lists.TRAILING_RE.match("etc")
    assert lists.PIECE_RE.split("A, B or C") == ["A", " B ", " C"]


def test_lists_asked_noun_phrase() -> None:
    assert lists.plural_asked("Which notebook tools can Athena open?")
    assert not lists.plural_asked("Which service does Athena use?")
    assert lists.asked_heads("Which AWS notebook environments does X use?") == {
        stem("notebook"),
        stem("environments"),
    }


def test_lists_a_name_inside_a_scope_phrase_is_not_the_focus() -> None:
    text = "What can Spark Streaming read from, going by the EMR section?"
    spark, emr = text.index("Spark"), text.index("EMR")
    mentions = (
        Mention("spark-streaming", "Spark Streaming", spark, spark + 15, 1.0, ()),
        Mention("emr", "EMR", emr, emr + 3, 1.0, ()),
    )
    assert scoped_mentions(text, mentions) == (1,)
    linked = Linked(mentions, mentions, ("spark-streaming", "emr"), ())
    assert make_plan(parse(text, mentions), linked).focus == "spark-streaming"


def test_lists_a_statement_naming_nothing_goes_on_in_the_next_slide(sample_kb: KB) -> None:
    found = labels(sample_kb, "Presto on EMR: which data stores can it connect to?")
    assert {"HDFS", "Amazon S3", "Apache Cassandra", "MongoDB"} <= found


def test_lists_a_runner_up_gives_only_members_using_the_words(sample_kb: KB) -> None:
    found = labels(sample_kb, "Where can the Kinesis Agent send the log files it watches?")
    assert "Amazon Kinesis Data Streams" in found
    assert "Amazon CloudWatch" not in found


def test_lists_a_place_keeps_its_own_name_and_both_evidence_kinds_add_up(sample_kb: KB) -> None:
    found = labels(
        sample_kb,
        "Going by its slides, where can CloudTrail put its events for storage?",
    )
    assert {"Amazon S3", "Amazon CloudWatch Logs"} <= found
    assert "Amazon CloudWatch" not in found


def test_lists_labelled_names_after_a_head_word(sample_kb: KB) -> None:
    heads = {stem("streaming")}
    assert lists.labelled_names(sample_kb, "Micro-batch streaming Kafka, Flume, HDFS", heads)
    assert not lists.labelled_names(sample_kb, "Streaming analytics in real time", heads)


def test_lists_role_headers_name_one_end_of_a_flow() -> None:
    from kg.ask.lists import IN_ROLE_RE, OUT_ROLE_RE

    assert OUT_ROLE_RE.search("Consumers") and OUT_ROLE_RE.search("Destinations")
    assert IN_ROLE_RE.search("Producers") and IN_ROLE_RE.search("Managed AWS sources")
    assert not OUT_ROLE_RE.search("Managed AWS sources")


@pytest.mark.parametrize(
    "text,noun",
    [
        ("Which notebook environments does Foo offer?", "notebook environments"),
        ("Foo supported file formats?", "supported file formats"),
        ("How does Foo store its files?", ""),
    ],
)
def test_lists_the_asked_noun_of_a_terse_question_is_its_last_phrase(text: str, noun: str) -> None:
    assert lists.asked_noun(text) == noun
