"""Who is asking: an API key (`Authorization: Bearer`) or, in local mode, the person at the machine.

Every request but /health passes here before any handler. The identity it finds (a tenant and
a scope) goes into the ASGI scope under "auth", where `deps.provide_tenant` reads it, so no
service ever sees a tenant the caller did not prove.

In `MLCHAT_AUTH=local` a request from a loopback address without a key is the local tenant's,
with every right: whoever can reach 127.0.0.1 is on the machine and could run `mlchat keys`
there anyway. That is safe only because the server then listens on loopback alone (`mlchat`
refuses a non-loopback bind in local mode); a reverse proxy on the same machine would make
every request loopback, so behind one set MLCHAT_AUTH=required.

A key proves a request in one of three ways: `Authorization: Bearer` (scripts, tools); a
browser session cookie the page got by signing in with the key once (`service.sessions`), whose
state-changing requests must also carry the session's CSRF token; or, for a WebSocket opened
without either, the socket's first message (the key, or a one-use ticket) — never the URL,
which ends up in logs.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs

import anyio
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from service.db.models import KeyScope
from service.domain.keys.services import KeyService, check_tenant
from service.errors import ForbiddenError, ServiceError, UnauthorizedError
from service.integrations.slack.paths import SLACK_PATHS
from service.origins import ACCEPTED, refuse_handshake
from service.sessions import (
    CSRF_HEADER,
    close_session,
    find_session,
    redeem_ticket,
    session_cookie,
)
from service.settings import Settings

OPEN_PATHS = frozenset({"/health", "/"})
OPEN_PREFIXES = ("/static/", "/vendor/", "/schema")
"""The page and the API's description hold nothing secret: the page must load to sign in."""
SIGN_IN_PATH = "/api/v1/session"
"""Answers with or without an identity: it is where a page finds out whether it must sign in."""
ADMIN_PATHS = "/api/v1/admin/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FIRST_MESSAGE_WAIT_S = 10.0
HOW_TO_GET_A_KEY = (
    "send an API key as `Authorization: Bearer <key>`; an administrator makes one with "
    "`mlchat keys create --tenant <tenant> --scope read|run|admin`"
)
HOW_TO_PROVE_A_SOCKET = (
    'send {"type": "auth", "key": "<API key>"} or {"type": "auth", "ticket": "<ticket from '
    'POST /api/v1/ws-tickets>"} as the first message, or the key as `Authorization: Bearer`'
)


@dataclass(frozen=True)
class Identity:
    """Whom a request acts for: a tenant, what it may do there, and the key that proved it;
    `via` says how (a key, a browser session, or being on this machine)."""

    tenant: str
    scope: KeyScope
    key_id: int | None = None
    via: Literal["key", "session", "local"] = "key"
    csrf: str | None = None


class Authenticator(ASGIMiddleware):
    """Finds each request's identity, or refuses it: 401 without a valid key where one is
    needed, 403 where the key's scope does not allow what is asked or a session's request
    lacks its CSRF token."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = scope["path"]
        # Slack's requests prove themselves with its signature, checked by the Slack app.
        if path in OPEN_PATHS or path in SLACK_PATHS or path.startswith(OPEN_PREFIXES):
            await next_app(scope, receive, send)
            return
        is_socket = scope["type"] == ScopeType.WEBSOCKET
        try:
            identity = await self.identify(scope, check_csrf=path != SIGN_IN_PATH)
            if identity is None and path == SIGN_IN_PATH:
                scope["auth"] = None
                await next_app(scope, receive, send)
                return
            if identity is None and not is_socket:
                raise UnauthorizedError(f"this server needs an API key: {HOW_TO_GET_A_KEY}")
        except ServiceError as error:
            if is_socket:
                await refuse_handshake(scope, send, error)
                return
            raise
        accepted = identity is None
        if identity is None:
            proven = await prove_socket(scope, receive, send)
            if proven is None:
                return
            identity, receive, send = proven
        try:
            allow(identity, scope)
            scope["auth"] = acting_as(identity, scope)
        except ServiceError as error:
            if is_socket:
                refuse = close_socket if accepted else refuse_handshake
                await refuse(scope, send, error)
                return
            raise
        await next_app(scope, receive, send)

    async def identify(self, scope: Scope, *, check_csrf: bool = True) -> Identity | None:
        """The identity the request proves, or None when it offers none."""
        resources = scope["litestar_app"].state.resources
        key = bearer_key(scope)
        if key is not None:
            identity = await identity_of_key(resources, key)
            if identity is None:
                raise UnauthorizedError(f"the API key is unknown or revoked: {HOW_TO_GET_A_KEY}")
            return identity
        token = session_cookie(scope["headers"])
        if token is not None:
            identity = await identity_of_session(resources, token)
            if identity is not None:
                if check_csrf and needs_csrf(scope):
                    require_csrf(scope, identity)
                return identity
        if self.settings.auth == "local" and is_loopback(scope):
            return Identity(self.settings.tenant, KeyScope.ADMIN, via="local")
        return None


async def identity_of_key(resources: Any, key: str) -> Identity | None:
    async with resources.sessions() as session:
        record = await KeyService(session).authenticate(key)
    return None if record is None else Identity(record.tenant, KeyScope(record.scope), record.id)


async def identity_of_session(resources: Any, token: str) -> Identity | None:
    """The session's identity while its key is unrevoked; a revoked key's session is ended."""
    grant = await find_session(resources.redis, token)
    if grant is None:
        return None
    async with resources.sessions() as session:
        record = await KeyService(session).active(grant.key_id)
    if record is None:
        await close_session(resources.redis, token)
        return None
    return Identity(record.tenant, KeyScope(record.scope), record.id, "session", grant.csrf)


def needs_csrf(scope: Scope) -> bool:
    # A WebSocket's handshake is a GET, and a foreign page's is refused by its Origin.
    return scope["type"] == ScopeType.HTTP and scope.get("method", "GET") not in SAFE_METHODS


def require_csrf(scope: Scope, identity: Identity) -> None:
    """A cookie comes with every request the browser makes, whoever's page asks; the CSRF
    token only with those the page itself makes, since only it can read the token."""
    sent = next((value.decode("latin-1") for name, value in scope["headers"]
                 if name.lower() == CSRF_HEADER.encode()), "")  # fmt: skip
    if not identity.csrf or not secrets.compare_digest(sent, identity.csrf):
        raise ForbiddenError(
            f"this request came with the page's session cookie but without its CSRF token "
            f"(the {CSRF_HEADER} header, from GET {SIGN_IN_PATH}); reload the page"
        )


async def prove_socket(
    scope: Scope, receive: Receive, send: Send
) -> tuple[Identity, Receive, Send] | None:
    """Accepts a WebSocket that came without credentials and reads its first message, which
    must prove it (a key or a ticket). On success the app sees a socket still to be accepted,
    as if nothing had happened; otherwise the socket is closed with 4401 and None returned."""
    connect = await receive()
    if connect["type"] != "websocket.connect":
        return None
    accept: Any = {"type": "websocket.accept"}
    await send(accept)
    scope[ACCEPTED] = True  # type: ignore[literal-required]
    identity: Identity | None = None
    with anyio.move_on_after(FIRST_MESSAGE_WAIT_S):
        message: Any = await receive()
        if message["type"] == "websocket.disconnect":
            return None
        identity = await identity_of_message(scope, message.get("text") or message.get("bytes"))
    if identity is None:
        await close_socket(scope, send, UnauthorizedError(
            f"this socket needs proof of who you are: {HOW_TO_PROVE_A_SOCKET}"))  # fmt: skip
        return None
    proven: Any = {"type": "websocket.send", "text": json.dumps(
        {"type": "auth", "tenant": identity.tenant, "scope": identity.scope.value})}  # fmt: skip
    await send(proven)
    replayed = False

    async def replaying_receive() -> Any:
        nonlocal replayed
        if not replayed:
            replayed = True
            return connect
        return await receive()

    async def accepted_send(message: Any) -> None:
        if message["type"] != "websocket.accept":
            await send(message)

    return identity, replaying_receive, accepted_send


async def identity_of_message(scope: Scope, raw: str | bytes | None) -> Identity | None:
    try:
        data = json.loads(raw or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("type") != "auth":
        return None
    resources = scope["litestar_app"].state.resources
    key, ticket = data.get("key"), data.get("ticket")
    if isinstance(key, str) and 0 < len(key) <= 200:
        return await identity_of_key(resources, key)
    if isinstance(ticket, str) and 0 < len(ticket) <= 200:
        grant = await redeem_ticket(resources.redis, ticket)
        if grant is None:
            return None
        async with resources.sessions() as session:
            record = await KeyService(session).active(grant.key_id)
        return None if record is None else Identity(record.tenant, KeyScope(record.scope),
                                                    record.id)  # fmt: skip
    return None


async def close_socket(scope: Scope, send: Send, error: ServiceError) -> None:
    await send({"type": "websocket.close", "code": 4000 + error.status_code,
                "reason": error.detail[:120]})  # fmt: skip


def allow(identity: Identity, scope: Scope) -> None:
    """Refuses (403) what the identity's scope does not cover."""
    if scope["path"].startswith(ADMIN_PATHS) and identity.scope != KeyScope.ADMIN:
        raise ForbiddenError(
            "the admin API (keys, limits) needs an admin key", scope=identity.scope.value
        )
    method = scope.get("method", "GET")
    if identity.scope == KeyScope.READ and method not in SAFE_METHODS:
        raise ForbiddenError(
            f"a read key may only look ({', '.join(sorted(SAFE_METHODS))}), not {method}: "
            "starting jobs, uploading, chatting, cancelling and deleting need a run key",
            scope=identity.scope.value,
        )


def acting_as(identity: Identity, scope: Scope) -> Identity:
    """The identity, or for an admin naming `?tenant_id=`, the same rights on that tenant."""
    named = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("tenant_id")
    if not named or named[-1] == identity.tenant:
        return identity
    if identity.scope != KeyScope.ADMIN:
        raise ForbiddenError(
            "only an admin key may act for another tenant (tenant_id); leave it out to act "
            f"as your own, {identity.tenant!r}",
            scope=identity.scope.value,
        )
    return Identity(check_tenant(named[-1]), identity.scope, identity.key_id, identity.via,
                    identity.csrf)  # fmt: skip


def bearer_key(scope: Scope) -> str | None:
    """The key of an `Authorization: Bearer <key>` header, or None without one."""
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            kind, _, key = value.decode("latin-1").partition(" ")
            if kind.lower() != "bearer" or not key.strip():
                raise UnauthorizedError(f"the Authorization header is not a bearer key: "
                                        f"{HOW_TO_GET_A_KEY}")  # fmt: skip
            return key.strip()
    return None


def is_loopback(scope: Scope) -> bool:
    client: Any = scope.get("client")
    if not client:
        return False
    try:
        address = ipaddress.ip_address(client[0])
    except ValueError:
        return False
    # A dual-stack socket names an IPv4 client ::ffff:127.0.0.1, which Python 3.11 does not
    # count as loopback.
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def identity_of(scope: Scope) -> Identity:
    """The identity the middleware found for this request."""
    identity: Identity = scope["auth"]
    return identity
