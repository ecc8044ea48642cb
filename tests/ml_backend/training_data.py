"""Small frames and hand-built profiles for the training tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from palmerpenguins import load_penguins

from ml_backend.configs import DatasetByName, TrainingConfig
from ml_backend.schema import ColumnKind, ColumnProfile, DatasetProfile


def penguins() -> pd.DataFrame:
    """The Palmer penguins (344 rows, string categoricals, missing values) with an id column."""
    frame = load_penguins()
    frame.insert(0, "penguin_id", [f"P{i:04d}" for i in range(len(frame))])
    return frame


def profile_of(frame: pd.DataFrame, kinds: dict[str, ColumnKind] | None = None) -> DatasetProfile:
    """A profile as the dataset profiler would make it; `kinds` overrides the guessed kinds."""
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    columns = []
    for field in schema:
        column = frame[field.name]
        kind = (kinds or {}).get(field.name) or _guess_kind(column)
        top = None
        if kind is not ColumnKind.NUMERIC:
            counts = column.value_counts().head(10)
            top = [(_plain(value), int(count)) for value, count in counts.items()]
        columns.append(
            ColumnProfile(
                name=field.name,
                dtype=str(field.type),
                kind=kind,
                missing=int(column.isna().sum()),
                distinct=int(column.nunique()),
                top_values=top,
            )
        )
    return DatasetProfile(row_count=len(frame), columns=columns)


def _guess_kind(column: pd.Series[Any]) -> ColumnKind:
    if pd.api.types.is_bool_dtype(column):
        return ColumnKind.BOOLEAN
    if pd.api.types.is_datetime64_any_dtype(column):
        return ColumnKind.DATETIME
    if pd.api.types.is_numeric_dtype(column):
        return ColumnKind.NUMERIC
    if column.nunique() == len(column):
        return ColumnKind.IDENTIFIER
    return ColumnKind.CATEGORICAL


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def config(**fields: Any) -> TrainingConfig:
    """A TrainingConfig on a dataset called 'penguins' with `fields` set."""
    return TrainingConfig.model_validate({"dataset": DatasetByName(name="penguins"), **fields})


def rows_with_target(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """The rows training keeps: those with a target value, renumbered from 0."""
    return frame.loc[frame[target].notna()].reset_index(drop=True)
