"""Permutation importance, SHAP summary and predicted-vs-actual pairs of a trained model."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.jobs.train.run import TrainingResult, train
from ml_backend.model import TabularModel
from ml_backend.preprocessing import output_columns
from ml_backend.reporting import RecordingReporter
from ml_backend.schema import ColumnKind
from tests.ml_backend.training_data import config, penguins, profile_of, rows_with_target

FAST = {
    "xgboost": {"n_estimators": 20, "max_depth": 3, "n_jobs": 1},
    "lightgbm": {"n_estimators": 20, "num_leaves": 8, "min_child_samples": 5, "n_jobs": 1},
    "random_forest": {"n_estimators": 20, "n_jobs": 1},
    "linear": {},
}


def _train(
    frame: pd.DataFrame, directory: Path, **fields: Any
) -> tuple[TrainingResult, TabularModel, RecordingReporter]:
    fields.setdefault("hyperparameters", FAST[fields["algorithm"]])
    kinds = {"penguin_id": ColumnKind.IDENTIFIER} if "penguin_id" in frame else None
    resolved = resolve_training(config(**fields), profile_of(frame, kinds))
    reporter = RecordingReporter()
    result = train(resolved, frame, reporter=reporter, artifact_dir=directory)
    return result, TabularModel.load(directory), reporter


def _test_part(frame: pd.DataFrame, target: str, test_size: float = 0.2) -> pd.DataFrame:
    rows = rows_with_target(frame, target)
    _, test = train_test_split(np.arange(len(rows)), test_size=test_size, random_state=42)
    return rows.iloc[test]


def _logs(reporter: RecordingReporter) -> list[str]:
    return [event["message"] for event in reporter.events if event["type"] == "log"]


@pytest.mark.parametrize(
    ("algorithm", "target", "metrics", "scoring", "metric"),
    [
        ("xgboost", "species", None, "accuracy", "accuracy"),
        ("linear", "body_mass_g", None, "r2", "r2"),
        ("lightgbm", "sex", ["log_loss", "f1"], "neg_log_loss", "log_loss"),
        ("random_forest", "flipper_length_mm", ["rmse"], "neg_root_mean_squared_error", "rmse"),
    ],
)
def test_permutation_importance_equals_scikit_learn_shuffling_the_raw_columns(
    algorithm: str,
    target: str,
    metrics: list[str] | None,
    scoring: str,
    metric: str,
    tmp_path: Path,
) -> None:
    frame = penguins()
    result, model, _ = _train(
        frame, tmp_path, algorithm=algorithm, target_column=target, metrics=metrics
    )
    test = _test_part(frame, target)
    y = test[target].to_numpy()
    if model.label_encoder is not None:
        y = model.label_encoder.transform(y)
    # The reference permutes the raw columns and re-runs the preprocessing for every shuffle.
    pipeline = Pipeline([("preprocess", model.preprocessor), ("model", model.estimator)])
    expected = permutation_importance(
        pipeline, test[model.feature_columns], y, scoring=scoring, n_repeats=5, random_state=42
    )
    importance = result.permutation_importance
    assert importance is not None
    by_feature = {item.feature: item for item in importance}
    assert list(by_feature) == sorted(
        by_feature, key=lambda name: by_feature[name].importance_mean, reverse=True
    )
    for column, mean, std in zip(
        model.feature_columns, expected.importances_mean, expected.importances_std, strict=True
    ):
        # Boosters' float32 probabilities are renormalised before log_loss: tiny differences.
        assert by_feature[column].importance_mean == pytest.approx(mean, abs=1e-6)
        assert by_feature[column].importance_std == pytest.approx(std, abs=1e-6)
    assert {item.metric for item in importance} == {metric}


def _signal_and_noise(n_rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n_rows)
    group = rng.choice(["a", "b", "c"], size=n_rows)
    shift = pd.Series(group).map({"a": -2.0, "b": 0.0, "c": 2.0}).to_numpy()
    return pd.DataFrame(
        {
            "signal": signal,
            "noise": rng.normal(size=n_rows),
            "group": group,
            "target": 3.0 * signal + shift + rng.normal(scale=0.1, size=n_rows),
        }
    )


def test_columns_the_model_relies_on_rank_first_and_noise_near_zero(tmp_path: Path) -> None:
    frame = _signal_and_noise(400)
    result, _, reporter = _train(frame, tmp_path, algorithm="linear", target_column="target")
    importance = {
        item.feature: item.importance_mean for item in result.permutation_importance or []
    }
    assert list(importance) == ["signal", "group", "noise"]
    # Shuffling the signal destroys most of the explained variance: r2 drops by well over 1.
    assert importance["signal"] > 1.0
    assert abs(importance["noise"]) < 0.01
    assert "permutation importance: r2 on 80 rows" in _logs(reporter)


def test_the_first_requested_metric_is_used_unless_it_has_no_value(tmp_path: Path) -> None:
    frame = _signal_and_noise(200)
    result, _, _ = _train(
        frame, tmp_path / "mae", algorithm="linear", target_column="target", metrics=["mae"]
    )
    assert {item.metric for item in result.permutation_importance or []} == {"mae"}
    frame.loc[frame.index[:40], "target"] = 0.0  # a zero true value leaves mape undefined
    result, _, _ = _train(
        frame, tmp_path / "mape", algorithm="linear", target_column="target", metrics=["mape"]
    )
    assert result.metrics["test"]["mape"] is None
    assert {item.metric for item in result.permutation_importance or []} == {"r2"}


def test_a_test_part_under_five_rows_is_not_explained(tmp_path: Path) -> None:
    frame = _signal_and_noise(20)
    result, _, reporter = _train(frame, tmp_path, algorithm="xgboost", target_column="target")
    assert result.data_summary.test_samples == 4
    assert result.permutation_importance is None
    assert result.shap_summary is None
    assert (
        "feature explanations skipped: the test part has 4 row(s), at least 5 are needed"
        in _logs(reporter)
    )
    assert result.test_predictions is not None and len(result.test_predictions) == 4


def test_large_test_parts_are_sampled(tmp_path: Path) -> None:
    frame = _signal_and_noise(12_000)
    result, _, reporter = _train(frame, tmp_path, algorithm="linear", target_column="target")
    assert result.data_summary.test_samples == 2400
    assert "permutation importance: r2 on 2000 rows" in _logs(reporter)
    assert result.test_predictions is not None and len(result.test_predictions) == 1000
    actual = set(_test_part(frame, "target")["target"].tolist())
    assert {pair.actual for pair in result.test_predictions} <= actual


def test_regression_keeps_actual_and_predicted_test_values(tmp_path: Path) -> None:
    frame = penguins()
    result, model, _ = _train(frame, tmp_path, algorithm="lightgbm", target_column="body_mass_g")
    test = _test_part(frame, "body_mass_g")
    pairs = result.test_predictions or []
    assert [pair.actual for pair in pairs] == test["body_mass_g"].tolist()
    assert [pair.predicted for pair in pairs] == pytest.approx(model.predict(test).tolist())
    classified, _, _ = _train(frame, tmp_path / "c", algorithm="linear", target_column="species")
    assert classified.test_predictions is None


def _shap_by_column(values: np.ndarray, origins: list[str]) -> dict[str, float]:
    per_output = values if values.ndim == 3 else values[:, :, np.newaxis]
    summed = {
        column: sum(per_output[:, i, :] for i, origin in enumerate(origins) if origin == column)
        for column in dict.fromkeys(origins)
    }
    return {column: float(np.abs(total).mean()) for column, total in summed.items()}


@pytest.mark.parametrize(
    ("algorithm", "target"),
    [("xgboost", "species"), ("lightgbm", "sex"), ("random_forest", "body_mass_g")],
)
def test_shap_summary_matches_shap_tree_explainer(
    algorithm: str, target: str, tmp_path: Path
) -> None:
    shap = pytest.importorskip("shap")
    frame = penguins()
    result, model, _ = _train(frame, tmp_path, algorithm=algorithm, target_column=target)
    test = _test_part(frame, target)
    tree = model.estimator.forest_ if algorithm == "random_forest" else model.estimator
    values = shap.TreeExplainer(tree)(model.transform(test)).values
    expected = _shap_by_column(values, output_columns(model.preprocessor, model.feature_columns))
    summary = result.shap_summary
    assert summary is not None
    assert [item.feature for item in summary] == sorted(expected, key=lambda c: -expected[c])
    for item in summary:
        # XGBoost's SHAP values are float32: equal to its precision.
        assert item.mean_abs_shap == pytest.approx(expected[item.feature], rel=1e-6)
    # island is one-hot encoded: its parts count as one column
    assert "island" in {item.feature for item in summary}


def test_shap_summary_is_none_without_shap_or_for_linear_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = penguins()
    linear, _, _ = _train(frame, tmp_path / "linear", algorithm="linear", target_column="species")
    assert linear.shap_summary is None
    monkeypatch.setitem(sys.modules, "shap", None)  # `import shap` now raises ImportError
    hidden, _, _ = _train(frame, tmp_path / "xgb", algorithm="xgboost", target_column="species")
    assert hidden.shap_summary is None
    assert hidden.permutation_importance is not None


def test_explanations_can_be_switched_off(tmp_path: Path) -> None:
    frame = penguins()
    resolved = resolve_training(
        config(algorithm="xgboost", target_column="body_mass_g", hyperparameters=FAST["xgboost"]),
        profile_of(frame),
    )
    result = train(resolved, frame, reporter=RecordingReporter(), explanations=False)
    assert result.permutation_importance is None
    assert result.shap_summary is None
    assert result.test_predictions is None
