"""Source databases for the SQL dataset tests: an orders table in a SQLite file and in a fresh
PostgreSQL database, and fingerprints that show whether anything in them changed."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("MLCHAT_TEST_POSTGRES_URL")
SECRET = "hunter2-never-shown"
"""The password in every test connection URL: it must appear in no answer and no log."""
ORDERS = 2_500


def make_sqlite_orders(path: Path) -> str:
    """A SQLite file with `orders` (ORDERS rows); returns its connection URL."""
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount REAL, "
            "created_at TEXT, note TEXT)"
        )
        connection.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?, ?)",
            [(i, f"c{i % 40}", round(i * 1.25, 2), f"2026-{1 + i % 12:02d}-15", None)
             for i in range(1, ORDERS + 1)],
        )  # fmt: skip
    connection.close()
    return f"sqlite:///{path}"


def sqlite_fingerprint(path: Path) -> tuple[str, list[str]]:
    """The file's bytes (hashed) and the names in its folder: any write or new file shows."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, sorted(p.name for p in path.parent.iterdir())


@contextmanager
def postgres_orders() -> Iterator[str]:
    """A fresh database on the test server with `orders` and a function that writes; yields
    its URL with a password (trust authentication ignores it), dropped afterwards."""
    assert POSTGRES_URL
    server = make_url(POSTGRES_URL).set(drivername="postgresql")
    name = f"mlchat_sqlsrc_{uuid.uuid4().hex[:10]}"
    admin = server.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    database = server.set(database=name)
    try:
        with psycopg.connect(database.render_as_string(hide_password=False)) as connection:
            connection.execute(
                "CREATE TABLE orders AS SELECT g AS id, 'c' || (g % 40) AS customer, "
                "(g * 1.25)::numeric(10, 2) AS amount, "
                "date '2026-01-01' + (g % 360) AS created_at, NULL::text AS note "
                f"FROM generate_series(1, {ORDERS}) AS g"
            )
            # A function that writes: only the read-only transaction can stop it once called.
            connection.execute(
                "CREATE FUNCTION add_order() RETURNS int LANGUAGE sql AS "
                "$$ INSERT INTO orders (id) VALUES (-1) RETURNING id $$"
            )
        yield database.set(password=SECRET).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_fingerprint(url: str) -> tuple[int, str, list[str]]:
    """Row count and content hash of `orders`, and the tables and functions there are."""
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as connection:
        count, digest = connection.execute(
            "SELECT count(*), md5(string_agg(o::text, ',' ORDER BY o.id)) FROM orders o"
        ).fetchone() or (0, "")
        names = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "UNION ALL SELECT routine_name FROM information_schema.routines "
            "WHERE routine_schema = 'public' ORDER BY 1"
        ).fetchall()
    return int(count), str(digest), [str(row[0]) for row in names]
