"""Forecasting: metrics and orders checked against statsmodels, saved models, bad configs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ml_backend.components import component_catalogue
from ml_backend.errors import ConfigValidationError
from ml_backend.forecasters.series import series_from_frame
from ml_backend.jobs.forecast.run import (
    ForecastResult,
    forecast,
    is_forecaster,
    predict_future,
    resolve_forecast,
)
from ml_backend.jobs.spec import Figure, Outcome
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.metrics import Predictions, compute_metrics
from ml_backend.reporting import RecordingReporter
from ml_backend.schema import ColumnKind
from tests.ml_backend.forecast_data import (
    co2_monthly,
    error_metrics,
    quiet_statsmodels,
    random_walk_years,
    sarimax_fit,
    seasonal_months,
)
from tests.ml_backend.training_data import config, profile_of

CO2: dict[str, Any] = {"target_column": "co2", "time_column": "date"}
SALES: dict[str, Any] = {"target_column": "sales", "time_column": "month"}


def _outcome(
    frame: pd.DataFrame, artifact_dir: Path | None = None, **fields: Any
) -> tuple[Outcome[ForecastResult], RecordingReporter]:
    resolved = resolve_forecast(config(**fields), profile_of(frame))
    reporter = RecordingReporter()
    return forecast(resolved, frame, reporter=reporter, artifact_dir=artifact_dir), reporter


def _run(
    frame: pd.DataFrame, artifact_dir: Path | None = None, **fields: Any
) -> tuple[ForecastResult, RecordingReporter]:
    outcome, reporter = _outcome(frame, artifact_dir, **fields)
    return outcome.result, reporter


def _predicted(result: ForecastResult) -> np.ndarray:
    return np.array([point.predicted for point in result.test_forecast])


@pytest.fixture(scope="module")
def co2_auto(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ForecastResult, Any, Path, dict[str, Figure]]:
    """Automatic ARIMA on 8 years of monthly CO2, the last 12 months held out."""
    artifacts = tmp_path_factory.mktemp("co2")
    outcome, reporter = _outcome(co2_monthly(), artifacts, algorithm="arima", horizon=12, **CO2)
    return outcome.result, reporter, artifacts, outcome.plots


def test_arima_metrics_equal_statsmodels_sarimax_of_the_chosen_order(
    co2_auto: tuple[ForecastResult, RecordingReporter, Path, dict[str, Figure]],
) -> None:
    result, _, _, _ = co2_auto
    values = co2_monthly()["co2"].to_numpy()
    chosen = result.hyperparameters
    assert chosen["seasonal_order"] == [0, 1, 1, 12]  # CO2's yearly cycle is found
    direct = sarimax_fit(values[:-12], chosen).get_forecast(12)
    expected = error_metrics(values[-12:], np.asarray(direct.predicted_mean))
    assert result.metrics["test"] == pytest.approx(expected, rel=1e-9)
    bounds = np.asarray(direct.conf_int(alpha=0.05))
    assert _predicted(result) == pytest.approx(np.asarray(direct.predicted_mean), rel=1e-9)
    assert [p.lower for p in result.test_forecast] == pytest.approx(bounds[:, 0], rel=1e-9)
    assert [p.upper for p in result.test_forecast] == pytest.approx(bounds[:, 1], rel=1e-9)
    assert [p.actual for p in result.test_forecast] == pytest.approx(values[-12:])
    assert result.data_summary.model_dump(include={"train_samples", "test_samples"}) == {
        "train_samples": len(values) - 12,
        "test_samples": 12,
    }


def test_the_chosen_order_has_the_lowest_aic_of_the_grid(
    co2_auto: tuple[ForecastResult, RecordingReporter, Path, dict[str, Figure]],
) -> None:
    result, reporter, _, _ = co2_auto
    scores = result.model_selection
    orders = sorted(tuple(s.hyperparameters["order"]) for s in scores)
    d = result.hyperparameters["order"][1]
    assert orders == [(p, d, q) for p in range(3) for q in range(3)]
    best = min(scores, key=lambda s: s.aic if s.aic is not None else np.inf)
    assert best.hyperparameters == result.hyperparameters
    head = co2_monthly()["co2"].to_numpy()[:-12]
    for score in (best, scores[0], scores[-1]):
        assert sarimax_fit(head, score.hyperparameters).aic == pytest.approx(score.aic, rel=1e-9)
    steps = [e for e in reporter.events if e["type"] == "progress" and "AIC" in e["message"]]
    assert [e["metrics"]["aic"] for e in steps] == [s.aic for s in scores]
    assert [e["step"] for e in steps] == list(range(1, 10))
    assert {e["total"] for e in steps} == {10}  # nine candidates and the refit


def test_explicit_orders_and_interval_width_are_respected() -> None:
    frame = seasonal_months()
    hyperparameters = {
        "order": [1, 1, 0],
        "seasonal_order": [0, 0, 0, 0],
        "trend": "n",
        "interval_width": 0.8,
    }
    result, _ = _run(frame, algorithm="arima", horizon=6, hyperparameters=hyperparameters, **SALES)
    assert result.model == "ARIMA(1,1,0)"
    assert len(result.model_selection) == 1
    assert result.hyperparameters == hyperparameters
    values = frame["sales"].to_numpy()
    direct = sarimax_fit(values[:-6], hyperparameters).get_forecast(6)
    assert _predicted(result) == pytest.approx(np.asarray(direct.predicted_mean), rel=1e-9)
    lower = np.asarray(direct.conf_int(alpha=0.2))[:, 0]
    assert [p.lower for p in result.test_forecast] == pytest.approx(lower, rel=1e-9)


def test_ets_equals_statsmodels_etsmodel() -> None:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    frame = seasonal_months()
    result, reporter = _run(frame, algorithm="ets", horizon=6, **SALES)
    assert result.model == "ETS(A,A,A)[12]"
    assert any(e.get("message", "").startswith("additive season of 12") for e in reporter.events)
    values = frame["sales"].to_numpy()
    with quiet_statsmodels():
        fitted = ETSModel(
            pd.Series(values[:-6]), error="add", trend="add", seasonal="add", seasonal_periods=12
        ).fit(disp=False)
    direct = fitted.get_prediction(start=54, end=59).summary_frame(alpha=0.05)
    assert result.metrics["test"] == pytest.approx(
        error_metrics(values[-6:], direct["mean"].to_numpy()), rel=1e-9
    )
    assert [p.upper for p in result.test_forecast] == pytest.approx(direct["pi_upper"], rel=1e-9)
    assert result.model_selection[0].aic == pytest.approx(fitted.aic, rel=1e-9)


def test_ets_without_a_season_or_with_a_damped_trend() -> None:
    frame = seasonal_months()
    hyperparameters = {"damped_trend": True, "seasonal": None}
    result, _ = _run(frame, algorithm="ets", horizon=6, hyperparameters=hyperparameters, **SALES)
    assert result.model == "ETS(A,Ad,N)"
    assert result.hyperparameters["seasonal"] is None


@pytest.mark.parametrize(
    ("algorithm", "hyperparameters"),
    [("arima", {"order": [1, 0, 0], "seasonal_order": [0, 1, 1, 12]}), ("ets", {})],
)
def test_predict_future_continues_the_series_from_the_saved_full_model(
    algorithm: str, hyperparameters: dict[str, Any], tmp_path: Path
) -> None:
    frame = seasonal_months()
    result, reporter = _run(
        frame, tmp_path, algorithm=algorithm, horizon=6, hyperparameters=hyperparameters, **SALES
    )
    future = predict_future(tmp_path, 9)
    assert [p.time for p in future] == list(pd.date_range("2020-01-01", periods=9, freq="MS"))
    saved = result.future_forecast
    assert [p.value for p in future[:6]] == pytest.approx([p.value for p in saved], rel=1e-9)
    assert [p.lower for p in future[:6]] == pytest.approx([p.lower for p in saved], rel=1e-9)
    if algorithm == "arima":
        # the saved model is refitted on every point, not only the head
        full = sarimax_fit(frame["sales"].to_numpy(), result.hyperparameters).get_forecast(9)
        assert [p.value for p in future] == pytest.approx(np.asarray(full.predicted_mean))
    written = {e["name"] for e in reporter.events if e["type"] == "artifact"}
    assert set(result.model_files) == written == {p.name for p in tmp_path.iterdir()}


def test_a_numbered_time_axis_continues_by_its_step(tmp_path: Path) -> None:
    frame = random_walk_years()
    result, reporter = _run(frame, tmp_path, algorithm="arima", horizon=5, **_years())
    assert result.time_axis.kind == "number" and result.time_axis.step == 1
    assert [p.time for p in result.test_forecast] == [1995, 1996, 1997, 1998, 1999]
    assert [p.time for p in predict_future(tmp_path, 3)] == [2000, 2001, 2002]
    messages = [e.get("message") or "" for e in reporter.events]
    assert any(m.startswith("d = 1: KPSS") for m in messages)  # a random walk is differenced


def _years() -> dict[str, Any]:
    return {"target_column": "level", "time_column": "year"}


def test_gaps_duplicates_and_missing_rows_are_handled_and_logged() -> None:
    frame = seasonal_months(48)
    sales = frame["sales"].to_numpy(copy=True)
    sales[20] = np.nan  # a month without a value stays a gap on the grid
    frame["sales"] = sales
    extra = pd.DataFrame(
        {
            "month": [frame["month"].iloc[30], pd.NaT],
            "sales": [sales[30] + 4.0, 1.0],
            "region": ["north", "north"],
        }
    )
    frame = pd.concat([frame, extra], ignore_index=True)
    frame = frame.sample(frac=1.0, random_state=0)  # order must come from the time column
    hyperparameters = {"order": [1, 0, 0], "seasonal_order": [0, 0, 0, 0], "trend": "c"}
    result, reporter = _run(
        frame, algorithm="arima", horizon=6, hyperparameters=hyperparameters, **SALES
    )
    messages = [e["message"] for e in reporter.events if e["type"] == "log"]
    assert "1 row(s) dropped: no 'month'" in messages
    assert "1 row(s) dropped: no value in 'sales'" in messages
    assert any(m.startswith("1 row(s) share a time") for m in messages)
    summary = result.data_summary
    assert (summary.total_samples, summary.missing_points, summary.merged_rows) == (48, 1, 1)
    values = seasonal_months(48)["sales"].to_numpy(copy=True)
    values[20] = np.nan
    values[30] += 2.0  # the mean of the two rows at that month
    direct = sarimax_fit(values[:-6], hyperparameters).get_forecast(6)
    assert _predicted(result) == pytest.approx(np.asarray(direct.predicted_mean), rel=1e-9)


def test_the_forecast_figure_is_plain_json(
    co2_auto: tuple[ForecastResult, RecordingReporter, Path, dict[str, Figure]],
) -> None:
    result, _, artifacts, plots = co2_auto
    figure = plots["forecast"]
    text = json.dumps(figure, allow_nan=False)
    assert json.loads((artifacts / "forecast.json").read_text()) == json.loads(text)
    names = [trace["name"] for trace in figure["data"]]
    assert names == [
        "history",
        "95% interval (held-out tail)",
        "actual (held out)",
        "forecast of the held-out tail",
        "95% interval",
        "forecast",
    ]
    history = figure["data"][0]
    assert history["x"][0] == "1994-01-01T00:00:00"
    assert len(history["y"]) == result.data_summary.train_samples
    assert "plots" not in json.loads((artifacts / "metrics.json").read_text())


def test_prophet_matches_a_direct_fit_and_its_saved_model(tmp_path: Path) -> None:
    pytest.importorskip("prophet")
    from prophet import Prophet

    frame = seasonal_months()
    hyperparameters = {"yearly_seasonality": True, "changepoint_prior_scale": 0.1}
    result, _ = _run(
        frame, tmp_path, algorithm="prophet", horizon=6, hyperparameters=hyperparameters, **SALES
    )
    direct = Prophet(yearly_seasonality=True, changepoint_prior_scale=0.1, interval_width=0.95)
    direct.fit(frame.iloc[:-6].rename(columns={"month": "ds", "sales": "y"})[["ds", "y"]])
    expected = direct.predict(frame.iloc[-6:].rename(columns={"month": "ds"})[["ds"]])
    assert _predicted(result) == pytest.approx(expected["yhat"].to_numpy(), rel=1e-9)
    future = predict_future(tmp_path, 6)
    assert [p.model_dump() for p in future] == [p.model_dump() for p in result.future_forecast]


def test_smape_is_the_symmetric_share_and_zero_where_both_are_zero() -> None:
    actual = np.array([0.0, 2.0, 4.0, 10.0])
    predicted = np.array([0.0, 1.0, 5.0, 10.0])
    got = compute_metrics(["smape", "mape"], Predictions(actual, predicted))
    expected = np.mean([0.0, 2 * 1 / 3, 2 * 1 / 9, 0.0])
    assert got == {"smape": pytest.approx(expected), "mape": None}


def _profile_error(frame: pd.DataFrame, **fields: Any) -> str:
    with pytest.raises(ConfigValidationError) as caught:
        resolve_forecast(config(**fields), profile_of(frame))
    return caught.value.detail


def test_bad_configs_get_errors_that_say_what_to_do() -> None:
    months = seasonal_months()
    assert "forecasting needs time_column" in _profile_error(
        months, algorithm="arima", target_column="sales"
    )
    assert "(date/time columns: month)" in _profile_error(
        months, algorithm="arima", target_column="sales"
    )
    assert "a forecast needs a numeric target, but 'region'" in _profile_error(
        months, algorithm="arima", target_column="region", time_column="month"
    )
    assert _profile_error(months, algorithm="arima", horizon=500, **SALES).startswith(
        "horizon 500 is longer than the 60 rows with a value in 'sales'"
    )
    assert "leaves 5 to fit on" in _profile_error(months, algorithm="ets", horizon=55, **SALES)
    assert "did you mean 'arima'?" in _profile_error(months, algorithm="arimax", **SALES)
    assert "xgboost is a tabular algorithm" in _profile_error(
        months, algorithm="xgboost", task_type="forecasting", **SALES
    )
    assert "uses no other columns" in _profile_error(
        months, algorithm="ets", feature_columns=["region"], **SALES
    )
    prophet_error = _profile_error(random_walk_years(), algorithm="prophet", **_years())
    if importlib.util.find_spec("prophet") is None:
        assert "prophet is not installed on this server" in prophet_error
    else:
        assert "prophet needs dates, but time_column 'year'" in prophet_error
    assert "hyperparameters.order" in _profile_error(
        months, algorithm="arima", hyperparameters={"order": [1, 3, 0]}, **SALES
    )


def test_too_short_a_series_is_refused_before_and_during_the_run() -> None:
    short = seasonal_months(8)
    assert "too short a series" in _profile_error(short, algorithm="arima", **SALES)
    months = seasonal_months(30)
    resolved = resolve_forecast(
        config(algorithm="ets", horizon=6, hyperparameters={"seasonal": "add"}, **SALES),
        profile_of(months),
    )
    with pytest.raises(ConfigValidationError, match=r"ETS\(A,A,A\)\[12\] needs at least 25"):
        forecast(resolved, months, reporter=RecordingReporter())


def test_forecasters_are_routed_away_from_tabular_training() -> None:
    months = seasonal_months()
    with pytest.raises(ConfigValidationError, match="arima forecasts a series over time"):
        resolve_training(
            config(algorithm="arima", target_column="sales"),
            profile_of(months, {"month": ColumnKind.DATETIME}),
        )
    assert is_forecaster("ets") and not is_forecaster("xgboost")
    algorithms = {c["name"]: c for c in component_catalogue("algorithm")}
    assert algorithms["arima"]["tasks"] == ["forecasting"]
    assert "order" in algorithms["arima"]["parameters"]["properties"]
    metrics = {c["name"]: c["tasks"] for c in component_catalogue("metric")}
    assert metrics["smape"] == ["forecasting"]
    assert metrics["mae"] == ["regression", "forecasting"]


@pytest.mark.parametrize(
    ("times", "frequency", "season"),
    [
        (pd.date_range("2020-01-01", periods=30, freq="MS"), "MS", 12),
        (pd.date_range("2020-01-31", periods=30, freq="ME"), "ME", 12),
        (pd.date_range("2020-01-06", periods=30, freq="B"), "B", 5),
        (pd.date_range("2020-01-06", periods=30, freq="W-MON"), "W-MON", 52),
        (pd.date_range("2020-01-01", periods=30, freq="h", tz="Europe/Berlin"), "h", 24),
    ],
)
def test_a_regular_axis_is_found_despite_gaps_and_continued_by_it(
    times: pd.DatetimeIndex, frequency: str, season: int
) -> None:
    gappy = times.delete([3, 4, 17])  # pandas alone infers no frequency from these
    frame = pd.DataFrame({"time": gappy, "value": np.arange(len(gappy), dtype=np.float64)})
    series = series_from_frame(frame, "time", "value").series
    assert (series.axis.frequency, series.axis.seasonal_period) == (frequency, season)
    assert list(series.times) == list(times)
    assert list(np.flatnonzero(np.isnan(series.values))) == [3, 4, 17]
    expected = pd.date_range(times[-1], periods=4, freq=frequency)[1:]
    assert list(series.axis.following(series.times[-1], 3)) == list(expected)
