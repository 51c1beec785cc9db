"""Planning on invented questions: who is asked for, bridges, deck-wide lists, narrowing words."""

from __future__ import annotations

import re

from kg.ask.link import Linked
from kg.ask.parse import parse
from kg.ask.plan import make_plan
from kg.linking import Mention


def plan_of(text: str, names: dict[str, str]):  # type: ignore[no-untyped-def]
    """The plan of a question whose entities are the given surface names."""
    mentions = []
    for entity, name in names.items():
        match = re.search(re.escape(name), text)
        assert match
        mentions.append(Mention(entity, name, match.start(), match.end(), 1.0, (entity,)))
    mentions.sort(key=lambda m: m.start)
    linked = Linked(tuple(mentions), tuple(mentions), tuple(m.entity for m in mentions), ())
    return make_plan(parse(text, mentions), linked)


def test_plan_what_can_do_asks_for_subjects() -> None:
    assert plan_of("What can compress the backup files?", {}).agent
    assert plan_of("Which managed tools read records from Foo?", {"foo": "Foo"}).agent
    assert not plan_of("What can I use to watch Foo?", {"foo": "Foo"}).agent


def test_plan_described_entity_is_a_bridge() -> None:
    text = "Foo is built on another AWS service. What does that service cost?"
    assert plan_of(text, {"foo": "Foo"}).bridge
    text = (
        "Which Foo Family ships with Bar built in, and how much memory does its small model have?"
    )
    assert plan_of(text, {"foo": "Foo Family", "bar": "Bar"}).bridge


def test_plan_deck_wide_list_and_pure_relation() -> None:
    plan = plan_of("Across the course, which services write to Foo?", {"foo": "Foo"})
    assert plan.deck_wide and plan.focus == "foo"
    assert plan_of("Which services write to Foo?", {"foo": "Foo"}).pure_relation


def test_plan_narrowing_words_leave_out_names_and_relation_words() -> None:
    plan = plan_of("Which services write audit logs to Foo?", {"foo": "Foo"})
    assert set(plan.predicate_stems) == {"audit", "log"}


def test_plan_both_and_splits_into_one_question_per_entity() -> None:
    from kg.ask.execute import sharing_queries

    plan = plan_of(
        "Which stores can both Foo scan and Bar load from?", {"foo": "Foo", "bar": "Bar"}
    )
    assert plan.parsed.shared
    assert sharing_queries(plan) == [
        ("Which stores can both Foo scan", "foo"),
        ("Which stores can Bar load from?", "bar"),
    ]


def test_plan_in_common_leaves_the_other_name_out_of_each_question() -> None:
    from kg.ask.execute import sharing_queries

    plan = plan_of("Which targets do Foo and Bar have in common?", {"foo": "Foo", "bar": "Bar"})
    texts = [text for text, _ in sharing_queries(plan)]
    assert "Bar" not in texts[0] and "Foo" in texts[0]
    assert "Foo" not in texts[1] and "Bar" in texts[1]


def test_plan_and_also_between_two_names_is_a_shared_question() -> None:
    plan = plan_of(
        "Which codec ships with Foo and is also read by Bar?", {"foo": "Foo", "bar": "Bar"}
    )
    assert plan.parsed.shared


def test_plan_both_without_two_names_is_no_shared_question() -> None:
    assert not plan_of("Is Foo both fast and cheap?", {"foo": "Foo"}).parsed.shared
    assert not plan_of(
        "Which targets do Foo and Bar offer?", {"foo": "Foo", "bar": "Bar"}
    ).parsed.shared


def test_plan_an_open_source_bridge_is_software() -> None:
    from kg.ask.hop import bridge_types

    assert bridge_types("X runs on an open-source SQL engine.") == ("Software", "ThirdPartyProduct")
    assert "Service" in bridge_types("X is built on another service.")
