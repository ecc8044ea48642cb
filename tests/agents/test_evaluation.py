"""The evaluation checker: each rule of the eval README passes what it should and no more."""

from __future__ import annotations

from typing import Any

import pytest

from bench.evaluation import check_case

PLAN: dict[str, Any] = {
    "action": "train",
    "message": "…",
    "config": {
        "algorithm": "XGBoost",
        "target_column": "species",
        "feature_columns": ["bill_length_mm", "island"],
        "split": {"strategy": "stratified", "test_size": 0.25},
        "hyperparameters": {"n_estimators": 100, "hidden_layers": [64, 32]},
        "columns": ["x", "y"],
        "parameters": {"color": "species", "trendline": True},
    },
}


@pytest.mark.parametrize(
    "expect",
    [
        {"action": "train"},
        {"action_in": ["clarify", "train"]},
        {"algorithm": "xgboost"},
        {"split.test_size": 0.25, "split.strategy": "STRATIFIED"},
        {"hyperparameters.n_estimators": 100.0},
        {"hyperparameters.hidden_layers": [64, 32]},
        {"feature_columns": ["island", "bill_length_mm"]},
        {"feature_columns_exclude": ["year", "sex"]},
        {"columns": ["x", "y"]},
        {"columns_include": ["y", "species"]},
        {"algorithm_in": ["lightgbm", "xgboost"]},
        {"parameters.trendline": True},
    ],
)
def test_a_matching_plan_passes(expect: dict[str, Any]) -> None:
    assert check_case(expect, PLAN) == []


@pytest.mark.parametrize(
    "expect",
    [
        {"action": "tune"},
        {"action_in": ["clarify", "error"]},
        {"algorithm": "lightgbm"},
        {"split.test_size": 0.2},
        {"split.validation_size": 0.1},
        {"hyperparameters.hidden_layers": [64]},
        {"feature_columns": ["island"]},
        {"feature_columns_exclude": ["island"]},
        {"columns": ["y", "x"]},
        {"columns_include": ["z"]},
        {"algorithm_in": ["linear"]},
        {"parameters.trendline": 1},
    ],
)
def test_a_differing_plan_is_reported(expect: dict[str, Any]) -> None:
    assert len(check_case(expect, PLAN)) == 1


def test_an_implicit_feature_list_fails_an_exclusion() -> None:
    plan = {"action": "train", "config": {"target_column": "sex"}, "message": ""}

    assert check_case({"feature_columns_exclude": ["year"]}, plan) != []


def test_a_plan_without_config_fails_every_field() -> None:
    plan = {"action": "clarify", "config": None, "message": "Which column?"}

    assert check_case({"action": "clarify"}, plan) == []
    assert len(check_case({"action": "clarify", "target_column": "species"}, plan)) == 1
