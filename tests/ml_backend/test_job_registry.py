"""The job registry: each kind found by its name, tool and route; shared routes decided once."""

from __future__ import annotations

import pytest

from ml_backend.configs import TrainingConfig
from ml_backend.datasets import write_sample
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.forecast.resolve import ResolvedForecast
from ml_backend.jobs.registry import JOBS, resolve, route_kinds, routes, select, tool_job
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.schema import DatasetProfile


@pytest.fixture(scope="module")
def penguins(tmp_path_factory: pytest.TempPathFactory) -> DatasetProfile:
    return write_sample("penguins", tmp_path_factory.mktemp("penguins")).profile


def _training(**fields: object) -> TrainingConfig:
    return TrainingConfig.model_validate({"dataset": {"name": "penguins"}, **fields})


def test_every_route_is_named_after_a_kind_and_every_tool_starts_one_kind() -> None:
    assert routes() == ["explore", "train", "tune", "leaderboard", "automl"]
    assert all(route in JOBS for route in routes())
    assert route_kinds("train") == ["train", "forecast"]
    tools = [spec.tool for spec in JOBS.values()]
    assert len(set(tools)) == len(tools)
    assert all(tool_job(spec.tool) is spec for spec in JOBS.values())
    assert tool_job("job_status") is None


def test_a_training_config_that_asks_for_a_forecast_is_a_forecast() -> None:
    arima = _training(algorithm="arima", target_column="sales", time_column="month")
    asked = _training(algorithm="ets", task_type="forecasting", target_column="sales")
    assert select("train", arima).kind == select("train", asked).kind == "forecast"
    assert select("train", _training(algorithm="xgboost", target_column="y")).kind == "train"
    with pytest.raises(ConfigValidationError, match="no job kind"):
        select("predict", arima)


def test_resolving_gives_the_kind_and_the_form_its_run_stores(penguins: DatasetProfile) -> None:
    resolution = resolve("train", _training(algorithm="xgboost", target_column="species"), penguins)
    assert resolution.spec.kind == "train"
    assert isinstance(resolution.resolved, ResolvedTraining)
    assert resolution.resolved.task_type == "classification"
    assert JOBS["train"].columns(resolution.resolved)[-1] == "species"
    assert JOBS["forecast"].resolved is ResolvedForecast


def test_each_kind_says_its_plan_in_words() -> None:
    config = _training(algorithm="xgboost", target_column="species",
                       hyperparameters={"max_depth": 3})  # fmt: skip
    assert JOBS["train"].describe(config) == (
        "Train xgboost (a model) to predict `species` on penguins, 20% held out for testing "
        "with max_depth=3."
    )
