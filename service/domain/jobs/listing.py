"""Runs as a list shows them: the columns a row needs and the result's summary (written with
the result, `service.db.result_summary`), so no result, figure or resolved config leaves the
database for a list.

A list's rows are built as plain dicts in the shape of their schema (`JobSummary`), not as
pydantic models: validating and then dumping fifty models was a fifth of a list request's time,
for rows whose types the database already fixes. `tests/service/test_list_rows.py` holds the
dicts to what the schema would make of the same rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from pydantic import BaseModel
from sqlalchemy import Select, select

from service.db.models import Dataset, Run
from service.db.result_summary import result_summary
from service.domain.jobs.kinds import shown_kind
from service.paging import Cursor

LIST_NAME = "runs"
"""The name in the cursors of every runs list (GET /runs and each /ml/{route}): one order."""

SUMMARY_CONFIG_KEYS = frozenset(
    {"algorithm", "algorithms", "explorer", "columns", "target_column", "task_type",
     "time_column", "horizon", "goal_metric", "direction", "n_trials", "timeout_s"}
)  # fmt: skip
"""The config's fields a row names a run by (the page's run titles read these)."""


class RunRow(NamedTuple):
    """The columns of a run a list row is made of, with its dataset's name."""

    id: int
    job_id: str
    kind: str
    status: str
    dataset_id: int | None
    conversation_id: int | None
    config: dict[str, Any] | None
    summary: dict[str, Any] | None
    progress: float
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    dataset_name: str | None

    @classmethod
    def of(cls, run: Run, dataset_name: str | None) -> RunRow:
        """A Run's own row (its summary computed if it predates summaries)."""
        values = {name: getattr(run, name) for name in cls._fields[:-1]}
        if values["summary"] is None:
            values["summary"] = result_summary(run.result)
        return cls(**values, dataset_name=dataset_name)


SUMMARY_COLUMNS = [getattr(Run, name) for name in RunRow._fields[:-1]]

Live = dict[str, Any]
"""What Redis knows of a run beyond the database: its latest progress, or its place in line."""


def summary_select() -> Select[*tuple[Any, ...]]:
    """`RunRow`'s columns, for runs as the caller filters them; `RunRow._make` reads a row
    (a tuple is read far faster than a Row's attributes)."""
    return select(*SUMMARY_COLUMNS, Dataset.name.label("dataset_name")).outerjoin(
        Dataset, Dataset.id == Run.dataset_id
    )


def position(row: RunRow) -> Cursor:
    return Cursor(row.created_at, row.id)


def as_float(value: Any) -> Any:
    """A number as a float field shows it (an int 1 is 1.0, as pydantic would make it)."""
    return float(value) if type(value) is int else value


def float_values(numbers: dict[str, Any] | None) -> dict[str, Any] | None:
    """`numbers` with its ints as floats (a metric of 1 is 1.0)."""
    if numbers is None:
        return None
    return {name: as_float(value) for name, value in numbers.items()}


def schema_defaults(schema: type[BaseModel]) -> dict[str, Any]:
    """`schema`'s fields in order, each with its default (None for a required one, which
    every row sets)."""
    return {
        name: None if field.is_required() else field.default
        for name, field in schema.model_fields.items()
    }


def schema_row(defaults: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` over the schema's `defaults`: every field, in the schema's order."""
    row = defaults.copy()
    row.update(fields)
    return row


def summary_of(run: RunRow, live: Live | None) -> dict[str, Any]:
    """The fields of a JobSummary for `run`, with what Redis says of it (`live`)."""
    config: dict[str, Any] = run.config or {}
    summary = run.summary or {}
    algorithm = config.get("algorithm")
    fields = {
        "job_id": run.job_id, "run_id": run.id, "kind": shown_kind(run.kind),
        "status": run.status, "dataset_id": run.dataset_id, "dataset_name": run.dataset_name,
        "conversation_id": run.conversation_id, "progress": run.progress, "error": run.error,
        "created_at": run.created_at, "started_at": run.started_at,
        "finished_at": run.finished_at,
        "config": {key: value for key, value in config.items() if key in SUMMARY_CONFIG_KEYS},
        "algorithm": algorithm if isinstance(algorithm, str) else None,
        "test_metrics": summary.get("test_metrics"),
        "goal_metric": summary.get("goal_metric") or config.get("goal_metric"),
        "best": summary.get("best"),
        "task_type": summary.get("task_type") or config.get("task_type"),
    }  # fmt: skip
    fields.update(live or {})
    return fields
