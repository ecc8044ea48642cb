"""Dividing rows into train, validation and test parts: random, stratified or by time."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit, train_test_split

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


def check_folds(rows: int, class_counts: Mapping[Any, int] | None, split: SplitConfig) -> None:
    """Raise ConfigValidationError unless the training part can be cut into `split.folds`
    folds (for a classifier: unless each class has a row in every fold)."""
    k = split.folds
    if k is None:
        return
    training = int(rows * (1.0 - split.test_size))
    if training < 2 * k:
        raise ConfigValidationError(
            f"{training} training rows are too few for {k}-fold cross-validation; "
            "use fewer folds or a smaller test_size",
            field="split.folds",
        )
    if split.strategy is SplitStrategy.TIME or not class_counts:
        return
    present = [count for count in class_counts.values() if count > 0]
    rarest = int(min(present) * (1.0 - split.test_size))
    if rarest < k:
        raise ConfigValidationError(
            f"the rarest class has about {rarest} rows in the training part, too few for "
            f"{k}-fold cross-validation (every fold needs one); use at most "
            f"{max(2, rarest)} folds, or leave out the rarest classes",
            field="split.folds",
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


FoldPairs = list[tuple[Positions, Positions]]
"""(rows a model fits on, rows it is scored on), once per fold."""


def fold_pairs(parts: SplitIndices, split: SplitConfig, classes: NDArray[Any] | None) -> FoldPairs:
    """How models are scored before the test part judges them, from the training rows only.

    With `split.folds`, k-fold cross-validation of the training part: folds in time order for a
    time split (each fold scored on rows later than those it fits on), stratified by class for a
    classifier (`classes`: each training row's class) so that every fold fits on every class,
    shuffled otherwise. Without, the one pair (training part, validation part)."""
    if split.folds is None:
        if not parts.has_validation:
            raise ValueError("no validation part and no folds: nothing to score on")
        return [(parts.train, parts.validation)]
    train, k = parts.train, split.folds
    if len(train) < 2 * k:
        raise ConfigValidationError(
            f"{len(train)} training rows are too few for {k}-fold cross-validation; "
            "use fewer folds or a smaller test_size",
            field="split.folds",
        )
    if split.strategy is SplitStrategy.TIME:
        splitter: Any = TimeSeriesSplit(n_splits=k)
        pairs = splitter.split(train)
    elif classes is not None:
        _check_folds_fill(classes[train], k)
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=split.random_state)
        pairs = splitter.split(train, classes[train])
    else:
        splitter = KFold(n_splits=k, shuffle=True, random_state=split.random_state)
        pairs = splitter.split(train)
    return [(train[fit], train[score]) for fit, score in pairs]


def _check_folds_fill(classes: NDArray[Any], k: int) -> None:
    counts = np.unique(classes, return_counts=True)[1]
    rarest = int(np.argmin(counts))
    if counts[rarest] < k:
        raise ConfigValidationError(
            f"a class has only {int(counts[rarest])} rows in the training part, too few for "
            f"{k}-fold cross-validation (each fold needs one); use at most "
            f"{max(2, int(counts[rarest]))} folds or leave out the rarest classes",
            field="split.folds",
        )


CROSS_VALIDATE_BELOW_ROWS = 10_000
"""Selections cross-validate when the training part has fewer rows than this. Below it a
single validation part is small enough to be noisy (an accuracy measured on 400 rows is only
good to about ±2 points, on 100 rows ±4), and five fits cost little; above it the validation
part alone has thousands of rows and five fits would cost more than they tell."""
SELECTION_FOLDS = 5
SELECTION_VALIDATION_SIZE = 0.2


def selection_split(split: SplitConfig, n_rows: int) -> SplitConfig:
    """The split a selection (a leaderboard, a tuning) scores its candidates with: the folds
    or the validation part the config asked for, else 5-fold cross-validation of a training
    part under CROSS_VALIDATE_BELOW_ROWS rows and a validation part of 20% of the rows above.
    Time splits cross-validate forwards in time. The test part is the same either way."""
    if split.folds is not None or split.validation_size > 0:
        return split
    training_rows = n_rows * (1.0 - split.test_size)
    if training_rows < CROSS_VALIDATE_BELOW_ROWS:
        return split.model_copy(update={"folds": SELECTION_FOLDS})
    if split.test_size + SELECTION_VALIDATION_SIZE >= 0.9:
        raise ConfigValidationError(
            "choosing among models scores them on a validation part; lower test_size so that "
            f"{SELECTION_VALIDATION_SIZE:.0%} of rows can be set aside for it",
            field="split.test_size",
        )
    return split.model_copy(update={"validation_size": SELECTION_VALIDATION_SIZE})


def final_split(split: SplitConfig) -> SplitConfig:
    """The split of the model fitted after a selection: every training row (the validation
    part's too) to fit on, and the same test part to judge it."""
    return split.model_copy(update={"folds": None, "validation_size": 0.0})
