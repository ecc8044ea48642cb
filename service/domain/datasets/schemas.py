"""What the datasets API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row

from agents.starters import Starter
from service.db.models import Dataset


class DatasetSummary(BaseModel):
    id: int
    name: str
    version: int = Field(
        default=1, description="Which version of the dataset `name` this row is: 1, 2, 3..."
    )
    description: str | None
    format: str
    row_count: int
    column_count: int
    size_bytes: int
    target_hint: str | None
    is_sample: bool
    created_at: datetime

    @classmethod
    def of(cls, dataset: Dataset | Row[Any]) -> DatasetSummary:
        return cls.model_validate(dataset, from_attributes=True)


class DatasetDetail(DatasetSummary):
    filename: str | None
    content_hash: str
    parent_id: int | None
    source: dict[str, Any] | None = Field(
        default=None,
        description='Where a dataset not uploaded came from: {"source": "sql", "connection", '
        '"query", "row_cap", "capped"}.',
    )
    profile: dict[str, Any]

    @classmethod
    def of(cls, dataset: Dataset | Row[Any]) -> DatasetDetail:
        return cls.model_validate(dataset, from_attributes=True)


class DatasetVersion(BaseModel):
    """One version of a dataset: a dataset row of its own, with its own id."""

    id: int
    version: int
    content_hash: str
    row_count: int
    column_count: int
    size_bytes: int
    created_at: datetime
    latest: bool


class DatasetVersions(BaseModel):
    """Every version of one dataset, oldest first; a name names the latest."""

    name: str
    latest_version: int
    versions: list[DatasetVersion]

    @classmethod
    def of(cls, rows: list[Dataset]) -> DatasetVersions:
        last = rows[-1].version
        return cls(
            name=rows[-1].name,
            latest_version=last,
            versions=[
                DatasetVersion.model_validate(
                    {
                        **{
                            f: getattr(row, f) for f in DatasetVersion.model_fields if f != "latest"
                        },
                        "latest": row.version == last,
                    }
                )
                for row in rows
            ],
        )


class SqlDatasetRequest(BaseModel):
    """A dataset from a query, in the shape a config names one: {"source": "sql", ...}."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["sql"] = "sql"
    connection: str = Field(
        min_length=1,
        max_length=64,
        description="A connection of this tenant, as GET /api/v1/connections lists them.",
    )
    query: str = Field(
        min_length=1,
        max_length=100_000,
        description="Exactly one SELECT; it runs read-only, bounded in time and rows.",
    )
    name: str | None = Field(
        default=None,
        max_length=200,
        description="The dataset's name; default: the (first) table the query reads.",
    )


class DatasetRows(BaseModel):
    dataset_id: int
    offset: int
    limit: int
    total: int
    columns: list[str]
    rows: list[dict[str, Any]]


class DatasetSuggestions(BaseModel):
    """Things to ask about one dataset, for the empty chat: each planned into its `action`
    when sent as it is."""

    dataset_id: int
    suggestions: list[Starter]
