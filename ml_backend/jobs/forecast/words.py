"""A forecast in words: the plan before it runs, the summary after."""

from __future__ import annotations

from ml_backend.configs import TrainingConfig
from ml_backend.jobs.forecast.run import ForecastResult
from ml_backend.jobs.words import dataset_words, headline, model_opening, settings_words


def describe_forecast(config: TrainingConfig) -> str:
    return (
        f"Forecast `{config.target_column}` over `{config.time_column}` on "
        f"{dataset_words(config.dataset)} with {config.algorithm}"
        f"{settings_words(config.hyperparameters)}, {config.horizon or 'a held-out'} steps ahead."
    )


def summarize_forecast(run_id: int, result: ForecastResult, plots: list[str]) -> str:
    task = str(result.task_type)
    test = result.metrics.get("test") or {}
    metric = headline(task, test)
    lines = [model_opening(run_id, result.algorithm, task, metric, test.get(metric))]
    if "forecast" in plots:
        lines.append(
            "The forecast chart shows the series, the held-out tail and the forecast band."
        )
    lines.append("Next: try another forecaster or a longer history, and compare the errors.")
    return " ".join(lines)
