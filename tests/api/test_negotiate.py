"""Accept headers to result formats."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from api.negotiate import graph_format, parse_accept, result_format
from kg.errors import NotAcceptable


def test_negotiate_q_values_pick_highest() -> None:
    media_type, fmt = result_format("application/sparql-results+json;q=0.5, text/csv")
    assert fmt == ox.QueryResultsFormat.CSV
    assert media_type.startswith("text/csv")


def test_negotiate_client_order_breaks_ties() -> None:
    assert result_format("text/tab-separated-values, text/csv")[1] == ox.QueryResultsFormat.TSV


def test_negotiate_q_zero_excludes() -> None:
    with pytest.raises(NotAcceptable):
        graph_format("text/turtle;q=0, application/xml")


def test_negotiate_browser_accept_gets_xml() -> None:
    header = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert result_format(header)[1] == ox.QueryResultsFormat.XML


def test_negotiate_ignores_garbage_ranges() -> None:
    assert parse_accept("nonsense, ;;, text/csv;q=abc")[-1].q == 0.0
    assert graph_format("nonsense, */*")[1] == ox.RdfFormat.TURTLE
