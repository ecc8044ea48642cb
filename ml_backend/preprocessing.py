"""Turning a frame's feature columns into a numeric matrix, fitted on the training part only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

from ml_backend.schema import ColumnKind

# One-hot width per column: rarer categories share one "infrequent" column, so a column
# with thousands of values cannot blow up the matrix.
MAX_CATEGORIES = 30
DATETIME_PARTS = ("year", "month", "day", "day_of_week")

CATEGORICAL_KINDS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})
"""The kinds of column encoded as categories (one-hot, or codes)."""


def as_category_strings(frame: pd.DataFrame) -> NDArray[np.object_]:
    """Values as strings and missing values as NaN: one comparable type per column."""
    values = frame.astype(object)
    return np.asarray(values.where(frame.notna(), np.nan).map(_text_or_nan), dtype=object)


def as_floats(frame: pd.DataFrame) -> NDArray[np.float64]:
    """Numbers as float64 with NaN for missing: nullable integers and durations (in seconds)."""
    columns = [
        frame[name].dt.total_seconds()
        if pd.api.types.is_timedelta64_dtype(frame[name])
        else frame[name].astype("Float64")
        for name in frame.columns
    ]
    return np.column_stack([c.to_numpy(dtype=np.float64, na_value=np.nan) for c in columns])


def _text_or_nan(value: Any) -> Any:
    return value if isinstance(value, float) and np.isnan(value) else str(value)


class DatetimeParts(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Expands each date/time column into year, month, day and day of week (NaN if missing)."""

    def fit(self, X: pd.DataFrame, y: Any = None) -> Self:
        """Remember the input columns."""
        self.feature_names_in_ = np.asarray(list(X.columns), dtype=object)
        self.n_features_in_ = len(X.columns)
        return self

    def transform(self, X: pd.DataFrame) -> NDArray[np.float64]:
        """Four numeric parts per input column."""
        parts = []
        for name in X.columns:
            stamps = as_datetimes(X[name])
            for part in DATETIME_PARTS:
                parts.append(getattr(stamps.dt, part).astype("float64").to_numpy())
        return np.column_stack(parts) if parts else np.empty((len(X), 0))

    def get_feature_names_out(self, input_features: Any = None) -> NDArray[np.object_]:
        """`column_part` for each output column."""
        return np.asarray(
            [f"{name}_{part}" for name in self.feature_names_in_ for part in DATETIME_PARTS],
            dtype=object,
        )


def as_datetimes(column: pd.Series[Any]) -> pd.Series[Any]:
    """`column` as datetimes: dates stored as ISO text or Python dates are parsed."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    # Dates stored as text or as Python dates (Arrow date32): parse, unreadable -> missing.
    return pd.to_datetime(column.astype("string"), errors="coerce", format="ISO8601")


def _impute_and_scale(scale: bool) -> list[tuple[str, Any]]:
    steps: list[tuple[str, Any]] = [
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True))
    ]
    if scale:
        steps.append(("scale", StandardScaler()))
    return steps


def _numeric(scale: bool) -> Pipeline:
    as_numbers = FunctionTransformer(as_floats, feature_names_out="one-to-one")
    return Pipeline([("as_floats", as_numbers), *_impute_and_scale(scale)])


def _categorical() -> Pipeline:
    return Pipeline(
        [
            ("as_text", FunctionTransformer(as_category_strings, feature_names_out="one-to-one")),
            ("impute", SimpleImputer(strategy="most_frequent", keep_empty_features=True)),
            (
                "encode",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    max_categories=MAX_CATEGORIES,
                    sparse_output=False,
                ),
            ),
        ]
    )


def _category_codes() -> Pipeline:
    """Each category as one code (0, 1, ...), missing and unseen ones as NaN: for estimators
    that split on categories themselves (LightGBM, XGBoost), whatever their number."""
    return Pipeline(
        [
            ("as_text", FunctionTransformer(as_category_strings, feature_names_out="one-to-one")),
            (
                "encode",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                    dtype=np.float64,
                ),
            ),
        ]
    )


def _datetime(scale: bool) -> Pipeline:
    return Pipeline([("parts", DatetimeParts()), *_impute_and_scale(scale)])


def build_preprocessor(
    feature_kinds: Mapping[str, ColumnKind], *, scale: bool, native_categories: bool = False
) -> ColumnTransformer:
    """An unfitted transformer with one step per feature column, chosen by the column's kind.

    Numeric: median imputation (+ standardising when `scale`); categorical and boolean:
    most-frequent imputation and one-hot encoding, or with `native_categories` one code per
    category (missing stays missing); datetime: year, month, day, day of week.
    """
    steps = []
    for index, (column, kind) in enumerate(feature_kinds.items()):
        if kind in CATEGORICAL_KINDS:
            step = _category_codes() if native_categories else _categorical()
        elif kind is ColumnKind.DATETIME:
            step = _datetime(scale)
        elif kind is ColumnKind.NUMERIC:
            step = _numeric(scale)
        else:
            raise ValueError(f"column {column!r} of kind {kind.value} cannot be a feature")
        # Step names are positional: column names may hold characters scikit-learn reserves.
        steps.append((f"column{index}", step, [column]))
    return ColumnTransformer(steps, remainder="drop", sparse_threshold=0.0)


def output_columns(preprocessor: ColumnTransformer, feature_columns: list[str]) -> list[str]:
    """For each output feature of the fitted `preprocessor`, the original column it came from."""
    origins = [""] * sum(s.stop - s.start for s in preprocessor.output_indices_.values())
    for index, column in enumerate(feature_columns):
        span = preprocessor.output_indices_[f"column{index}"]
        origins[span] = [column] * (span.stop - span.start)
    return origins


def category_outputs(
    preprocessor: ColumnTransformer, feature_kinds: Mapping[str, ColumnKind]
) -> list[bool]:
    """For each output feature of the fitted `preprocessor`, whether it is a categorical
    column's (its codes, with `native_categories`)."""
    origins = output_columns(preprocessor, list(feature_kinds))
    return [feature_kinds[origin] in CATEGORICAL_KINDS for origin in origins]
