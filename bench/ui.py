"""The ask page in Debian's headless Chromium: how soon after the /ask response the answer shows.

python -m bench.ui --data-dir DIR [--rounds 3] [--chromium /usr/bin/chromium]

For every question (the dev set when it is beside the project) the page is loaded as /?q=... and
the browser's Performance API is read: the API time (fetch start to response end; the baseline the
page waits for anyway), drawing (response end to the DOM built) and on screen (response end to the
frame after drawing; target: under 100 ms). Medians and p95 over questions x rounds. Loopback only.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.http import free_port, questions, start_server, stop_server, wait_healthy

# Flags that work on machines without network or GPU (no background calls home, no sandbox as root).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Functions, not expressions: Playwright polls a string expression with eval, which the CSP forbids.
PAINTED = "() => performance.getEntriesByName('kgqa:answer-painted').length > 0"
TIMINGS = """(() => {
  const r = performance.getEntriesByType("resource").find((e) => e.name.includes("/ask?q="));
  const mark = (name) => performance.getEntriesByName(name)[0].startTime;
  return {
    api: r.responseEnd - r.startTime,
    drawn: mark("kgqa:answer-drawn") - r.responseEnd,
    painted: mark("kgqa:answer-painted") - r.responseEnd,
  };
})()"""


def percentile(values: list[float], q: float) -> float:
    """The q-quantile of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(page: Any, base: str, question: str) -> dict[str, float]:
    """Load the ask page with the question and read its timings (ms)."""
    page.goto(f"{base}/?q={quote(question)}")
    page.wait_for_function(f"() => ({PAINTED})() || !document.getElementById('error').hidden")
    if not page.locator("#error").is_hidden():
        return {}
    timings: dict[str, float] = page.evaluate(TIMINGS)
    return timings


def main() -> None:
    """Serve the data dir, drive Chromium over the questions, print medians and p95."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    args = parser.parse_args()
    asked = questions()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args.data_dir.resolve(), port, workers=1)
    samples: dict[str, list[float]] = {"api": [], "drawn": [], "painted": []}
    errors = 0
    try:
        wait_healthy(base, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(args.chromium), args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.set_default_timeout(60_000)
            measure(page, base, asked[0])  # warm-up: caches, JIT, the first ONNX call
            for _ in range(args.rounds):
                for question in asked:
                    timings = measure(page, base, question)
                    errors += 0 if timings else 1
                    for name, value in timings.items():
                        samples[name].append(value)
            browser.close()
    finally:
        stop_server(server)
    print(f"{len(asked)} questions x {args.rounds} rounds; {errors} error answers skipped")
    for name, label in (
        ("api", "API /ask (fetch start -> response end, baseline)"),
        ("drawn", "response end -> answer in the DOM"),
        ("painted", "response end -> answer on screen (next frame)"),
    ):
        values = samples[name]
        print(
            f"{label:<52} median {statistics.median(values):7.2f} ms  "
            f"p95 {percentile(values, 0.95):7.2f} ms  max {max(values):7.2f} ms"
        )


if __name__ == "__main__":
    main()
