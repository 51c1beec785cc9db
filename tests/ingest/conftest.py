"""Fixtures shared by the ingest tests: the curated gazetteer and the real mention finder."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ingest.nlp import find_mentions, make_nlp
from ingest.relations import Span
from kg.gazetteer import load_gazetteer
from kg.types import Entity
from ontology.terms import GAZETTEER


@pytest.fixture(scope="session")
def gazetteer() -> dict[str, Entity]:
    """The curated gazetteer, loaded once."""
    return load_gazetteer(GAZETTEER)


@pytest.fixture(scope="session")
def find(gazetteer: dict[str, Entity]) -> Callable[[str], list[Span]]:
    """The real spaCy mention finder over the curated gazetteer."""
    nlp = make_nlp(gazetteer)
    return lambda text: find_mentions(nlp(text))
