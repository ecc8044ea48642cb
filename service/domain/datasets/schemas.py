"""What the datasets API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from service.db.models import Dataset


class DatasetSummary(BaseModel):
    id: int
    name: str
    description: str | None
    format: str
    row_count: int
    column_count: int
    size_bytes: int
    target_hint: str | None
    is_sample: bool
    created_at: datetime

    @classmethod
    def of(cls, dataset: Dataset) -> DatasetSummary:
        return cls.model_validate(dataset, from_attributes=True)


class DatasetDetail(DatasetSummary):
    filename: str | None
    content_hash: str
    parent_id: int | None
    profile: dict[str, Any]

    @classmethod
    def of(cls, dataset: Dataset) -> DatasetDetail:
        return cls.model_validate(dataset, from_attributes=True)


class DatasetRows(BaseModel):
    dataset_id: int
    offset: int
    limit: int
    total: int
    columns: list[str]
    rows: list[dict[str, Any]]
