"""forecasts stored as their own job kind

Until now a forecast was stored as a `train` run whose resolved config said
`task_type: forecasting`; the job registry gives it its own kind, `forecast` (the API still
shows it under `train`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_runs = sa.table(
    "runs",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.String(16)),
    sa.column("resolved", sa.JSON()),
)


def upgrade() -> None:
    # JSON paths differ between SQLite and PostgreSQL, so the rows are read and picked here.
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_runs.c.id, _runs.c.resolved).where(_runs.c.kind == "train")
    )
    forecasts = [row.id for row in rows if (row.resolved or {}).get("task_type") == "forecasting"]
    if forecasts:
        connection.execute(
            sa.update(_runs).where(_runs.c.id.in_(forecasts)).values(kind="forecast")
        )


def downgrade() -> None:
    op.execute(sa.update(_runs).where(_runs.c.kind == "forecast").values(kind="train"))
