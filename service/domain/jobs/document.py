"""The training-service document's view of a training job, beside mlchat's richer one.

A client written against that document reads `GET /api/v1/ml/train/{job_id}` as
`{"job_id", "status": "completed", "metrics": {...test split..., "confusion_matrix": [[...]]},
"feature_importance": {column: share}, "model_artifact_id", "training_duration_seconds",
"data_summary": {"total_samples", "train_samples", "test_samples"}}`. mlchat keeps every split's
metrics, the matrix's labels and the importance order in `result`, which stays as it was.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from service.db.models import RunStatus
from service.db.result_summary import DOCUMENT_KEYS
from service.domain.jobs.listing import (
    Live,
    RunRow,
    as_float,
    float_values,
    schema_defaults,
    schema_row,
)
from service.domain.jobs.schemas import JobSummary, JobView
from service.domain.jobs.services import summary_fields


class DocumentStatus(StrEnum):
    """A job's status in the document's words; `run_status` keeps mlchat's finer stages."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


DOCUMENT_STATUS = {
    RunStatus.QUEUED: DocumentStatus.QUEUED,
    RunStatus.PREPROCESSING: DocumentStatus.RUNNING,
    RunStatus.TRAINING: DocumentStatus.RUNNING,
    RunStatus.FINISHED: DocumentStatus.COMPLETED,
    RunStatus.FAILED: DocumentStatus.FAILED,
    RunStatus.CANCELLED: DocumentStatus.CANCELLED,
}

RENAMED_METRICS = {"f1": "f1_score"}
"""mlchat's metric names that the document spells otherwise; the rest keep their names."""


class TrainStatusFilter(StrEnum):
    """`?status=` of the train list: the document's words and mlchat's run stages alike."""

    QUEUED = "queued"
    RUNNING = "running"
    PREPROCESSING = "preprocessing"
    TRAINING = "training"
    COMPLETED = "completed"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"

    def run_statuses(self) -> list[RunStatus]:
        """The stored run statuses this filter value stands for."""
        return [run for run, shown in DOCUMENT_STATUS.items() if self.value in (run, shown)]


DOCUMENT_SUMMARY = ("total_samples", "train_samples", "test_samples")


class DocumentDataSummary(BaseModel):
    total_samples: int
    train_samples: int
    test_samples: int


class TrainingJobSummary(JobSummary):
    """A job of `/ml/train` as the document has it, with mlchat's summary fields beside.

    `status` is the document's (queued, running, completed, failed, cancelled); `run_status`
    is the run's own stage (queued, preprocessing, training, finished, failed, cancelled).
    The document's fields are null until the run has finished.
    """

    run_status: str
    metrics: dict[str, Any] | None = Field(
        default=None,
        description="The test split's metrics under the document's names (f1 as f1_score); "
        "a classifier's confusion_matrix as rows of counts, true class by predicted class, "
        "in the order of `classes`. Regression: rmse, mae, r2, mape; a forecast: mae, rmse, "
        "mape, smape. Every split's metrics are in result.metrics.",
    )
    classes: list[Any] | None = Field(
        default=None, description="A classifier's labels: the confusion matrix's row order."
    )
    feature_importance: dict[str, float] | None = Field(
        default=None,
        description="Each feature column's share of the model's importance (summing to 1), "
        "largest first; null for a forecast.",
    )
    model_artifact_id: str | None = Field(
        default=None, description="The model, relative to /api/v1: GET /api/v1/{id} downloads it."
    )
    training_duration_seconds: float | None = None
    data_summary: DocumentDataSummary | None = None


class TrainingJobView(TrainingJobSummary, JobView):
    """A training job alone: the document's fields, and mlchat's whole config and result."""


class TrainingJobPage(BaseModel):
    """A page of training jobs, newest first; the next page's address is in the Link header."""

    items: list[TrainingJobSummary]
    total: int
    limit: int
    offset: int


def document_view(view: JobView) -> TrainingJobView:
    """`view` with the document's fields, read from its stored result, at the top level."""
    fields: dict[str, Any] = dict(view)
    fields.update(_document_fields(view.status, view.result))
    return TrainingJobView.model_validate(fields)


TRAINING_SUMMARY_DEFAULTS = schema_defaults(TrainingJobSummary)


def document_summary(row: RunRow, live: Live | None) -> dict[str, Any]:
    """A run's row as the train list shows it, a `TrainingJobSummary` as JSON-ready fields:
    the document's fields from the result's summary, which keeps them."""
    fields = summary_fields(row, live)
    summary = row.summary or {}
    # The part of the result the document reads, as `_document_result` finds it in a whole one.
    result = {"metrics": {"test": summary.get("test_metrics")},
              **{key: summary.get(key) for key in DOCUMENT_KEYS}}  # fmt: skip
    document = _document_fields(row.status, result if row.summary is not None else None)
    if (importance := document.get("feature_importance")) is not None:
        document["feature_importance"] = float_values(importance)
    if "training_duration_seconds" in document:
        document["training_duration_seconds"] = as_float(document["training_duration_seconds"])
    fields.update(document)
    return schema_row(TRAINING_SUMMARY_DEFAULTS, fields)


def _document_fields(status: str, result: dict[str, Any] | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "run_status": status,
        "status": DOCUMENT_STATUS[RunStatus(status)].value,
    }
    if status == RunStatus.FINISHED and result is not None:
        fields.update(_document_result(result))
    return fields


def _document_result(result: dict[str, Any]) -> dict[str, Any]:
    test: dict[str, Any] = (result.get("metrics") or {}).get("test") or {}
    metrics = {RENAMED_METRICS.get(name, name): value for name, value in test.items()}
    matrix = result.get("confusion_matrix")
    classes = None
    if matrix is not None:
        metrics["confusion_matrix"] = matrix["matrix"]
        classes = matrix["labels"]
    importance = result.get("feature_importance")
    summary = result.get("data_summary") or {}
    return {
        "metrics": metrics,
        "classes": classes,
        "feature_importance": None
        if importance is None
        else {item["feature"]: item["importance"] for item in importance},
        "model_artifact_id": result.get("model_artifact_id"),
        "training_duration_seconds": result.get("training_duration_seconds"),
        "data_summary": {key: summary[key] for key in DOCUMENT_SUMMARY} if summary else None,
    }
