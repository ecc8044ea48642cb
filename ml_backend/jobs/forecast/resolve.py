"""Checking a forecasting config against a dataset's profile, before any job is queued.

A forecast holds out the tail of the series: its last `horizon` points when a horizon is
given (the same number of steps is then forecast beyond the data), else the last
`split.test_size` share of the points. The split's strategy does not apply: the tail is
always the test part.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict

from ml_backend.algorithms import ALGORITHMS
from ml_backend.configs import DatasetRef, SplitStrategy, TaskType, TrainingConfig
from ml_backend.errors import ConfigValidationError
from ml_backend.forecasters import FORECASTERS, ForecasterSpec, available_forecasters
from ml_backend.forecasters import get_forecaster as _registered
from ml_backend.forecasters.base import MIN_SERIES_POINTS
from ml_backend.hyperparameters import validate_hyperparameters
from ml_backend.jobs.forecast.panel import ResolvedSeries, resolve_series
from ml_backend.jobs.train.resolve import is_numeric_dtype
from ml_backend.metrics import resolve_metrics
from ml_backend.schema import ColumnKind, ColumnProfile, DatasetProfile
from ml_backend.suggestions import did_you_mean, name_list


class ResolvedForecast(BaseModel):
    """A forecasting config checked against its dataset, with every default made explicit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None
    algorithm: str
    task_type: TaskType = TaskType.FORECASTING
    dataset: DatasetRef
    target_column: str
    time_column: str
    horizon: int | None
    """Steps held out at the end and forecast beyond the data; None: `test_size` decides."""
    test_size: float
    """Share of the series held out at the end when there is no horizon."""
    hyperparameters: dict[str, Any]
    metrics: list[str]
    random_state: int
    """Seed of simulated prediction intervals (ETS with multiplicative parts, Prophet)."""
    series: ResolvedSeries | None = None
    """Which series of a panel (several series per time stamp); None for a table of one."""


def resolve_forecast(config: TrainingConfig, profile: DatasetProfile) -> ResolvedForecast:
    """`config` checked as a forecast against `profile`; ConfigValidationError says what to fix."""
    spec = forecaster_for(config.algorithm)
    if config.task_type not in (None, TaskType.FORECASTING):
        raise ConfigValidationError(
            f"{spec.name} forecasts a series: task_type must be 'forecasting' (or left out), "
            f"not '{config.task_type.value}'",
            field="task_type",
        )
    target = _column(profile, config.target_column, "target_column")
    _check_target(target)
    time_column = _time_column(config, profile, spec)
    if config.feature_columns:
        raise ConfigValidationError(
            f"{spec.name} forecasts '{target.name}' from its own past and uses no other "
            "columns; leave feature_columns out",
            field="feature_columns",
        )
    _check_split(config)
    series = resolve_series(config.series, profile, time_column.name, target.name)
    points = profile.row_count - target.missing
    if series is not None:
        # A panel's series are each at most as long as the time column has distinct values.
        points = min(points, time_column.distinct)
    _check_length(target, points, config.horizon, config.split.test_size)
    return ResolvedForecast(
        name=config.name,
        algorithm=spec.name,
        dataset=config.dataset,
        target_column=target.name,
        time_column=time_column.name,
        horizon=config.horizon,
        test_size=config.split.test_size,
        hyperparameters=validate_hyperparameters(spec, config.hyperparameters),
        metrics=resolve_metrics(config.metrics, TaskType.FORECASTING),
        random_state=config.split.random_state,
        series=series,
    )


def forecaster_for(name: str) -> ForecasterSpec[Any]:
    """The installed forecaster `name`; tabular algorithms get an error naming the forecasters."""
    if name in ALGORITHMS and name not in FORECASTERS:
        names = ", ".join(spec.name for spec in available_forecasters())
        raise ConfigValidationError(
            f"{name} is a tabular algorithm and cannot forecast a series; forecasting uses "
            f"one of: {names}",
            field="algorithm",
        )
    return _registered(name)


def check_tail(points: int, tail: int, horizon: int | None, counted: str) -> None:
    """Raise when holding out `tail` of `points` (`counted`: what they are) leaves too little."""
    if tail >= points:
        what = f"horizon {horizon}" if horizon is not None else f"a test part of {tail} points"
        raise ConfigValidationError(
            f"{what} is longer than the {points} {counted}; forecast at most "
            f"{max(points - MIN_SERIES_POINTS, 0)} steps",
            field="horizon" if horizon is not None else "split",
        )
    if points - tail < MIN_SERIES_POINTS:
        raise ConfigValidationError(
            f"holding out the last {tail} of {points} points leaves {points - tail} to fit "
            f"on; a forecaster needs at least {MIN_SERIES_POINTS}. Use a shorter horizon "
            "(or smaller test_size), or a longer series",
            field="horizon" if horizon is not None else "split",
        )


def _column(profile: DatasetProfile, name: str, field: str) -> ColumnProfile:
    column = profile.column(name)
    if column is None:
        names = profile.column_names
        raise ConfigValidationError(
            f"column '{name}' not found{did_you_mean(name, names)} Columns: {name_list(names)}",
            field=field,
        )
    return column


def _check_target(target: ColumnProfile) -> None:
    if target.kind is ColumnKind.BOOLEAN or not is_numeric_dtype(target.dtype):
        raise ConfigValidationError(
            f"a forecast needs a numeric target, but '{target.name}' holds "
            f"{target.kind.value} values ({target.dtype}); choose a numeric column",
            field="target_column",
        )
    if target.distinct < 2:
        raise ConfigValidationError(
            f"target '{target.name}' has {'no' if not target.distinct else 'only one'} value; "
            "there is nothing to forecast. Choose another target column",
            field="target_column",
        )


def _time_column(
    config: TrainingConfig, profile: DatasetProfile, spec: ForecasterSpec[Any]
) -> ColumnProfile:
    dates = [c.name for c in profile.columns if c.kind is ColumnKind.DATETIME]
    hint = f" (date/time columns: {name_list(dates)})" if dates else ""
    if config.time_column is None:
        raise ConfigValidationError(
            f"forecasting needs time_column: the date/time column that orders the series{hint}",
            field="time_column",
        )
    column = _column(profile, config.time_column, "time_column")
    if column.name == config.target_column:
        raise ConfigValidationError(
            f"time_column '{column.name}' is also the target; name the column of dates{hint}",
            field="time_column",
        )
    is_date = column.kind is ColumnKind.DATETIME
    if spec.needs_dates and not is_date:
        raise ConfigValidationError(
            f"{spec.name} needs dates, but time_column '{column.name}' holds "
            f"{column.kind.value} values ({column.dtype}); use arima or ets for a numbered axis",
            field="time_column",
        )
    if not is_date and (column.kind is ColumnKind.BOOLEAN or not is_numeric_dtype(column.dtype)):
        raise ConfigValidationError(
            f"time_column '{column.name}' holds {column.kind.value} values ({column.dtype}); "
            f"it must hold dates or numbers that order the series{hint}",
            field="time_column",
        )
    if column.missing >= profile.row_count:
        raise ConfigValidationError(
            f"time_column '{column.name}' has no values{hint}", field="time_column"
        )
    return column


def _check_split(config: TrainingConfig) -> None:
    if config.split.strategy is SplitStrategy.STRATIFIED:
        raise ConfigValidationError(
            "a forecast holds out the end of the series, so a stratified split does not "
            "apply; leave split.strategy out (or use 'time')",
            field="split",
        )
    if config.split.validation_size > 0:
        raise ConfigValidationError(
            "a forecast holds out only the tail of the series; set split.validation_size to 0",
            field="split",
        )


def _check_length(
    target: ColumnProfile, points: int, horizon: int | None, test_size: float
) -> None:
    if points < MIN_SERIES_POINTS + 1:
        raise ConfigValidationError(
            f"'{target.name}' has {points} rows with a value: too short a series; forecasting "
            f"needs at least {MIN_SERIES_POINTS + 1} (some to fit on, one or more to test on)",
            field="target_column",
        )
    counted = f"rows with a value in '{target.name}'"
    check_tail(points, held_out_points(points, horizon, test_size), horizon, counted)


def held_out_points(points: int, horizon: int | None, test_size: float) -> int:
    """How many points at the end are held out: the horizon, else the test_size share."""
    if horizon is not None:
        return horizon
    return max(1, math.ceil(points * test_size))
