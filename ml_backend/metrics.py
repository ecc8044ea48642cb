"""Metrics by name: what a run reports for each split, computed with scikit-learn.

Classification conventions:
- binary targets: precision, recall and f1 are those of the positive class, which is the
  second of the sorted class labels (`1` of 0/1, `True` of False/True, `'yes'` of no/yes);
  auc_roc is computed from that class's probability.
- multiclass targets: precision, recall and f1 are macro averages (every class counts the
  same) over the classes present in that split's true or predicted labels; auc_roc is the
  one-vs-rest macro average and is None when a split lacks some class.
- a class never predicted gets precision 0 (no warning, no NaN).
Regression conventions:
- mape is scikit-learn's mean_absolute_percentage_error (a share, 0.1 = 10%), and None when
  the true values include 0, where a percentage error has no meaning.
- r2 is None on fewer than two rows.
Forecasting conventions: a forecast is scored on its held-out tail with mae, rmse, mape and
smape; smape is the mean of 2|y - ŷ| / (|y| + |ŷ|), a share from 0 to 2, where a point
with both values 0 counts as 0.
A metric that cannot be computed is None, never NaN, so results stay valid JSON.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel
from sklearn import metrics as skm

from ml_backend.configs import TaskType
from ml_backend.errors import ConfigValidationError
from ml_backend.suggestions import did_you_mean

CONFUSION_MATRIX = "confusion_matrix"
"""Accepted in a config's metric list; always computed on the test part of a classification."""


@dataclass(frozen=True)
class Predictions:
    """True and predicted values of one split; `probabilities` columns follow `labels`."""

    y_true: NDArray[Any]
    y_pred: NDArray[Any]
    probabilities: NDArray[np.float64] | None = None
    labels: Sequence[Any] = ()


class MetricKind(StrEnum):
    """What a metric's number is, which decides how a person is shown it
    (`ml_backend.numbers.format_metric`, and `web/js/numbers.js` from the same table)."""

    SHARE = "share"
    """A score from 0 to 1 (accuracy, f1, auc): 0.986, three decimals, not a percent."""
    RATIO = "ratio"
    """A unitless ratio that may be negative (r2): -0.004, three decimals."""
    PERCENT = "percent"
    """An error people say in percent (mape): stored as a share, shown as 12.3%."""
    ERROR = "error"
    """An error in the target's unit (rmse, mae): 4 significant digits, 12,345 grouped."""
    LOSS = "loss"
    """A unitless loss (log loss): 4 significant digits."""


@dataclass(frozen=True)
class Metric:
    """A named scalar metric of one task."""

    name: str
    task: TaskType
    description: str
    greater_is_better: bool
    compute: Callable[[Predictions], float | None]
    kind: MetricKind


class ConfusionMatrix(BaseModel):
    """Counts of (true label, predicted label): `matrix[i][j]` is true `labels[i]`
    predicted as `labels[j]`."""

    labels: list[Any]
    matrix: list[list[int]]


def plain_label(value: Any) -> Any:
    """A class label as a plain Python value (numpy scalars unwrapped) for JSON."""
    return value.item() if isinstance(value, np.generic) else value


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _is_binary(p: Predictions) -> bool:
    return len(p.labels) == 2


def _averaging(p: Predictions) -> dict[str, Any]:
    if _is_binary(p):
        return {"average": "binary", "pos_label": p.labels[1], "zero_division": 0.0}
    return {"average": "macro", "zero_division": 0.0}


def _accuracy(p: Predictions) -> float | None:
    return _finite(skm.accuracy_score(p.y_true, p.y_pred))


def _precision(p: Predictions) -> float | None:
    return _finite(skm.precision_score(p.y_true, p.y_pred, **_averaging(p)))


def _recall(p: Predictions) -> float | None:
    return _finite(skm.recall_score(p.y_true, p.y_pred, **_averaging(p)))


def _f1(p: Predictions) -> float | None:
    return _finite(skm.f1_score(p.y_true, p.y_pred, **_averaging(p)))


def _auc_roc(p: Predictions) -> float | None:
    if p.probabilities is None or len(set(p.y_true.tolist())) < len(p.labels):
        return None
    if _is_binary(p):
        return _finite(skm.roc_auc_score(p.y_true == p.labels[1], p.probabilities[:, 1]))
    return _finite(
        skm.roc_auc_score(
            p.y_true, p.probabilities, multi_class="ovr", average="macro", labels=list(p.labels)
        )
    )


def _log_loss(p: Predictions) -> float | None:
    if p.probabilities is None:
        return None
    return _finite(skm.log_loss(p.y_true, p.probabilities, labels=list(p.labels)))


def _rmse(p: Predictions) -> float | None:
    return _finite(skm.root_mean_squared_error(p.y_true, p.y_pred))


def _mae(p: Predictions) -> float | None:
    return _finite(skm.mean_absolute_error(p.y_true, p.y_pred))


def _r2(p: Predictions) -> float | None:
    if len(p.y_true) < 2:
        return None
    return _finite(skm.r2_score(p.y_true, p.y_pred))


def _mape(p: Predictions) -> float | None:
    if np.any(np.asarray(p.y_true, dtype=np.float64) == 0.0):
        return None
    return _finite(skm.mean_absolute_percentage_error(p.y_true, p.y_pred))


def _smape(p: Predictions) -> float | None:
    y_true = np.asarray(p.y_true, dtype=np.float64)
    y_pred = np.asarray(p.y_pred, dtype=np.float64)
    if not len(y_true):
        return None
    scale = np.abs(y_true) + np.abs(y_pred)
    errors = 2.0 * np.abs(y_pred - y_true)
    shares = np.divide(errors, scale, out=np.zeros_like(scale), where=scale > 0)
    return _finite(shares.mean())


_C, _R = TaskType.CLASSIFICATION, TaskType.REGRESSION

FORECASTING_METRICS = ("mae", "rmse", "mape", "smape")
"""What a forecast is scored with (the error metrics of regression, plus smape)."""

_SHARE, _RATIO, _PERCENT = MetricKind.SHARE, MetricKind.RATIO, MetricKind.PERCENT
_ERROR, _LOSS = MetricKind.ERROR, MetricKind.LOSS

METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "accuracy", _C, "Share of rows whose class is predicted right.", True, _accuracy, _SHARE
        ),
        Metric(
            "precision",
            _C,
            "Of rows predicted as a class, the share right.",
            True,
            _precision,
            _SHARE,
        ),
        Metric("recall", _C, "Of rows of a class, the share found.", True, _recall, _SHARE),
        Metric("f1", _C, "Harmonic mean of precision and recall.", True, _f1, _SHARE),
        Metric(
            "auc_roc", _C, "Area under the ROC curve (ranking quality).", True, _auc_roc, _SHARE
        ),
        Metric(
            "log_loss",
            _C,
            "Cross-entropy of the predicted probabilities.",
            False,
            _log_loss,
            _LOSS,
        ),
        Metric("rmse", _R, "Root mean squared error, in the target's unit.", False, _rmse, _ERROR),
        Metric("mae", _R, "Mean absolute error, in the target's unit.", False, _mae, _ERROR),
        Metric("r2", _R, "Share of the target's variance explained.", True, _r2, _RATIO),
        Metric("mape", _R, "Mean absolute percentage error, as a share.", False, _mape, _PERCENT),
        Metric(
            "smape",
            TaskType.FORECASTING,
            "Symmetric mean absolute percentage error, as a share (0 to 2).",
            False,
            _smape,
            _PERCENT,
        ),
    )
}


def metric_kind(name: str) -> MetricKind | None:
    """The kind of metric `name`, also when it carries a split or scope prefix
    ('test/accuracy', 'best/r2', 'xgboost/validation/rmse'); None for a name not ours."""
    known = METRICS.get(name.rsplit("/", 1)[-1])
    return known.kind if known is not None else None


def metric_kinds() -> dict[str, str]:
    """Every metric's kind by name: what the web page formats metrics by."""
    return {name: metric.kind.value for name, metric in METRICS.items()}


def metric_tasks(metric: Metric) -> list[TaskType]:
    """The tasks `metric` scores: its own, and forecasting for the forecast errors."""
    if metric.name in FORECASTING_METRICS and metric.task is not TaskType.FORECASTING:
        return [metric.task, TaskType.FORECASTING]
    return [metric.task]


def _task_metrics(task: TaskType) -> list[str]:
    if task is TaskType.FORECASTING:
        return list(FORECASTING_METRICS)
    return [m.name for m in METRICS.values() if m.task is task]


def metric_names(task: TaskType) -> list[str]:
    """Every metric name valid for `task`."""
    names = _task_metrics(task)
    return [*names, CONFUSION_MATRIX] if task is TaskType.CLASSIFICATION else names


def default_metrics(task: TaskType) -> list[str]:
    """The scalar metrics a run of `task` reports when the config names none: all of them."""
    return _task_metrics(task)


def resolve_metrics(names: Sequence[str] | None, task: TaskType) -> list[str]:
    """The scalar metrics to compute: `names` checked and deduplicated, or the task's defaults."""
    if not names:
        return default_metrics(task)
    valid = metric_names(task)
    resolved: list[str] = []
    for name in names:
        if name not in valid:
            raise ConfigValidationError(_unknown_metric_detail(name, task), field="metrics")
        if name != CONFUSION_MATRIX and name not in resolved:
            resolved.append(name)
    return resolved or default_metrics(task)


def _unknown_metric_detail(name: str, task: TaskType) -> str:
    valid = metric_names(task)
    known = METRICS.get(name)
    if known is not None:
        return (
            f"metric '{name}' is for {known.task.value}, not {task.value}. "
            f"{task.value.capitalize()} metrics: {', '.join(valid)}"
        )
    return f"unknown metric '{name}'{did_you_mean(name, valid)} Available: {', '.join(valid)}"


def compute_metrics(names: Sequence[str], predictions: Predictions) -> dict[str, float | None]:
    """Each named metric on `predictions` (None where it cannot be computed)."""
    return {name: METRICS[name].compute(predictions) for name in names}


def confusion_matrix(
    y_true: NDArray[Any], y_pred: NDArray[Any], labels: Sequence[Any]
) -> ConfusionMatrix:
    """The confusion matrix over all `labels`, in their order, with the original values."""
    counts = skm.confusion_matrix(y_true, y_pred, labels=list(labels))
    return ConfusionMatrix(
        labels=[plain_label(label) for label in labels],
        matrix=[[int(count) for count in row] for row in counts],
    )
