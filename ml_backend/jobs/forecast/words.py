"""A forecast in words: the plan before it runs, the summary after."""

from __future__ import annotations

from ml_backend.configs import SeriesChoice, SeriesMode, TrainingConfig
from ml_backend.jobs.forecast.panel import key_text, series_words
from ml_backend.jobs.forecast.run import ForecastResult
from ml_backend.jobs.words import dataset_words, headline, model_opening, settings_words
from ml_backend.numbers import format_metric


def describe_forecast(config: TrainingConfig) -> str:
    return (
        f"Forecast `{config.target_column}`{_choice_words(config.series, config.target_column)} "
        f"over `{config.time_column}` on "
        f"{dataset_words(config.dataset)} with {config.algorithm}"
        f"{settings_words(config.hyperparameters)}, {config.horizon or 'a held-out'} steps ahead."
    )


def _choice_words(choice: SeriesChoice | None, target: str) -> str:
    if choice is None:
        return ""
    mode = choice.mode or SeriesMode.ONE
    value = None if choice.value is None else key_text(choice.value)
    if mode is SeriesMode.ONE:
        return f" for `{choice.column}` {value}"
    if mode is SeriesMode.EACH:
        return f" for each `{choice.column}` (a model per series)"
    noun = "total" if mode is SeriesMode.SUM else "mean"
    return f" as the {noun} across every `{choice.column}` per time stamp"


def summarize_forecast(run_id: int, result: ForecastResult, plots: list[str]) -> str:
    task = str(result.task_type)
    test = result.metrics.get("test") or {}
    metric = headline(task, test)
    lines = [model_opening(run_id, result.algorithm, task, metric, test.get(metric))]
    series = result.series
    if series is not None:
        words = series_words(
            series.mode, series.column, series.value, len(series.groups), result.target_column
        )
        lines.append(f"This is {words}.")
        if series.mode is SeriesMode.EACH:
            lines.append(_per_series(result, metric))
        if series.skipped:
            left = ", ".join(f"{label} ({why})" for label, why in series.skipped.items())
            lines.append(f"Left out: {left}.")
    elif result.data_summary.merged_rows:
        lines.append(
            f"{result.data_summary.merged_rows} rows shared a time stamp with another and were "
            "averaged into it."
        )
    steps = len(result.future_forecast) or (
        len(result.groups[0].future_forecast) if result.groups else 0
    )
    if steps:
        each = " of each series" if result.groups else ""
        lines.append(
            f"The table lists the {steps} future values{each} with their interval; "
            f"download them as CSV at `/api/v1/runs/{run_id}/forecast.csv`."
        )
    if "forecast" in plots:
        lines.append(
            "The forecast chart shows the recent history, the held-out tail and the forecast band."
            if series is None or series.mode is not SeriesMode.EACH
            else "The forecast chart shows each series' recent history and its forecast band."
        )
    lines.append("Next: try another forecaster or a longer history, and compare the errors.")
    return " ".join(lines)


def _per_series(result: ForecastResult, metric: str) -> str:
    scored = [(g.group, (g.metrics.get("test") or {}).get(metric)) for g in result.groups]
    parts = ", ".join(f"{label} {format_metric(metric, value)}" for label, value in scored)
    return f"The {metric} above pools every series' held-out tail; per series: {parts}."
