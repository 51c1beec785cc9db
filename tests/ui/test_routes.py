"""The HTML routes over HTTP: headers, JSON routes untouched, 404 pages, examples that work."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.ui.examples import QUESTION_FORMS, example_questions, load_example_queries, read_example
from api.ui.pages import EXAMPLE_QUERIES, missing_assets
from kg.kb import KB

PAGES = [
    "/",
    "/ui/entities",
    "/ui/entities/redshift",
    "/ui/slides/sample-deck/8",
    "/ui/sparql",
    "/docs",
    "/redoc",
]


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style elements and attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        if "style" in names:
            self.found.append(f"style= on <{tag}>")
        self.found += [f"{name}= on <{tag}>" for name in names if name.startswith("on")]


def directives(header: str) -> dict[str, str]:
    return dict(part.split(" ", 1) for part in header.split("; "))


@pytest.mark.parametrize("path", PAGES)
def test_routes_pages_are_html_with_a_strict_csp(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == "'self'"
    assert "unsafe" not in response.headers["content-security-policy"]
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    parser = InlineCode()
    parser.feed(response.text)
    assert parser.found == []


@pytest.mark.parametrize("path", PAGES)
def test_routes_pages_load_nothing_from_elsewhere(client: TestClient, path: str) -> None:
    html = client.get(path).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []


@pytest.mark.parametrize(
    "path", ["/entities/redshift", "/slides/sample-deck/8", "/entities", "/ask?q=what+is+Redshift"]
)
def test_routes_json_routes_stay_json_for_browsers(client: TestClient, path: str) -> None:
    browser = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    plain = client.get(path)
    assert browser.headers["content-type"] == "application/json"
    assert browser.json() == plain.json()


def test_routes_unknown_entity_is_an_html_404_with_the_api_message(client: TestClient) -> None:
    page = client.get("/ui/entities/no-such-thing")
    api = client.get("/entities/no-such-thing").json()
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert api["detail"].replace("'", "&#39;") in page.text


def test_routes_unknown_slide_is_an_html_404(client: TestClient) -> None:
    page = client.get("/ui/slides/sample-deck/9999")
    assert page.status_code == 404
    assert "no slide 9999" in page.text


def test_routes_entity_page_groups_facts_and_draws_partners(client: TestClient) -> None:
    html = client.get("/ui/entities/kinesis-data-firehose").text
    card = client.get("/entities/kinesis-data-firehose").json()
    for heading in ("Sends data to", "Receives data from", "Limits"):
        assert f">{heading}<" in html
    for limit in card["facts"]["limits"]:
        assert f"<td>{limit['details']['quantity']}</td>" in html
    partners = {f["entity"] for f in card["facts"]["writes_to"]}
    drawn = set(re.findall(r'<a class="node" href="/ui/entities/([^"]+)"', html))
    assert partners <= drawn


def test_routes_slide_page_marks_its_facts(client: TestClient) -> None:
    html = client.get("/ui/slides/sample-deck/8").text
    marks = re.findall(r'<mark class="fact"[^>]*>([^<]+)</mark>', html)
    assert "Amazon S3" in marks
    assert 'rel="prev" href="/ui/slides/sample-deck/7"' in html
    assert 'rel="next" href="/ui/slides/sample-deck/9"' in html


def test_routes_static_files_are_served(client: TestClient) -> None:
    for name, kind in (("ask.js", "javascript"), ("site.css", "text/css")):
        response = client.get(f"/ui/static/{name}")
        assert response.status_code == 200
        assert kind in response.headers["content-type"]


def test_routes_example_queries_run_and_return_rows(client: TestClient) -> None:
    assert len(EXAMPLE_QUERIES) >= 4
    for example in EXAMPLE_QUERIES:
        response = client.post(
            "/sparql",
            data={"query": example.query},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, example.title
        assert response.json()["results"]["bindings"], example.title


def test_routes_example_questions_cover_each_kind_and_get_answers(
    client: TestClient, sample_kb: KB
) -> None:
    questions = example_questions(sample_kb)
    assert len(questions) == len(QUESTION_FORMS)
    labels = {entity.label for entity in sample_kb.entities.values()}
    for question in questions:
        assert any(label in question for label in labels)
        body = client.get("/ask", params={"q": question}).json()
        assert body["sources"]


def test_routes_read_example_takes_title_from_first_comment(tmp_path: Path) -> None:
    path = tmp_path / "01-x.rq"
    path.write_text("# Everything about x\nSELECT * WHERE { ?s ?p ?o }\n")
    example = read_example(path)
    assert example.title == "Everything about x"
    assert example.query == "SELECT * WHERE { ?s ?p ?o }\n"
    assert load_example_queries(tmp_path) == [example]


def test_routes_fastapi_cdn_docs_are_gone(client: TestClient) -> None:
    assert client.get("/docs/oauth2-redirect").status_code == 404
    assert '<script src="/ui/static/vendor/swagger-ui-bundle.js">' in client.get("/docs").text
    assert '<script src="/ui/static/vendor/redoc.standalone.js">' in client.get("/redoc").text


def test_routes_missing_assets_are_named() -> None:
    assert missing_assets(("no-such-bundle.js",)) == ["no-such-bundle.js"]
