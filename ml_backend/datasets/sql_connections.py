"""A connection URL read once: its backend, where it points, and how to name it without a secret."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ml_backend.datasets.sql_guard import DIALECTS
from ml_backend.errors import MLInputError

DRIVERS = {"postgresql": "psycopg", "sqlite": "pysqlite"}
"""The driver each backend is read with (psycopg 3 is the one installed for PostgreSQL)."""


@dataclass(frozen=True)
class ConnectionTarget:
    """Where a connection points, safe to show: no user's password, no URL."""

    backend: str
    host: str | None
    database: str | None
    url: URL
    """The parsed URL with mlchat's driver; it holds the secret, so it is never shown."""

    @property
    def safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database or "")

    def mask(self, text: str) -> str:
        """`text` with the password (and the full URL) replaced by '***', for messages and logs."""
        secret = self.url.password
        masked = text.replace(self.url.render_as_string(hide_password=False), self.safe_url)
        if secret:
            masked = masked.replace(str(secret), "***")
        return masked


def parse_connection_url(url: str) -> ConnectionTarget:
    """The target of a PostgreSQL or SQLite URL, or MLInputError saying what a usable one is.

    The error never repeats the URL: it may hold a password.
    """
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError):
        raise MLInputError(
            "the connection URL could not be read; write it as "
            "postgresql://user:password@host:5432/database or sqlite:////path/to/file.db",
            field="url",
        ) from None
    backend = parsed.get_backend_name()
    if backend not in DIALECTS:
        raise MLInputError(
            f"mlchat reads datasets from PostgreSQL and SQLite, not {backend!r}; use a "
            "postgresql://... or sqlite:////path/to/file.db URL",
            field="url",
        )
    if backend == "sqlite":
        database = parsed.database or ""
        if database in {"", ":memory:"} or database.startswith("file:"):
            raise MLInputError(
                "a SQLite connection must name its database file by an absolute path: "
                "sqlite:////path/to/file.db (four slashes); it is opened read-only",
                field="url",
            )
        if not Path(database).is_absolute():
            raise MLInputError(
                f"the SQLite file {database!r} is a relative path, which would depend on where "
                "mlchat runs; write its absolute path: sqlite:////path/to/file.db",
                field="url",
            )
    driver_url = parsed.set(drivername=f"{backend}+{DRIVERS[backend]}")
    return ConnectionTarget(
        backend=backend, host=parsed.host, database=parsed.database, url=driver_url
    )
