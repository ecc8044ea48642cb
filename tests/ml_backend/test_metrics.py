"""Metrics equal scikit-learn's own functions; names are checked with suggestions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from ml_backend.configs import TaskType
from ml_backend.errors import ConfigValidationError
from ml_backend.metrics import (
    Predictions,
    compute_metrics,
    confusion_matrix,
    default_metrics,
    metric_names,
    resolve_metrics,
)

RNG = np.random.default_rng(3)


def _classified(labels: list[str], n: int = 120) -> Predictions:
    y_true = RNG.choice(labels, size=n)
    # Mostly right, sometimes a random class: metrics neither 0 nor 1.
    y_pred = np.where(RNG.random(n) < 0.7, y_true, RNG.choice(labels, size=n))
    raw = RNG.random((n, len(labels))) + 2.0 * (y_pred[:, None] == np.array(labels)[None, :])
    return Predictions(
        y_true=y_true,
        y_pred=y_pred,
        probabilities=raw / raw.sum(axis=1, keepdims=True),
        labels=sorted(labels),
    )


def test_binary_metrics_are_those_of_the_second_sorted_label() -> None:
    p = _classified(["yes", "no"])
    got = compute_metrics(default_metrics(TaskType.CLASSIFICATION), p)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(p.y_true, p.y_pred))
    assert got["precision"] == pytest.approx(
        skm.precision_score(p.y_true, p.y_pred, pos_label="yes")
    )
    assert got["recall"] == pytest.approx(skm.recall_score(p.y_true, p.y_pred, pos_label="yes"))
    assert got["f1"] == pytest.approx(skm.f1_score(p.y_true, p.y_pred, pos_label="yes"))
    assert p.probabilities is not None
    assert got["auc_roc"] == pytest.approx(skm.roc_auc_score(p.y_true, p.probabilities[:, 1]))
    assert got["log_loss"] == pytest.approx(skm.log_loss(p.y_true, p.probabilities))
    # "no" as the positive class would give other numbers: the choice matters.
    assert got["f1"] != pytest.approx(skm.f1_score(p.y_true, p.y_pred, pos_label="no"))


def test_multiclass_metrics_are_macro_averages() -> None:
    p = _classified(["Adelie", "Gentoo", "Chinstrap"])
    got = compute_metrics(default_metrics(TaskType.CLASSIFICATION), p)
    for name, function in [
        ("precision", skm.precision_score),
        ("recall", skm.recall_score),
        ("f1", skm.f1_score),
    ]:
        assert got[name] == pytest.approx(function(p.y_true, p.y_pred, average="macro"))
    assert got["auc_roc"] == pytest.approx(
        skm.roc_auc_score(p.y_true, p.probabilities, multi_class="ovr", average="macro")
    )
    assert got["log_loss"] == pytest.approx(skm.log_loss(p.y_true, p.probabilities))


def test_auc_is_none_when_a_split_lacks_a_class() -> None:
    p = _classified(["a", "b", "c"])
    keep = p.y_true != "c"
    assert p.probabilities is not None
    partial = Predictions(p.y_true[keep], p.y_pred[keep], p.probabilities[keep], p.labels)
    got = compute_metrics(["auc_roc", "log_loss"], partial)
    assert got["auc_roc"] is None
    assert got["log_loss"] == pytest.approx(
        skm.log_loss(partial.y_true, partial.probabilities, labels=["a", "b", "c"])
    )


def test_regression_metrics_match_sklearn() -> None:
    y_true = RNG.normal(50, 10, size=80)
    y_pred = y_true + RNG.normal(0, 3, size=80)
    got = compute_metrics(default_metrics(TaskType.REGRESSION), Predictions(y_true, y_pred))
    assert got == pytest.approx(
        {
            "rmse": skm.root_mean_squared_error(y_true, y_pred),
            "mae": skm.mean_absolute_error(y_true, y_pred),
            "r2": skm.r2_score(y_true, y_pred),
            "mape": skm.mean_absolute_percentage_error(y_true, y_pred),
        }
    )


def test_mape_is_none_when_the_truth_has_zeros() -> None:
    y_true = np.array([0.0, 1.0, 2.0, 3.0])
    got = compute_metrics(["mape", "mae"], Predictions(y_true, y_true + 0.5))
    assert got == {"mape": None, "mae": pytest.approx(0.5)}


def test_confusion_matrix_keeps_original_labels_in_order() -> None:
    y_true = np.array([2, 0, 2, 1, 1, 2])
    y_pred = np.array([2, 0, 1, 1, 0, 2])
    matrix = confusion_matrix(y_true, y_pred, [0, 1, 2])
    assert matrix.labels == [0, 1, 2] and all(type(v) is int for v in matrix.labels)
    assert matrix.matrix == skm.confusion_matrix(y_true, y_pred).tolist()


def test_unknown_metric_suggests_the_closest_name() -> None:
    with pytest.raises(ConfigValidationError, match="did you mean 'accuracy'") as caught:
        resolve_metrics(["acuracy"], TaskType.CLASSIFICATION)
    assert caught.value.field == "metrics"
    assert "f1" in caught.value.detail


def test_metric_of_the_other_task_is_refused_with_the_valid_list() -> None:
    with pytest.raises(ConfigValidationError, match="'rmse' is for regression") as caught:
        resolve_metrics(["rmse"], TaskType.CLASSIFICATION)
    assert "accuracy" in caught.value.detail


def test_resolve_metrics_defaults_and_deduplicates() -> None:
    assert resolve_metrics(None, TaskType.REGRESSION) == ["rmse", "mae", "r2", "mape"]
    assert resolve_metrics(["f1", "f1", "confusion_matrix"], TaskType.CLASSIFICATION) == ["f1"]
    assert "confusion_matrix" in metric_names(TaskType.CLASSIFICATION)
    assert "confusion_matrix" not in metric_names(TaskType.REGRESSION)
