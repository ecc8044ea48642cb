"""SQL connections: registered, listed and removed per tenant; the URL is stored, never shown."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ml_backend.datasets.sql_connections import ConnectionTarget, parse_connection_url
from ml_backend.errors import MLInputError
from ml_backend.suggestions import did_you_mean
from service.db.models import SqlConnection, utcnow
from service.domain.keys.services import check_tenant
from service.errors import ConflictError, InvalidInputError, NotFoundError
from service.paging import Cursor, Page, keyset

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A connection's name is typed in configs and chat ("from the warehouse"): plain characters."""


def connection_target(url: str) -> ConnectionTarget:
    """Where `url` points, or InvalidInputError (which never repeats the URL)."""
    try:
        return parse_connection_url(url)
    except MLInputError as error:
        raise InvalidInputError(error.detail, field="url") from None


LIST_NAME = "connections"
LIST_COLUMNS: list[Any] = [
    SqlConnection.id, SqlConnection.name, SqlConnection.tenant, SqlConnection.url,
    SqlConnection.created_at,
]  # fmt: skip
"""A summary's columns: the URL is read to say where a connection points, never shown."""


def _position(row: Row[Any]) -> Cursor:
    return Cursor(row.created_at, row.id)


class ConnectionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, tenant: str, name: str, url: str) -> SqlConnection:
        """Register `url` as `tenant`'s connection `name`; refuses a name already in use."""
        check_tenant(tenant)
        if not NAME_PATTERN.fullmatch(name):
            raise InvalidInputError(
                f"{name!r} is not a connection name: use letters, digits, '.', '_' or '-' "
                "(at most 64, starting with a letter or digit), e.g. 'warehouse'",
                field="name",
            )
        connection_target(url)
        record = SqlConnection(tenant=tenant, name=name, url=url.strip(), created_at=utcnow())
        self.session.add(record)
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise ConflictError(
                f"tenant {tenant!r} already has a connection named {name!r}; remove it first "
                "(`mlchat connections remove`) or choose another name"
            ) from None
        return record

    async def page(self, tenant: str | None, limit: int, after: Cursor | None) -> Page[Row[Any]]:
        """Every connection (or `tenant`'s), newest first: the columns a summary shows."""
        query = select(*LIST_COLUMNS)
        if tenant is not None:
            query = query.where(SqlConnection.tenant == tenant)
        ordered = keyset(query, SqlConnection.created_at, SqlConnection.id, after, limit)
        rows = (await self.session.execute(ordered)).all()
        return Page.of(rows, limit, LIST_NAME, _position, lambda row: row)

    async def all(self, tenant: str | None = None) -> list[SqlConnection]:
        query = select(SqlConnection).order_by(SqlConnection.tenant, SqlConnection.name)
        if tenant is not None:
            query = query.where(SqlConnection.tenant == tenant)
        return list(await self.session.scalars(query))

    async def get(self, tenant: str, name: str) -> SqlConnection:
        """`tenant`'s connection `name`; another tenant's is as absent as one never made."""
        record = await self.session.scalar(
            select(SqlConnection).where(SqlConnection.tenant == tenant, SqlConnection.name == name)
        )
        if record is None:
            names = [c.name for c in await self.all(tenant)]
            listed = ", ".join(names) if names else "none yet; an administrator adds them with " \
                "`mlchat connections add`"  # fmt: skip
            raise NotFoundError(
                f"no SQL connection named {name!r}{did_you_mean(name, names)} "
                f"This tenant's connections: {listed}",
                connections=names,
            )
        return record

    async def remove(self, tenant: str, name: str) -> SqlConnection:
        record = await self.get(tenant, name)
        await self.session.delete(record)
        await self.session.commit()
        return record
