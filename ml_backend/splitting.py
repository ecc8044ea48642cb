"""Dividing rows into train, validation and test parts: random, stratified or by time."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.model_selection import train_test_split

from ml_backend.configs import SplitConfig, SplitStrategy
from ml_backend.errors import ConfigValidationError
from ml_backend.preprocessing import as_datetimes

# The design's rule for stratification: every class needs this many rows in every part.
MIN_ROWS_PER_CLASS_AND_PART = 2

Positions = NDArray[np.intp]


@dataclass(frozen=True)
class SplitIndices:
    """Row positions (0-based, into the frame that was split) of each part."""

    train: Positions
    validation: Positions
    test: Positions

    @property
    def has_validation(self) -> bool:
        return len(self.validation) > 0


def check_stratifiable(class_counts: Mapping[Any, int], split: SplitConfig) -> None:
    """Raise ConfigValidationError unless every class fills each part with at least 2 rows."""
    parts = {"test": split.test_size, "validation": split.validation_size}
    parts["train"] = 1.0 - split.test_size - split.validation_size
    # Classes with no rows are unused categories of a categorical dtype, not classes.
    present = {label: count for label, count in class_counts.items() if count > 0}
    for label, count in sorted(present.items(), key=lambda item: item[1]):
        for part, share in parts.items():
            if share > 0 and count * share < MIN_ROWS_PER_CLASS_AND_PART:
                raise ConfigValidationError(
                    f"stratified split impossible: class {label!r} has {count} rows, so the "
                    f"{part} part ({share:.0%}) would get {count * share:.1f}; every class "
                    f"needs at least {MIN_ROWS_PER_CLASS_AND_PART} rows in each part. Use a "
                    "larger test_size, the 'random' strategy, or leave out the rarest classes.",
                    field="split",
                )


def split_rows(
    target: pd.Series[Any], split: SplitConfig, *, time_values: pd.Series[Any] | None = None
) -> SplitIndices:
    """Positions of the train, validation and test rows; `time_values` for the time strategy."""
    if split.strategy is SplitStrategy.TIME:
        if time_values is None:
            raise ConfigValidationError(
                "a time split needs a time_column to order the rows by", field="time_column"
            )
        return _split_by_time(time_values, split)
    stratify = split.strategy is SplitStrategy.STRATIFIED
    if stratify:
        check_stratifiable(target.value_counts().to_dict(), split)
    return _split_shuffled(target, split, stratify=stratify)


def _split_shuffled(target: pd.Series[Any], split: SplitConfig, *, stratify: bool) -> SplitIndices:
    positions = np.arange(len(target), dtype=np.intp)
    labels = target.to_numpy()
    rest, test = train_test_split(
        positions,
        test_size=split.test_size,
        random_state=split.random_state,
        stratify=labels if stratify else None,
    )
    if split.validation_size == 0:
        return SplitIndices(train=rest, validation=positions[:0], test=test)
    train, validation = train_test_split(
        rest,
        test_size=split.validation_size / (1.0 - split.test_size),
        random_state=split.random_state,
        stratify=labels[rest] if stratify else None,
    )
    return SplitIndices(train=train, validation=validation, test=test)


def _sortable(values: pd.Series[Any]) -> NDArray[Any]:
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values.to_numpy()
    # The profiler calls ISO date text a datetime column: order by instant, not by spelling.
    return as_datetimes(values).to_numpy()


def _split_by_time(time_values: pd.Series[Any], split: SplitConfig) -> SplitIndices:
    """The latest rows are the test part, those just before them the validation part."""
    order = np.argsort(_sortable(time_values), kind="stable").astype(np.intp)
    n_rows = len(order)
    n_test = math.ceil(n_rows * split.test_size)
    n_validation = math.ceil(n_rows * split.validation_size)
    n_train = n_rows - n_test - n_validation
    if n_train < 1:
        raise ConfigValidationError(
            f"{n_rows} rows are too few for this split: no training rows are left", field="split"
        )
    return SplitIndices(
        train=order[:n_train],
        validation=order[n_train : n_train + n_validation],
        test=order[n_train + n_validation :],
    )
