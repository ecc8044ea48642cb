"""Experiments and their models (the experiments document's `Model` protocol)

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-03 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant", "name", name="uq_experiments_tenant_name"),
    )
    op.create_index(
        "ix_experiments_tenant_created_id", "experiments", ["tenant", "created_at", "id"]
    )
    op.create_table(
        "experiment_models",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("run_ids", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("modules", sa.JSON(), nullable=False),
        sa.Column("iterations", sa.JSON(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("experiment_id", "hash", name="uq_experiment_models_experiment_hash"),
    )
    op.create_index(
        "ix_experiment_models_experiment_created",
        "experiment_models",
        ["experiment_id", "created_at"],
    )
    op.create_index("ix_experiment_models_tenant", "experiment_models", ["tenant"])
    op.create_index("ix_experiment_models_run_id", "experiment_models", ["run_id"])


def downgrade() -> None:
    op.drop_table("experiment_models")
    op.drop_table("experiments")
