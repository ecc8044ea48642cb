"""resolve_training: every bad config is refused with words a person (or the agent) can act on."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from ml_backend.algorithms.xgboost import XGBoostParams
from ml_backend.configs import TaskType
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.train.resolve import infer_task, resolve_training
from ml_backend.schema import ColumnKind, DatasetProfile
from tests.ml_backend.training_data import config, penguins, profile_of


@pytest.fixture(scope="module")
def profile() -> DatasetProfile:
    frame = penguins()
    frame["note"] = [f"seen near nest {i} in the morning" for i in range(len(frame))]
    return profile_of(frame, kinds={"note": ColumnKind.TEXT})


def _refused(profile: DatasetProfile, **fields: Any) -> ConfigValidationError:
    with pytest.raises(ConfigValidationError) as caught:
        resolve_training(config(**fields), profile)
    return caught.value


def test_defaults_are_made_explicit(profile: DatasetProfile) -> None:
    resolved = resolve_training(
        config(algorithm="xgboost", target_column="species", hyperparameters={"max_depth": 3}),
        profile,
    )
    assert resolved.task_type is TaskType.CLASSIFICATION
    assert resolved.feature_columns == [
        "island",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "sex",
        "year",
    ]
    expected = XGBoostParams(max_depth=3).model_dump(mode="json")
    assert resolved.hyperparameters == expected
    assert resolved.metrics == ["accuracy", "precision", "recall", "f1", "auc_roc", "log_loss"]
    dropped = {d.column: d.reason for d in resolved.dropped_columns}
    assert set(dropped) == {"penguin_id", "note"}
    assert "identifier" in dropped["penguin_id"] and "text" in dropped["note"]
    assert resolved.feature_kinds["island"] is ColumnKind.CATEGORICAL


def test_named_identifier_is_kept(profile: DatasetProfile) -> None:
    resolved = resolve_training(
        config(
            algorithm="linear",
            target_column="species",
            feature_columns=["penguin_id", "bill_length_mm", "bill_length_mm"],
        ),
        profile,
    )
    assert resolved.feature_columns == ["penguin_id", "bill_length_mm"]
    assert resolved.feature_kinds["penguin_id"] is ColumnKind.CATEGORICAL
    assert resolved.dropped_columns == []


def test_unknown_target_suggests_the_closest_column(profile: DatasetProfile) -> None:
    error = _refused(profile, algorithm="xgboost", target_column="specie")
    assert error.detail.startswith("column 'specie' not found; did you mean 'species'? Columns:")
    assert error.field == "target_column"


def test_unknown_feature_suggests_the_closest_column(profile: DatasetProfile) -> None:
    error = _refused(
        profile, algorithm="xgboost", target_column="species", feature_columns=["bill_lenght_mm"]
    )
    assert "did you mean 'bill_length_mm'?" in error.detail
    assert error.field == "feature_columns"


def test_target_among_features_is_refused(profile: DatasetProfile) -> None:
    error = _refused(
        profile, algorithm="xgboost", target_column="species", feature_columns=["species", "sex"]
    )
    assert "also among feature_columns" in error.detail


def test_unknown_algorithm_suggests_the_closest(profile: DatasetProfile) -> None:
    error = _refused(profile, algorithm="xgbost", target_column="species")
    assert error.detail.startswith("unknown algorithm 'xgbost'; did you mean 'xgboost'?")
    assert "lightgbm" in error.detail and error.field == "algorithm"


def test_algorithm_that_does_not_apply_says_why(profile: DatasetProfile) -> None:
    error = _refused(
        profile, algorithm="random_forest", target_column="body_mass_g", task_type="forecasting"
    )
    assert "random_forest does classification and regression, not forecasting" in error.detail


@pytest.mark.parametrize(
    ("hyperparameters", "words"),
    [
        ({"max_depth": -3}, "hyperparameters.max_depth must be >= 1 (got -3)"),
        ({"learning_rate": 0}, "hyperparameters.learning_rate must be > 0.0 (got 0)"),
        ({"n_estimators": 10_000}, "hyperparameters.n_estimators must be <= 5000 (got 10000)"),
        (
            {"max_dept": 4},
            "unknown hyperparameter 'max_dept' for xgboost; did you mean 'max_depth'",
        ),
    ],
)
def test_hyperparameter_errors_in_words(
    profile: DatasetProfile, hyperparameters: dict[str, Any], words: str
) -> None:
    error = _refused(
        profile, algorithm="xgboost", target_column="species", hyperparameters=hyperparameters
    )
    assert words in error.detail
    assert error.field == f"hyperparameters.{next(iter(hyperparameters))}"


def test_unknown_hyperparameter_lists_the_valid_ones(profile: DatasetProfile) -> None:
    error = _refused(
        profile, algorithm="random_forest", target_column="species", hyperparameters={"n_trees": 5}
    )
    assert "Valid: n_estimators, max_depth, min_samples_split" in error.detail


def test_unknown_metric_is_refused(profile: DatasetProfile) -> None:
    error = _refused(profile, algorithm="xgboost", target_column="species", metrics=["f1_scor"])
    assert "did you mean 'f1'?" in error.detail


def test_one_class_and_empty_targets(profile: DatasetProfile) -> None:
    frame = pd.DataFrame({"x": range(30), "flag": ["on"] * 30, "empty": [None] * 30})
    small = profile_of(frame)
    assert (
        "only one class ('on')" in _refused(small, algorithm="linear", target_column="flag").detail
    )
    assert "has no values" in _refused(small, algorithm="linear", target_column="empty").detail


def test_classification_on_a_continuous_target_points_to_regression(
    profile: DatasetProfile,
) -> None:
    error = _refused(
        profile, algorithm="xgboost", target_column="body_mass_g", task_type="classification"
    )
    assert "use task_type 'regression'" in error.detail and error.field == "task_type"


def test_regression_on_text_target_points_to_classification(profile: DatasetProfile) -> None:
    error = _refused(profile, algorithm="xgboost", target_column="island", task_type="regression")
    assert "regression needs a numeric target" in error.detail
    assert "use task_type 'classification'" in error.detail


def test_stratified_split_impossible_names_the_class() -> None:
    frame = pd.DataFrame(
        {"x": np.arange(60.0), "label": ["common"] * 52 + ["rare"] * 8},
    )
    error = _refused(
        profile_of(frame),
        algorithm="linear",
        target_column="label",
        split={"strategy": "stratified", "test_size": 0.2},
    )
    assert "class 'rare' has 8 rows" in error.detail and "1.6" in error.detail
    assert error.field == "split"
    # With a larger test part every class fits.
    resolve_training(
        config(
            algorithm="linear",
            target_column="label",
            split={"strategy": "stratified", "test_size": 0.25},
        ),
        profile_of(frame),
    )


def test_stratified_regression_is_refused(profile: DatasetProfile) -> None:
    error = _refused(
        profile, algorithm="xgboost", target_column="body_mass_g", split={"strategy": "stratified"}
    )
    assert "use the 'random' strategy" in error.detail


def test_time_split_needs_an_ordered_time_column() -> None:
    frame = pd.DataFrame(
        {
            "when": pd.date_range("2024-01-01", periods=40, freq="D"),
            "shop": ["a", "b"] * 20,
            "sales": np.arange(40.0),
        }
    )
    profile = profile_of(frame)
    split = {"strategy": "time"}
    missing = _refused(profile, algorithm="lightgbm", target_column="sales", split=split)
    assert "time_column" in missing.detail and "when" in missing.detail
    assert missing.field == "time_column"
    typo = _refused(
        profile, algorithm="lightgbm", target_column="sales", split=split, time_column="wen"
    )
    assert "did you mean 'when'?" in typo.detail
    unordered = _refused(
        profile, algorithm="lightgbm", target_column="sales", split=split, time_column="shop"
    )
    assert "date/time or numeric column" in unordered.detail
    resolved = resolve_training(
        config(algorithm="lightgbm", target_column="sales", split=split, time_column="when"),
        profile,
    )
    assert resolved.time_column == "when" and resolved.task_type is TaskType.REGRESSION


def test_no_features_left_lists_what_was_dropped(profile: DatasetProfile) -> None:
    error = _refused(
        profile, algorithm="xgboost", target_column="species", feature_columns=["note"]
    )
    assert "no feature columns left" in error.detail and "note: free text" in error.detail


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["a", "b", "c"] * 100, TaskType.CLASSIFICATION),
        ([True, False] * 150, TaskType.CLASSIFICATION),
        ([0, 1, 2, 3, 4] * 60, TaskType.CLASSIFICATION),
        (list(range(15)) * 30, TaskType.CLASSIFICATION),  # 15 codes < 5% of 450 rows
        (list(range(25)) * 12, TaskType.REGRESSION),  # over 20 distinct integers
        (list(range(300)), TaskType.REGRESSION),
        ([0.0, 1.0] * 150, TaskType.CLASSIFICATION),
        (list(np.linspace(0, 1, 300)), TaskType.REGRESSION),
    ],
)
def test_task_inference_rule(values: list[Any], task: TaskType) -> None:
    frame = pd.DataFrame({"target": values})
    assert infer_task(profile_of(frame).columns[0], len(frame)) is task


def test_integer_codes_with_few_rows_per_code_are_regression() -> None:
    # 15 distinct integers in 100 rows: more than 10 and more than 5% of rows.
    frame = pd.DataFrame({"target": [i % 15 for i in range(100)]})
    assert infer_task(profile_of(frame).columns[0], len(frame)) is TaskType.REGRESSION
