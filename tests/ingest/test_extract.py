"""Extraction rules of ingest/extract.py on hand-written slides, with the real gazetteer."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ingest.extract import extract_facts
from ingest.relations import Span
from ingest.segment import segment_slide
from kg.types import Entity, Fact, Slide

KDF = "kinesis-data-firehose"
KDS = "kinesis-data-streams"

Extract = Callable[..., list[Fact]]


@pytest.fixture(scope="module")
def extract(find: Callable[[str], list[Span]], gazetteer: dict[str, Entity]) -> Extract:
    """Facts of a slide built from a title and body lines (blank lines keep their numbers)."""

    def run(title: str, lines: list[str], *, carried: str | None = None) -> list[Fact]:
        body = tuple((n, line) for n, line in enumerate(lines, 2) if line.strip())
        slide = Slide("tiny", 7, title, "", 1, len(lines) + 1, body)
        return extract_facts(slide, segment_slide(slide), find, gazetteer, carried_subject=carried)

    return run


def relations(facts: list[Fact]) -> set[tuple[str, str | None, str | None]]:
    """(subject, relation, object) of every relation fact."""
    return {
        (f.subject, f"not {f.relation}" if f.negated else str(f.relation), f.object)
        for f in facts
        if f.kind == "relation"
    }


def flows(facts: list[Fact]) -> set[tuple[str, str | None, str | None]]:
    """(subject, relation, object) of every data-flow fact."""
    return {r for r in relations(facts) if r[1] == "flow"}


def of_kind(facts: list[Fact], kind: str) -> set[tuple[str, str | None]]:
    """(subject, object) of every fact of one kind."""
    return {(f.subject, f.object) for f in facts if f.kind == kind}


def attributes(facts: list[Fact]) -> set[tuple[str, str, str]]:
    """(subject, attribute, value) of every attribute fact."""
    return {(f.subject, f.attribute, f.value) for f in facts if f.kind == "attribute"}


# ----------------------------------------------------------------- direction cues


def test_extract_load_into_slash_list_writes_to_each(extract: Extract) -> None:
    facts = extract("Kinesis Data Firehose", ["• Load data into Redshift / OpenSearch"])
    assert relations(facts) == {(KDF, "flow", "redshift"), (KDF, "flow", "opensearch")}


def test_extract_relation_keeps_line_provenance(extract: Extract) -> None:
    facts = extract("Kinesis Data Firehose", ["• Fully managed", "", "• Load data into Redshift"])
    [fact] = [f for f in facts if f.kind == "relation"]
    assert (fact.deck, fact.slide, fact.line_start, fact.line_end) == ("tiny", 7, 4, 4)
    assert fact.text == "Load data into Redshift"


def test_extract_write_data_to_parent_applies_to_children(extract: Extract) -> None:
    facts = extract(
        "Kinesis Data Firehose",
        ["• Write data to:", "• Amazon S3", "• Amazon Redshift", "• Splunk"],
    )
    assert relations(facts) == {
        (KDF, "flow", "s3"),
        (KDF, "flow", "redshift"),
        (KDF, "flow", "splunk"),
    }


def test_extract_sources_header_children_write_to_subject(extract: Extract) -> None:
    facts = extract("Amazon Redshift", ["• SOURCES:", "• Amazon S3", "• Kinesis Data Streams"])
    assert relations(facts) == {("s3", "flow", "redshift"), (KDS, "flow", "redshift")}


def test_extract_from_list_is_inbound(extract: Extract) -> None:
    facts = extract("AWS Glue", ["• From S3, EMR"])
    assert relations(facts) == {("s3", "flow", "glue"), ("emr", "flow", "glue")}


def test_extract_arrow_writes_left_to_right(extract: Extract) -> None:
    facts = extract("Putting it together", ["• Kinesis Data Streams -> Lambda"])
    assert relations(facts) == {(KDS, "flow", "lambda")}


def test_extract_arrow_chain_yields_every_hop(extract: Extract) -> None:
    facts = extract("Putting it together", ["• Kinesis Data Streams -> Lambda -> Amazon S3"])
    assert relations(facts) == {(KDS, "flow", "lambda"), ("lambda", "flow", "s3")}


def test_extract_dangling_cue_takes_following_bullets(extract: Extract) -> None:
    facts = extract(
        "Kinesis Data Firehose",
        ["• Firehose can stream the logs into", "", "• Amazon S3", "", "• Splunk"],
    )
    assert relations(facts) == {(KDF, "flow", "s3"), (KDF, "flow", "splunk")}


def test_extract_carried_subject_used_when_the_slide_names_it(extract: Extract) -> None:
    facts = extract(
        "Buffer sizing", ["• Writes to Amazon S3", "• Firehose buffers records"], carried=KDF
    )
    assert relations(facts) == {(KDF, "flow", "s3")}
    assert of_kind(facts, "about") == {(KDF, None)}


def test_extract_carried_subject_never_named_gives_no_relation(extract: Extract) -> None:
    # A relation must be traceable to its slide: both ends named on it (#traceability).
    facts = extract("Buffer sizing", ["• Writes to Amazon S3"], carried=KDF)
    assert relations(facts) == set()
    assert of_kind(facts, "about") == {(KDF, None)}


# ----------------------------------------------------------------- subject switches


def test_extract_entity_header_switches_subject(extract: Extract) -> None:
    facts = extract(
        "Collection overview",
        ["• Kinesis Data Firehose:", "• Writes to Amazon S3", "• Fully managed"],
    )
    assert relations(facts) == {(KDF, "flow", "s3")}
    assert attributes(facts) == {(KDF, "managed", "fully managed")}


def test_extract_bare_entity_bullet_switches_subject(extract: Extract) -> None:
    facts = extract(
        "Collection overview",
        [
            "• Amazon SQS",
            "",
            "• Sends messages to Lambda",
            "",
            "• Kinesis Data Firehose",
            "",
            "• Writes to Amazon S3",
        ],
    )
    assert relations(facts) == {("sqs", "flow", "lambda"), (KDF, "flow", "s3")}


def test_extract_two_entity_title_shifts_topic(extract: Extract) -> None:
    facts = extract(
        "Kinesis Data Streams + Lambda",
        [
            "• Kinesis Data Streams is a real-time service",
            "",
            "• Lambda functions are serverless",
            "",
            "• Can write results to DynamoDB",
        ],
    )
    assert relations(facts) == {
        ("lambda", "flow", "dynamodb"),
        ("kinesis-data-streams", "integrates", "lambda"),
    }
    assert attributes(facts) == {
        (KDS, "latency", "real time"),
        ("lambda", "serverless", "serverless"),
    }


# ----------------------------------------------------------------- roles, heads, diagrams


def test_extract_role_cue_makes_title_entity_the_writer(extract: Extract) -> None:
    facts = extract("Kinesis Data Firehose", ["• Splunk can be a destination"])
    assert relations(facts) == {(KDF, "flow", "splunk")}


def test_extract_head_concept_list_names_the_concept_not_the_examples(extract: Extract) -> None:
    facts = extract(
        "AWS DMS", ["• Sources:", "• On-premises databases: Oracle, MySQL", "• Amazon S3"]
    )
    # On a migration service's slide its sources are migration sources; the data still flows.
    assert relations(facts) == {
        ("dms", "migrationSource", "on-premises-database"),
        ("dms", "migrationSource", "s3"),
        ("on-premises-database", "flow", "dms"),
        ("s3", "flow", "dms"),
    }


def test_extract_diagram_captions_group_labels(extract: Extract) -> None:
    labels = [
        "Producers",
        "Kinesis Agent",
        "AWS SDK",
        "Destinations",
        "Amazon S3",
        "Amazon Redshift",
        "Splunk",
    ]
    lines = [line for label in labels for line in (label, "")]
    facts = extract("Kinesis Data Firehose Diagram", lines)
    assert flows(facts) == {
        ("kinesis-agent", "flow", KDF),
        ("aws-sdk", "flow", KDF),
        (KDF, "flow", "s3"),
        (KDF, "flow", "redshift"),
        (KDF, "flow", "splunk"),
    }


def test_extract_diagram_subject_label_closes_the_group(extract: Extract) -> None:
    lines = ["AWS Destinations", "", "Amazon S3", "", "Kinesis Data Firehose", "", "Splunk"]
    facts = extract("Kinesis Data Firehose Diagram", lines)
    assert flows(facts) == {(KDF, "flow", "s3")}


def test_extract_diagram_caption_of_another_box_is_not_read(extract: Extract) -> None:
    # "Flink Sources" lists Flink's sources, not the slide subject's; which boxes they are the
    # flattened diagram does not say.
    lines = ["Amazon Kinesis Data Streams", "", "Flink Sources", "", "Amazon S3"]
    facts = extract("Managed Service for Apache Flink", lines)
    assert flows(facts) == set()


def test_extract_diagram_flows_are_less_sure_than_sentences(extract: Extract) -> None:
    facts = extract("Kinesis Data Firehose", ["Destinations", "", "Amazon S3"])
    assert {f.confidence for f in facts if f.relation == "flow"} == {0.6}


def test_extract_diagram_label_run_gives_adjacency_only(extract: Extract) -> None:
    lines = ["Amazon S3", "", "AWS Glue", "", "Amazon Athena", "", "• S3 is durable."]
    facts = extract("A data lake", lines)
    assert relations(facts) == {("s3", "adjacent", "glue"), ("glue", "adjacent", "athena")}
    assert {f.confidence for f in facts if f.kind == "relation"} == {0.3}


def test_extract_diagram_adjacency_skips_pairs_the_slide_relates(extract: Extract) -> None:
    lines = ["Destinations", "", "Amazon S3", "", "Amazon Redshift"]
    facts = extract("Kinesis Data Firehose", lines)
    assert ("s3", "adjacent", "redshift") in relations(facts)
    assert not [f for f in facts if f.relation == "adjacent" and KDF in (f.subject, f.object)]


# ----------------------------------------------------------------- negations


def test_extract_negation_yields_only_negative_relation(extract: Extract) -> None:
    facts = extract("Kinesis Data Firehose", ["• Firehose does not write to DynamoDB"])
    assert relations(facts) == {(KDF, "not flow", "dynamodb")}


def test_extract_do_not_read_from_has_no_positive_edge(extract: Extract) -> None:
    facts = extract("Kinesis Data Firehose", ["• Spark / KCL do not read from KDF"])
    found = relations(facts)
    assert (KDF, "not flow", "spark") in found
    assert not {r for r in found if r[1] == "flow"}


def test_extract_do_not_read_from_negates_every_listed_reader(extract: Extract) -> None:
    facts = extract("Kinesis Data Firehose", ["• Spark / KCL do not read from KDF"])
    assert relations(facts) == {
        (KDF, "not flow", "spark"),
        (KDF, "not flow", "kinesis-client-library"),
    }


def test_extract_other_way_around_negates_the_reverse(extract: Extract) -> None:
    facts = extract("Amazon Redshift", ["• Redshift writes to S3 but not the other way around"])
    assert ("s3", "not flow", "redshift") in relations(facts)


def test_extract_other_way_around_keeps_the_stated_direction(extract: Extract) -> None:
    facts = extract("Amazon Redshift", ["• Redshift writes to S3 but not the other way around"])
    assert relations(facts) == {("redshift", "flow", "s3"), ("s3", "not flow", "redshift")}


def test_extract_read_from_other_way_around(extract: Extract) -> None:
    facts = extract(
        "Amazon Redshift", ["• Redshift can read from Aurora, but not the other way around"]
    )
    assert relations(facts) == {
        ("aurora", "flow", "redshift"),
        ("redshift", "not flow", "aurora"),
    }


# ----------------------------------------------------------------- anti-patterns


def test_extract_anti_pattern_slide_with_alternatives(extract: Extract) -> None:
    facts = extract(
        "Lambda anti-patterns",
        [
            "• Long-running applications",
            "• Use EC2 instead",
            "",
            "• Stateful applications",
            "• Keep state in DynamoDB instead",
        ],
    )
    anti = sorted((f.line_start, f.subject, f.object) for f in facts if f.kind == "antiPattern")
    # The advice bullets name the alternative of the anti-pattern above them, not new ones.
    assert anti == [(2, "lambda", "ec2"), (5, "lambda", "dynamodb")]
    # Each redirect is an alternative to the subject; nothing else on the slide is a relation.
    assert relations(facts) == {
        ("ec2", "alternative", "lambda"),
        ("dynamodb", "alternative", "lambda"),
    }


def test_extract_no_longer_anti_pattern_title_is_not_one(extract: Extract) -> None:
    facts = extract(
        "No longer an anti-pattern: AWS Glue streaming", ["• Glue can process streaming data"]
    )
    assert not of_kind(facts, "antiPattern")
    assert of_kind(facts, "about") == {("glue", None)}


# ----------------------------------------------------------------- security, attributes, formats


def test_extract_security_categories_with_mechanisms(extract: Extract) -> None:
    facts = extract(
        "Kinesis Data Streams Security",
        [
            "• Encryption at rest with KMS",
            "",
            "• Encryption in flight with HTTPS",
            "",
            "• Control access with IAM policies",
            "",
            "• VPC Endpoints available to access it privately",
        ],
    )
    found = {(f.subject, f.security, f.object) for f in facts if f.kind == "security"}
    assert found == {
        (KDS, "encryptionAtRest", "kms"),
        (KDS, "encryptionInTransit", "tls"),
        (KDS, "accessControl", "iam"),
        (KDS, "networkIsolation", "vpc-endpoints"),
    }


def test_extract_access_control_only_on_security_slides(extract: Extract) -> None:
    facts = extract(
        "Kinesis Data Streams",
        ["• Encryption at rest with KMS", "", "• Control access with IAM policies"],
    )
    found = {(f.subject, f.security, f.object) for f in facts if f.kind == "security"}
    assert found == {(KDS, "encryptionAtRest", "kms")}


def test_extract_attributes_serverless_capacity_delivery(extract: Extract) -> None:
    facts = extract(
        "Amazon SQS",
        [
            "• Fully managed and serverless",
            "",
            "• At least once delivery",
            "",
            "• Provisioned or on-demand capacity modes",
        ],
    )
    assert attributes(facts) == {
        ("sqs", "serverless", "serverless"),
        ("sqs", "managed", "fully managed"),
        ("sqs", "deliverySemantics", "at least once"),
        ("sqs", "capacityMode", "provisioned"),
        ("sqs", "capacityMode", "on-demand"),
    }


def test_extract_negated_attribute_is_dropped(extract: Extract) -> None:
    facts = extract("Amazon EMR", ["• Clusters are not serverless"])
    assert attributes(facts) == set()
    assert of_kind(facts, "about") == {("emr", None)}


def test_extract_best_effort_ordering_is_not_ordered(extract: Extract) -> None:
    facts = extract("Amazon SQS", ["• Can have out of order messages (best effort ordering)"])
    assert ("sqs", "ordering", "ordered") not in attributes(facts)


def test_extract_near_real_time_is_not_real_time(extract: Extract) -> None:
    facts = extract("Kinesis Data Firehose", ["• Near real time (buffer based on time and size)"])
    assert attributes(facts) == {(KDF, "latency", "near real time")}


def test_extract_formats_are_attributes_not_partners(extract: Extract) -> None:
    facts = extract(
        "Kinesis Data Firehose",
        [
            "• Converts JSON to Parquet before writing to S3",
            "",
            "• Write data to ORC files",
            "",
            "• Compresses with GZIP",
        ],
    )
    assert relations(facts) == {(KDF, "flow", "s3")}
    assert attributes(facts) == {
        (KDF, "format", "json"),
        (KDF, "format", "parquet"),
        (KDF, "format", "orc"),
        (KDF, "compression", "gzip"),
    }


# ----------------------------------------------------------------- limits


def test_extract_limit_owned_by_entity_named_before_it(extract: Extract) -> None:
    facts = extract(
        "Queues and streams",
        ["• SQS messages are at most 256 KB, Kinesis Data Streams records up to 1 MB"],
    )
    limits = {
        (f.subject, f.limit.quantity, f.limit.value, f.limit.unit)
        for f in facts
        if f.kind == "limit" and f.limit
    }
    assert limits == {("sqs", "message size", 256.0, "KB"), (KDS, "record size", 1.0, "MB")}


def test_extract_limit_falls_back_to_slide_subject(extract: Extract) -> None:
    facts = extract("Amazon SQS", ["• Max message size is 256KB"])
    limits = {
        (f.subject, f.limit.quantity, f.limit.value, f.limit.unit, f.line_start)
        for f in facts
        if f.kind == "limit" and f.limit
    }
    assert limits == {("sqs", "message size", 256.0, "KB", 2)}


# ----------------------------------------------------------------- found on the real deck


def test_extract_feature_list_item_does_not_capture_later_bullets(extract: Extract) -> None:
    facts = extract(
        "Redshift imports",
        [
            "• Enhanced VPC routing",
            "",
            "• Amazon Aurora zero-ETL integration",
            "• Auto replication from Aurora -> Redshift",
        ],
    )
    assert relations(facts) == {("aurora", "flow", "redshift")}


def test_extract_caption_word_inside_entity_name_is_not_a_caption(extract: Extract) -> None:
    lines = [
        "SDK",
        "Kinesis Producer Library (KPL)",
        "",
        "Kinesis Agent",
        "",
        "Amazon S3",
        "",
        "Redshift",
    ]
    facts = extract("Kinesis Data Firehose", lines)
    found = relations(facts)
    assert ("s3", "flow", KDF) not in found and ("redshift", "flow", KDF) not in found


def test_extract_destination_region_header_is_not_a_flow(extract: Extract) -> None:
    facts = extract(
        "Redshift snapshots",
        ["• In the destination AWS region:", "• Create a KMS key if you don’t have one already"],
    )
    assert relations(facts) == set()


def test_extract_conversion_from_format_is_not_a_source(extract: Extract) -> None:
    facts = extract(
        "Kinesis Data Firehose", ["• Data Conversions from JSON to Parquet / ORC (only for S3)"]
    )
    assert ("s3", "flow", KDF) not in relations(facts)


def test_extract_passive_readers_and_writers(extract: Extract) -> None:
    facts = extract(
        "Amazon DynamoDB Streams",
        [
            "• Stream records can be:",
            "• Read by AWS Lambda",
            "• Sent to Kinesis Data Streams",
            "",
            "• Items can be written by AWS Glue",
            "",
            "• Insert into OpenSearch Service",
        ],
    )
    streams = "dynamodb-streams"
    assert relations(facts) == {
        (streams, "flow", "lambda"),
        (streams, "flow", "kinesis-data-streams"),
        ("glue", "flow", streams),
        (streams, "flow", "opensearch"),
    }


# ----------------------------------------------------------------- issue 9: kinds, scope, lists


def test_extract_sub_heading_scopes_its_entity_to_its_own_bullets(extract: Extract) -> None:
    # A one-entity sub-heading speaks for the bullets under it; the next sub-heading ends it.
    facts = extract(
        "Amazon MSK - Monitoring",
        [
            "• CloudWatch Metrics",
            "• Basic monitoring",
            "• Broker Log Delivery",
            "• Delivery to Amazon S3",
        ],
    )
    assert ("msk", "flow", "s3") in relations(facts)
    assert ("cloudwatch", "flow", "s3") not in relations(facts)


def test_extract_comparison_slide_takes_no_implicit_subject(extract: Extract) -> None:
    facts = extract("Kinesis Data Streams vs SQS", ["• Streaming MapReduce", "• KCL with DynamoDB"])
    assert relations(facts) == {("kinesis-data-streams", "compared", "sqs")}


def test_extract_scenario_slide_is_not_mined(extract: Extract) -> None:
    facts = extract("Requirement 2:", ["• Load data from Amazon S3 into Amazon Redshift"])
    assert relations(facts) == set()


def test_extract_migration_from_a_to_b_keeps_direction(extract: Extract) -> None:
    facts = extract("AWS DMS", ["• Migrating from Amazon RDS to Amazon Redshift"])
    assert {("dms", "migrationSource", "rds"), ("dms", "migrationTarget", "redshift")} <= (
        relations(facts)
    )
    assert ("redshift", "flow", "rds") not in relations(facts)


def test_extract_query_in_place_is_not_a_write(extract: Extract) -> None:
    facts = extract("Amazon Athena", ["• Query data in place in Amazon S3"])
    assert relations(facts) == {("athena", "queriesInPlace", "s3")}


def test_extract_security_configuration_line_is_not_a_flow(extract: Extract) -> None:
    facts = extract("AWS Glue", ["• Data written by Glue - S3 encryption mode: SSE-S3 or SSE-KMS"])
    assert not [r for r in relations(facts) if r[1] == "flow"]


def test_extract_not_the_other_way_around_negates_the_reverse(extract: Extract) -> None:
    facts = extract("Redshift", ["• RDS writes to Amazon Redshift, but not the other way around"])
    assert relations(facts) == {("rds", "flow", "redshift"), ("redshift", "not flow", "rds")}


def test_extract_catalog_use_is_refined_from_a_use(extract: Extract) -> None:
    facts = extract("Amazon Athena", ["• Athena uses the Glue Data Catalog"])
    assert relations(facts) == {("athena", "catalog", "glue-data-catalog")}


def test_extract_header_list_is_a_listing_with_members_in_order(extract: Extract) -> None:
    facts = extract(
        "Kinesis Data Streams",
        ["• Consumers:", "• AWS Lambda", "• Kinesis Data Firehose", "• your own app"],
    )
    [listing] = [f for f in facts if f.kind == "listing"]
    assert (listing.subject, listing.role, listing.header) == (KDS, "consumers", "Consumers:")
    assert [(m.entity, m.text) for m in listing.members] == [
        ("lambda", "AWS Lambda"),
        (KDF, "Kinesis Data Firehose"),
        ("", "your own app"),
    ]
    assert {(KDS, "flow", "lambda"), (KDS, "flow", KDF)} <= relations(facts)


def test_extract_wrapped_bullet_joins_a_line_that_opens_with_a_name(extract: Extract) -> None:
    facts = extract("Amazon Aurora", ["• Continuous backup to", "Amazon S3"])
    assert relations(facts) == {("aurora", "flow", "s3")}


# ----------------------------------------------------------------- issue 9, second round


def test_extract_from_a_into_b_goes_through_the_tool(extract: Extract) -> None:
    facts = extract("S3DistCp", ["• From Amazon S3 into HDFS"])
    assert flows(facts) == {("s3", "flow", "s3distcp"), ("s3distcp", "flow", "hdfs")}


def test_extract_from_a_to_b_on_a_party_slide_is_a_plain_flow(extract: Extract) -> None:
    facts = extract("What is RDS?", ["• Or in the context of migrating from RDS to Redshift"])
    assert relations(facts) == {("rds", "flow", "redshift")}


def test_extract_query_x_from_y_and_not_the_other_way_around(extract: Extract) -> None:
    lines = ["• You can query", "RDS/Aurora from Redshift,", "but not the other way", "around"]
    facts = extract("Redshift Federated Queries", lines)
    assert relations(facts) == {
        ("redshift", "queriesInPlace", "rds"),
        ("redshift", "queriesInPlace", "aurora"),
        ("rds", "not queriesInPlace", "redshift"),
        ("aurora", "not queriesInPlace", "redshift"),
    }


def test_extract_no_flow_between_a_service_and_its_own_feature(extract: Extract) -> None:
    facts = extract("Amazon S3 – Lifecycle Rules", ["• Move objects to Standard IA class"])
    assert relations(facts) == set()


def test_extract_access_to_a_table_is_not_a_flow(extract: Extract) -> None:
    facts = extract("Security - Kinesis", ["• KCL – must get read / write access to DynamoDB"])
    assert relations(facts) == set()


def test_extract_log_in_to_is_not_logging(extract: Extract) -> None:
    facts = extract("AWS STS", ["• Enables users to log in to the AWS console"])
    assert relations(facts) == set()


def test_extract_metrics_sent_to_a_monitor(extract: Extract) -> None:
    facts = extract("Kinesis Agent", ["• Emits metrics to CloudWatch for monitoring"])
    assert relations(facts) == {("cloudwatch", "monitors", "kinesis-agent")}


def test_extract_arrow_inside_parentheses_is_an_example(extract: Extract) -> None:
    facts = extract(
        "Kinesis Data Firehose", ["• Data Transformation through AWS Lambda (ex: CSV => JSON)"]
    )
    assert relations(facts) == {(KDF, "uses", "lambda")}


def test_extract_role_title_member_keeps_its_own_relation(extract: Extract) -> None:
    lines = ["• CloudWatch Metrics", "• Broker Log Delivery", "• Delivery to Amazon S3"]
    facts = extract("MSK – Monitoring", lines)
    assert ("cloudwatch", "monitors", "msk") in relations(facts)
    assert ("msk", "flow", "s3") in relations(facts)
    assert ("s3", "monitors", "msk") not in relations(facts)


def test_extract_plus_between_two_names_is_an_integration(extract: Extract) -> None:
    assert relations(extract("Glue + Hive", [])) == {("glue", "integrates", "hive")}


def test_extract_plus_beside_a_plain_word_joins_nothing(extract: Extract) -> None:
    facts = extract("Notes", ["• Zeppelin runs Spark, Python, HBase + more"])
    assert not [f for f in facts if f.relation == "integrates"]


def test_extract_better_fit_advice_names_the_alternative(extract: Extract) -> None:
    lines = [
        "• Multiple ETL engines",
        "• If you want other engines, Amazon EMR would be a better fit.",
    ]
    facts = extract("Glue Anti-patterns", lines)
    assert ("emr", "alternative", "glue") in relations(facts)


def test_extract_use_x_instead_ending_a_bullet(extract: Extract) -> None:
    facts = extract("DynamoDB in Big Data", ["• Large data with low I/O rate: use S3 instead"])
    assert relations(facts) == {("s3", "alternative", "dynamodb")}


def test_extract_title_likening_one_name_compares_it_with_the_topic(extract: Extract) -> None:
    facts = extract("Sounds a lot like DynamoDB", ["• HBase: NoSQL"], carried="hbase")
    assert ("hbase", "compared", "dynamodb") in relations(facts)


def test_extract_only_x_not_y_states_x_and_denies_y(extract: Extract) -> None:
    facts = extract("Kinesis Data Firehose", ["• Firehose only writes to S3, not DynamoDB"])
    assert relations(facts) == {(KDF, "flow", "s3"), (KDF, "not flow", "dynamodb")}


def test_extract_except_header_lists_what_the_subject_lacks(extract: Extract) -> None:
    lines = ["• Does everything Redshift can, except:", "• Redshift Spectrum", "• Parameter Groups"]
    facts = extract("Redshift Serverless", lines)
    assert relations(facts) == {("redshift-serverless", "not integrates", "redshift-spectrum")}


def test_extract_catalog_options_of_a_metastore_slide(extract: Extract) -> None:
    lines = [
        "• Metastores can live outside the cluster",
        "• AWS Glue Data Catalog",
        "• Amazon RDS / Aurora",
    ]
    facts = extract("External Hive Metastores", lines)
    assert {r for r in relations(facts) if r[1] == "catalog"} == {
        ("hive", "catalog", "glue-data-catalog"),
        ("hive", "catalog", "rds"),
        ("hive", "catalog", "aurora"),
    }


def test_extract_diagram_caption_in_parentheses_names_its_own_box(extract: Extract) -> None:
    lines = ["Oracle DB (source)", "", "VPC", "", "Amazon Aurora (target)"]
    facts = extract("DMS - Continuous Replication", lines)
    assert flows(facts) == {("oracle", "flow", "dms"), ("dms", "flow", "aurora")}


def test_extract_names_after_a_clause_break_are_not_governed(extract: Extract) -> None:
    facts = extract("Kinesis Client Library", ["• Read records from Kinesis produced with the KPL"])
    assert relations(facts) == {("kinesis-data-streams", "flow", "kinesis-client-library")}


def test_extract_a_far_name_is_not_the_cues_object(extract: Extract) -> None:
    lines = ["• Can be sent back to AWS offline, or connect it and use AWS DataSync"]
    facts = extract("AWS Snowcone", lines)
    assert not flows(facts)


def test_extract_header_cue_does_not_govern_a_following_sentence(extract: Extract) -> None:
    lines = [
        "• Batching:",
        "• Write to many shards in one call",
        "• Records must be decoded with the KCL library",
    ]
    facts = extract("Kinesis Producer Library", lines)
    assert not flows(facts)


def test_extract_a_quoted_question_states_nothing(extract: Extract) -> None:
    facts = extract("Amazon Kendra", ["• For example, “How do I connect to my VPN?”"])
    assert not relations(facts)


def test_extract_used_in_place_of_is_an_alternative(extract: Extract) -> None:
    facts = extract("Short Query Acceleration (SQA)", ["• Can be used in place of WLM queues"])
    assert relations(facts) == {("short-query-acceleration", "alternative", "redshift-wlm")}


# ----------------------------------------------------------------- tables


def limits(facts: list[Fact]) -> set[tuple[str, str, float, str, str]]:
    """(owner, quantity, value, unit, qualifier) of every limit fact."""
    return {
        (f.subject, f.limit.quantity, f.limit.value, f.limit.unit, f.limit.qualifier)
        for f in facts
        if f.limit is not None
    }


def test_extract_table_cells_belong_to_their_column(extract: Extract) -> None:
    lines = [
        "Kinesis Data",
        "Streams",
        "",
        "Amazon SQS FIFO",
        "",
        "Max Data Retention 365 days 14 days",
        "",
        "Max Object Size 1MB 256KB (more if using extended lib)",
    ]
    facts = extract("Kinesis Data Streams vs SQS", lines)
    assert limits(facts) == {
        (KDS, "retention", 365, "day", "maximum"),
        ("sqs-fifo", "retention", 14, "day", "maximum"),
        (KDS, "object size", 1, "MB", "maximum"),
        ("sqs-fifo", "object size", 256, "KB", "maximum; more if using extended lib"),
    }


def test_extract_table_row_label_on_its_own_line_and_empty_cells(extract: Extract) -> None:
    lines = [
        "Standard Standard-IA One Zone-IA",
        "",
        "Min. Storage",
        "Duration Charge",
        "",
        "None 30 Days 30 Days",
    ]
    facts = extract("S3 Storage Classes Comparison", lines)
    found = {(f.subject, f.limit.value, f.line_start) for f in facts if f.limit is not None}
    assert found == {("s3-standard-ia", 30, 4), ("s3-one-zone-ia", 30, 4)}


def test_extract_table_row_with_the_wrong_cell_count_is_not_read(extract: Extract) -> None:
    lines = ["Amazon Kinesis Data Streams", "", "Amazon SQS FIFO", "", "Retention 365 days"]
    facts = extract("Kinesis Data Streams vs SQS", lines)
    assert not [f for f in facts if f.limit is not None and f.subject == "sqs-fifo"]


def test_extract_an_entity_list_item_is_no_sub_heading(extract: Extract) -> None:
    lines = ["• Kinesis SDK", "", "• Kinesis Agent", "", "• 3rd party libraries: Spark, Flume"]
    listings = [f for f in extract("Kinesis Producers", lines) if f.kind == "listing"]
    assert {(f.subject, f.header) for f in listings} >= {(KDS, "3rd party libraries")}


def test_extract_a_sentence_under_a_header_is_a_text_member(extract: Extract) -> None:
    lines = ["• Batching:", "• Aggregate records", "• Records must be decoded with the KCL"]
    [listing] = [f for f in extract("Kinesis Producer Library", lines) if f.kind == "listing"]
    assert [(m.text, m.entity) for m in listing.members] == [
        ("Aggregate records", ""),
        ("Records must be decoded with the KCL", ""),
    ]


def test_extract_flattened_row_without_columns_gives_no_limits(extract: Extract) -> None:
    facts = extract("Storage Price Comparison", ["Storage Cost", "", "$0.023 $0.0125 $0.01 $0.004"])
    assert not [f for f in facts if f.limit is not None]


def test_extract_bare_figure_in_a_diagram_label_is_no_limit(extract: Extract) -> None:
    facts = extract(
        "Kinesis Data Firehose", ["Monitoring Cost (per 1000 objects)", "", "Up to 1 MB"]
    )
    assert {(f.limit.value, f.limit.unit) for f in facts if f.limit is not None} == {(1, "MB")}


def test_extract_figures_of_another_party_and_unit_conversions(extract: Extract) -> None:
    lines = [
        "• Acme, whose data comes from 220 million consumers",
        "• Transfer exabytes of data (1 EB = 1,000 PB)",
        "• Each device has 100 PB of capacity",
    ]
    facts = extract("AWS Snowmobile", lines)
    assert {(f.limit.value, f.limit.unit) for f in facts if f.limit is not None} == {(100, "PB")}


def test_extract_comparison_figure_without_a_name_has_no_owner(extract: Extract) -> None:
    facts = extract("Kinesis Data Streams vs Amazon MSK", ["• 1MB default, configure for higher"])
    assert not [f for f in facts if f.limit is not None]


def test_extract_name_inside_a_path_is_no_mention(extract: Extract) -> None:
    facts = extract("Redshift Serverless: Monitoring", ["• Logs under /aws/redshift/serverless/"])
    assert "redshift" not in {f.subject for f in facts if f.kind == "mention"}


def test_extract_monitoring_title_member_delivered_to_is_no_monitor(extract: Extract) -> None:
    lines = ["• CloudWatch Metrics", "• Delivery to Amazon S3"]
    [listing] = [f for f in extract("MSK – Monitoring", lines) if f.kind == "listing"]
    assert [m.entity for m in listing.members] == ["cloudwatch"]


def test_extract_figures_under_a_denying_header_are_no_limits(extract: Extract) -> None:
    lines = ["• You can’t do the following:", "• Scale up to more than 500 shards in a stream"]
    facts = extract("Kinesis Scaling Limitations", lines)
    assert not [f for f in facts if f.limit is not None]


def test_extract_the_name_compared_with_owns_no_figure(extract: Extract) -> None:
    facts = extract("AWS Snowmobile", ["• Better than Snowball if you transfer more than 10 PB"])
    assert {f.subject for f in facts if f.limit is not None} == {"snowmobile"}


def test_extract_concept_naming_what_an_entity_is_is_no_party(extract: Extract) -> None:
    lines = ["• Discovery of schemas from:", "• S3 “data lakes”"]
    assert flows(extract("What is Glue?", lines)) == {("s3", "flow", "glue")}


def test_extract_more_integration_compares(extract: Extract) -> None:
    facts = extract("EMR Notebook", ["• Similar concept to Zeppelin, with more AWS integration"])
    assert relations(facts) == {("emr-notebooks", "compared", "zeppelin")}
