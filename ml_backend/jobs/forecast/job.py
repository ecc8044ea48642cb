"""The forecast kind: a series' next steps, asked for as a training with a time column.

It shares the `train` route: a TrainingConfig sent there is a forecast when it says
`task_type: forecasting` or names a forecaster.
"""

from __future__ import annotations

import pandas as pd

from ml_backend.configs import TrainingConfig
from ml_backend.jobs.forecast.resolve import ResolvedForecast, resolve_forecast
from ml_backend.jobs.forecast.run import ForecastResult, forecast, is_forecast
from ml_backend.jobs.forecast.words import describe_forecast, summarize_forecast
from ml_backend.jobs.spec import JobEnv, JobResult, JobSpec, Outcome
from ml_backend.jobs.train.job import test_values


class ForecastRun(ForecastResult, JobResult):
    """A finished forecast as stored: the result and its chart's name."""

    def test_metrics(self) -> dict[str, float] | None:
        return test_values(self.metrics)


def columns(resolved: ResolvedForecast) -> list[str]:
    key = [resolved.series.column] if resolved.series is not None else []
    return [resolved.time_column, resolved.target_column, *key]


def run(frame: pd.DataFrame, resolved: ResolvedForecast, env: JobEnv) -> Outcome[ForecastRun]:
    env.training()
    outcome = forecast(resolved, frame, reporter=env.reporter, artifact_dir=env.artifact_dir)
    stored = ForecastRun.model_validate({**dict(outcome.result), "plots": sorted(outcome.plots)})
    return Outcome(stored, outcome.plots)


def summarize(run_id: int, result: ForecastRun) -> str:
    return summarize_forecast(run_id, result, result.plots)


SPEC = JobSpec(
    kind="forecast",
    route="train",
    tool="forecast",
    description=(
        "Forecast a numeric series over time (task_type 'forecasting', time_column, "
        "horizon; algorithm arima or ets)."
    ),
    config=TrainingConfig,
    resolved=ResolvedForecast,
    result=ForecastRun,
    resolve=resolve_forecast,
    columns=columns,
    run=run,
    describe=describe_forecast,
    summarize=summarize,
    claims=is_forecast,
    forecasts=True,
)
