"""Categories split on natively by LightGBM and XGBoost: one code per level, however many,
where one-hot encoding pools all but the 30 most frequent levels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml_backend.configs import TrainingConfig, TuningConfig
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.jobs.train.run import train
from ml_backend.jobs.tune.resolve import resolve_tuning
from ml_backend.model import TabularModel
from ml_backend.notebook import run_notebook
from ml_backend.reporting import NullReporter
from tests.ml_backend.training_data import profile_of


def _many_levels(rows: int = 3000, levels: int = 300) -> pd.DataFrame:
    """A label set by which of 300 shops a row comes from (each shop's own leaning), plus a
    weak numeric signal: one-hot pools 270 of the shops into 'infrequent'."""
    rng = np.random.default_rng(3)
    shop = rng.integers(0, levels, rows)
    leaning = rng.random(levels) < 0.5
    noise = rng.normal(size=rows)
    label = np.where(rng.random(rows) < 0.9, leaning[shop], rng.random(rows) < 0.5)
    shops = np.asarray([f"shop-{code:03d}" for code in shop], dtype=object)
    shops[::41] = None  # missing levels stay missing
    return pd.DataFrame({"shop": shops, "noise": noise, "bought": np.where(label, "yes", "no")})


FRAME = _many_levels()
PROFILE = profile_of(FRAME)


def _accuracy(algorithm: str, encoding: str) -> float:
    config = TrainingConfig.model_validate(
        {
            "dataset": {"name": "shops"},
            "algorithm": algorithm,
            "target_column": "bought",
            "hyperparameters": {"categorical_encoding": encoding},
        }
    )
    result = train(resolve_training(config, PROFILE), FRAME, reporter=NullReporter())
    value = result.metrics["test"]["accuracy"]
    assert value is not None
    return value


@pytest.mark.parametrize("algorithm", ["lightgbm", "xgboost"])
def test_native_categories_learn_what_many_levels_say(algorithm: str) -> None:
    native, onehot = _accuracy(algorithm, "native"), _accuracy(algorithm, "onehot")
    assert native > 0.8
    assert native > onehot + 0.1


def test_a_native_model_predicts_levels_it_never_saw_and_missing_ones(tmp_path: Path) -> None:
    config = TrainingConfig.model_validate(
        {
            "dataset": {"name": "shops"},
            "algorithm": "xgboost",
            "target_column": "bought",
            "hyperparameters": {"categorical_encoding": "native"},
        }
    )
    resolved = resolve_training(config, PROFILE)
    train(resolved, FRAME, reporter=NullReporter(), artifact_dir=tmp_path)
    model = TabularModel.load(tmp_path)
    rows = pd.DataFrame({"shop": ["shop-999", None, "shop-001"], "noise": [0.1, 0.2, 0.3]})
    assert set(model.predict(rows)) <= {"yes", "no"}
    assert np.allclose(model.predict_proba(rows).sum(axis=1), 1.0)


def test_tuning_searches_the_encoding_only_where_there_are_categories() -> None:
    fields = {
        "dataset": {"name": "shops"},
        "algorithm": "lightgbm",
        "target_column": "bought",
        "n_trials": 3,
    }
    with_categories = resolve_tuning(TuningConfig.model_validate(fields), PROFILE)
    assert "categorical_encoding" in with_categories.search_space
    numeric = FRAME.drop(columns=["shop"])
    without = resolve_tuning(TuningConfig.model_validate(fields), profile_of(numeric))
    assert not {"categorical_encoding", "cat_smooth"} & set(without.search_space)


def test_a_native_run_has_no_notebook_but_says_where_its_script_is() -> None:
    config = TrainingConfig.model_validate(
        {
            "dataset": {"name": "shops"},
            "algorithm": "lightgbm",
            "target_column": "bought",
            "hyperparameters": {"categorical_encoding": "native"},
        }
    )
    with pytest.raises(ConfigValidationError, match="reproduce"):
        run_notebook(
            resolve_training(config, PROFILE),
            run_id=1,
            dataset_file="shops.parquet",
            dataset_url="http://localhost/file",
            expected_test_metrics={},
        )
