"""The dataset profile: the schema context that configs are validated against."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class ColumnKind(StrEnum):
    """What a column means, beyond its storage type."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT = "text"
    IDENTIFIER = "identifier"


class ColumnProfile(BaseModel):
    """One column's profile."""

    name: str
    dtype: str = Field(description="Arrow type of the stored column, e.g. 'double', 'string'.")
    kind: ColumnKind
    missing: int = Field(ge=0)
    distinct: int = Field(ge=0)
    min: Any = None
    max: Any = None
    mean: float | None = None
    std: float | None = None
    top_values: list[tuple[Any, int]] | None = Field(
        default=None, description="Most frequent values with their counts (non-numeric columns)."
    )
    samples: list[Any] = Field(default_factory=list)


class DatasetProfile(BaseModel):
    """A dataset's profile: its columns and size."""

    row_count: int = Field(ge=0)
    columns: list[ColumnProfile]

    def column(self, name: str) -> ColumnProfile | None:
        """The profile of `name`, or None."""
        return next((c for c in self.columns if c.name == name), None)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]
