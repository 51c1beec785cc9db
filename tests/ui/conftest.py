"""Debian's Chromium driven by Playwright against a live uvicorn on the sample deck.

Every page a test opens is watched: console errors, uncaught exceptions, Content-Security-Policy
violations and requests that leave 127.0.0.1 fail the test when it ends. Screenshots go to
tests/ui/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bench.ui import CHROMIUM_ARGS
from tests.api.conftest import client, live_url  # noqa: F401  (the same fixtures for UI tests)

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1280, "height": 900}
WATCH_SCRIPT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


@dataclass
class Watch:
    """What went wrong on a page while a test used it."""

    origin: str
    errors: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    allowed_remote: set[str] = field(default_factory=set)
    expected_errors: list[str] = field(default_factory=list)

    def on_request(self, request: Any) -> None:
        """Note a request that is neither to our server nor a page-local blob/data URL."""
        url = request.url
        if urlsplit(url).scheme in ("blob", "data") or url.startswith(self.origin):
            return
        self.remote.append(url)

    def problems(self, page: Any) -> list[str]:
        """Everything that should not have happened, CSP violations included."""
        violations: list[str] = []
        if not page.is_closed():
            try:
                violations = page.evaluate("window.__cspViolations || []")
            except Exception:  # the page is navigating; its events were logged as console errors
                violations = []
        remote = [url for url in self.remote if url not in self.allowed_remote]
        csp = [v for v in violations if v.split(" ", 1)[-1] not in self.allowed_remote]
        expected = [*self.allowed_remote, *self.expected_errors]
        errors = [e for e in self.errors if not any(text in e for text in expected)]
        return errors + [f"remote request: {u}" for u in remote] + [f"CSP: {v}" for v in csp]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium; CI must have it (the Makefile installs it), elsewhere the tests skip."""
    if CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium (as root)")


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    """One headless Chromium for the session (Playwright gives it a fresh profile)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def vendored() -> None:
    """The npm bundles the console and docs pages need (`make web`)."""
    from api.ui.pages import VENDOR_DIR

    if not (VENDOR_DIR / "axe.min.js").exists():
        pytest.fail(f"{VENDOR_DIR} is empty: run `make web` (npm ci from web/package-lock.json)")


@pytest.fixture
def watch(live_url: str) -> Watch:  # noqa: F811
    """The problems of the test's page."""
    return Watch(origin=live_url)


@pytest.fixture
def page(browser: Any, live_url: str, watch: Watch, vendored: None) -> Iterator[Any]:  # noqa: F811
    """A fresh context and page; fails the test on errors, CSP violations or remote requests."""
    context = browser.new_context(viewport=VIEWPORT, base_url=live_url, accept_downloads=True)
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    new_page.add_init_script(WATCH_SCRIPT)
    new_page.on("request", watch.on_request)
    new_page.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))
    new_page.on(
        "console",
        lambda message: (
            watch.errors.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    yield new_page
    problems = watch.problems(new_page)
    context.close()
    assert problems == []


def shot(page: Any, name: str) -> Path:
    """A full-page screenshot of the page as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core findings on the page, injected from our own vendored copy."""
    page.add_script_tag(url="/ui/static/vendor/axe.min.js")
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
        "v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
