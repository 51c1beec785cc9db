"""Fuzz every operation of the OpenAPI schema against the live server: no 5xx for any input."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from api.app import create_app
from kg.settings import Settings

schemathesis.openapi.media_type(
    "application/sparql-query",
    st.one_of(
        st.sampled_from(
            [
                b"ASK { ?s ?p ?o }",
                b"SELECT * WHERE { ?s ?p ?o } LIMIT 2",
                b"CLEAR ALL",
                b"SELECT",
                b"\xff\xfe",
            ]
        ),
        st.binary(max_size=200),
    ),
)


# The schema needs no loaded KB: build it from an app whose lifespan never runs.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_schema_no_server_errors(case: schemathesis.Case, live_url: str) -> None:
    response = case.call(base_url=live_url, timeout=30)
    assert response.status_code < 500, f"{case.method} {case.path}: {response.text[:300]}"
