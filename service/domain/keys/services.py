"""API keys: made, listed, revoked, and checked for each request; only their hash is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import ApiKey, KeyScope, utcnow
from service.domain.keys.schemas import KeySummary
from service.errors import InvalidInputError, NotFoundError
from service.paging import Cursor, Page, keyset

KEY_MARK = "mlc_"
"""Every key starts so: a secret scanner (or a person) can tell an mlchat key at a glance."""

PREFIX_LENGTH = len(KEY_MARK) + 8
TOUCH_EVERY = timedelta(minutes=1)
"""`last_used_at` is written at most this often per key: one write a minute, not one a request."""

TENANT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A tenant names queues, Redis channels and folders: plain characters only."""


def hash_secret(key: str) -> str:
    # A fast unsalted hash is enough here, unlike for passwords: a key is 256 random bits, so
    # there is no dictionary to try and no two keys share a hash; a slow hash would only slow
    # every request down.
    return hashlib.sha256(key.encode()).hexdigest()


def check_tenant(tenant: str) -> str:
    """The tenant name if it is one (letters, digits, `._-`, at most 64), else InvalidInputError."""
    if not TENANT_PATTERN.fullmatch(tenant):
        raise InvalidInputError(
            f"{tenant!r} is not a tenant name: use letters, digits, '.', '_' or '-' "
            "(at most 64, starting with a letter or digit)"
        )
    return tenant


@dataclass(frozen=True)
class NewKey:
    """A key just made: `key` is the secret, shown this once and never again."""

    record: ApiKey
    key: str


LIST_NAME = "keys"
SUMMARY_COLUMNS = [getattr(ApiKey, name) for name in KeySummary.model_fields]


def _position(row: Row[Any]) -> Cursor:
    return Cursor(row.created_at, row.id)


class KeyService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, tenant: str, scope: KeyScope, name: str | None = None) -> NewKey:
        """A new key for `tenant` with `scope`; the secret is in the answer and nowhere else."""
        key = KEY_MARK + secrets.token_urlsafe(32)
        record = ApiKey(
            tenant=check_tenant(tenant),
            scope=scope.value,
            name=name,
            prefix=key[:PREFIX_LENGTH],
            secret_hash=hash_secret(key),
            created_at=utcnow(),
        )
        self.session.add(record)
        await self.session.commit()
        return NewKey(record, key)

    async def page(self, tenant: str | None, limit: int, after: Cursor | None) -> Page[KeySummary]:
        """Every key (or `tenant`'s), newest first, without their hashes."""
        query = select(*SUMMARY_COLUMNS)
        if tenant is not None:
            query = query.where(ApiKey.tenant == tenant)
        ordered = keyset(query, ApiKey.created_at, ApiKey.id, after, limit)
        rows = (await self.session.execute(ordered)).all()
        return Page.of(rows, limit, LIST_NAME, _position, KeySummary.of)

    async def all(self, tenant: str | None = None) -> list[ApiKey]:
        query = select(ApiKey).order_by(ApiKey.id)
        if tenant is not None:
            query = query.where(ApiKey.tenant == tenant)
        return list(await self.session.scalars(query))

    async def revoke(self, id_or_prefix: str, tenant: str | None = None) -> ApiKey:
        """Revoke the key with this id or prefix (of `tenant`'s keys, if given)."""
        matches = [ApiKey.prefix == id_or_prefix]
        if id_or_prefix.isascii() and id_or_prefix.isdigit() and len(id_or_prefix) < 18:
            matches.append(ApiKey.id == int(id_or_prefix))
        query = select(ApiKey).where(or_(*matches))
        if tenant is not None:
            query = query.where(ApiKey.tenant == tenant)
        record = await self.session.scalar(query)
        if record is None:
            raise NotFoundError(f"no key {id_or_prefix!r}; `mlchat keys list` shows the keys")
        if record.revoked_at is None:
            record.revoked_at = utcnow()
            await self.session.commit()
        return record

    async def active(self, key_id: int) -> ApiKey | None:
        """The key with this id while it is unrevoked (a session stands for it that long)."""
        record = await self.session.get(ApiKey, key_id)
        return None if record is None or record.revoked_at is not None else record

    async def authenticate(self, key: str) -> ApiKey | None:
        """The unrevoked key whose secret this is, or None; notes when it was last used."""
        record = await self.session.scalar(
            select(ApiKey).where(ApiKey.secret_hash == hash_secret(key))
        )
        if record is None or record.revoked_at is not None:
            return None
        now = utcnow()
        if _stale(record.last_used_at, now):
            # Guarded by the old value, so concurrent requests write it once.
            await self.session.execute(
                update(ApiKey)
                .where(ApiKey.id == record.id, ApiKey.last_used_at == record.last_used_at
                       if record.last_used_at else ApiKey.last_used_at.is_(None))
                .values(last_used_at=now)
            )  # fmt: skip
            await self.session.commit()
        return record


def _stale(last_used_at: datetime | None, now: datetime) -> bool:
    if last_used_at is None:
        return True
    if last_used_at.tzinfo is None:  # SQLite hands datetimes back without their zone
        last_used_at = last_used_at.replace(tzinfo=now.tzinfo)
    return now - last_used_at >= TOUCH_EVERY
