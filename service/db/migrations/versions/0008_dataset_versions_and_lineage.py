"""Dataset versions and the lineage graph

A dataset row is one *version*: rows of a tenant that share a name are the versions of one
dataset, numbered 1, 2, 3... (`datasets.version`), so the name is unique per version rather than
per tenant. `lineage_edges` records where data came in and went out; the edges derivable from
existing rows are written here: dataset -> run (the dataset a run read), parent dataset ->
derived dataset (a batch prediction's parent), conversation -> run.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03 14:40:00
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_datasets = sa.table(
    "datasets",
    sa.column("id", sa.Integer()),
    sa.column("tenant", sa.String()),
    sa.column("parent_id", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_runs = sa.table(
    "runs",
    sa.column("id", sa.Integer()),
    sa.column("tenant", sa.String()),
    sa.column("dataset_id", sa.Integer()),
    sa.column("conversation_id", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


REFERENCES = (("runs", "dataset_id"), ("conversations", "dataset_id"), ("datasets", "parent_id"))
"""The columns that name a dataset, each ON DELETE SET NULL."""


@contextmanager
def _dataset_references_kept() -> Iterator[None]:
    """Keep what refers to a dataset through a SQLite batch change of `datasets`: its old table
    is dropped (an implicit DELETE, with foreign keys on) and every reference set to NULL, in
    the new table too. Foreign keys cannot be switched off inside the migration's transaction,
    so the references are read before and written back after."""
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        yield
        return
    kept = {
        (table, column): connection.execute(
            sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
        ).all()
        for table, column in REFERENCES
    }
    yield
    for (table, column), rows in kept.items():
        if rows:
            connection.execute(
                sa.text(f"UPDATE {table} SET {column} = :ref WHERE id = :row_id"),
                [{"ref": ref, "row_id": row_id} for row_id, ref in rows],
            )


def upgrade() -> None:
    with _dataset_references_kept(), op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.drop_constraint("uq_datasets_tenant_name", type_="unique")
        batch.create_unique_constraint(
            "uq_datasets_tenant_name_version", ["tenant", "name", "version"]
        )
    edges = op.create_table(
        "lineage_edges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("from_kind", sa.String(length=16), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_kind", sa.String(length=16), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "tenant",
            "from_kind",
            "from_id",
            "to_kind",
            "to_id",
            "relation",
            name="uq_lineage_edges_edge",
        ),
    )
    op.create_index("ix_lineage_edges_from", "lineage_edges", ["tenant", "from_kind", "from_id"])
    op.create_index("ix_lineage_edges_to", "lineage_edges", ["tenant", "to_kind", "to_id"])
    connection = op.get_bind()
    derived = sa.select(
        _datasets.c.tenant, sa.literal("dataset"), _datasets.c.parent_id, sa.literal("dataset"),
        _datasets.c.id, sa.literal("derived"), _datasets.c.created_at,
    ).where(_datasets.c.parent_id.is_not(None))  # fmt: skip
    read = sa.select(
        _runs.c.tenant, sa.literal("dataset"), _runs.c.dataset_id, sa.literal("run"),
        _runs.c.id, sa.literal("input"), _runs.c.created_at,
    ).where(_runs.c.dataset_id.is_not(None))  # fmt: skip
    asked = sa.select(
        _runs.c.tenant, sa.literal("conversation"), _runs.c.conversation_id, sa.literal("run"),
        _runs.c.id, sa.literal("requested"), _runs.c.created_at,
    ).where(_runs.c.conversation_id.is_not(None))  # fmt: skip
    columns = ["tenant", "from_kind", "from_id", "to_kind", "to_id", "relation", "created_at"]
    for select in (derived, read, asked):
        connection.execute(edges.insert().from_select(columns, select))


def downgrade() -> None:
    op.drop_index("ix_lineage_edges_to", table_name="lineage_edges")
    op.drop_index("ix_lineage_edges_from", table_name="lineage_edges")
    op.drop_table("lineage_edges")
    # Going back to one row per name keeps each name's latest version only.
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "DELETE FROM datasets WHERE version < "
            "(SELECT max(d.version) FROM datasets d WHERE d.tenant = datasets.tenant "
            "AND d.name = datasets.name)"
        )
    )
    with _dataset_references_kept(), op.batch_alter_table("datasets") as batch:
        batch.drop_constraint("uq_datasets_tenant_name_version", type_="unique")
        batch.create_unique_constraint("uq_datasets_tenant_name", ["tenant", "name"])
        batch.drop_column("version")
