"""Forecasting a series: fit on its head, score the forecast of its tail, forecast ahead, save.

`forecast` builds the series (rows without a time or value dropped, duplicate times
averaged, gaps kept on a regular grid), fits the forecaster on all but the held-out tail
(choosing among candidate models by AIC where the forecaster offers several), scores the
tail's forecast, refits the chosen model on the whole series and forecasts beyond it.
`predict_future` forecasts any number of further steps from the saved model.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from ml_backend.configs import SeriesMode, TaskType, TrainingConfig
from ml_backend.errors import ConfigValidationError, DatasetFormatError
from ml_backend.forecasters import (
    FittedForecaster,
    ForecasterSpec,
    IntervalForecast,
    get_forecaster,
    is_forecaster,
)
from ml_backend.forecasters.base import ForecasterParams
from ml_backend.forecasters.series import (
    Series,
    TimeAxis,
    TimeValue,
    finite_or_none,
    plain_time,
    series_from_frame,
)
from ml_backend.jobs.forecast.panel import SeriesPart, SeriesSummary, series_parts
from ml_backend.jobs.forecast.plots import PanelLine, forecast_figure, panel_figure
from ml_backend.jobs.forecast.resolve import (
    ResolvedForecast,
    check_tail,
    held_out_points,
    resolve_forecast,
)
from ml_backend.jobs.spec import Figure, Outcome
from ml_backend.metrics import Predictions, compute_metrics
from ml_backend.reporting import Reporter, ScopedReporter

FORECAST_MODEL_FILE = "forecast_model.json"
FORECAST_PLOT_FILE = "forecast.json"
METRICS_FILE = "metrics.json"
MAX_FUTURE_STEPS = 100_000


class ForecastPoint(BaseModel):
    """One forecast step beyond the data, with its prediction interval."""

    time: TimeValue
    value: float | None
    lower: float | None
    upper: float | None


class TailPoint(BaseModel):
    """One held-out point: its actual value (None in a gap) and its forecast."""

    time: TimeValue
    actual: float | None
    predicted: float | None
    lower: float | None
    upper: float | None


class GroupPoint(ForecastPoint):
    """A forecast step of one series of a panel forecast per series."""

    group: str


class CandidateScore(BaseModel):
    """One model fitted while choosing the structure, and its AIC."""

    model: str
    hyperparameters: dict[str, Any]
    aic: float | None


class ForecastDataSummary(BaseModel):
    """How many points the series had and where they went."""

    total_samples: int
    """Points of the series, gaps on its regular grid included."""
    train_samples: int
    test_samples: int
    missing_points: int
    """Grid points without a value (skipped, or interpolated by ETS)."""
    rows_without_target: int
    rows_without_time: int
    merged_rows: int
    """Rows averaged into another with the same time."""
    start: TimeValue
    end: TimeValue


class GroupForecast(BaseModel):
    """One series' forecast within a forecast of each series of a panel."""

    group: str
    """The series' key value."""
    model: str
    hyperparameters: dict[str, Any]
    metrics: dict[str, dict[str, float | None]]
    data_summary: ForecastDataSummary
    test_forecast: list[TailPoint]
    future_forecast: list[ForecastPoint]


class ForecastResult(BaseModel):
    """Everything a finished forecast reports; plain JSON values only."""

    task_type: TaskType = TaskType.FORECASTING
    algorithm: str
    model: str
    """The fitted model in words, e.g. 'ARIMA(1,1,1)(0,1,1)[12] with drift'."""
    target_column: str
    time_column: str
    metrics: dict[str, dict[str, float | None]]
    """{"test": metric name -> value on the held-out tail}."""
    hyperparameters: dict[str, Any]
    """The parameters of the chosen model, every automatic choice made explicit."""
    time_axis: TimeAxis
    data_summary: ForecastDataSummary
    model_selection: list[CandidateScore]
    test_forecast: list[TailPoint]
    future_forecast: list[ForecastPoint]
    training_duration_seconds: float
    model_files: list[str]
    """File names, relative to the artifact directory."""
    series: SeriesSummary | None = None
    """Which series of a panel the forecast is about; None for a table of one series."""
    groups: list[GroupForecast] = []
    """A forecast of each series (series.mode 'each'): each one's model, tail and future;
    the top-level metrics then pool every series' held-out tail, and the top-level
    forecasts are empty."""


class SavedForecast(BaseModel):
    """forecast_model.json: what `predict_future` needs besides the model file."""

    model_config = ConfigDict(extra="forbid")

    algorithm: str
    model: str
    model_file: str
    hyperparameters: dict[str, Any]
    target_column: str
    time_column: str
    time_axis: TimeAxis
    last_time: TimeValue
    points: int
    random_state: int


class SavedGroup(BaseModel):
    """One series' saved model in a forecast of each series: its key and its folder."""

    label: str
    folder: str


class SavedPanel(BaseModel):
    """forecast_model.json of a forecast of each series: where each series' model is."""

    model_config = ConfigDict(extra="forbid")

    column: str
    groups: list[SavedGroup]


def is_forecast(config: TrainingConfig) -> bool:
    """Whether a TrainingConfig asks for a forecast: by its task, or by naming a forecaster."""
    return config.task_type is TaskType.FORECASTING or is_forecaster(config.algorithm)


def forecast(
    resolved: ResolvedForecast,
    frame: pd.DataFrame,
    *,
    reporter: Reporter,
    artifact_dir: Path | None = None,
) -> Outcome[ForecastResult]:
    """Run the forecast `resolved` on `frame`, reporting progress; save it if `artifact_dir`.

    The plot is the recent history with the held-out tail and the forecast band ("forecast");
    a forecast of each series of a panel draws one line per series."""
    spec = get_forecaster(resolved.algorithm)
    params = spec.hyperparameters.model_validate(resolved.hyperparameters)
    parts, choice = series_parts(
        frame, resolved.series, resolved.time_column, resolved.target_column, reporter
    )
    if choice is not None and choice.mode is SeriesMode.EACH:
        return _forecast_each(spec, params, resolved, parts, choice, reporter, artifact_dir)
    fit = _fit_series(spec, params, resolved, parts[0].frame, reporter)
    result = ForecastResult(
        algorithm=spec.name,
        model=spec.describe(fit.chosen),
        target_column=resolved.target_column,
        time_column=resolved.time_column,
        metrics={"test": fit.metrics},
        hyperparameters=fit.chosen.model_dump(mode="json"),
        time_axis=fit.series.axis,
        data_summary=fit.data_summary(),
        model_selection=fit.scores,
        test_forecast=fit.test_points,
        future_forecast=fit.future_points,
        training_duration_seconds=fit.seconds,
        model_files=[],
        series=choice,
    )
    target = resolved.target_column
    if choice is not None and choice.mode is not SeriesMode.ONE:
        target = f"{choice.mode} of {target}"
    figure = forecast_figure(
        target=target,
        history=fit.history(),
        tail=fit.test_points,
        future=fit.future_points,
        interval_width=fit.chosen.interval_width,
    )
    if artifact_dir is not None:
        artifact_dir.mkdir(parents=True, exist_ok=True)
        files = _save_model(spec, fit, result.model, resolved, artifact_dir, reporter)
        result = _save(result, figure, files, artifact_dir, reporter)
    return Outcome(result, {"forecast": figure})


@dataclass(frozen=True)
class _SeriesFit:
    """One series forecast: the chosen model, its backtest on the tail and the future."""

    chosen: ForecasterParams
    final: FittedForecaster
    series: Series
    head: Series
    tail: Series
    backtest: IntervalForecast
    scores: list[CandidateScore]
    metrics: dict[str, float | None]
    test_points: list[TailPoint]
    future_points: list[ForecastPoint]
    counts: dict[str, int]
    seconds: float

    def data_summary(self) -> ForecastDataSummary:
        return ForecastDataSummary(
            total_samples=len(self.series),
            train_samples=len(self.head),
            test_samples=len(self.tail),
            missing_points=self.series.missing,
            start=plain_time(self.series.times[0]),
            end=plain_time(self.series.times[-1]),
            **self.counts,
        )

    def history(self) -> tuple[list[TimeValue], list[float | None]]:
        head = self.head
        return [plain_time(t) for t in head.times], [finite_or_none(v) for v in head.values]


def _fit_series(
    spec: ForecasterSpec[Any],
    params: ForecasterParams,
    resolved: ResolvedForecast,
    frame: pd.DataFrame,
    reporter: Reporter,
) -> _SeriesFit:
    """Fit one series' head, score the tail's forecast, refit on all of it, forecast ahead."""
    series, summary_counts = _series(resolved, frame, reporter)
    tail_size = held_out_points(len(series), resolved.horizon, resolved.test_size)
    check_tail(len(series), tail_size, resolved.horizon, "points of the series")
    head, tail = series.head(len(series) - tail_size), series.tail(tail_size)
    started = time.perf_counter()
    candidates = spec.candidates(params, head, reporter.log)
    _check_points(spec, candidates, head)
    total = len(candidates) + 1
    chosen, fitted, scores = _choose(spec, candidates, head, resolved, reporter, total)
    backtest = fitted.predict(tail.times)
    reporter.progress(total - 1, total, message=f"refitting {spec.describe(chosen)} on all points")
    final = _fit(spec, chosen, series, resolved, reporter)
    seconds = time.perf_counter() - started
    reporter.progress(total, total, message="fitted")
    future_times = series.axis.following(series.times[-1], resolved.horizon or tail_size)
    return _SeriesFit(
        chosen=chosen,
        final=final,
        series=series,
        head=head,
        tail=tail,
        backtest=backtest,
        scores=scores,
        metrics=_metrics(resolved.metrics, tail, backtest, reporter),
        test_points=_tail_points(tail, backtest),
        future_points=_future_points(future_times, final.predict(future_times)),
        counts=summary_counts,
        seconds=seconds,
    )


def _forecast_each(
    spec: ForecasterSpec[Any],
    params: ForecasterParams,
    resolved: ResolvedForecast,
    parts: list[SeriesPart],
    choice: SeriesSummary,
    reporter: Reporter,
    artifact_dir: Path | None,
) -> Outcome[ForecastResult]:
    """A model of its own for each series of a panel; the test metrics pool their tails."""
    fits: dict[str, _SeriesFit] = {}
    skipped: dict[str, str] = {}
    for index, part in enumerate(parts):
        label = part.label or ""
        group_reporter = ScopedReporter(
            reporter, index, len(parts), f"{choice.column} {label}", steps="pooled"
        )
        try:
            fits[label] = _fit_series(spec, params, resolved, part.frame, group_reporter)
        except ConfigValidationError as error:
            # One short series (a store opened last month) must not sink the other forecasts.
            if len(parts) == 1:
                raise
            skipped[label] = error.detail
            reporter.log(f"{choice.column} {label} left out: {skipped[label]}")
    if not fits:
        raise ConfigValidationError(
            f"no series of '{choice.column}' could be forecast: "
            + "; ".join(f"{k}: {v}" for k, v in skipped.items()),
            field="series",
        )
    groups = [
        GroupForecast(
            group=label,
            model=spec.describe(fit.chosen),
            hyperparameters=fit.chosen.model_dump(mode="json"),
            metrics={"test": fit.metrics},
            data_summary=fit.data_summary(),
            test_forecast=fit.test_points,
            future_forecast=fit.future_points,
        )
        for label, fit in fits.items()
    ]
    summaries = [group.data_summary for group in groups]
    first = next(iter(fits.values()))
    choice = choice.model_copy(update={"groups": list(fits), "skipped": skipped})
    result = ForecastResult(
        algorithm=spec.name,
        model=f"{len(fits)} {spec.name} models, one per `{choice.column}`",
        target_column=resolved.target_column,
        time_column=resolved.time_column,
        metrics={"test": _pooled_metrics(resolved.metrics, list(fits.values()), reporter)},
        hyperparameters={},
        time_axis=first.series.axis,
        data_summary=ForecastDataSummary(
            total_samples=sum(s.total_samples for s in summaries),
            train_samples=sum(s.train_samples for s in summaries),
            test_samples=sum(s.test_samples for s in summaries),
            missing_points=sum(s.missing_points for s in summaries),
            rows_without_target=sum(s.rows_without_target for s in summaries),
            rows_without_time=sum(s.rows_without_time for s in summaries),
            merged_rows=sum(s.merged_rows for s in summaries),
            start=min(s.start for s in summaries),
            end=max(s.end for s in summaries),
        ),
        model_selection=[],
        test_forecast=[],
        future_forecast=[],
        training_duration_seconds=sum(fit.seconds for fit in fits.values()),
        model_files=[],
        series=choice,
        groups=groups,
    )
    figure = panel_figure(
        target=resolved.target_column,
        key=choice.column,
        lines=[
            PanelLine(label, *_whole_history(fit), fit.future_points) for label, fit in fits.items()
        ],
        interval_width=first.chosen.interval_width,
    )
    if artifact_dir is not None:
        result = _save_each(spec, fits, result, figure, resolved, artifact_dir, reporter)
    return Outcome(result, {"forecast": figure})


def _whole_history(fit: _SeriesFit) -> tuple[list[TimeValue], list[float | None]]:
    series = fit.series
    return [plain_time(t) for t in series.times], [finite_or_none(v) for v in series.values]


def _pooled_metrics(
    names: list[str], fits: list[_SeriesFit], reporter: Reporter
) -> dict[str, float | None]:
    """The metrics over every series' held-out tail at once: each point counts once."""
    actual: list[NDArray[np.float64]] = []
    predicted: list[NDArray[np.float64]] = []
    for fit in fits:
        observed = ~np.isnan(fit.tail.values)
        actual.append(fit.tail.values[observed])
        predicted.append(fit.backtest.mean[observed])
    if not sum(len(a) for a in actual):
        reporter.log("the held-out tails have no values: nothing to score the forecasts on")
        return dict.fromkeys(names)
    predictions = Predictions(y_true=np.concatenate(actual), y_pred=np.concatenate(predicted))
    return compute_metrics(names, predictions)


def predict_future(artifact_dir: Path, horizon: int) -> list[ForecastPoint]:
    """The `horizon` steps after the series, from the model `forecast` saved in `artifact_dir`;
    for a forecast of each series of a panel, each series' steps (`GroupPoint`s)."""
    if not 1 <= horizon <= MAX_FUTURE_STEPS:
        raise ConfigValidationError(
            f"horizon must be between 1 and {MAX_FUTURE_STEPS} steps (got {horizon})",
            field="horizon",
        )
    description = artifact_dir / FORECAST_MODEL_FILE
    if not description.is_file():
        raise DatasetFormatError(f"{artifact_dir} holds no forecast model ({FORECAST_MODEL_FILE})")
    stored = json.loads(description.read_text())
    if "groups" in stored:
        panel = SavedPanel.model_validate(stored)
        return [
            GroupPoint(group=group.label, **point.model_dump())
            for group in panel.groups
            for point in _predict_saved(artifact_dir / group.folder, horizon)
        ]
    return _predict_saved(artifact_dir, horizon)


def _predict_saved(directory: Path, horizon: int) -> list[ForecastPoint]:
    saved = SavedForecast.model_validate_json((directory / FORECAST_MODEL_FILE).read_text())
    spec = get_forecaster(saved.algorithm)
    params = spec.hyperparameters.model_validate(saved.hyperparameters)
    model = spec.load(directory / saved.model_file, params, random_state=saved.random_state)
    times = saved.time_axis.following(saved.last_time, horizon)
    return _future_points(times, model.predict(times))


def _series(
    resolved: ResolvedForecast, frame: pd.DataFrame, reporter: Reporter
) -> tuple[Series, dict[str, int]]:
    missing = [c for c in (resolved.time_column, resolved.target_column) if c not in frame.columns]
    if missing:
        raise ConfigValidationError(
            f"the dataset has no column(s) {', '.join(missing)}; its profile is out of date",
            field="time_column",
        )
    prepared = series_from_frame(frame, resolved.time_column, resolved.target_column)
    if prepared.rows_without_time:
        reporter.log(f"{prepared.rows_without_time} row(s) dropped: no '{resolved.time_column}'")
    if prepared.rows_without_target:
        reporter.log(
            f"{prepared.rows_without_target} row(s) dropped: no value in '{resolved.target_column}'"
        )
    if prepared.merged_rows:
        reporter.log(
            f"{prepared.merged_rows} row(s) share a time with another row: values at the same "
            "time are averaged"
        )
    series = prepared.series
    reporter.log(f"series of {len(series)} points, {series.axis.describe()}")
    if series.missing:
        reporter.log(f"{series.missing} point(s) of the regular time grid have no value")
    if not series.axis.regular:
        reporter.log("the times follow no regular step: the points are treated as equally spaced")
    counts = {
        "rows_without_target": prepared.rows_without_target,
        "rows_without_time": prepared.rows_without_time,
        "merged_rows": prepared.merged_rows,
    }
    return series, counts


def _check_points(
    spec: ForecasterSpec[Any], candidates: list[ForecasterParams], head: Series
) -> None:
    needed, index = max((spec.min_points(c), i) for i, c in enumerate(candidates))
    observed = len(head) - head.missing
    if observed < needed:
        raise ConfigValidationError(
            f"{spec.describe(candidates[index])} needs at least {needed} points to fit on, "
            "but only "
            f"{observed} remain before the held-out tail; use a shorter horizon (or smaller "
            "test_size), a simpler model or a longer series",
            field="horizon",
        )


def _choose(
    spec: ForecasterSpec[Any],
    candidates: list[ForecasterParams],
    head: Series,
    resolved: ResolvedForecast,
    reporter: Reporter,
    total: int,
) -> tuple[ForecasterParams, FittedForecaster, list[CandidateScore]]:
    """The candidate with the lowest AIC (the only one, when there is one), fitted on `head`."""
    best: tuple[ForecasterParams, FittedForecaster] | None = None
    scores: list[CandidateScore] = []
    for step, params in enumerate(candidates, start=1):
        description = spec.describe(params)
        try:
            fitted = _fit(spec, params, head, resolved, reporter)
        except (ArithmeticError, ValueError, np.linalg.LinAlgError) as error:
            if len(candidates) == 1:
                raise ConfigValidationError(
                    f"{description} could not be fitted ({error}); try a simpler model",
                    field="hyperparameters",
                ) from None
            reporter.progress(step, total, message=f"{description}: could not be fitted ({error})")
            scores.append(
                CandidateScore(model=description, hyperparameters=_dumped(params), aic=None)
            )
            continue
        scores.append(
            CandidateScore(model=description, hyperparameters=_dumped(params), aic=fitted.aic)
        )
        aic_text = f"AIC {fitted.aic:.2f}" if fitted.aic is not None else "fitted"
        reporter.progress(
            step,
            total,
            message=f"{description}: {aic_text}",
            metrics={"aic": fitted.aic} if fitted.aic is not None else None,
        )
        if best is None or _better(fitted, best[1]):
            best = (params, fitted)
    if best is None:
        raise ConfigValidationError(
            f"none of the {len(candidates)} {spec.name} models could be fitted to this series; "
            "try another forecaster",
            field="algorithm",
        )
    if len(candidates) > 1:
        reporter.log(f"chose {spec.describe(best[0])}: lowest AIC of {len(candidates)} models")
    return best[0], best[1], scores


def _better(fitted: FittedForecaster, best: FittedForecaster) -> bool:
    if fitted.aic is None:
        return False
    return best.aic is None or fitted.aic < best.aic


def _fit(
    spec: ForecasterSpec[Any],
    params: ForecasterParams,
    series: Series,
    resolved: ResolvedForecast,
    reporter: Reporter,
) -> FittedForecaster:
    fitted = spec.fit(params, series, random_state=resolved.random_state)
    for note in fitted.notes:
        reporter.log(note)
    return fitted


def _dumped(params: BaseModel) -> dict[str, Any]:
    dumped: dict[str, Any] = params.model_dump(mode="json")
    return dumped


def _metrics(
    names: list[str], tail: Series, backtest: IntervalForecast, reporter: Reporter
) -> dict[str, float | None]:
    observed = ~np.isnan(tail.values)
    if not observed.any():
        reporter.log("the held-out tail has no values: nothing to score the forecast on")
        return dict.fromkeys(names)
    predictions = Predictions(y_true=tail.values[observed], y_pred=backtest.mean[observed])
    return compute_metrics(names, predictions)


def _tail_points(tail: Series, backtest: IntervalForecast) -> list[TailPoint]:
    return [
        TailPoint(
            time=plain_time(moment),
            actual=finite_or_none(actual),
            predicted=finite_or_none(mean),
            lower=finite_or_none(lower),
            upper=finite_or_none(upper),
        )
        for moment, actual, mean, lower, upper in zip(
            tail.times, tail.values, backtest.mean, backtest.lower, backtest.upper, strict=True
        )
    ]


def _future_points(times: pd.Index, prediction: IntervalForecast) -> list[ForecastPoint]:
    return [
        ForecastPoint(
            time=plain_time(moment),
            value=finite_or_none(mean),
            lower=finite_or_none(lower),
            upper=finite_or_none(upper),
        )
        for moment, mean, lower, upper in zip(
            times, prediction.mean, prediction.lower, prediction.upper, strict=True
        )
    ]


def _save_model(
    spec: ForecasterSpec[Any],
    fit: _SeriesFit,
    model: str,
    resolved: ResolvedForecast,
    directory: Path,
    reporter: Reporter,
) -> list[str]:
    """Write one series' full-series model and its description into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    model_path = fit.final.save(directory)
    saved = SavedForecast(
        algorithm=spec.name,
        model=model,
        model_file=model_path.name,
        hyperparameters=fit.chosen.model_dump(mode="json"),
        target_column=resolved.target_column,
        time_column=resolved.time_column,
        time_axis=fit.series.axis,
        last_time=plain_time(fit.series.times[-1]),
        points=len(fit.series),
        random_state=resolved.random_state,
    )
    (directory / FORECAST_MODEL_FILE).write_text(saved.model_dump_json(indent=2))
    for name in (model_path.name, FORECAST_MODEL_FILE):
        reporter.artifact("model", name)
    return [model_path.name, FORECAST_MODEL_FILE]


def _save_each(
    spec: ForecasterSpec[Any],
    fits: dict[str, _SeriesFit],
    result: ForecastResult,
    figure: Figure,
    resolved: ResolvedForecast,
    directory: Path,
    reporter: Reporter,
) -> ForecastResult:
    """Each series' model in a folder of its own, the list of them, the chart and metrics."""
    directory.mkdir(parents=True, exist_ok=True)
    assert result.series is not None  # a forecast of each always says of which column
    files: list[str] = []
    saved_groups: list[SavedGroup] = []
    for index, (label, fit) in enumerate(fits.items()):
        folder = f"series-{index:02d}"
        model = spec.describe(fit.chosen)
        written = _save_model(spec, fit, model, resolved, directory / folder, reporter)
        files += [f"{folder}/{name}" for name in written]
        saved_groups.append(SavedGroup(label=label, folder=folder))
    panel = SavedPanel(column=result.series.column, groups=saved_groups)
    (directory / FORECAST_MODEL_FILE).write_text(panel.model_dump_json(indent=2))
    reporter.artifact("model", FORECAST_MODEL_FILE)
    return _save(result, figure, [*files, FORECAST_MODEL_FILE], directory, reporter)


def _save(
    result: ForecastResult,
    figure: Figure,
    model_files: list[str],
    directory: Path,
    reporter: Reporter,
) -> ForecastResult:
    """Write the chart and metrics.json beside the saved model files."""
    (directory / FORECAST_PLOT_FILE).write_text(json.dumps(figure))
    reporter.artifact("plot", FORECAST_PLOT_FILE)
    files = [*model_files, FORECAST_PLOT_FILE, METRICS_FILE]
    result = result.model_copy(update={"model_files": files})
    (directory / METRICS_FILE).write_text(json.dumps(result.model_dump(mode="json"), indent=2))
    reporter.artifact("metrics", METRICS_FILE)
    return result


__all__ = [
    "CandidateScore",
    "ForecastDataSummary",
    "ForecastPoint",
    "ForecastResult",
    "GroupForecast",
    "GroupPoint",
    "ResolvedForecast",
    "TailPoint",
    "forecast",
    "is_forecast",
    "is_forecaster",
    "predict_future",
    "resolve_forecast",
]
