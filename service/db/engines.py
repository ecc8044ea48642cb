"""Engines for both sides: async for the web process, sync for the workers."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool


def _driver_url(url: str, *, asynchronous: bool) -> str:
    """The same database with the driver each side uses (psycopg 3 serves both for PostgreSQL)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        driver = "aiosqlite" if asynchronous else "pysqlite"
    elif backend == "postgresql":
        driver = "psycopg"
    else:
        raise ValueError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    return parsed.set(drivername=f"{backend}+{driver}").render_as_string(hide_password=False)


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while a worker writes. It is a property of the database file, so
    # once per engine is enough: a work horse's connection then pays no journal-mode query.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Per-connection settings. busy_timeout waits out short write locks.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    # In WAL mode NORMAL never corrupts; it only skips an fsync per commit (tens of ms here).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _listen_sqlite(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "first_connect", _sqlite_wal)
        event.listen(engine, "connect", _sqlite_pragmas)


def sync_engine(url: str) -> Engine:
    """A synchronous engine: workers and migrations."""
    engine = create_engine(_driver_url(url, asynchronous=False), poolclass=NullPool)
    _listen_sqlite(engine)
    return engine


def json_loads(text: str | bytes | memoryview) -> Any:
    """A JSON column's value: msgspec reads one a few times faster than `json`, which a list's
    page of configs and summaries spends most of its time in; a value `json` wrote that
    msgspec refuses (NaN, Infinity) is read by `json`."""
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        # psycopg may hand over a memoryview, which `json` does not read.
        return json.loads(bytes(text) if isinstance(text, memoryview) else text)


def async_engine(url: str) -> AsyncEngine:
    """An asynchronous engine for the web process."""
    kwargs: dict[str, Any] = {"json_deserializer": json_loads}
    if make_url(url).get_backend_name() == "postgresql":
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    else:
        # SQLAlchemy's default (5 + 10) is fewer than the requests a loaded server has in
        # flight (16 in the list benchmark): a request that finds the pool empty waits for
        # another's whole request. A SQLite connection is only a file handle and a thread.
        kwargs.update(pool_size=20, max_overflow=10)
    engine = create_async_engine(_driver_url(url, asynchronous=True), **kwargs)
    _listen_sqlite(engine.sync_engine)
    return engine


def async_session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


def sync_session_factory(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(engine, expire_on_commit=False)
