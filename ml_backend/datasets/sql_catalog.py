"""What a connection's database holds: its tables and their columns, read from the catalog.

The agent plans a load from these names ("last month's orders" needs a table called orders
and a date column of it), so it can only ever name tables that exist. Reading the catalog
changes nothing: SQLite is opened read-only, PostgreSQL's inspector only reads pg_catalog.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeEngine

from ml_backend.datasets.sql_connections import parse_connection_url
from ml_backend.errors import SqlConnectionError

MAX_TABLES = 200
"""A warehouse may hold thousands; the first ones are enough to plan from, and fit a prompt."""

_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast"})


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    kind: str
    """'date' (dates and timestamps), 'number', 'text' or 'other'."""


@dataclass(frozen=True)
class TableInfo:
    """A table as a query names it (`schema.table` outside the default schema)."""

    name: str
    columns: tuple[ColumnInfo, ...]

    @property
    def date_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.kind == "date"]


def read_catalog(url: str, timeout_s: float = 10.0) -> list[TableInfo]:
    """The tables and views of `url`'s database with their columns; SqlConnectionError when
    the database cannot be reached (the message never holds the password)."""
    target = parse_connection_url(url)
    if target.backend == "sqlite":
        path = target.sqlite_path
        if not path.is_file():
            raise SqlConnectionError(f"the SQLite file {path.name!r} is not there")
        engine = create_engine(
            "sqlite+pysqlite://", poolclass=NullPool,
            creator=lambda: sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True,
                                            check_same_thread=False),
        )  # fmt: skip
    else:
        timeout = {"connect_timeout": max(1, int(timeout_s))}
        engine = create_engine(target.url, poolclass=NullPool, connect_args=timeout)
    try:
        inspector = inspect(engine)
        default = inspector.default_schema_name
        tables: list[TableInfo] = []
        for schema in inspector.get_schema_names():
            if schema in _SYSTEM_SCHEMAS or schema.startswith("pg_"):
                continue
            names = inspector.get_table_names(schema) + inspector.get_view_names(schema)
            for table in sorted(names):
                if len(tables) >= MAX_TABLES:
                    return tables
                columns = tuple(
                    ColumnInfo(str(c["name"]), _kind(c["type"]))
                    for c in inspector.get_columns(table, schema)
                )
                shown = table if schema == default else f"{schema}.{table}"
                tables.append(TableInfo(shown, columns))
        return tables
    except DBAPIError as error:
        raise SqlConnectionError(
            target.mask(f"could not read the database's tables: {str(error.orig).splitlines()[0]}")
        ) from None
    except SQLAlchemyError as error:
        raise SqlConnectionError(
            target.mask(f"could not read the database's tables: {error}")
        ) from None
    finally:
        engine.dispose()


def _kind(sql_type: TypeEngine[object]) -> str:
    try:
        python = sql_type.python_type
    except NotImplementedError:
        return "other"
    name = python.__name__
    if name in {"date", "datetime"}:
        return "date"
    if name in {"int", "float", "Decimal"}:
        return "number"
    return "text" if name == "str" else "other"
