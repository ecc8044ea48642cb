"""The tables of a tenant's connections, as the agent plans loads from them.

Read in a thread and kept a minute per connection: an agent is made for every message, and a
warehouse's catalog is too slow to read each time, yet a table made a minute ago should show.
"""

from __future__ import annotations

import hashlib
import time

import anyio.to_thread

from agents.context import ConnectionContext
from ml_backend.datasets.sql_catalog import TableInfo, read_catalog
from ml_backend.datasets.sql_connections import parse_connection_url
from ml_backend.errors import MLInputError, SqlConnectionError
from service.db.models import SqlConnection

KEEP_S = 60.0

_cache: dict[str, tuple[float, tuple[TableInfo, ...], str | None]] = {}


async def connection_contexts(records: list[SqlConnection]) -> list[ConnectionContext]:
    return [await _context(record) for record in records]


async def _context(record: SqlConnection) -> ConnectionContext:
    # Keyed by the URL's hash: a connection re-registered elsewhere is read afresh.
    key = hashlib.sha256(record.url.encode()).hexdigest()
    now = time.monotonic()
    cached = _cache.get(key)
    try:
        backend = parse_connection_url(record.url).backend
    except MLInputError as error:
        return ConnectionContext(record.name, "unknown", problem=error.detail)
    if cached is None or now - cached[0] > KEEP_S:
        try:
            tables = tuple(await anyio.to_thread.run_sync(read_catalog, record.url))
            cached = (now, tables, None)
        except (SqlConnectionError, MLInputError) as error:
            cached = (now, (), str(error))
        _cache[key] = cached
    return ConnectionContext(record.name, backend, cached[1], cached[2])
