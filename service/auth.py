"""Who is asking: an API key (`Authorization: Bearer`) or, in local mode, the person at the machine.

Every request but /health passes here before any handler. The identity it finds (a tenant and
a scope) goes into the ASGI scope under "auth", where `deps.provide_tenant` reads it, so no
service ever sees a tenant the caller did not prove.

In `MLCHAT_AUTH=local` a request from a loopback address without a key is the local tenant's,
with every right: whoever can reach 127.0.0.1 is on the machine and could run `mlchat keys`
there anyway. That is safe only because the server then listens on loopback alone (`mlchat`
refuses a non-loopback bind in local mode); a reverse proxy on the same machine would make
every request loopback, so behind one set MLCHAT_AUTH=required.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from service.db.models import KeyScope
from service.domain.keys.services import KeyService, check_tenant
from service.errors import ForbiddenError, ServiceError, UnauthorizedError
from service.origins import refuse_handshake
from service.settings import Settings

OPEN_PATHS = frozenset({"/health"})
ADMIN_PATHS = "/api/v1/admin/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HOW_TO_GET_A_KEY = (
    "send an API key as `Authorization: Bearer <key>`; an administrator makes one with "
    "`mlchat keys create --tenant <tenant> --scope read|run|admin`"
)


@dataclass(frozen=True)
class Identity:
    """Whom a request acts for: a tenant, what it may do there, and the key that proved it."""

    tenant: str
    scope: KeyScope
    key_id: int | None = None


class Authenticator(ASGIMiddleware):
    """Finds each request's identity, or refuses it: 401 without a valid key where one is
    needed, 403 where the key's scope does not allow what is asked."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["path"] in OPEN_PATHS:
            await next_app(scope, receive, send)
            return
        try:
            identity = await self.identify(scope)
            allow(identity, scope)
            scope["auth"] = acting_as(identity, scope)
        except ServiceError as error:
            if scope["type"] == ScopeType.WEBSOCKET:
                await refuse_handshake(scope, send, error)
                return
            raise
        await next_app(scope, receive, send)

    async def identify(self, scope: Scope) -> Identity:
        key = bearer_key(scope)
        if key is None:
            if self.settings.auth == "local" and is_loopback(scope):
                return Identity(self.settings.tenant, KeyScope.ADMIN)
            raise UnauthorizedError(f"this server needs an API key: {HOW_TO_GET_A_KEY}")
        async with scope["litestar_app"].state.resources.sessions() as session:
            record = await KeyService(session).authenticate(key)
        if record is None:
            raise UnauthorizedError(f"the API key is unknown or revoked: {HOW_TO_GET_A_KEY}")
        return Identity(record.tenant, KeyScope(record.scope), record.id)


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
    return Identity(check_tenant(named[-1]), identity.scope, identity.key_id)


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
