"""Run status changes as conditional updates, so a late writer can't undo a final state."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Update, bindparam, update

from service.db.models import ACTIVE_STATUSES, Run, RunStatus
from service.db.result_summary import result_summary


def transition(
    run_id: int,
    status: RunStatus,
    *,
    allowed_from: Iterable[RunStatus] = ACTIVE_STATUSES,
    **values: Any,
) -> Update:
    """UPDATE the run to `status` only if it is now in one of `allowed_from`; a `result` is
    written with its summary (what lists show of it)."""
    if "result" in values:
        values.setdefault("summary", result_summary(values["result"]))
    return (
        update(Run)
        .where(Run.id == run_id, Run.status.in_(list(allowed_from)))
        .values(status=status, **values)
    )


# A job's first statement, built once: it takes the run out of `queued` (so a cancel that came
# first wins) and returns what the `started` event needs, sparing a read before it.
START_RUN = (
    update(Run)
    .where(Run.id == bindparam("run_id"), Run.status == RunStatus.QUEUED)
    .values(status=RunStatus.PREPROCESSING, started_at=bindparam("started_at"))
    .returning(Run.job_id, Run.tenant, Run.kind, Run.conversation_id)
)


def applied(result: Result[Any]) -> bool:
    """Whether a conditional UPDATE changed a row (its WHERE still held)."""
    return cast(CursorResult[Any], result).rowcount > 0
