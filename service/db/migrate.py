"""Run Alembic migrations programmatically, so `mlchat` needs no alembic.ini on disk."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url

from service.db.engines import sync_engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any fixed number: every mlchat process that migrates takes the same PostgreSQL lock.
MIGRATION_LOCK_ID = 0x6D6C6368


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision`."""
    _migrate(database_url, command.upgrade, revision)
    safe_url = make_url(database_url).render_as_string(hide_password=True)
    log.info("database is up to date", extra={"url": safe_url})


def downgrade(database_url: str, revision: str) -> None:
    """Take the database schema back to `revision` (each migration's downgrade in turn)."""
    _migrate(database_url, command.downgrade, revision)


def _migrate(database_url: str, step: Callable[[Config, str], None], revision: str) -> None:
    engine = sync_engine(database_url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Several `mlchat api`/`worker` processes start at once against one database;
                # without the lock two would both find it empty and both create its tables.
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"),
                                   {"id": MIGRATION_LOCK_ID})  # fmt: skip
            config = alembic_config(database_url)
            config.attributes["connection"] = connection
            step(config, revision)
    finally:
        engine.dispose()
