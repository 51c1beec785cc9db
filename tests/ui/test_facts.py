"""Facts arranged for reading: relation words, denials, summaries, groups (invented facts)."""

from __future__ import annotations

from api.models import FactOut, SlideFact
from api.ui.facts import denied, fact_summary, kind_words, negation_label, security_groups


def fact(label: str, **details: str | float | None) -> FactOut:
    return FactOut(label=label, entity=None, details=details, slides=[])


def slide_fact(kind: str, **details: str | float | None) -> SlideFact:
    return SlideFact(
        kind=kind,
        subject="alpha",
        subject_label="Alpha",
        object="beta" if not details else None,
        object_label="Beta" if not details else None,
        details=details,
        text="",
        lines=[1, 1],
    )


def test_facts_kind_words_split_camel_case() -> None:
    assert kind_words("writesTo") == "writes to"
    assert kind_words("securityFeature") == "security feature"


def test_facts_denied_verbs_and_nouns() -> None:
    assert denied("writes to") == "does not write to"
    assert denied("triggers") == "does not trigger"
    assert denied("part of") == "is not part of"
    assert kind_words("not_integratesWith") == "does not integrate with"


def test_facts_negation_label_reads_as_words() -> None:
    assert (
        negation_label(fact("Alpha does not writesTo Beta", property="writesTo"))
        == "Alpha does not write to Beta"
    )
    assert negation_label(fact("Alpha never Beta")) == "Alpha never Beta"


def test_facts_summary_of_limits_attributes_and_relations() -> None:
    limit = slide_fact("limit", quantity="message size", value=256.0, unit="KB", qualifier="max")
    assert fact_summary(limit) == "Alpha: message size: 256 KB (max)"
    assert fact_summary(slide_fact("attribute", name="latency", value="low")) == (
        "Alpha: latency = low"
    )
    assert fact_summary(slide_fact("securityFeature", category="encryption")) == (
        "Alpha: encryption"
    )
    assert fact_summary(slide_fact("not_writesTo")) == "Alpha does not write to Beta"


def test_facts_security_grouped_by_category_in_first_seen_order() -> None:
    groups = security_groups(
        [
            fact("a", category="encryption at rest"),
            fact("b", category="authentication"),
            fact("c", category="encryption at rest"),
            fact("d"),
        ]
    )
    assert [(g.heading, [f.label for f in g.facts]) for g in groups] == [
        ("encryption at rest", ["a", "c"]),
        ("authentication", ["b"]),
        ("security", ["d"]),
    ]
