"""The pages' Content-Security-Policy: own-origin scripts and styles, nothing inline."""

from __future__ import annotations

from api.ui.csp import csp_header


def directives(header: str) -> dict[str, str]:
    return dict(part.split(" ", 1) for part in header.split("; "))


def test_csp_base_policy_is_strict() -> None:
    policy = directives(csp_header())
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp_header()


def test_csp_extra_sources_add_to_a_directive() -> None:
    policy = directives(csp_header({"style-src": "'nonce-abc'", "worker-src": "blob:"}))
    assert policy["style-src"] == "'self' 'nonce-abc'"
    assert policy["worker-src"] == "blob:"
    assert policy["script-src"] == "'self'"
