"""The algorithm registry: every algorithm mlchat can train, by name."""

from __future__ import annotations

from typing import Any

from ml_backend.algorithms.base import AlgorithmSpec, ProgressHook
from ml_backend.algorithms.lightgbm import LightGBMSpec
from ml_backend.algorithms.linear import LinearSpec
from ml_backend.algorithms.neural_network import NeuralNetworkSpec
from ml_backend.algorithms.random_forest import RandomForestSpec
from ml_backend.algorithms.xgboost import XGBoostSpec
from ml_backend.errors import ConfigValidationError
from ml_backend.forecasters import is_forecaster
from ml_backend.suggestions import did_you_mean

ALGORITHMS: dict[str, AlgorithmSpec[Any]] = {
    spec.name: spec
    for spec in (
        XGBoostSpec(),
        LightGBMSpec(),
        RandomForestSpec(),
        LinearSpec(),
        NeuralNetworkSpec(),
    )
}


def get_algorithm(name: str) -> AlgorithmSpec[Any]:
    """The registered algorithm called `name`; ConfigValidationError with a suggestion if none."""
    spec = ALGORITHMS.get(name)
    if spec is None and is_forecaster(name):
        raise ConfigValidationError(
            f"{name} forecasts a series over time, it does not learn from feature columns: "
            "set task_type 'forecasting' and time_column (the date/time column), and run it "
            "as a forecast",
            field="algorithm",
        )
    if spec is None:
        raise ConfigValidationError(
            f"unknown algorithm '{name}'{did_you_mean(name, ALGORITHMS)} "
            f"Available: {', '.join(ALGORITHMS)}",
            field="algorithm",
        )
    return spec


__all__ = ["ALGORITHMS", "AlgorithmSpec", "ProgressHook", "get_algorithm"]
