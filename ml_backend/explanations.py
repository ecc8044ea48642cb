"""What a trained model's test predictions say: permutation importance, SHAP, predicted vs actual.

Every explanation is computed on the test part, per original column (a categorical column's
one-hot parts count as one), on a seeded sample of its rows so that large tests stay cheap:
- permutation importance: how much the headline metric worsens when one column's values are
  shuffled among the rows (scikit-learn's `permutation_importance`, 5 repeats);
- SHAP (only when the optional `shap` package is installed, and only for tree models): the
  mean absolute SHAP value of each column, its encoded parts' values summed per row first.
  Units are the model's raw output: log-odds for boosted classifiers, probability for forests;
- predicted vs actual pairs of a regression, for a scatter plot.
"""

from __future__ import annotations

import importlib
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel
from sklearn.inspection import permutation_importance

from ml_backend.algorithms.random_forest import (
    ChunkedRandomForestClassifier,
    ChunkedRandomForestRegressor,
)
from ml_backend.configs import TaskType
from ml_backend.metrics import METRICS, Predictions
from ml_backend.model import TabularModel
from ml_backend.reporting import Reporter

HEADLINE_METRICS = {TaskType.CLASSIFICATION: "accuracy", TaskType.REGRESSION: "r2"}
PERMUTATION_REPEATS = 5
MAX_PERMUTATION_ROWS = 2000
MAX_SHAP_ROWS = 500
MAX_PREDICTION_PAIRS = 1000
MIN_EXPLAINED_ROWS = 5
MIN_PERMUTED_ROWS = 50
"""Fewer rows than this (when time allows no more) make importances noise, not a reading."""
TREE_ALGORITHMS = frozenset({"xgboost", "lightgbm", "random_forest"})

_PROBABILITY_METRICS = frozenset({"auc_roc", "log_loss"})


class PermutationImportance(BaseModel):
    """How much `metric` worsens on the test part when `feature`'s values are shuffled."""

    feature: str
    importance_mean: float
    """Mean loss of `metric` over the repeats: a drop in a score, a rise in an error."""
    importance_std: float
    metric: str


class ShapImportance(BaseModel):
    """A column's mean absolute SHAP value over the explained test rows."""

    feature: str
    mean_abs_shap: float


class PredictedValue(BaseModel):
    """One test row of a regression: its true target and the model's prediction."""

    actual: float
    predicted: float


@dataclass(frozen=True)
class Explanations:
    """Everything `explain` computed; None where it was skipped or does not apply."""

    permutation_importance: list[PermutationImportance] | None = None
    shap_summary: list[ShapImportance] | None = None
    test_predictions: list[PredictedValue] | None = None


def explain(
    model: TabularModel,
    rows: pd.DataFrame,
    target: NDArray[Any],
    *,
    metrics: Sequence[str],
    random_state: int,
    reporter: Reporter,
    within_s: float | None = None,
) -> Explanations:
    """Permutation importance, SHAP summary and prediction pairs for the test `rows`.

    With `within_s`, permutation importance reads as many rows as its predictions can take
    in that time (an AutoML's budget), judged by how long one prediction of them all took;
    none when even `MIN_PERMUTED_ROWS` would not fit."""
    pairs = prediction_pairs(model, rows, target, random_state=random_state)
    if len(rows) < MIN_EXPLAINED_ROWS:
        reporter.log(
            f"feature explanations skipped: the test part has {len(rows)} row(s), "
            f"at least {MIN_EXPLAINED_ROWS} are needed"
        )
        return Explanations(test_predictions=pairs)
    started = time.perf_counter()
    metric = explained_metric(model, rows, target, metrics)
    limit = _affordable_rows(len(rows), time.perf_counter() - started, model, within_s)
    if limit < min(len(rows), MIN_PERMUTED_ROWS):
        reporter.log("permutation importance skipped: it would not fit in the time left")
        return Explanations(
            shap_summary=shap_summary(model, rows, random_state=random_state, reporter=reporter),
            test_predictions=pairs,
        )
    reporter.log(f"permutation importance: {metric} on {min(len(rows), limit)} rows")
    return Explanations(
        permutation_importance=permutation_importances(
            model, rows, target, metric, random_state=random_state, max_rows=limit
        ),
        shap_summary=shap_summary(model, rows, random_state=random_state, reporter=reporter),
        test_predictions=pairs,
    )


def _affordable_rows(
    n_rows: int, one_pass_s: float, model: TabularModel, within_s: float | None
) -> int:
    """How many rows permutation importance may shuffle: all (up to MAX_PERMUTATION_ROWS)
    without a time limit, else as many as its predictions (one per column and repeat, each
    costing at most a pass over every row) can take in `within_s`."""
    if within_s is None:
        return MAX_PERMUTATION_ROWS
    passes = len(model.feature_columns) * PERMUTATION_REPEATS
    per_row = max(one_pass_s, 1e-6) / max(n_rows, 1)
    return min(MAX_PERMUTATION_ROWS, int(max(within_s, 0.0) / (passes * per_row)))


def headline_metric(task: TaskType, requested: Sequence[str]) -> str:
    """The metric a run is summed up by: accuracy or r2 if requested, else the first requested."""
    headline = HEADLINE_METRICS[task]
    if headline in requested or not requested:
        return headline
    return requested[0]


def explained_metric(
    model: TabularModel, rows: pd.DataFrame, target: NDArray[Any], requested: Sequence[str]
) -> str:
    """The headline metric of `requested`, or the task's own when that one has no value here."""
    chosen = METRICS[headline_metric(model.task_type, requested)]
    encoded = _EncodedRows(model, rows)
    baseline = encoded.predictions(encoded.unpermuted(), target, chosen.name)
    if chosen.compute(baseline) is None:
        # e.g. mape with a zero among the true values, auc_roc on a test part lacking a class
        return HEADLINE_METRICS[model.task_type]
    return chosen.name


def permutation_importances(
    model: TabularModel,
    rows: pd.DataFrame,
    target: NDArray[Any],
    metric: str,
    *,
    random_state: int,
    max_rows: int = MAX_PERMUTATION_ROWS,
) -> list[PermutationImportance]:
    """Permutation importance of each feature column on (a sample of) `rows`, largest first.

    scikit-learn shuffles, column by column, a matrix of row positions; the wrapper gathers
    each column's encoded values from those rows. That is the same as shuffling the raw
    column (the preprocessing works row by row) without re-running it for every shuffle.
    """
    chosen = _sample_positions(len(rows), max_rows, random_state)
    encoded = _EncodedRows(model, rows.iloc[chosen])
    scorer = METRICS[metric]

    def score(fitted: _EncodedRows, positions: NDArray[np.intp], y: NDArray[Any]) -> float:
        value = scorer.compute(fitted.predictions(positions, y, metric))
        if value is None:
            return float("nan")
        # scikit-learn wants "greater is better": an error metric is negated.
        return value if scorer.greater_is_better else -value

    found = permutation_importance(
        encoded,
        encoded.unpermuted(),
        target[chosen],
        scoring=score,
        n_repeats=PERMUTATION_REPEATS,
        random_state=random_state,
    )
    importances = [
        PermutationImportance(
            feature=column,
            importance_mean=float(mean),
            importance_std=float(std),
            metric=metric,
        )
        for column, mean, std in zip(
            model.feature_columns, found.importances_mean, found.importances_std, strict=True
        )
    ]
    return sorted(importances, key=lambda item: item.importance_mean, reverse=True)


def shap_summary(
    model: TabularModel, rows: pd.DataFrame, *, random_state: int, reporter: Reporter
) -> list[ShapImportance] | None:
    """Mean |SHAP| per feature column for a tree model on (a sample of) `rows`; None when the
    model is no tree model or the `shap` package is not installed."""
    tree = tree_estimator(model)
    if tree is None:
        return None
    shap = _import_shap()
    if shap is None:
        return None
    chosen = _sample_positions(len(rows), MAX_SHAP_ROWS, random_state)
    encoded = model.transform(rows.iloc[chosen])
    try:
        values = np.asarray(shap.TreeExplainer(tree)(encoded).values, dtype=np.float64)
    except Exception as exc:
        # SHAP is an optional extra on top of a finished model: its failure must not lose the run.
        reporter.log(f"SHAP values skipped: {type(exc).__name__}: {exc}")
        return None
    return column_shap(values, model.encoded_origins())


def column_shap(values: NDArray[np.float64], origins: Sequence[str]) -> list[ShapImportance]:
    """Mean |SHAP| per original column from per-encoded-feature values, largest first.

    `values` is (rows, encoded features) or (rows, encoded features, outputs); each column's
    encoded parts are summed per row and output before the absolute value is averaged.
    """
    per_output = values if values.ndim == 3 else values[:, :, np.newaxis]
    origin_array = np.asarray(origins, dtype=object)
    summary = [
        ShapImportance(
            feature=column,
            mean_abs_shap=float(
                np.abs(per_output[:, origin_array == column, :].sum(axis=1)).mean()
            ),
        )
        for column in dict.fromkeys(origins)
    ]
    return sorted(summary, key=lambda item: item.mean_abs_shap, reverse=True)


def tree_estimator(model: TabularModel) -> Any | None:
    """The tree ensemble SHAP's TreeExplainer reads, or None for a model of another kind."""
    if model.algorithm not in TREE_ALGORITHMS:
        return None
    estimator = model.estimator
    if isinstance(estimator, ChunkedRandomForestClassifier | ChunkedRandomForestRegressor):
        return estimator.forest_
    return estimator


def prediction_pairs(
    model: TabularModel, rows: pd.DataFrame, target: NDArray[Any], *, random_state: int
) -> list[PredictedValue] | None:
    """Up to 1000 (actual, predicted) pairs of a regression's `rows`; None for other tasks."""
    if model.task_type is not TaskType.REGRESSION or len(rows) == 0:
        return None
    chosen = _sample_positions(len(rows), MAX_PREDICTION_PAIRS, random_state)
    predicted = model.predict(rows.iloc[chosen])
    return [
        PredictedValue(actual=float(actual), predicted=float(guess))
        for actual, guess in zip(target[chosen], predicted, strict=True)
    ]


class _EncodedRows:
    """The estimator face `permutation_importance` asks for, around a fitted model and rows.

    Its input is a matrix of row positions, one column per feature column: row i of the
    model's input takes feature column j's encoded values from row `positions[i, j]`.
    """

    def __init__(self, model: TabularModel, rows: pd.DataFrame) -> None:
        self.model = model
        self.encoded = model.transform(rows)
        origins = np.asarray(model.encoded_origins())
        self.parts = [np.flatnonzero(origins == column) for column in model.feature_columns]

    def fit(self, x: NDArray[np.intp], y: NDArray[Any]) -> Self:
        """Nothing to do: the model was fitted on the training part."""
        return self

    def unpermuted(self) -> NDArray[np.intp]:
        """Positions that leave every row as it is."""
        n_rows, n_columns = len(self.encoded), len(self.parts)
        return np.repeat(np.arange(n_rows, dtype=np.intp)[:, np.newaxis], n_columns, axis=1)

    def predictions(
        self, positions: NDArray[np.intp], target: NDArray[Any], metric: str
    ) -> Predictions:
        """The model's predictions for the rows `positions` describe, as `metric` needs them."""
        matrix = np.empty_like(self.encoded)
        for column, part in enumerate(self.parts):
            matrix[:, part] = self.encoded[np.ix_(positions[:, column], part)]
        estimator, encoder = self.model.estimator, self.model.label_encoder
        predicted = np.asarray(estimator.predict(matrix))
        if encoder is None:
            return Predictions(y_true=target, y_pred=predicted.astype(np.float64))
        # Metrics only compare labels, so the estimator's class codes serve as well as the
        # labels they stand for and spare decoding every prediction.
        probabilities = None
        if metric in _PROBABILITY_METRICS:
            raw = np.asarray(estimator.predict_proba(matrix), dtype=np.float64)
            probabilities = raw / raw.sum(axis=1, keepdims=True)
        return Predictions(
            y_true=np.asarray(encoder.transform(target)),
            y_pred=predicted.astype(np.intp),
            probabilities=probabilities,
            labels=list(range(len(encoder.classes_))),
        )


def _sample_positions(n_rows: int, limit: int, random_state: int) -> NDArray[np.intp]:
    """All positions when there are at most `limit`, else `limit` of them drawn seeded, in order."""
    if n_rows <= limit:
        return np.arange(n_rows, dtype=np.intp)
    drawn = np.random.default_rng(random_state).choice(n_rows, size=limit, replace=False)
    return np.sort(drawn).astype(np.intp)


def _import_shap() -> Any | None:
    try:
        with warnings.catch_warnings():
            # shap imports matplotlib's colour maps, which warn about their own deprecations.
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module("shap")
    except ImportError:
        return None
