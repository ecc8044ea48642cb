"""Which web pages may drive the server: a request or a WebSocket from a foreign page is refused.

Any page a person visits can make their browser POST to http://127.0.0.1:8000 or open a
WebSocket to it; the browser only hides the answer from the page (and not even that for a
WebSocket). What it cannot do is lie about where the page comes from: it names the page's
origin in `Origin` (or `null` for a sandboxed or privacy-reduced one). So every request and
WebSocket handshake that names an origin must name a trusted one (`MLCHAT_ALLOWED_ORIGINS`,
by default the server's own addresses) or the very host the request is sent to (the page
mlchat served, under whatever name a team reaches the server by). A request without `Origin`
comes from no page (curl, a script, another server) and passes: it is not what a foreign page
can forge.

Same-origin GETs carry no `Origin`, which leaves DNS rebinding: a page at evil.example whose
name is switched to 127.0.0.1 is, to the browser, the same origin as the server it now reaches.
What it cannot change is the `Host` its requests name, so where no key is needed (local mode)
the Host must be one of the server's own names.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from service.errors import ForbiddenError, ServiceError
from service.integrations.slack.paths import SLACK_PATHS
from service.problems import PROBLEM_JSON, problem_body


class OriginGuard(ASGIMiddleware):
    """Refuses HTTP requests (403 problem+json) and WebSocket handshakes (403, before accept)
    whose `Origin` is not trusted."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(self, trusted: frozenset[str], hosts: frozenset[str] | None = None) -> None:
        self.trusted = trusted
        self.hosts = hosts

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["path"] in SLACK_PATHS and scope["type"] == ScopeType.HTTP:
            # Slack's servers, under the public name a proxy gives: no page, no session, and
            # nothing done without Slack's signature, which a rebound page cannot make.
            await next_app(scope, receive, send)
            return
        host = request_host(scope)
        if self.hosts is not None and host is not None and host not in self.hosts:
            error = ForbiddenError(
                f"this server does not answer to the name {host!r}: it answers to "
                f"{', '.join(sorted(self.hosts))}; to serve another name, add its origin to "
                "MLCHAT_ALLOWED_ORIGINS",
                host=host,
            )
            if scope["type"] == ScopeType.WEBSOCKET:
                await refuse_handshake(scope, send, error)
                return
            raise error
        origin = request_origin(scope)
        if origin is None or origin.lower() in self.trusted or same_origin(origin, scope):
            await next_app(scope, receive, send)
            return
        error = ForbiddenError(
            f"requests from the page at {origin} are refused: only pages from "
            f"{', '.join(sorted(self.trusted))} may call this server; to allow another, add "
            "its origin to MLCHAT_ALLOWED_ORIGINS (comma-separated)",
            origin=origin,
        )
        if scope["type"] == ScopeType.WEBSOCKET:
            await refuse_handshake(scope, send, error)
            return
        raise error


def request_origin(scope: Scope) -> str | None:
    """The `Origin` header as sent (the last one, should there be several), or None."""
    origin = None
    for name, value in scope["headers"]:
        if name.lower() == b"origin":
            origin = value.decode("latin-1")
    return origin


def same_origin(origin: str, scope: Scope) -> bool:
    """Whether the page is the server's own, as reached under the name the request gives:
    http://server:8000 calling server:8000. A page elsewhere cannot make the browser send the
    server's Host with its own Origin; and where no key is needed the Host is checked too."""
    netloc = urlsplit(origin).netloc.lower()
    host = next((value.decode("latin-1").strip().lower() for name, value in scope["headers"]
                 if name.lower() == b"host"), None)  # fmt: skip
    return bool(netloc) and netloc == host


def request_host(scope: Scope) -> str | None:
    """The `Host` header's name, lower-cased, without its port; None without one."""
    for name, value in scope["headers"]:
        if name.lower() == b"host":
            host = value.decode("latin-1").strip().lower()
            if host.startswith("["):
                return host.partition("]")[0] + "]"
            return host.rpartition(":")[0] if ":" in host else host
    return None


async def refuse_handshake(scope: Scope, send: Send, error: ServiceError) -> None:
    """Answer a WebSocket handshake with the error as HTTP problem+json, never accepting it.

    Without the server's denial-response extension a close before accept is all ASGI allows;
    uvicorn answers it with a bare 403."""
    if "websocket.http.response" not in (scope.get("extensions") or {}):
        await send(
            {
                "type": "websocket.close",
                "code": 4000 + error.status_code,
                "reason": error.detail[:120],
            }
        )
        return
    body = json.dumps(problem_body(error.status_code, error.title, error.detail, **error.extra))
    headers: list[tuple[bytes, bytes]] = [(b"content-type", PROBLEM_JSON.encode())]
    start: Any = {"type": "websocket.http.response.start", "status": error.status_code,
                  "headers": headers}  # fmt: skip
    await send(start)
    await send({"type": "websocket.http.response.body", "body": body.encode(), "more_body": False})


ACCEPTED = "mlchat.accepted"
"""Set in a WebSocket's scope once it was accepted before the app saw it (to read the first
message's proof): it can then only be closed, not answered with an HTTP status."""


async def refuse_socket(scope: Scope, send: Send, error: ServiceError) -> None:
    """Refuse a socket the app has not accepted: with the error's HTTP status where the
    handshake is still open (a 404 says no more than that there is nothing there), else with
    a close code of 4000 + status."""
    if scope.get(ACCEPTED):
        await send({"type": "websocket.close", "code": 4000 + error.status_code,
                    "reason": error.detail[:120]})  # fmt: skip
        return
    await refuse_handshake(scope, send, error)
