"""Lists at the speed of the database: a run's summary beside its result, and the indexes of
keyset-paged lists (each list's tenant, then its order: time, id)

`runs.summary` holds what a list row shows of a result (test metrics, goal, winner, task and
the training document's fields), so a list never reads the result itself. Existing results
are summarized here, with the rule as it stood when this migration was written.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:30:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_runs_tenant_created_id": ("runs", ["tenant", "created_at", "id"]),
    "ix_runs_tenant_kind_created_id": ("runs", ["tenant", "kind", "created_at", "id"]),
    "ix_runs_tenant_status_created_id": ("runs", ["tenant", "status", "created_at", "id"]),
    "ix_datasets_tenant_created_id": ("datasets", ["tenant", "created_at", "id"]),
    "ix_conversations_tenant_updated_id": ("conversations", ["tenant", "updated_at", "id"]),
    "ix_api_keys_tenant_created_id": ("api_keys", ["tenant", "created_at", "id"]),
    "ix_sql_connections_tenant_created_id": ("sql_connections", ["tenant", "created_at", "id"]),
}
BATCH = 200
"""Results read at a time while summarizing: a result may be megabytes."""

_runs = sa.table(
    "runs",
    sa.column("id", sa.Integer()),
    sa.column("result", sa.JSON()),
    sa.column("summary", sa.JSON()),
)
_DOCUMENT_KEYS = ("confusion_matrix", "feature_importance", "model_artifact_id",
                  "training_duration_seconds", "data_summary")  # fmt: skip


def _at(document: Any, *path: str) -> Any:
    for key in path:
        document = document.get(key) if isinstance(document, dict) else None
    return document


def _summary(result: Any) -> dict[str, Any] | None:
    # service.db.result_summary.result_summary as of this revision.
    if not isinstance(result, dict):
        return None
    best = result.get("best")
    if isinstance(best, str):
        winner = next((e for e in result.get("entries") or [] if _at(e, "algorithm") == best),
                      None)  # fmt: skip
        test = _at(winner, "metrics", "test")
    else:
        test = _at(result, "metrics", "test") or _at(result, "training", "metrics", "test")
    summary = {
        "test_metrics": test,
        "goal_metric": result.get("goal_metric"),
        "best": best,
        "task_type": result.get("task_type") or _at(result, "training", "task_type"),
        **{key: result.get(key) for key in _DOCUMENT_KEYS},
    }
    return {key: value for key, value in summary.items() if value is not None}


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("summary", sa.JSON(), nullable=True))
    connection = op.get_bind()
    write = (
        sa.update(_runs)
        .where(_runs.c.id == sa.bindparam("run_id"))
        .values(summary=sa.bindparam("run_summary"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_runs.c.id, _runs.c.result)
            .where(_runs.c.id > last, _runs.c.result.is_not(None))
            .order_by(_runs.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        summaries = [{"run_id": row.id, "run_summary": _summary(row.result)} for row in rows]
        if updates := [s for s in summaries if s["run_summary"] is not None]:
            connection.execute(write, updates)
        last = rows[-1].id
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("summary")
