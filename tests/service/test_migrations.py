"""The migrations build exactly the tables the models describe, on each database backend."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from service.db.engines import sync_engine
from service.db.migrate import downgrade, is_current, upgrade, wait_until_current
from service.db.models import Base
from tests.service.stack import create_postgres_database, drop_postgres_database

POSTGRES_URL = os.environ.get("MLCHAT_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", *(["postgresql"] if POSTGRES_URL else [])])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    assert POSTGRES_URL
    url, name = create_postgres_database(POSTGRES_URL)
    try:
        yield url
    finally:
        drop_postgres_database(POSTGRES_URL, name)


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    upgrade(database_url)
    engine = sync_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def _kinds(database_url: str) -> dict[int, str]:
    engine = sync_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, kind FROM runs ORDER BY id"))
            return {row.id: row.kind for row in rows}
    finally:
        engine.dispose()


def test_forecasts_stored_as_training_runs_become_their_own_kind(database_url: str) -> None:
    """Before the job registry a forecast was a `train` run that resolved to forecasting."""
    upgrade(database_url, "0002")
    engine = sync_engine(database_url)
    insert = text(
        "INSERT INTO runs (id, tenant, kind, status, job_id, config, resolved, progress, "
        "created_at) VALUES (:id, 'default', :kind, 'finished', :job, :config, :resolved, 1.0, "
        ":created_at)"
    )
    runs = [
        (1, "train", {"task_type": "forecasting", "algorithm": "arima"}),
        (2, "train", {"task_type": "classification", "algorithm": "xgboost"}),
        (3, "explore", {"explorer": "scatter"}),
    ]
    try:
        with engine.begin() as connection:
            for run_id, kind, resolved in runs:
                connection.execute(insert, {
                    "id": run_id, "kind": kind, "job": f"job-{run_id}", "config": "{}",
                    "resolved": json.dumps(resolved), "created_at": datetime.now(UTC),
                })  # fmt: skip
    finally:
        engine.dispose()
    upgrade(database_url)
    assert _kinds(database_url) == {1: "forecast", 2: "train", 3: "explore"}
    downgrade(database_url, "0002")
    assert _kinds(database_url) == {1: "train", 2: "train", 3: "explore"}


def _tables(database_url: str) -> set[str]:
    engine = sync_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_api_keys_come_and_go_with_their_migration(database_url: str) -> None:
    upgrade(database_url)
    assert "api_keys" in _tables(database_url)
    downgrade(database_url, "0003")
    assert "api_keys" not in _tables(database_url) and "runs" in _tables(database_url)
    upgrade(database_url)
    assert "api_keys" in _tables(database_url)


def test_list_summaries_are_written_for_existing_results(database_url: str) -> None:
    """0006 summarizes the results stored before it (a list reads the summary, never the
    result), and adds the list indexes; its downgrade takes both away."""
    upgrade(database_url, "0005")
    entries = [{"algorithm": "xgboost", "metrics": {"test": {"rmse": 2.0}}},
               {"algorithm": "linear", "metrics": {"test": {"rmse": 1.5}}}]  # fmt: skip
    leaderboard = {"task_type": "regression", "goal_metric": "rmse", "best": "linear",
                   "entries": entries}  # fmt: skip
    tuning = {"goal_metric": "f1", "metrics": {"test": {"f1": 0.8}},
              "training": {"task_type": "classification"}, "trials": [{"n": 1}] * 50}  # fmt: skip
    results = {1: leaderboard, 2: tuning, 3: None}
    engine = sync_engine(database_url)
    insert = text(
        "INSERT INTO runs (id, tenant, kind, status, job_id, config, resolved, result, progress, "
        "created_at) VALUES (:id, 'default', 'train', 'finished', :job, '{}', '{}', :result, 1.0, "
        ":created_at)"
    )
    try:
        with engine.begin() as connection:
            for run_id, result in results.items():
                connection.execute(insert, {
                    "id": run_id, "job": f"job-{run_id}", "created_at": datetime.now(UTC),
                    "result": None if result is None else json.dumps(result),
                })  # fmt: skip
        upgrade(database_url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, summary FROM runs ORDER BY id")).all()
        summaries = {row.id: row.summary for row in rows}
        indexes = {index["name"] for index in inspect(engine).get_indexes("runs")}
    finally:
        engine.dispose()
    decoded = {k: json.loads(v) if isinstance(v, str) else v for k, v in summaries.items()}
    assert decoded == {
        1: {"test_metrics": {"rmse": 1.5}, "goal_metric": "rmse", "best": "linear",
            "task_type": "regression"},
        2: {"test_metrics": {"f1": 0.8}, "goal_metric": "f1", "task_type": "classification"},
        3: None,
    }  # fmt: skip
    assert {"ix_runs_tenant_created_id", "ix_runs_tenant_status_created_id"} <= indexes
    downgrade(database_url, "0005")
    engine = sync_engine(database_url)
    try:
        assert "summary" not in {c["name"] for c in inspect(engine).get_columns("runs")}
        assert "ix_runs_tenant_created_id" not in {i["name"] for i in
                                                   inspect(engine).get_indexes("runs")}  # fmt: skip
    finally:
        engine.dispose()


class _Said(logging.Handler):
    """Sets an event when a log record with `words` in its message arrives."""

    def __init__(self, words: str) -> None:
        super().__init__()
        self.words, self.event = words, threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.words in record.getMessage():
            self.event.set()


def test_a_worker_waits_for_the_schema_and_goes_on_once_it_is_migrated(database_url: str) -> None:
    said = _Said("waiting for the database schema")
    logging.getLogger("service.db.migrate").addHandler(said)
    waiting = threading.Thread(
        target=wait_until_current, args=(database_url,), kwargs={"poll_s": 0.05}
    )
    try:
        waiting.start()
        assert said.event.wait(120), "the wait never said what it waits for"
        assert waiting.is_alive(), "an empty database was taken for an up-to-date one"
        upgrade(database_url, "0001")
        engine = sync_engine(database_url)
        try:
            assert not is_current(engine), "a schema short of the newest migration is current"
        finally:
            engine.dispose()
        upgrade(database_url)
        waiting.join(120)
        assert not waiting.is_alive(), "the wait went on after the schema was migrated"
    finally:
        logging.getLogger("service.db.migrate").removeHandler(said)
