"""0008 numbers existing datasets as version 1 and backfills the lineage edges it can derive:
the dataset each run read, a batch prediction's parent, the conversation that asked for a run."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from service.db.engines import sync_engine
from service.db.migrate import downgrade, upgrade
from tests.service.test_migrations import database_url

__all__ = ["database_url"]  # the fixture, on each backend

DATASET = text(
    "INSERT INTO datasets (id, tenant, name, format, content_hash, size_bytes, row_count, "
    "column_count, profile, is_sample, parent_id, created_at) VALUES (:id, :tenant, :name, "
    "'csv', :hash, 10, 2, 2, '{}', false, :parent, :at)"
)
RUN = text(
    "INSERT INTO runs (id, tenant, kind, status, job_id, dataset_id, conversation_id, config, "
    "resolved, progress, created_at) VALUES (:id, :tenant, 'train', 'finished', :job, :dataset, "
    ":conversation, '{}', '{}', 1.0, :at)"
)


def test_existing_rows_get_versions_and_edges(database_url: str) -> None:
    upgrade(database_url, "0006")
    now = datetime.now(UTC)
    engine = sync_engine(database_url)
    try:
        with engine.begin() as connection:
            for row in (
                {"id": 1, "tenant": "a", "name": "iris", "hash": "h1", "parent": None},
                {"id": 2, "tenant": "a", "name": "scored", "hash": "h2", "parent": 1},
                {"id": 3, "tenant": "b", "name": "iris", "hash": "h3", "parent": None},
            ):
                connection.execute(DATASET, {**row, "at": now})
            for row in ({"id": 1, "tenant": "a", "job": "j1", "dataset": 1, "conversation": 7},
                        {"id": 2, "tenant": "b", "job": "j2", "dataset": 3, "conversation": None},
                        {"id": 3, "tenant": "a", "job": "j3", "dataset": None,
                         "conversation": None}):  # fmt: skip
                connection.execute(RUN, {**row, "at": now})
        upgrade(database_url)
        with engine.connect() as connection:
            versions: dict[int, int] = dict(
                connection.execute(text("SELECT id, version FROM datasets")).all()
            )
            read: dict[int, int | None] = dict(
                connection.execute(text("SELECT id, dataset_id FROM runs")).all()
            )
            parents: dict[int, int | None] = dict(
                connection.execute(text("SELECT id, parent_id FROM datasets")).all()
            )
            edges = set(connection.execute(text(
                "SELECT tenant, from_kind, from_id, to_kind, to_id, relation FROM lineage_edges"
            )).all())  # fmt: skip
        assert versions == {1: 1, 2: 1, 3: 1}
        # SQLite rebuilds `datasets`: what refers to a dataset survives it.
        assert read == {1: 1, 2: 3, 3: None} and parents == {1: None, 2: 1, 3: None}
        assert edges == {
            ("a", "dataset", 1, "dataset", 2, "derived"),
            ("a", "dataset", 1, "run", 1, "input"),
            ("b", "dataset", 3, "run", 2, "input"),
            ("a", "conversation", 7, "run", 1, "requested"),
        }
        downgrade(database_url, "0006")
        with engine.connect() as connection:
            read = dict(connection.execute(text("SELECT id, dataset_id FROM runs")).all())
        assert read == {1: 1, 2: 3, 3: None}
        assert "lineage_edges" not in inspect(engine).get_table_names()
        assert "version" not in {c["name"] for c in inspect(engine).get_columns("datasets")}
    finally:
        engine.dispose()
