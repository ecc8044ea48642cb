"""Several processes started at once against one new PostgreSQL database (two APIs and their
workers) all migrate it: each waits for the one before, and none fails."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from service.db.engines import sync_engine
from tests.service.stack import create_postgres_database, drop_postgres_database

POSTGRES_URL = os.environ.get("MLCHAT_TEST_POSTGRES_URL")


@pytest.mark.skipif(not POSTGRES_URL, reason="needs MLCHAT_TEST_POSTGRES_URL")
def test_processes_migrating_one_new_database_at_once_all_succeed() -> None:
    assert POSTGRES_URL
    url, name = create_postgres_database(POSTGRES_URL)
    try:
        code = f"from service.db.migrate import upgrade; upgrade({url!r})"
        processes = [
            subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(4)
        ]
        failures = [p.communicate(timeout=300)[1].decode()[-500:] for p in processes]
        assert [p.returncode for p in processes] == [0] * 4, failures
        engine = sync_engine(url)
        try:
            with engine.connect() as connection:
                versions = connection.execute(text("SELECT version_num FROM alembic_version"))
                assert len(versions.all()) == 1
        finally:
            engine.dispose()
    finally:
        drop_postgres_database(POSTGRES_URL, name)
