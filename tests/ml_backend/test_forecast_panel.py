"""Forecasting a table of several series (one per store): found, asked about, never averaged
unasked; one series, each series, or their total, each checked against direct fits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ml_backend.configs import TrainingConfig
from ml_backend.datasets.profile import profile_parquet
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.forecast.panel import find_panel
from ml_backend.jobs.forecast.plots import recent_points
from ml_backend.jobs.forecast.run import (
    ForecastResult,
    GroupPoint,
    forecast,
    predict_future,
    resolve_forecast,
)
from ml_backend.jobs.forecast.words import summarize_forecast
from ml_backend.reporting import RecordingReporter
from ml_backend.schema import DatasetProfile
from tests.ml_backend.forecast_data import error_metrics, sarimax_fit, store_sales

HORIZON = 6
# A fixed structure keeps each fit to one model, so the direct fits below are the same model.
AR1 = {"order": [1, 1, 0], "seasonal_order": [0, 0, 0, 0], "trend": "n"}


def _profile(frame: pd.DataFrame, tmp_path: Path) -> DatasetProfile:
    """The profile the service would store for `frame` (the real profiler, from Parquet)."""
    path = tmp_path / f"table-{len(list(tmp_path.iterdir()))}.parquet"
    frame.to_parquet(path, index=False)
    return profile_parquet(path)


def _config(**fields: Any) -> TrainingConfig:
    return TrainingConfig.model_validate(
        {
            "dataset": {"name": "stores"},
            "algorithm": "arima",
            "target_column": "sales",
            "time_column": "date",
            "horizon": HORIZON,
            "hyperparameters": AR1,
            **fields,
        }
    )


def _forecast(
    frame: pd.DataFrame, tmp_path: Path, artifacts: Path | None = None, **fields: Any
) -> tuple[ForecastResult, dict[str, Any], RecordingReporter]:
    resolved = resolve_forecast(_config(**fields), _profile(frame, tmp_path))
    reporter = RecordingReporter()
    outcome = forecast(resolved, frame, reporter=reporter, artifact_dir=artifacts)
    return outcome.result, outcome.plots["forecast"], reporter


def _store_values(frame: pd.DataFrame, store: str) -> np.ndarray:
    rows = frame[frame["store"] == store].sort_values("date")
    return rows["sales"].to_numpy()


def _direct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The held-out tail's forecast and the future forecast, fitted directly."""
    backtest = sarimax_fit(values[:-HORIZON], AR1).get_forecast(HORIZON).predicted_mean
    future = sarimax_fit(values, AR1).get_forecast(HORIZON).predicted_mean
    return np.asarray(backtest), np.asarray(future)


@pytest.mark.parametrize(("stores", "months"), [(3, 30), (5, 48), (12, 24)])
def test_a_table_of_several_stores_is_seen_as_one_series_per_store(
    stores: int, months: int, tmp_path: Path
) -> None:
    frame = store_sales(stores, months, seed=stores)

    panel = find_panel(_profile(frame, tmp_path), "date", "sales")

    assert panel is not None
    assert panel.key.name == "store"  # not the region (too few values) nor the promo flag
    assert panel.key.distinct == stores
    assert panel.rows_per_time == pytest.approx(stores)


def test_a_single_series_and_stray_duplicates_are_no_panel(tmp_path: Path) -> None:
    one_store = store_sales(5, 48).query("store == 'S2'")
    # A few repeated dates (a correction booked twice) do not make five series.
    repeated = pd.concat([one_store, one_store.head(3)], ignore_index=True)

    assert find_panel(_profile(one_store, tmp_path), "date", "sales") is None
    assert find_panel(_profile(repeated, tmp_path), "date", "sales") is None


def test_a_panel_with_no_choice_is_refused_with_what_to_add(tmp_path: Path) -> None:
    frame = store_sales(5, 48)

    with pytest.raises(ConfigValidationError) as raised:
        resolve_forecast(_config(), _profile(frame, tmp_path))

    detail = raised.value.detail
    assert raised.value.field == "series"
    assert "5 series" in detail and "'store'" in detail
    for shown in ('"value": "S', '"mode": "each"', '"mode": "sum"'):
        assert shown in detail


def test_one_store_is_the_forecast_of_its_rows_alone(tmp_path: Path) -> None:
    frame = store_sales(5, 48)

    result, _, _ = _forecast(frame, tmp_path, series={"column": "store", "value": "S3"})

    backtest, future = _direct(_store_values(frame, "S3"))
    assert [p.predicted for p in result.test_forecast] == pytest.approx(backtest, rel=1e-6)
    assert [p.value for p in result.future_forecast] == pytest.approx(future, rel=1e-6)
    assert result.data_summary.merged_rows == 0
    assert result.series is not None and result.series.groups == ["S3"]
    assert "the series where `store` is S3" in summarize_forecast(1, result, [])


def test_each_store_gets_its_own_model_and_the_metrics_pool_the_tails(tmp_path: Path) -> None:
    frame = store_sales(5, 48)
    artifacts = tmp_path / "run"

    result, figure, reporter = _forecast(
        frame, tmp_path, artifacts, series={"column": "store", "mode": "each"}
    )

    labels = [f"S{n}" for n in range(1, 6)]
    assert [group.group for group in result.groups] == labels
    actual, predicted = [], []
    for group in result.groups:
        values = _store_values(frame, group.group)
        backtest, future = _direct(values)
        assert [p.predicted for p in group.test_forecast] == pytest.approx(backtest, rel=1e-6)
        assert [p.value for p in group.future_forecast] == pytest.approx(future, rel=1e-6)
        actual.append(values[-HORIZON:])
        predicted.append(backtest)
    pooled = error_metrics(np.concatenate(actual), np.concatenate(predicted))
    assert result.metrics["test"]["mae"] == pytest.approx(pooled["mae"], rel=1e-6)
    assert result.metrics["test"]["rmse"] == pytest.approx(pooled["rmse"], rel=1e-6)
    # The saved models continue each store's series, named by store.
    again = predict_future(artifacts, HORIZON)
    assert all(isinstance(point, GroupPoint) for point in again)
    by_store = {label: [p.value for p in again if p.group == label] for label in labels}
    for group in result.groups:
        assert by_store[group.group] == pytest.approx([p.value for p in group.future_forecast])
    # One legend entry per store; the progress counts every store's fits.
    legend = [t["name"] for t in figure["data"] if t.get("showlegend") is not False]
    assert legend == [f"store {label}" for label in labels]
    steps = [e for e in reporter.events if e["type"] == "progress"]
    assert steps[-1]["step"] == steps[-1]["total"] and steps[-1]["total"] % 5 == 0
    summary = summarize_forecast(1, result, ["forecast"])
    assert "a forecast for each of 5 stores" in summary


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_a_total_or_mean_is_asked_for_and_computed_per_date(mode: str, tmp_path: Path) -> None:
    frame = store_sales(5, 48)

    result, _, _ = _forecast(frame, tmp_path, series={"column": "store", "mode": mode})

    combined = frame.groupby("date")["sales"].agg(mode).sort_index().to_numpy()
    backtest, future = _direct(combined)
    assert [p.predicted for p in result.test_forecast] == pytest.approx(backtest, rel=1e-6)
    assert [p.value for p in result.future_forecast] == pytest.approx(future, rel=1e-6)
    noun = "total" if mode == "sum" else "mean"
    assert f"the {noun} of `sales` across 5 stores" in summarize_forecast(1, result, [])


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        ({"column": "stores", "value": "S3"}, "did you mean 'store'?"),
        ({"column": "store", "value": "s3"}, "did you mean 'S3'?"),
        ({"column": "store", "value": "S9"}, "Its values: S"),
        ({"column": "sales", "mode": "each"}, "is the target"),
    ],
)
def test_a_choice_that_names_nothing_says_what_there_is(
    series: dict[str, Any], expected: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigValidationError) as raised:
        resolve_forecast(_config(series=series), _profile(store_sales(5, 48), tmp_path))

    assert raised.value.field == "series"
    assert expected in raised.value.detail


def test_too_many_stores_to_forecast_each_is_refused_but_their_total_is_not(
    tmp_path: Path,
) -> None:
    profile = _profile(store_sales(25, 24), tmp_path)

    with pytest.raises(ConfigValidationError, match="at most 20"):
        resolve_forecast(_config(series={"column": "store", "mode": "each"}), profile)
    assert resolve_forecast(_config(series={"column": "store", "mode": "sum"}), profile)


def test_the_chart_shows_recent_history_at_the_forecasts_scale(tmp_path: Path) -> None:
    # Ten years of months before a six-month forecast: the chart keeps the last few horizons.
    frame = store_sales(1, 120)

    result, figure, _ = _forecast(frame, tmp_path)

    history = figure["data"][0]
    shown = recent_points(2 * HORIZON)
    assert shown < result.data_summary.train_samples
    assert len(history["y"]) == shown
    assert history["name"] == f"history (last {shown} points)"
    future = figure["data"][-1]
    assert future["name"] == "forecast" and len(future["x"]) == HORIZON
