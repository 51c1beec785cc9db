"""The Content-Security-Policy of the HTML pages: scripts and styles only from files kgqa serves."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

# Nothing loads unless named; scripts and styles come from our own origin only (no inline code,
# no eval), the pages talk only to the API on the same origin, and no one may frame them.
BASE_POLICY: Mapping[str, str] = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


def new_nonce() -> str:
    """A fresh per-response nonce for styles a vendored bundle injects at run time."""
    return secrets.token_urlsafe(16)


def csp_header(extra: Mapping[str, str] | None = None) -> str:
    """The policy as a header value; extra adds sources to (or sets) single directives."""
    policy = dict(BASE_POLICY)
    for directive, sources in (extra or {}).items():
        current = policy.get(directive)
        policy[directive] = f"{current} {sources}" if current else sources
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())
