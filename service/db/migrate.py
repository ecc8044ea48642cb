"""Run Alembic migrations programmatically, so `mlchat` needs no alembic.ini on disk."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

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


def is_current(engine: Engine) -> bool:
    """Whether the database's schema is at the newest migration this code knows."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() == head
    except SQLAlchemyError:
        return False


def wait_until_current(database_url: str, *, poll_s: float = 0.5, say_every_s: float = 30) -> None:
    """Until the schema is up to date: a worker started beside (or before) the API that
    migrates would otherwise read tables that are not there yet."""
    engine = sync_engine(database_url)
    said = -say_every_s
    started = time.monotonic()
    try:
        while not is_current(engine):
            waited = time.monotonic() - started
            if waited - said >= say_every_s:
                said = waited
                log.warning(
                    "waiting for the database schema: start `mlchat api` or run `mlchat migrate`",
                    extra={"waited_s": round(waited)},
                )
            time.sleep(poll_s)
    finally:
        engine.dispose()
