"""Predicting with a trained model: rows given as JSON checked against its training schema."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
from pydantic import BaseModel

from ml_backend.datasets.loading import frame_from_table
from ml_backend.errors import ConfigValidationError
from ml_backend.metrics import plain_label
from ml_backend.model import TabularModel
from ml_backend.schema import ColumnKind

MAX_JSON_ROWS = 10_000
"""More rows than this belong in a batch prediction over an uploaded dataset."""


class RowPrediction(BaseModel):
    """One row's prediction; `probabilities` maps each class to its probability."""

    prediction: Any
    probabilities: dict[str, float] | None = None


def rows_frame(
    rows: Sequence[Any], feature_kinds: Mapping[str, ColumnKind]
) -> tuple[pd.DataFrame, list[str]]:
    """`rows` as a frame of the model's feature columns, and the keys it ignored.

    Every row must name every feature column (null for a missing value, which the model
    imputes as in training); a value of the wrong type is an error naming its row and column.
    """
    if not rows:
        raise ConfigValidationError("no rows given; send at least one row", field="rows")
    if len(rows) > MAX_JSON_ROWS:
        raise ConfigValidationError(
            f"{len(rows)} rows is more than {MAX_JSON_ROWS} for one request; upload them as a "
            "dataset and predict on it with {'dataset': {'id': ...}}",
            field="rows",
        )
    features = list(feature_kinds)
    ignored: dict[str, None] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ConfigValidationError(
                f"row {index} is not an object of column: value pairs", field="rows"
            )
        missing = [column for column in features if column not in row]
        if missing:
            raise ConfigValidationError(
                f"row {index} lacks column(s) {', '.join(missing)}; the model needs "
                f"{', '.join(features)} (null where a value is unknown)",
                field="rows",
            )
        ignored.update(dict.fromkeys(key for key in row if key not in feature_kinds))
    frame = pd.DataFrame({column: [row[column] for row in rows] for column in features})
    for column, kind in feature_kinds.items():
        if kind is ColumnKind.NUMERIC:
            frame[column] = _numbers(frame[column], column)
    return frame, list(ignored)


def _numbers(values: pd.Series[Any], column: str) -> pd.Series[Any]:
    for index, value in enumerate(values):
        if value is not None and not _is_number(value):
            raise ConfigValidationError(
                f"row {index}, column '{column}': expected a number, got {value!r}",
                field="rows",
            )
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False  # JSON true/false in a numeric column is a mistake, not 1/0
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def predict_rows(model: TabularModel, frame: pd.DataFrame) -> list[RowPrediction]:
    """The model's prediction for each row, with class probabilities for a classifier."""
    predictions = model.predict(frame)
    if model.classes is None:
        return [RowPrediction(prediction=_number(value)) for value in predictions]
    probabilities = model.predict_proba(frame)
    labels = [str(label) for label in model.classes]
    return [
        RowPrediction(
            prediction=plain_label(value),
            probabilities=dict(zip(labels, (float(p) for p in row), strict=True)),
        )
        for value, row in zip(predictions, probabilities, strict=True)
    ]


def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def predicted_column_names(model: TabularModel, target: str) -> list[str]:
    """The columns batch prediction adds: the prediction, then one probability per class."""
    names = [f"predicted_{target}"]
    if model.classes is not None:
        names += [f"probability_{label}" for label in model.classes]
    return names


def predict_table(
    model: TabularModel, table: pa.Table, target: str, *, batch_rows: int = 50_000
) -> pa.Table:
    """`table` with the predicted columns appended, computed a batch of rows at a time."""
    missing = [column for column in model.feature_columns if column not in table.column_names]
    if missing:
        raise ConfigValidationError(
            f"the dataset lacks the model's feature column(s) {', '.join(missing)}; predict "
            "on data with the columns the model was trained on",
            field="dataset",
        )
    names = predicted_column_names(model, target)
    taken = [name for name in names if name in table.column_names]
    if taken:
        raise ConfigValidationError(
            f"the dataset already has column(s) {', '.join(taken)}; rename them first",
            field="dataset",
        )
    parts: list[pd.DataFrame] = []
    for start in range(0, table.num_rows, batch_rows):
        frame = frame_from_table(table.slice(start, batch_rows).select(model.feature_columns))
        part = pd.DataFrame({names[0]: model.predict(frame)})
        if model.classes is not None:
            probabilities = model.predict_proba(frame)
            for index, name in enumerate(names[1:]):
                part[name] = probabilities[:, index]
        parts.append(part)
    predicted = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=names)
    for name in names:
        table = table.append_column(name, pa.array(predicted[name].tolist()))
    return table
