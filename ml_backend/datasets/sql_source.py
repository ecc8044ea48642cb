"""A SQL query's result as a stored, profiled dataset: guarded, read-only, bounded, streamed.

Two independent lines stop a query from changing anything. `sql_guard` refuses anything but
one SELECT before a connection is opened; and whatever reaches the database runs in a
transaction the database itself holds read-only — PostgreSQL: `SET TRANSACTION READ ONLY`
inside a server-side cursor (a DECLARE, which takes nothing but a query); SQLite: the file
opened read-only, `PRAGMA query_only`, and an authorizer that allows reading and nothing else.
`run_read_only` is that second line alone, so tests can show it holds without the first.

Rows arrive `batch_rows` at a time and go straight into Parquet: the result is never whole in
memory. At `row_cap` rows the reading stops and the dataset says it was capped; a query
running past `timeout_s` is stopped by the database (statement_timeout, a progress handler).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from ml_backend.datasets.formats import DataFormat, IngestedDataset, file_sha256
from ml_backend.datasets.parquet_writer import write_batches
from ml_backend.datasets.profile import profile_parquet
from ml_backend.datasets.sql_arrow import record_batches
from ml_backend.datasets.sql_connections import ConnectionTarget, parse_connection_url
from ml_backend.datasets.sql_guard import check_query
from ml_backend.errors import DatasetFormatError, SqlConnectionError, SqlSourceError

CONNECT_TIMEOUT_S = 10
"""How long to wait for a database to answer at all before saying it cannot be reached."""


@dataclass(frozen=True)
class SqlLimits:
    """What one query may take: rows kept, seconds spent, rows fetched at a time."""

    row_cap: int = 1_000_000
    timeout_s: float = 60.0
    batch_rows: int = 10_000


@dataclass(frozen=True)
class SqlIngested:
    """A query's result stored as a dataset; `capped` when rows beyond `row_cap` were left."""

    dataset: IngestedDataset
    sql: str
    capped: bool


def ingest_sql(url: str, query: str, dest_dir: Path, limits: SqlLimits) -> SqlIngested:
    """Check `query`, run it read-only on `url`'s database and store its rows as a dataset."""
    target = parse_connection_url(url)
    checked = check_query(query, target.backend)
    dest_dir.mkdir(parents=True, exist_ok=True)
    temp = dest_dir / f".sql-{uuid.uuid4().hex}.parquet"
    try:
        capped = run_read_only(target, checked.sql, temp, limits)
        content_hash = file_sha256(temp)
        path = dest_dir / f"{content_hash}.parquet"
        os.replace(temp, path)  # the same rows again are the same file: nothing new is kept
    finally:
        temp.unlink(missing_ok=True)
    profile = profile_parquet(path)
    stored = IngestedDataset(path, content_hash, DataFormat.PARQUET, profile.row_count, profile)
    return SqlIngested(stored, checked.sql, capped)


def run_read_only(target: ConnectionTarget, sql: str, dest: Path, limits: SqlLimits) -> bool:
    """Run `sql` as it is in a read-only transaction, writing its rows to `dest` as Parquet;
    returns whether rows beyond the cap were left. This is the second line alone: it does not
    check the query (ingest_sql does)."""
    reader = _read_postgresql if target.backend == "postgresql" else _read_sqlite
    deadline = time.monotonic() + limits.timeout_s
    with (
        _errors_explained(target, limits),
        reader(target, sql, limits, deadline) as (columns, rows),
    ):
        capped = _Capped(rows, limits)
        try:
            write_batches(record_batches(columns, capped.batches()), dest)
        except DatasetFormatError:
            if capped.count:
                raise
            raise SqlSourceError(
                f"the query returned no rows (its columns: {', '.join(columns)}); "
                "loosen its WHERE, or check that the table has data"
            ) from None
        return capped.capped


class _Capped:
    """The row batches up to the cap, then one look past it to know whether rows were left."""

    def __init__(self, rows: Iterator[Sequence[Sequence[Any]]], limits: SqlLimits) -> None:
        self.rows = rows
        self.limits = limits
        self.count = 0
        self.capped = False

    def batches(self) -> Iterator[Sequence[Sequence[Any]]]:
        for batch in self.rows:
            room = self.limits.row_cap - self.count
            if room <= 0:
                self.capped = len(batch) > 0
                return
            kept = batch[:room]
            self.count += len(kept)
            yield kept
            if len(batch) > room:
                self.capped = True
                return


@contextlib.contextmanager
def _read_postgresql(
    target: ConnectionTarget, sql: str, limits: SqlLimits, deadline: float
) -> Iterator[tuple[list[str], Iterator[Sequence[Sequence[Any]]]]]:
    engine = create_engine(
        target.url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
    )
    try:
        with _connect(engine, target) as connection:
            # Both must come first in the transaction: READ ONLY cannot be set after a query,
            # and SET LOCAL ends with the transaction, so nothing leaks to another use.
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            timeout_ms = max(1, int(limits.timeout_s * 1000))
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {timeout_ms}")
            result = connection.execution_options(
                stream_results=True, max_row_buffer=limits.batch_rows
            ).exec_driver_sql(sql)
            try:
                yield list(result.keys()), _fetch(result, limits, deadline)
            finally:
                result.close()
                connection.rollback()
    finally:
        engine.dispose()


def _connect(engine: Engine, target: ConnectionTarget) -> Connection:
    try:
        return engine.connect()
    except DBAPIError as error:
        raise SqlConnectionError(
            f"could not reach the database: {_first_line(error, target)}"
        ) from None


def _fetch(result: Any, limits: SqlLimits, deadline: float) -> Iterator[Sequence[Sequence[Any]]]:
    while rows := result.fetchmany(limits.batch_rows):
        # statement_timeout bounds each fetch; the deadline bounds them all together.
        if time.monotonic() > deadline:
            raise _TimedOut()
        yield rows


class _TimedOut(Exception):
    pass


_SQLITE_READS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
                           getattr(sqlite3, "SQLITE_RECURSIVE", 33)})  # fmt: skip
"""The only actions SQLite's authorizer lets through: a query reading tables and computing."""


def _sqlite_authorizer(action: int, *_: object) -> int:
    return sqlite3.SQLITE_OK if action in _SQLITE_READS else sqlite3.SQLITE_DENY


@contextlib.contextmanager
def _read_sqlite(
    target: ConnectionTarget, sql: str, limits: SqlLimits, deadline: float
) -> Iterator[tuple[list[str], Iterator[Sequence[Sequence[Any]]]]]:
    path = target.sqlite_path
    if not path.is_file():
        raise SqlConnectionError(f"the SQLite file {path.name!r} of this connection is not there")

    def open_read_only() -> sqlite3.Connection:
        # mode=ro: SQLite itself refuses to write the file, whatever the statement says.
        return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)

    engine = create_engine("sqlite+pysqlite://", creator=open_read_only, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _lock_down(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")
        dbapi_connection.set_authorizer(_sqlite_authorizer)
        # Called every 10,000 virtual-machine steps: a nonzero answer interrupts the query.
        dbapi_connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)

    try:
        with _connect(engine, target) as connection:
            result = connection.exec_driver_sql(sql)
            try:
                yield list(result.keys()), _fetch(result, limits, deadline)
            finally:
                result.close()
                connection.rollback()
    finally:
        engine.dispose()


@contextlib.contextmanager
def _errors_explained(target: ConnectionTarget, limits: SqlLimits) -> Iterator[None]:
    """Database errors as messages a person can act on, never holding the connection's secret."""
    try:
        yield
    except _TimedOut:
        raise _timed_out(limits) from None
    except OperationalError as error:
        text = _first_line(error, target)
        if "interrupted" in text or "statement timeout" in text:
            raise _timed_out(limits) from None
        if text == "not authorized":  # SQLite's authorizer: an action other than reading
            raise SqlSourceError(
                "the database refused the query: it does more than read (SQLite: not "
                "authorized); only a SELECT may run"
            ) from None
        raise SqlSourceError(f"the database refused the query: {text}") from None
    except DBAPIError as error:
        raise SqlSourceError(
            f"the database refused the query: {_first_line(error, target)}"
        ) from None
    except SQLAlchemyError as error:
        raise SqlSourceError(f"the query could not be run: {target.mask(str(error))}") from None


def _timed_out(limits: SqlLimits) -> SqlSourceError:
    return SqlSourceError(
        f"the query ran longer than the {limits.timeout_s:g} s limit (MLCHAT_SQL_TIMEOUT_S) and "
        "was stopped; narrow it with WHERE or LIMIT, or ask an administrator for more time"
    )


def _first_line(error: DBAPIError, target: ConnectionTarget) -> str:
    # The driver's own message, without SQLAlchemy's echo of the statement and its parameters.
    lines = str(error.orig).strip().splitlines()
    return target.mask(lines[0] if lines else type(error.orig).__name__)
