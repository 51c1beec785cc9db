"""The pages in a real browser: Debian's headless Chromium on a live server with the sample deck."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from bench.ui import PAINTED, TIMINGS
from tests.ui.conftest import Watch, axe_violations, shot

pytestmark = pytest.mark.browser

QUESTION = "which services can write to Redshift?"
# The ask page's scripts and styles together stay under this (issue 12).
ASK_PAGE_BUDGET = 150 * 1024
# ReDoc's bundle always renders its vendor's logo from a remote URL; the CSP blocks it, so it
# never leaves the browser (README, "Offline").
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
# Predicates are functions: Playwright polls a string expression with eval, which the CSP forbids.
RESULTS_IN = "() => window.kgqaConsole.getTab().getYasr().results !== undefined"
ROWS = (
    "window.kgqaConsole.getTab().getYasr().results.getBindings()"
    ".map(b => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.value])))"
)


def api_get(live_url: str, path: str) -> tuple[int, dict[str, Any]]:
    """Status and JSON body of a GET on the live API, as any client sees it."""
    try:
        with urllib.request.urlopen(f"{live_url}{path}", timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def ask(page: Any, question: str) -> None:
    """Open the ask page with the question in its URL and wait for the answer card."""
    page.goto(f"/?q={quote(question)}")
    page.locator("#answer .answer-text").wait_for()


def test_browser_ask_shows_items_and_sources(page: Any, live_url: str) -> None:
    page.goto("/")
    page.fill("#q", QUESTION)
    page.press("#q", "Enter")
    page.locator("#answer .answer-text").wait_for()
    _, expected = api_get(live_url, f"/ask?q={quote(QUESTION)}")
    assert page.locator("#answer .answer-text").inner_text() == expected["answer"]
    items = page.locator("#answer ul.items > li > a").all_inner_texts()
    assert items == [item["label"] for item in expected["items"]]
    titles = page.locator("#answer li.source h4").all_inner_texts()
    assert titles == [f"Slide {s['slide']}: {s['title']}" for s in expected["sources"]]
    assert page.locator("#answer mark.answering").count() >= 1
    assert urlsplit(page.url).query == f"q={quote(QUESTION)}"
    assert axe_violations(page) == []
    shot(page, "ask")


def test_browser_shared_url_answers_again(page: Any) -> None:
    ask(page, QUESTION)
    assert page.input_value("#q") == QUESTION
    assert page.locator("#answer ul.items > li").count() >= 2


def test_browser_value_and_verdict_badges(page: Any, live_url: str) -> None:
    page.goto("/")
    questions = page.locator(".examples a").all_inner_texts()
    seen = set()
    for question in questions:
        _, body = api_get(live_url, f"/ask?q={quote(question)}")
        ask(page, question)
        if body["value"]:
            assert body["value"]["text"] in page.locator("#answer .value").inner_text()
            seen.add("value")
        if body["verdict"]:
            badge = page.locator("#answer .verdict").inner_text()
            assert badge == body["verdict"].capitalize()
            seen.add("verdict")
    assert seen == {"value", "verdict"}


def test_browser_item_opens_entity_page(page: Any, live_url: str) -> None:
    ask(page, QUESTION)
    _, expected = api_get(live_url, f"/ask?q={quote(QUESTION)}")
    first = expected["items"][0]
    page.locator("#answer ul.items > li > a").first.click()
    entity = first["iri"].rsplit("/", 1)[-1]
    page.wait_for_url(f"**/ui/entities/{entity}")
    assert page.locator("h1").inner_text() == first["label"]
    _, card = api_get(live_url, f"/entities/{entity}")
    partners = {f["entity"] for kind in ("writes_to", "reads_from") for f in card["facts"][kind]}
    drawn = page.locator("svg a.node").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('href').split('/').pop())"
    )
    assert partners and partners <= set(drawn)
    assert page.locator("section a.ref").count() >= 1
    assert axe_violations(page) == []
    shot(page, "entity")
    page.locator("svg a.node").first.click()
    page.wait_for_url(f"**/ui/entities/{drawn[0]}")


def test_browser_source_opens_its_slide(page: Any, live_url: str) -> None:
    ask(page, QUESTION)
    _, expected = api_get(live_url, f"/ask?q={quote(QUESTION)}")
    source = expected["sources"][0]
    page.locator("#answer li.source h4 a").first.click()
    page.wait_for_url(f"**/ui/slides/{source['deck']}/{source['slide']}")
    assert page.locator("h1").inner_text() == source["title"]
    assert page.locator("pre.slide-text mark.fact").count() >= 1
    assert axe_violations(page) == []
    shot(page, "slide")
    page.locator("a[rel=next]").click()
    page.wait_for_url(f"**/ui/slides/{source['deck']}/*")
    assert page.url.rsplit("/", 1)[-1] != str(source["slide"])


def test_browser_sparql_of_answer_runs_in_console(page: Any, live_url: str) -> None:
    ask(page, QUESTION)
    _, expected = api_get(live_url, f"/ask?q={quote(QUESTION)}")
    page.locator("#answer details.sparql summary").click()
    page.locator("#answer details.sparql a.button").first.click()
    page.wait_for_url("**/ui/sparql?query=*")
    page.locator(".yasqe_queryButton:visible").click()
    page.wait_for_function(RESULTS_IN)
    rows = page.evaluate(ROWS)
    found = {value for row in rows for value in row.values()}
    assert {item["iri"] for item in expected["items"]} <= found
    page.locator(".yasr table.dataTable tbody tr").first.wait_for()
    assert page.locator(".yasr table.dataTable tbody tr").count() == min(len(rows), 50)
    assert axe_violations(page) == []
    shot(page, "sparql")
    with page.expect_download() as download:
        page.click("#download-csv")
    csv_text = Path(download.value.path()).read_text("utf-8")
    assert len(csv_text.strip().splitlines()) == len(rows) + 1
    with page.expect_download() as download:
        page.click("#download-json")
    results = json.loads(Path(download.value.path()).read_text("utf-8"))
    assert len(results["results"]["bindings"]) == len(rows)


def test_browser_console_examples_run(page: Any) -> None:
    page.goto("/ui/sparql")
    page.select_option("#example", index=1)
    page.locator(".yasqe_queryButton:visible").click()
    page.wait_for_function(RESULTS_IN)
    assert len(page.evaluate(ROWS)) >= 1


def test_browser_keyboard_only(page: Any, live_url: str) -> None:
    page.goto("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    page.locator("#answer .answer-text").wait_for()
    assert page.evaluate("document.activeElement.id") == "answer-heading"
    page.keyboard.press("Tab")
    _, expected = api_get(live_url, f"/ask?q={quote(QUESTION)}")
    focused = page.evaluate(
        "[document.activeElement.tagName, document.activeElement.closest('#answer') !== null,"
        " document.activeElement.textContent]"
    )
    assert focused == ["A", True, expected["items"][0]["label"]]
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/entities/*")


@pytest.mark.parametrize("question", ["", "x" * 2001], ids=["empty", "too-long"])
def test_browser_bad_question_shows_api_error(
    page: Any, watch: Watch, live_url: str, question: str
) -> None:
    # Chromium logs the fetch's 400 as a console error: here it is the point of the test.
    watch.expected_errors.append("status of 400")
    status, problem = api_get(live_url, f"/ask?q={quote(question)}")
    assert status == 400
    page.goto("/")
    page.fill("#q", question)
    page.press("#q", "Enter")
    page.locator("#error").wait_for()
    assert page.locator("#error").inner_text() == problem["detail"]
    assert page.locator("#answer").is_hidden()


def test_browser_ask_page_budget(page: Any, live_url: str) -> None:
    loaded: list[str] = []
    page.on(
        "response",
        lambda r: (
            loaded.append(r.url) if r.request.resource_type in ("script", "stylesheet") else None
        ),
    )
    ask(page, QUESTION)
    page.wait_for_load_state("networkidle")
    sizes = {}
    for url in loaded:
        with urllib.request.urlopen(url, timeout=30) as response:
            sizes[urlsplit(url).path] = len(response.read())
    total = sum(sizes.values())
    print(f"ask page scripts and styles: {total} bytes {sizes}")
    assert total < ASK_PAGE_BUDGET
    assert not any("vendor" in path for path in sizes)


def test_browser_answer_on_screen_after_response(page: Any) -> None:
    ask(page, QUESTION)
    page.wait_for_function(PAINTED)
    timings = page.evaluate(TIMINGS)
    # A generous robustness bound; the figure against the 100 ms target is `make bench-ui`.
    assert 0 <= timings["drawn"] <= timings["painted"] < 1000


def test_browser_docs_offline(page: Any) -> None:
    page.goto("/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "kgqa" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".swagger-ui .opblock").count() >= 5
    assert axe_violations(page) == []
    shot(page, "docs")


def test_browser_redoc_offline(page: Any, watch: Watch) -> None:
    watch.allowed_remote.add(REDOC_LOGO)
    page.goto("/redoc")
    page.locator("#redoc h1").first.wait_for()
    assert "kgqa" in page.locator("#redoc h1").first.inner_text()
    assert axe_violations(page) == []
    shot(page, "redoc")


def test_browser_pages_pass_axe(page: Any) -> None:
    for path in ("/", "/ui/entities", "/ui/sparql"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == [], path


def test_browser_answer_helpers(page: Any) -> None:
    page.goto("/")
    sparql = (
        "# bound: VALUES (?entity) { (?entity <https://example.org/e>) }\n"
        "SELECT ?x WHERE {\n  ?x <https://example.org/p> ?entity .\n}\n\n"
        "# bound: VALUES (?a ?b) { (?a <https://example.org/a>) (?b 'two words') }\n"
        "SELECT ?c WHERE { ?a ?b ?c }"
    )
    queries = page.evaluate(
        "async (text) => (await import('/ui/static/answer.js')).runnableQueries(text)", sparql
    )
    assert len(queries) == 2
    assert "WHERE {\n  VALUES (?entity) { (<https://example.org/e>) }" in queries[0]
    assert "VALUES (?a ?b) { (<https://example.org/a> 'two words') }" in queries[1]
    plain = page.evaluate(
        "async (text) => (await import('/ui/static/answer.js')).runnableQueries(text)",
        "SELECT * WHERE { ?s ?p ?o }",
    )
    assert plain == ["SELECT * WHERE { ?s ?p ?o }"]
    marked = page.evaluate(
        "async () => [...(await import('/ui/static/answer.js')).answeringLines("
        "{slide: 1, deck: 'd', text: 'first line\\nsecond line', highlight: [12, 16]},"
        " {items: [], answer: '', value: null})]"
    )
    assert marked == [1]
