"""Request and response bodies of the HTTP API, with the examples the OpenAPI page shows."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

SOURCE_EXAMPLE: dict[str, Any] = {
    "deck": "sample-deck",
    "slide": 3,
    "lines": [41, 58],
    "title": "Kinesis Data Firehose",
    "text": "Firehose delivers to Amazon S3, Amazon Redshift ...",
    "score": 0.83,
}
ANSWER_EXAMPLE: dict[str, Any] = {
    "question": "which services can write to Redshift?",
    "answer": "Amazon Redshift receives data from 2 entities: Amazon Kinesis Data Firehose "
    "(slide 3); AWS Glue (slide 5).",
    "intent": "writes_to",
    "items": [
        {
            "label": "Amazon Kinesis Data Firehose",
            "iri": "https://w3id.org/kgqa/id/entity/kinesis-data-firehose",
            "sources": [SOURCE_EXAMPLE],
        }
    ],
    "value": None,
    "verdict": None,
    "sources": [SOURCE_EXAMPLE],
    "sparql": "SELECT ?entity ?label ...",
    "confidence": 0.9,
}


class Problem(BaseModel):
    """Every error: a machine-readable code and a message saying what to do."""

    error: str = Field(examples=["not_found"])
    detail: str = Field(examples=["no entity 'redshfit': GET /entities lists the ids"])


class AskIn(BaseModel):
    """A question in natural language."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"question": "which services can write to Redshift?"}]}
    )

    question: str = Field(description="What a user types; 1 to 2,000 characters.")


class SourceOut(BaseModel):
    """A supporting slide: `lines` for text decks, `page` for PDFs (the other key is omitted)."""

    model_config = ConfigDict(json_schema_extra={"examples": [SOURCE_EXAMPLE]})

    deck: str
    slide: int
    title: str
    text: str
    score: float
    lines: list[int] | None = None
    page: int | None = None

    @model_serializer(mode="wrap")
    def omit_absent_location(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Drop lines/page when absent, as kg.contract.source_to_json does."""
        out: dict[str, Any] = handler(self)
        for key in ("lines", "page"):
            if out.get(key) is None:
                out.pop(key, None)
        return out


class ItemOut(BaseModel):
    """One entity of a list answer with the slides that assert it."""

    label: str
    iri: str
    sources: list[SourceOut] = []


class ValueOut(BaseModel):
    """The figure of a limit answer."""

    text: str
    value: float | None
    unit: str
    quantity: str


class AnswerOut(BaseModel):
    """The answer object of ../shared/eval/README.md."""

    model_config = ConfigDict(json_schema_extra={"examples": [ANSWER_EXAMPLE]})

    question: str
    answer: str
    intent: str
    items: list[ItemOut]
    value: ValueOut | None
    verdict: Literal["yes", "no"] | None
    sources: list[SourceOut]
    sparql: str | None
    confidence: float


class EntitySummary(BaseModel):
    """An entity in the list."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "kinesis-data-firehose",
                    "label": "Amazon Kinesis Data Firehose",
                    "type": "Service",
                    "domain": "Collection",
                    "domains": ["Collection"],
                    "href": "/entities/kinesis-data-firehose",
                }
            ]
        }
    )

    id: str
    label: str
    type: str
    domain: str | None = Field(description="The course section most of its slides are in.")
    domains: list[str]
    href: str


class EntityList(BaseModel):
    """Entities matching the filters."""

    count: int
    entities: list[EntitySummary]


class SlideRef(BaseModel):
    """Where a fact is stated."""

    deck: str
    slide: int
    title: str
    lines: list[int] | None = None
    page: int | None = None
    text: str = Field(description="The sentence that states the fact.")
    href: str


class FactOut(BaseModel):
    """One fact of an entity card: the other entity or the figure, and its slides."""

    label: str = Field(description="What the fact says in a few words.")
    entity: str | None = Field(default=None, description="The id of the other entity, if any.")
    details: dict[str, str | float | None] = {}
    slides: list[SlideRef]


class EntityCard(BaseModel):
    """Everything the graph states about one entity, grouped by kind."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "kinesis-data-firehose",
                    "label": "Amazon Kinesis Data Firehose",
                    "aliases": ["KDF", "Firehose"],
                    "type": "Service",
                    "domain": "Collection",
                    "domains": ["Collection"],
                    "iri": "https://w3id.org/kgqa/id/entity/kinesis-data-firehose",
                    "description": "Kinesis Data Firehose loads streaming data into data stores.",
                    "facts": {
                        "writes_to": [
                            {
                                "label": "Amazon Redshift",
                                "entity": "redshift",
                                "details": {},
                                "slides": [
                                    {
                                        "deck": "sample-deck",
                                        "slide": 3,
                                        "title": "Kinesis Data Firehose",
                                        "lines": [41, 42],
                                        "text": "Firehose delivers to Amazon Redshift",
                                        "href": "/slides/sample-deck/3",
                                    }
                                ],
                            }
                        ]
                    },
                    "slides": [
                        {
                            "deck": "sample-deck",
                            "slide": 3,
                            "title": "Kinesis Data Firehose",
                            "lines": [41, 58],
                            "text": "",
                            "href": "/slides/sample-deck/3",
                        }
                    ],
                }
            ]
        }
    )

    id: str
    iri: str
    label: str
    aliases: list[str]
    type: str
    domain: str | None
    domains: list[str]
    description: str | None
    facts: dict[str, list[FactOut]] = Field(
        description="writes_to, reads_from, triggers, triggered_by, integrates_with, limits, "
        "security_features, attributes, negations, anti_patterns"
    )
    slides: list[SlideRef] = Field(description="Slides about or mentioning the entity.")


class SlideFact(BaseModel):
    """A fact extracted from a slide."""

    kind: str = Field(examples=["writesTo"])
    subject: str | None
    subject_label: str | None
    object: str | None = None
    object_label: str | None = None
    details: dict[str, str | float | None] = {}
    text: str
    lines: list[int]


class SlidePage(BaseModel):
    """A slide: where it is, its cleaned text and the facts extracted from it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "deck": "sample-deck",
                    "number": 3,
                    "iri": "https://w3id.org/kgqa/id/slide/sample-deck/3",
                    "title": "Kinesis Data Firehose",
                    "section": "Collection",
                    "lines": [41, 58],
                    "text": "Firehose delivers to Amazon S3 ...",
                    "about": ["kinesis-data-firehose"],
                    "mentions": ["s3"],
                    "descriptions": [],
                    "facts": [],
                }
            ]
        }
    )

    deck: str
    number: int
    iri: str
    title: str
    section: str | None
    lines: list[int] | None = None
    page: int | None = None
    text: str
    about: list[str]
    mentions: list[str]
    descriptions: list[str]
    facts: list[SlideFact]


class Health(BaseModel):
    """Liveness and what is loaded."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "counts": {"slides": 12, "entities": 240, "facts": 95, "triples": 3100},
                    "model": "all-MiniLM-L6-v2",
                    "built_at": "2025-01-01T00:00:00+00:00",
                    "slack": False,
                    "sparql_workers": 2,
                    "version": "3f1c0a9be2d47a10",
                    "graph": "embedded",
                }
            ]
        }
    )

    status: Literal["ok", "loading"]
    counts: dict[str, int]
    model: str
    built_at: str | None
    slack: bool
    sparql_workers: int
    version: str | None = None
    graph: Literal["embedded", "remote"] | None = None


class Ready(BaseModel):
    """Whether this replica can answer now."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"ready": True, "version": "3f1c0a9be2d47a10"}]}
    )

    ready: bool
    version: str | None = None
