"""The runs lists build their rows as plain dicts (service.domain.jobs.listing says why); a
client must read exactly what the schemas, `JobSummary` and the train document's
`TrainingJobSummary`, would have made of the same row: the same fields, in the same order,
with the same JSON text (an int metric is 1.0, a datetime as pydantic writes it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from service.db.result_summary import result_summary
from service.domain.jobs.document import TrainingJobSummary, _document_fields, document_summary
from service.domain.jobs.listing import Live, RunRow, summary_of
from service.domain.jobs.schemas import JobSummary
from service.domain.jobs.services import job_summary

CLASSIFIER = {
    "task_type": "classification",
    "metrics": {"test": {"accuracy": 1, "f1": 0.875, "roc_auc": None}},
    "confusion_matrix": {"labels": ["a", "b"], "matrix": [[3, 0], [1, 4]]},
    "feature_importance": [{"feature": "x", "importance": 1}, {"feature": "y", "importance": 0}],
    "model_artifact_id": "runs/7/model",
    "training_duration_seconds": 2,
    "data_summary": {"total_samples": 8, "train_samples": 6, "test_samples": 2},
}
TUNING = {"task_type": "regression", "goal_metric": "rmse", "direction": "minimize",
          "training": {"metrics": {"test": {"rmse": 0.25, "r2": 0.5}}}}  # fmt: skip
LEADERBOARD = {"task_type": "classification", "goal_metric": "f1", "best": "xgboost",
               "entries": [{"algorithm": "xgboost", "metrics": {"test": {"f1": 0.9}}}]}  # fmt: skip
CONFIG = {"algorithm": "xgboost", "dataset": {"name": "penguins"}, "target_column": "species",
          "hyperparameters": {"max_depth": 3}, "split": {"test_size": 0.25}}  # fmt: skip
NAIVE = datetime(2026, 1, 31, 14, 0, 5, 120000)  # as SQLite gives instants back
AWARE = datetime(2026, 1, 31, 14, 0, tzinfo=UTC)  # as PostgreSQL does


def _row(status: str, result: dict[str, Any] | None, at: datetime, **extra: Any) -> RunRow:
    fields: dict[str, Any] = {
        "id": 7, "job_id": "ab" * 16, "kind": "train", "status": status, "dataset_id": 3,
        "conversation_id": None, "config": CONFIG, "summary": result_summary(result),
        "progress": 1.0, "error": None, "created_at": at, "started_at": at,
        "finished_at": None, "dataset_name": "penguins",
    }  # fmt: skip
    fields.update(extra)
    return RunRow(**fields)


ROWS: list[tuple[RunRow, Live | None]] = [
    (_row("finished", CLASSIFIER, NAIVE, finished_at=NAIVE), None),
    (_row("finished", CLASSIFIER, AWARE, finished_at=AWARE, conversation_id=4), None),
    (_row("finished", TUNING, NAIVE, kind="tune", config={"n_trials": 5, **CONFIG}), None),
    (_row("finished", LEADERBOARD, AWARE, kind="leaderboard", config={"algorithms": ["x"]}), None),
    (_row("failed", None, NAIVE, error="stopped", config=None, dataset_name=None), None),
    (_row("queued", None, AWARE, progress=0), {"jobs_ahead": 2, "message": "queued, 2 ahead"}),
    (_row("training", None, NAIVE, progress=0.5), {"progress": 1, "step": 3, "unit": "trial"}),
    (_row("finished", {"task_type": "regression"}, NAIVE, summary=None), None),
]


def _json(value: Any) -> bytes:
    return msgspec.json.encode(value)


@pytest.mark.parametrize(("row", "live"), ROWS)
def test_a_runs_list_row_reads_as_its_schema_would_write_it(row: RunRow, live: Live | None) -> None:
    schema = JobSummary.model_validate(summary_of(row, live))
    assert _json(job_summary(row, live)) == _json(schema.model_dump(mode="json"))


@pytest.mark.parametrize(("row", "live"), ROWS)
def test_a_train_list_row_reads_as_the_documents_schema_would_write_it(
    row: RunRow, live: Live | None
) -> None:
    summary = row.summary or {}
    result = {"metrics": {"test": summary.get("test_metrics")}, **summary}
    fields = summary_of(row, live)
    fields.update(_document_fields(row.status, result if row.summary is not None else None))
    schema = TrainingJobSummary.model_validate(fields)
    assert _json(document_summary(row, live)) == _json(schema.model_dump(mode="json"))
