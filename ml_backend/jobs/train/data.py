"""The rows a training uses, their target as given and as the estimator sees it, and their parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.preprocessing import LabelEncoder

from ml_backend.configs import SplitStrategy, TaskType
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.reporting import Reporter
from ml_backend.splitting import SplitIndices, split_rows


@dataclass(frozen=True)
class TrainingData:
    """The usable rows and their split, with the target as given and as the estimator sees it."""

    rows: pd.DataFrame
    target: NDArray[Any]
    encoded: NDArray[Any]
    parts: SplitIndices
    encoder: LabelEncoder | None
    """Class labels as 0..k-1 (what boosters need); None for regression."""

    def named_parts(self) -> dict[str, NDArray[np.intp]]:
        """The parts that have rows, by split name."""
        parts = self.parts
        named = {"train": parts.train, "validation": parts.validation, "test": parts.test}
        return {name: part for name, part in named.items() if len(part)}

    @property
    def n_classes(self) -> int | None:
        return None if self.encoder is None else len(self.encoder.classes_)


def prepare(resolved: ResolvedTraining, frame: pd.DataFrame, reporter: Reporter) -> TrainingData:
    """The usable rows of `frame`, their target encoded and their parts."""
    rows = _usable_rows(resolved, frame, reporter)
    encoder = _label_encoder(resolved, rows)
    return _split(resolved, rows, encoder)


def _usable_rows(
    resolved: ResolvedTraining, frame: pd.DataFrame, reporter: Reporter
) -> pd.DataFrame:
    """The rows with a target (and a time, for a time split), renumbered from 0."""
    needed = [resolved.target_column, *resolved.feature_columns]
    if resolved.time_column is not None:
        needed.append(resolved.time_column)
    missing = [column for column in dict.fromkeys(needed) if column not in frame.columns]
    if missing:
        raise ConfigValidationError(
            f"the dataset has no column(s) {', '.join(missing)}; its profile is out of date",
            field="feature_columns",
        )
    for dropped in resolved.dropped_columns:
        reporter.log(f"column '{dropped.column}' left out: {dropped.reason}")
    with_target = frame[resolved.target_column].notna()
    _log_dropped_rows(
        reporter, int((~with_target).sum()), f"no value in target '{resolved.target_column}'"
    )
    keep = usable_mask(resolved, frame)
    if resolved.time_column is not None:
        _log_dropped_rows(
            reporter, int((with_target & ~keep).sum()), f"no '{resolved.time_column}'"
        )
    return frame.loc[keep].reset_index(drop=True)


def usable_mask(resolved: ResolvedTraining, frame: pd.DataFrame) -> pd.Series[bool]:
    """Which rows training uses: those with a target, and with a time for a time split."""
    keep = frame[resolved.target_column].notna()
    if resolved.split.strategy is SplitStrategy.TIME and resolved.time_column is not None:
        keep &= frame[resolved.time_column].notna()
    return keep


def split_usable_rows(resolved: ResolvedTraining, rows: pd.DataFrame) -> SplitIndices:
    """The parts of the usable `rows` (renumbered from 0), as training splits them."""
    time_values = rows[resolved.time_column] if resolved.time_column is not None else None
    return split_rows(rows[resolved.target_column], resolved.split, time_values=time_values)


def _log_dropped_rows(reporter: Reporter, count: int, reason: str) -> None:
    if count:
        reporter.log(f"{count} row(s) dropped: {reason}")


def _label_encoder(resolved: ResolvedTraining, rows: pd.DataFrame) -> LabelEncoder | None:
    if resolved.task_type is not TaskType.CLASSIFICATION:
        return None
    encoder = LabelEncoder().fit(rows[resolved.target_column].to_numpy())
    if len(encoder.classes_) < 2:
        raise ConfigValidationError(
            f"target '{resolved.target_column}' has only one class in the rows with a value; "
            "a classifier needs at least two",
            field="target_column",
        )
    return encoder


def _split(
    resolved: ResolvedTraining, rows: pd.DataFrame, encoder: LabelEncoder | None
) -> TrainingData:
    parts = split_usable_rows(resolved, rows)
    target = rows[resolved.target_column].to_numpy()
    if encoder is None:
        numbers = target.astype(np.float64)
        return TrainingData(rows, numbers, numbers, parts, None)
    absent = set(encoder.classes_.tolist()) - set(target[parts.train].tolist())
    if absent:
        raise ConfigValidationError(
            f"class(es) {sorted(absent)!r} have no rows in the training part; use the "
            "'stratified' split strategy or leave out rows of such rare classes",
            field="split",
        )
    return TrainingData(rows, target, np.asarray(encoder.transform(target)), parts, encoder)
