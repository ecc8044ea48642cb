"""What the runs API takes and returns beyond the job view."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ml_backend.configs import MAX_ID, DatasetById, DatasetRef
from ml_backend.prediction import RowPrediction
from service.domain.datasets.schemas import DatasetSummary


class PredictRequest(BaseModel):
    """Exactly one of: `rows` (JSON objects), `dataset` or `dataset_id` (batch), `horizon`
    (a forecast run)."""

    model_config = ConfigDict(extra="forbid")

    rows: list[dict[str, Any]] | None = Field(
        default=None, description="Rows as column: value objects, with the training columns."
    )
    dataset: DatasetRef | None = Field(
        default=None, description="Predict every row of this dataset into a new dataset."
    )
    dataset_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(
        default=None, description="The same as dataset: {'id': dataset_id}."
    )
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="Name of the new dataset of a batch prediction."
    )
    horizon: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="For a forecasting run: how many future steps."
    )

    @model_validator(mode="after")
    def _one_source(self) -> PredictRequest:
        sources = ("rows", "dataset", "dataset_id", "horizon")
        given = [key for key in sources if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'rows' (a list of row objects), 'dataset' "
                "({'id': ...} or {'name': ...}), 'dataset_id' or, for a forecast, 'horizon'"
            )
        return self

    @property
    def source_dataset(self) -> DatasetRef | None:
        """The dataset to predict on, however it was named."""
        if self.dataset_id is not None:
            return DatasetById(id=self.dataset_id)
        return self.dataset


class PredictFormat(StrEnum):
    """How POST /runs/{id}/predict answers: JSON, or a CSV file of the rows and predictions."""

    JSON = "json"
    CSV = "csv"


class RowPredictions(BaseModel):
    run_id: int
    target_column: str
    predictions: list[RowPrediction]
    ignored_columns: list[str]


class BatchPrediction(BaseModel):
    run_id: int
    dataset: DatasetSummary
    added_columns: list[str]


class FuturePrediction(BaseModel):
    run_id: int
    horizon: int
    points: list[dict[str, Any]]
    """Each future step: time, value, lower and upper bound of the interval."""
