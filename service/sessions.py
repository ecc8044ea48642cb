"""Browser sessions and short-lived WebSocket tickets, both held in Redis.

A person signs the page in with an API key once; the page then holds only a random session
token in an HttpOnly cookie (script on the page cannot read it) and a CSRF token in memory.
Redis keeps, under the token's hash, which key the session stands for and its CSRF token; the
key itself is never stored. Each request re-checks that the key is still unrevoked, so
revoking a key ends its sessions at once.

A ticket lets a client that cannot set headers on a WebSocket (a browser script elsewhere, a
tool) prove itself in the socket's first message without sending its key there: one use,
gone after `TICKET_TTL_S`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import redis.asyncio as aioredis

SESSION_COOKIE = "mlchat_session"
CSRF_HEADER = "x-csrf-token"
TICKET_TTL_S = 60
"""A WebSocket ticket is for the socket about to be opened, not for later."""

_SESSION_PREFIX = "mlchat:session:"
_TICKET_PREFIX = "mlchat:ws-ticket:"


@dataclass(frozen=True)
class Grant:
    """What a session or ticket stands for: the key that made it, and the key's tenant and scope."""

    key_id: int
    tenant: str
    scope: str
    csrf: str = ""

    def dump(self) -> str:
        return json.dumps({"key_id": self.key_id, "tenant": self.tenant, "scope": self.scope,
                           "csrf": self.csrf})  # fmt: skip

    @classmethod
    def load(cls, raw: bytes | str) -> Grant:
        data = json.loads(raw)
        return cls(int(data["key_id"]), str(data["tenant"]), str(data["scope"]),
                   str(data.get("csrf", "")))  # fmt: skip


def _digest(token: str) -> str:
    # Redis holds hashes only: whoever reads its memory cannot sign in with what they find.
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(redis: aioredis.Redis, grant: Grant, ttl_s: int) -> tuple[str, Grant]:
    """A new session for `grant`: the cookie's token, and the grant with its CSRF token."""
    token = secrets.token_urlsafe(32)
    held = Grant(grant.key_id, grant.tenant, grant.scope, csrf=secrets.token_urlsafe(24))
    await redis.set(_SESSION_PREFIX + _digest(token), held.dump(), ex=ttl_s)
    return token, held


async def find_session(redis: aioredis.Redis, token: str) -> Grant | None:
    raw = await redis.get(_SESSION_PREFIX + _digest(token))
    return Grant.load(raw) if raw is not None else None


async def close_session(redis: aioredis.Redis, token: str) -> None:
    await redis.delete(_SESSION_PREFIX + _digest(token))


async def issue_ticket(redis: aioredis.Redis, grant: Grant) -> str:
    ticket = secrets.token_urlsafe(32)
    await redis.set(_TICKET_PREFIX + _digest(ticket), grant.dump(), ex=TICKET_TTL_S)
    return ticket


async def redeem_ticket(redis: aioredis.Redis, ticket: str) -> Grant | None:
    """The ticket's grant, once: a second use, or one after it expired, finds nothing."""
    raw = await redis.getdel(_TICKET_PREFIX + _digest(ticket))
    return Grant.load(raw) if raw is not None else None


def session_cookie(scope_headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The session token from the request's cookies, or None."""
    for name, value in scope_headers:
        if name.lower() != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            key, _, token = part.strip().partition("=")
            if key == SESSION_COOKIE and token:
                return token
    return None
