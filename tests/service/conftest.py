"""Session fixtures: one running mlchat per database backend (SQLite; PostgreSQL if given)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.embedded_redis import EmbeddedRedis

# Shared-storage fixtures, for any test here that runs mlchat on S3 (tests/service/s3.py).
from tests.service.s3 import moto_server, s3_storage  # noqa: F401
from tests.service.stack import (
    Stack,
    create_postgres_database,
    drop_postgres_database,
    running_stack,
)

POSTGRES_URL = os.environ.get("MLCHAT_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
SECURED_SQL_ROW_CAP = 2_000
"""The `secured` stack's MLCHAT_SQL_ROW_CAP: below tests.sql_databases' ORDERS rows, so the SQL
dataset tests (test_sql_datasets_api) see a full read capped."""


@pytest.fixture(scope="session", params=BACKENDS)
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    home: Path = tmp_path_factory.mktemp(f"mlchat-{request.param}")
    postgres_url = POSTGRES_URL if request.param == "postgresql" else None
    with running_stack(home, postgres_url, n_workers=2) as started:
        yield started


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    stack.replace_dead_workers()
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        yield http


@pytest.fixture(scope="session", params=BACKENDS)
def secured(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """A stack where every request needs a key (MLCHAT_AUTH=required), loopback included.

    Shared by the key, sign-in and SQL-connection modules (each its own tenants): a SQL query
    keeps at most SECURED_SQL_ROW_CAP rows, and it logs at INFO, so test_sql_datasets_api can
    check that no log line, of any module's requests, holds a connection's secret."""
    home: Path = tmp_path_factory.mktemp(f"mlchat-auth-{request.param}")
    pg_name = None
    if request.param == "postgresql":
        assert POSTGRES_URL
        database_url, pg_name = create_postgres_database(POSTGRES_URL)
    else:
        database_url = f"sqlite:///{home / 'mlchat.db'}"
    settings = {"MLCHAT_AUTH": "required", "MLCHAT_SQL_ROW_CAP": str(SECURED_SQL_ROW_CAP),
                "MLCHAT_LOG_LEVEL": "INFO"}  # fmt: skip
    stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                  database_url=database_url, settings=settings)  # fmt: skip
    try:
        stack.start(n_workers=1)
        yield stack
    finally:
        stack.stop()
        if pg_name and POSTGRES_URL:
            drop_postgres_database(POSTGRES_URL, pg_name)
