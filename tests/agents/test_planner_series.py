"""Forecasts of a table with several series per date: the planner asks which, unless the
message says one series, each series or their total, in any language it reads."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agents.planner import plan_message
from agents.validation import check_action
from ml_backend.datasets.profile import profile_parquet
from ml_backend.schema import DatasetProfile
from tests.agents.planner_data import sales_table
from tests.ml_backend.forecast_data import store_sales

# (key column, its values, time column, target): panels of different shapes and names.
PANELS = [
    ("store", [f"S{n}" for n in range(1, 6)], "date", "sales"),
    ("shop", ["berlin", "munich", "hamburg"], "week", "revenue"),
    ("warehouse", ["WH-A", "WH-B", "WH-C", "WH-D", "WH-E", "WH-F", "WH-G"], "day", "units"),
    ("branch", ["B01", "B02", "B03", "B04"], "month", "orders"),
]
FREQUENCY = {"date": "MS", "week": "W-MON", "day": "D", "month": "MS"}
# Asking for a forecast without saying which series, in the ways people ask.
UNSAID = [
    "forecast {target}",
    "forecast {target} for the next 6 steps",
    "predict {target} 3 months ahead",
    "what will {target} be in the future? forecast it",
    "Prognose von {target} für die nächsten 6 Monate",
    "pronostica {target} para los próximos 6 meses",
]


def _panel(key: str, values: list[str], time: str, target: str, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    times = pd.date_range("2020-01-06", periods=40, freq=FREQUENCY[time])
    rows = [
        {time: moment, key: value, target: float(50 * (i + 1) + step + rng.normal(0, 3))}
        for i, value in enumerate(values)
        for step, moment in enumerate(times)
    ]
    return pd.DataFrame(rows).sample(frac=1.0, random_state=seed)


def _profile(frame: pd.DataFrame, directory: Path) -> DatasetProfile:
    path = directory / f"{len(list(directory.iterdir()))}.parquet"
    frame.to_parquet(path, index=False)
    return profile_parquet(path)


@pytest.mark.parametrize(
    ("panel", "phrasing"), list(itertools.product(range(len(PANELS)), range(len(UNSAID))))
)
def test_a_forecast_of_a_panel_that_says_no_series_asks_which(
    panel: int, phrasing: int, tmp_path: Path
) -> None:
    key, values, time, target = PANELS[panel]
    profile = _profile(_panel(key, values, time, target, seed=panel), tmp_path)

    plan = plan_message(UNSAID[phrasing].format(target=target), profile, {"name": "t"})

    assert (plan.action, plan.config) == ("clarify", None)
    assert f"`{key}`" in plan.message and f"{len(values)} series" in plan.message
    named = [value for value in values if f"`{value}`" in plan.message]
    assert len(named) >= min(3, len(values))
    # The three ways out, each with words the planner itself understands.
    for way in (f"for {key} {named[0]}", f"for each {key}", f"total {target}"):
        assert way in plan.message
        answer = plan_message(f"forecast {target} {way}", profile, {"name": "t"})
        assert answer.action == "forecast" and answer.config is not None
        assert answer.config["series"]["column"] == key


CHOICES = {
    "en": {
        "forecast sales for store S3": {"column": "store", "value": "S3"},
        "forecast sales for each store 6 months ahead": {"column": "store", "mode": "each"},
        "forecast total sales for the next 6 months": {"column": "store", "mode": "sum"},
        "forecast the average sales across stores": {"column": "store", "mode": "mean"},
    },
    "de": {
        "Prognose von sales für store S3": {"column": "store", "value": "S3"},
        "Prognose von sales für jeden store, 6 Monate voraus": {"column": "store", "mode": "each"},
        "Prognose der gesamten sales für die nächsten 6 Monate": {
            "column": "store",
            "mode": "sum",
        },
    },
    "es": {
        "pronostica sales de la store S3 para los próximos 6 meses": {
            "column": "store",
            "value": "S3",
        },
        "pronostica sales para cada store": {"column": "store", "mode": "each"},
        "pronostica el total de sales de todas las store": {"column": "store", "mode": "sum"},
    },
}


@pytest.mark.parametrize(
    ("message", "series"),
    [(m, s) for language in CHOICES.values() for m, s in language.items()],
)
def test_one_store_each_store_or_the_total_become_the_config(
    message: str, series: dict[str, str], tmp_path: Path
) -> None:
    profile = _profile(store_sales(5, 48), tmp_path)

    plan = plan_message(message, profile, {"name": "stores"})

    assert plan.action == "forecast" and plan.config is not None
    assert plan.config["series"] == series
    assert plan.config["target_column"] == "sales"
    check_action("forecast", plan.config, profile)  # the real validators accept it


def test_a_value_no_store_has_is_not_taken_and_a_follow_up_keeps_the_choice(
    tmp_path: Path,
) -> None:
    profile = _profile(store_sales(5, 48), tmp_path)
    first = plan_message("forecast sales for store S3", profile, {"name": "stores"})

    unknown = plan_message("forecast sales for store S9", profile, {"name": "stores"})
    later = plan_message("now 12 months ahead", profile, {"name": "stores"}, first)

    assert unknown.action == "clarify"
    assert later.config is not None and later.config["series"] == {"column": "store", "value": "S3"}
    assert later.config["horizon"] == 12


def test_a_table_of_one_series_is_forecast_without_a_question(tmp_path: Path) -> None:
    frame = sales_table().to_pandas()
    profile = _profile(frame, tmp_path)

    plan = plan_message("forecast revenue for the next 8 weeks", profile, {"name": "sales"})

    assert plan.action == "forecast" and plan.config is not None
    assert "series" not in plan.config
