"""Headers on every response that keep the browser from misusing what the server sends.

The chat page loads only its own files (its scripts, its stylesheet, plotly.js served by
mlchat) and talks only to its own server, so its policy names nothing but 'self'. Two
allowances, each for plotly.js: inline styles (it styles its SVG through `style`
attributes and a <style> element it adds) and eval (its WebGL traces, the scatter matrix,
compile their shader code with `Function`). The OpenAPI pages under /schema are Litestar's:
their renderers come from mlchat too (service/api_docs.py), but each page starts its renderer
with an inline script, so they get a policy of their own, still naming no other host.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from service.api_docs import DOCS_PATH

_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # 'same-origin', not 'no-referrer': under 'no-referrer' a browser sends `Origin: null`
    # with the page's own POSTs, which the origin check would then refuse.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""The Content-Security-Policy of everything but the API documentation."""

DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        # ReDoc runs its search index in a worker it starts from a blob: URL
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
"""The Content-Security-Policy of the OpenAPI pages (/schema/...): their renderers' inline
start-up scripts, and nothing from any other host."""


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook: the headers above on every HTTP response, errors included."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in _COMMON.items():
        headers.setdefault(name, value)
    path: str = scope.get("path", "")
    docs = path == DOCS_PATH or path.startswith(f"{DOCS_PATH}/")
    headers.setdefault("Content-Security-Policy", DOCS_POLICY if docs else PAGE_POLICY)
