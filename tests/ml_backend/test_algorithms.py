"""Each algorithm trains on real data; its stored metrics are what scikit-learn computes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np
import pandas as pd
import pytest
import xgboost
from pydantic import ValidationError
from sklearn import metrics as skm
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.utils.estimator_checks import parametrize_with_checks

from ml_backend.algorithms import ALGORITHMS
from ml_backend.algorithms.random_forest import (
    ChunkedRandomForestClassifier,
    ChunkedRandomForestRegressor,
    chunk_sizes,
)
from ml_backend.configs import TaskType
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.jobs.train.run import TrainingResult, train
from ml_backend.model import TabularModel
from ml_backend.reporting import RecordingReporter
from tests.ml_backend.training_data import config, penguins, profile_of, rows_with_target

SMALL = {
    "xgboost": {"n_estimators": 20, "max_depth": 3, "n_jobs": 1},
    "lightgbm": {"n_estimators": 20, "num_leaves": 8, "min_child_samples": 5, "n_jobs": 1},
    "random_forest": {"n_estimators": 30, "max_depth": 6, "n_jobs": 1},
    "linear": {},
    "neural_network": {"hidden_layers": [32], "epochs": 40, "learning_rate": 0.01, "n_jobs": 1},
}
TEST_SIZE, SEED = 0.25, 7


def _train(
    algorithm: str,
    target: str,
    artifact_dir: Path | None = None,
    hyperparameters: dict[str, Any] | None = None,
    **fields: Any,
) -> tuple[TrainingResult, RecordingReporter]:
    frame = penguins()
    resolved = resolve_training(
        config(
            algorithm=algorithm,
            target_column=target,
            split={"test_size": TEST_SIZE, "random_state": SEED, **fields.pop("split", {})},
            hyperparameters=SMALL[algorithm] | (hyperparameters or {}),
            **fields,
        ),
        profile_of(frame),
    )
    reporter = RecordingReporter()
    return train(resolved, frame, reporter=reporter, artifact_dir=artifact_dir), reporter


def _test_rows(target: str) -> pd.DataFrame:
    rows = rows_with_target(penguins(), target)
    _, test = train_test_split(np.arange(len(rows)), test_size=TEST_SIZE, random_state=SEED)
    return pd.DataFrame(rows.iloc[test])


def _expected_classification(
    model: TabularModel, rows: pd.DataFrame, target: str
) -> dict[str, float]:
    y, predicted, proba = rows[target].to_numpy(), model.predict(rows), model.predict_proba(rows)
    labels = sorted(set(y))
    if len(labels) == 2:
        averaging: dict[str, Any] = {"pos_label": labels[1]}
        auc = skm.roc_auc_score(y, proba[:, 1])
    else:
        averaging = {"average": "macro"}
        auc = skm.roc_auc_score(y, proba, multi_class="ovr")
    return {
        "accuracy": skm.accuracy_score(y, predicted),
        "precision": skm.precision_score(y, predicted, **averaging),
        "recall": skm.recall_score(y, predicted, **averaging),
        "f1": skm.f1_score(y, predicted, **averaging),
        "auc_roc": auc,
        "log_loss": skm.log_loss(y, proba, labels=model.classes),
    }


def _expected_regression(model: TabularModel, rows: pd.DataFrame, target: str) -> dict[str, float]:
    y, predicted = rows[target].to_numpy(), model.predict(rows)
    return {
        "rmse": skm.root_mean_squared_error(y, predicted),
        "mae": skm.mean_absolute_error(y, predicted),
        "r2": skm.r2_score(y, predicted),
        "mape": skm.mean_absolute_percentage_error(y, predicted),
    }


# A floor each model must clear, so that a model that learned nothing fails.
QUALITY = {"species": ("accuracy", 0.9), "sex": ("accuracy", 0.75), "body_mass_g": ("r2", 0.6)}


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
@pytest.mark.parametrize("target", ["species", "sex", "body_mass_g"])
def test_stored_test_metrics_equal_sklearn_on_the_reloaded_model(
    algorithm: str, target: str, tmp_path: Path
) -> None:
    result, _ = _train(algorithm, target, tmp_path)
    model = TabularModel.load(tmp_path)
    rows = _test_rows(target)
    if target == "body_mass_g":
        assert result.task_type is TaskType.REGRESSION and result.confusion_matrix is None
        expected = _expected_regression(model, rows, target)
    else:
        assert result.task_type is TaskType.CLASSIFICATION
        expected = _expected_classification(model, rows, target)
        assert result.classes == sorted(set(rows[target]))
        assert result.confusion_matrix is not None
        assert (
            result.confusion_matrix.matrix
            == skm.confusion_matrix(
                rows[target].to_numpy(), model.predict(rows), labels=result.classes
            ).tolist()
        )
    assert result.metrics["test"] == pytest.approx(expected, rel=1e-9)
    metric, floor = QUALITY[target]
    achieved = result.metrics["test"][metric]
    assert achieved is not None and achieved > floor
    assert set(result.metrics) == {"train", "test"}
    assert result.data_summary.test_samples == len(rows)
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved == json.loads(result.model_dump_json())


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_feature_importance_is_per_original_column(algorithm: str) -> None:
    result, _ = _train(algorithm, "species")
    names = [item.feature for item in result.feature_importance]
    values = [item.importance for item in result.feature_importance]
    features = ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm"]
    assert sorted(names) == sorted([*features, "body_mass_g", "sex", "year"])
    assert sum(values) == pytest.approx(1.0)
    assert values == sorted(values, reverse=True) and min(values) >= 0
    # The measurements tell species apart; the year of observation does not.
    assert names.index("year") > min(
        names.index("bill_length_mm"), names.index("flipper_length_mm")
    )


def test_xgboost_reports_every_round_with_its_eval_metric() -> None:
    _, reporter = _train("xgboost", "species", hyperparameters={"n_estimators": 15})
    progress = [e for e in reporter.events if e["type"] == "progress"]
    assert [e["step"] for e in progress] == list(range(1, 16))
    assert {e["total"] for e in progress} == {15}
    assert all(set(e["metrics"]) == {"train/mlogloss"} for e in progress)
    losses = [e["metrics"]["train/mlogloss"] for e in progress]
    assert losses[-1] < losses[0]


def test_xgboost_evaluates_on_the_validation_part_and_stops_early() -> None:
    result, reporter = _train(
        "xgboost",
        "species",
        hyperparameters={"n_estimators": 400, "learning_rate": 0.8, "early_stopping_rounds": 3},
        split={"validation_size": 0.2},
    )
    progress = [e for e in reporter.events if e["type"] == "progress"]
    rounds = [e for e in progress if e["metrics"]]
    assert all(set(e["metrics"]) == {"validation/mlogloss"} for e in rounds)
    assert 3 < len(rounds) < 400
    assert (progress[-1]["step"], progress[-1]["total"]) == (400, 400)
    assert set(result.metrics) == {"train", "validation", "test"}
    assert result.data_summary.validation_samples == round(344 * 0.2)


def test_lightgbm_reports_every_round() -> None:
    _, reporter = _train("lightgbm", "body_mass_g", hyperparameters={"n_estimators": 12})
    progress = [e for e in reporter.events if e["type"] == "progress"]
    assert [(e["step"], e["total"]) for e in progress] == [(i, 12) for i in range(1, 13)]
    assert all(set(e["metrics"]) == {"train/l2"} for e in progress)


def test_random_forest_reports_trees_built_per_chunk() -> None:
    _, reporter = _train("random_forest", "species", hyperparameters={"n_estimators": 30})
    progress = [e for e in reporter.events if e["type"] == "progress"]
    assert [e["step"] for e in progress] == list(range(2, 31, 2))
    assert {e["total"] for e in progress} == {30}
    assert chunk_sizes(41) == [3] * 13 + [2] and chunk_sizes(7) == [1] * 7


def test_linear_reports_start_and_end() -> None:
    _, reporter = _train("linear", "species")
    progress = [(e["step"], e["total"]) for e in reporter.events if e["type"] == "progress"]
    assert progress == [(0, 1), (1, 1)]


def test_chunked_forest_equals_a_forest_grown_at_once() -> None:
    rows = rows_with_target(penguins(), "body_mass_g")
    x = rows[["bill_length_mm", "flipper_length_mm"]].fillna(0).to_numpy()
    y = rows["species"].to_numpy()
    chunked = ChunkedRandomForestClassifier(n_estimators=25, random_state=1, n_jobs=1).fit(x, y)
    whole = RandomForestClassifier(n_estimators=25, random_state=1, n_jobs=1).fit(x, y)
    np.testing.assert_allclose(chunked.predict_proba(x), whole.predict_proba(x))


@parametrize_with_checks(  # type: ignore[untyped-decorator]
    [
        ChunkedRandomForestClassifier(n_estimators=5, n_jobs=1),
        ChunkedRandomForestRegressor(n_estimators=5, n_jobs=1),
    ]
)
def test_chunked_forest_follows_sklearn_conventions(estimator: Any, check: Any) -> None:
    check(estimator)


def test_native_model_files_predict_like_the_model(tmp_path: Path) -> None:
    rows = _test_rows("body_mass_g")
    result, reporter = _train("xgboost", "body_mass_g", tmp_path / "xgb")
    assert result.model_files == ["model.joblib", "model.ubj", "metrics.json"]
    assert [e["name"] for e in reporter.events if e["type"] == "artifact"] == result.model_files
    model = TabularModel.load(tmp_path / "xgb")
    booster = xgboost.Booster(model_file=str(tmp_path / "xgb" / "model.ubj"))
    from_ubj = booster.predict(xgboost.DMatrix(model.transform(rows)))
    np.testing.assert_allclose(from_ubj, model.predict(rows), rtol=1e-6)

    result, _ = _train("lightgbm", "body_mass_g", tmp_path / "lgbm")
    assert result.model_files == ["model.joblib", "model.txt", "metrics.json"]
    model = TabularModel.load(tmp_path / "lgbm")
    from_txt = lightgbm.Booster(model_file=str(tmp_path / "lgbm" / "model.txt")).predict(
        model.transform(rows)
    )
    np.testing.assert_allclose(from_txt, model.predict(rows), rtol=1e-9)

    for algorithm in ("random_forest", "linear"):
        result, _ = _train(algorithm, "body_mass_g", tmp_path / algorithm)
        assert result.model_files == ["model.joblib", "metrics.json"]


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_hyperparameter_models_reject_negatives_and_unknown_names(algorithm: str) -> None:
    model = ALGORITHMS[algorithm].hyperparameters
    model()  # the defaults are valid
    for name in model.model_fields:
        with pytest.raises(ValidationError):
            model.model_validate({name: -5})
    with pytest.raises(ValidationError):
        model.model_validate({"not_a_parameter": 1})
    assert model.model_json_schema()["additionalProperties"] is False


def test_special_bounds() -> None:
    lgbm = ALGORITHMS["lightgbm"].hyperparameters
    assert lgbm.model_validate({"max_depth": -1}).model_dump()["max_depth"] == -1
    with pytest.raises(ValidationError, match="-1 \\(no limit\\) or between 1 and 100"):
        lgbm.model_validate({"max_depth": 0})
    forest = ALGORITHMS["random_forest"].hyperparameters
    for good in ("sqrt", "log2", 0.5, None):
        assert forest.model_validate({"max_features": good}).model_dump()["max_features"] == good
    for bad in (0.0, 1.5, "all"):
        with pytest.raises(ValidationError):
            forest.model_validate({"max_features": bad})
    xgb = ALGORITHMS["xgboost"].hyperparameters
    assert xgb.model_validate({"learning_rate": 1.0}).model_dump()["learning_rate"] == 1.0
    with pytest.raises(ValidationError):
        xgb.model_validate({"learning_rate": 0.0})
