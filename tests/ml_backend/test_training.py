"""train(): rows, splits, preprocessing fitted on train only, logs, determinism, odd columns."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from ml_backend.configs import SplitConfig, SplitStrategy
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.jobs.train.run import TrainingResult, train
from ml_backend.model import TabularModel
from ml_backend.reporting import RecordingReporter
from ml_backend.schema import ColumnKind
from ml_backend.splitting import split_rows
from tests.ml_backend.training_data import config, penguins, profile_of, rows_with_target

FAST = {
    "xgboost": {"n_estimators": 10, "max_depth": 3, "n_jobs": 1},
    "lightgbm": {"n_estimators": 10, "num_leaves": 8, "min_child_samples": 5, "n_jobs": 1},
    "random_forest": {"n_estimators": 10, "n_jobs": 1},
    "linear": {},
}


def _run(
    frame: pd.DataFrame,
    artifact_dir: Path | None = None,
    kinds: dict[str, ColumnKind] | None = None,
    **fields: Any,
) -> tuple[TrainingResult, RecordingReporter]:
    fields.setdefault("hyperparameters", FAST[fields["algorithm"]])
    resolved = resolve_training(config(**fields), profile_of(frame, kinds))
    reporter = RecordingReporter()
    return train(resolved, frame, reporter=reporter, artifact_dir=artifact_dir), reporter


def _train_positions(n_rows: int, test_size: float = 0.2, seed: int = 42) -> np.ndarray:
    train, _ = train_test_split(np.arange(n_rows), test_size=test_size, random_state=seed)
    return np.asarray(train)


@pytest.mark.parametrize("algorithm", ["xgboost", "linear"])
def test_preprocessing_is_fitted_on_the_training_part_only(algorithm: str, tmp_path: Path) -> None:
    frame = penguins()
    _run(frame, tmp_path, algorithm=algorithm, target_column="species")
    model = TabularModel.load(tmp_path)
    train_rows = rows_with_target(frame, "species").iloc[_train_positions(len(frame))]
    column = model.feature_columns.index("bill_length_mm")
    numeric = model.preprocessor.named_transformers_[f"column{column}"]
    train_median = train_rows["bill_length_mm"].median()
    assert train_median != frame["bill_length_mm"].median()  # the check can tell them apart
    assert numeric.named_steps["impute"].statistics_[0] == train_median
    if algorithm == "linear":
        imputed = train_rows["bill_length_mm"].fillna(train_median)
        assert numeric.named_steps["scale"].mean_[0] == pytest.approx(imputed.mean())
    else:
        assert "scale" not in numeric.named_steps
    sex = model.preprocessor.named_transformers_[f"column{model.feature_columns.index('sex')}"]
    assert sex.named_steps["impute"].statistics_[0] == train_rows["sex"].mode()[0]


def test_rows_without_target_are_dropped_and_logged() -> None:
    frame = penguins()
    result, reporter = _run(frame, algorithm="random_forest", target_column="sex")
    logs = [e["message"] for e in reporter.events if e["type"] == "log"]
    assert "11 row(s) dropped: no value in target 'sex'" in logs
    assert any(m.startswith("column 'penguin_id' left out: an identifier") for m in logs)
    summary = result.data_summary
    assert summary.rows_without_target == int(frame["sex"].isna().sum()) == 11
    assert summary.total_samples == 333
    assert summary.train_samples + summary.test_samples == 333
    assert summary.test_samples == math.ceil(333 * 0.2)
    assert summary.n_features == 7 and summary.encoded_features == 11
    assert [d.column for d in summary.dropped_columns] == ["penguin_id"]
    assert result.classes == ["female", "male"]


@pytest.mark.parametrize("algorithm", list(FAST))
def test_same_config_twice_gives_the_same_result(algorithm: str) -> None:
    frame = penguins()
    first, _ = _run(frame, algorithm=algorithm, target_column="species")
    second, _ = _run(frame, algorithm=algorithm, target_column="species")
    assert first.metrics == second.metrics
    assert first.feature_importance == second.feature_importance


def test_result_is_plain_json(tmp_path: Path) -> None:
    frame = penguins()
    result, reporter = _run(frame, tmp_path, algorithm="lightgbm", target_column="year")
    assert result.classes == [2007, 2008, 2009]
    assert all(type(label) is int for label in result.classes)
    text = json.dumps(result.model_dump())  # no numpy values anywhere
    assert json.loads(text) == json.loads((tmp_path / "metrics.json").read_text())
    assert result.training_duration_seconds > 0
    assert ("metrics", "metrics.json") in [
        (e["kind"], e["name"]) for e in reporter.events if e["type"] == "artifact"
    ]


def _shop_frame(n_rows: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    when = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.permutation(n_rows), unit="D")
    member = rng.random(n_rows) < 0.4
    segment = rng.choice(np.array(["retail", "online", "wholesale"], dtype=object), n_rows)
    segment[rng.random(n_rows) < 0.1] = None
    spend = rng.gamma(2.0, 50.0, n_rows) + 40.0 * member + (when.month.to_numpy() * 3.0)
    visits = rng.poisson(3, n_rows).astype(float)
    visits[rng.random(n_rows) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "order_id": np.arange(1000, 1000 + n_rows),
            "when": when,
            "member": member,
            "segment": pd.array(segment, dtype="str"),
            "visits": visits,
            "spend": spend,
        }
    )


@pytest.mark.parametrize("as_text", [False, True])
def test_time_split_puts_the_latest_rows_in_test(as_text: bool) -> None:
    frame = _shop_frame()
    when = frame["when"]
    # Dates as ISO text without zero padding: text order would not be time order.
    stored = when.map(lambda t: f"{t.year}-{t.month}-{t.day}").astype(object) if as_text else when
    split = SplitConfig(strategy=SplitStrategy.TIME, test_size=0.25, validation_size=0.125)
    parts = split_rows(frame["spend"], split, time_values=stored)
    assert len(parts.test) == 60 and len(parts.validation) == 30 and len(parts.train) == 150
    assert when.iloc[parts.train].max() < when.iloc[parts.validation].min()
    assert when.iloc[parts.validation].max() < when.iloc[parts.test].min()


def test_datetime_boolean_and_identifier_columns(tmp_path: Path) -> None:
    frame = _shop_frame()
    result, _ = _run(
        frame,
        tmp_path,
        kinds={"order_id": ColumnKind.IDENTIFIER},
        algorithm="xgboost",
        target_column="spend",
        split={"strategy": "time", "test_size": 0.25},
        time_column="when",
    )
    features = {item.feature for item in result.feature_importance}
    assert features == {"when", "member", "segment", "visits"}  # order_id: an identifier
    # when -> 4 date parts, member -> False/True, segment -> 3 categories, visits -> itself
    assert result.data_summary.encoded_features == 4 + 2 + 3 + 1
    model = TabularModel.load(tmp_path)
    unseen = pd.DataFrame(
        {
            "when": [pd.NaT],
            "member": [True],
            "segment": pd.array(["by phone"], dtype="str"),
            "visits": [np.nan],
        }
    )
    assert np.isfinite(model.predict(unseen)).all()


def test_stratified_split_keeps_class_shares() -> None:
    target = rows_with_target(penguins(), "species")["species"]
    split = SplitConfig(strategy=SplitStrategy.STRATIFIED, test_size=0.25, random_state=3)
    parts = split_rows(target, split)
    _, expected_test = train_test_split(
        np.arange(len(target)), test_size=0.25, random_state=3, stratify=target
    )
    np.testing.assert_array_equal(parts.test, expected_test)
    shares = target.iloc[parts.test].value_counts(normalize=True)
    assert shares.to_dict() == pytest.approx(
        target.value_counts(normalize=True).to_dict(), abs=0.01
    )


def test_rare_class_beyond_the_profile_top_values_is_caught_in_training() -> None:
    labels = [f"class{i:02d}" for i in range(11) for _ in range(20)] + ["rare"] * 3
    frame = pd.DataFrame({"x": np.arange(len(labels), dtype=float), "label": labels})
    profile = profile_of(frame)
    resolved = resolve_training(
        config(algorithm="linear", target_column="label", split={"strategy": "stratified"}),
        profile,
    )  # the profile's top 10 classes all fit
    with pytest.raises(ConfigValidationError, match="class 'rare' has 3 rows"):
        train(resolved, frame, reporter=RecordingReporter())


def test_class_missing_from_the_training_part_is_refused() -> None:
    n_rows = 120
    test_positions = set(np.arange(n_rows)) - set(_train_positions(n_rows))
    labels = np.array(["a", "b"] * (n_rows // 2), dtype=object)
    labels[min(test_positions)] = "lonely"
    frame = pd.DataFrame({"x": np.arange(n_rows, dtype=float), "label": labels})
    with pytest.raises(ConfigValidationError, match=r"'lonely'.*stratified"):
        _run(frame, algorithm="linear", target_column="label")


def test_frame_without_a_resolved_column_is_refused() -> None:
    frame = penguins()
    resolved = resolve_training(
        config(algorithm="linear", target_column="species"), profile_of(frame)
    )
    with pytest.raises(ConfigValidationError, match="no column\\(s\\) island"):
        train(resolved, frame.drop(columns=["island"]), reporter=RecordingReporter())


def test_categorical_dtypes_and_lightgbm_early_stopping() -> None:
    frame = penguins()
    for column in ("species", "island", "sex"):
        frame[column] = frame[column].astype("category")
    frame["sex"] = frame["sex"].cat.add_categories(["unknown"])  # a category no row has
    result, reporter = _run(
        frame,
        algorithm="lightgbm",
        target_column="sex",
        split={"strategy": "stratified", "validation_size": 0.2},
        hyperparameters={"n_estimators": 300, "learning_rate": 0.5, "early_stopping_rounds": 3},
    )
    assert result.classes == ["female", "male"]
    rounds = [e for e in reporter.events if e["type"] == "progress" and e["metrics"]]
    assert all(set(e["metrics"]) == {"validation/binary_logloss"} for e in rounds)
    assert 3 < len(rounds) < 300
    assert set(result.metrics) == {"train", "validation", "test"}
