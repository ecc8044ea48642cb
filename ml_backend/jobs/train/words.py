"""A training run in words: the plan before it runs, the summary after."""

from __future__ import annotations

from ml_backend.configs import TrainingConfig
from ml_backend.jobs.train.run import TrainingResult
from ml_backend.jobs.words import (
    columns_words,
    dataset_words,
    headline,
    model_opening,
    settings_words,
    split_words,
    versus,
)
from ml_backend.numbers import format_metric

TOP_FEATURES = 3


def describe_training(config: TrainingConfig) -> str:
    task = config.task_type or "a model"
    return (
        f"Train {config.algorithm} ({task}) to predict `{config.target_column}`"
        f"{columns_words(config.feature_columns)} on {dataset_words(config.dataset)}, "
        f"{split_words(config.split)}{settings_words(config.hyperparameters)}."
    )


def summarize_training(run_id: int, result: TrainingResult, plots: list[str]) -> str:
    task = str(result.task_type)
    test = result.metrics.get("test") or {}
    metric = headline(task, test)
    value = test.get(metric)
    lines = [model_opening(run_id, result.algorithm, task, metric, value)]
    folds = result.cross_validation
    spread = folds.metrics.get(metric) if folds is not None else None
    if folds is not None and spread is not None and spread.mean is not None:
        plus_minus = f" ± {format_metric(metric, spread.std)}" if spread.std is not None else ""
        lines.append(
            f"Across {folds.describe()} it scored {format_metric(metric, spread.mean)}"
            f"{plus_minus} (mean ± spread over the folds)."
        )
    baseline = trivial_baseline(result, metric)
    if baseline is not None and value is not None:
        strategy, base_value = baseline
        lines.append(
            f"A trivial baseline ({strategy}) gets {format_metric(metric, base_value)}, so the "
            f"model {versus(metric, value, base_value)}."
        )
    if result.feature_importance:
        top = ", ".join(
            f"`{f.feature}` ({100 * f.importance:.0f}%)"
            for f in result.feature_importance[:TOP_FEATURES]
        )
        lines.append(f"The features it relied on most: {top}.")
    if "confusion_matrix" in plots:
        lines.append("The confusion matrix shows which classes it mixes up.")
    lines.append(
        f"Next: tune {result.algorithm}'s hyperparameters, or compare every algorithm "
        "with a leaderboard."
    )
    return " ".join(lines)


def trivial_baseline(result: TrainingResult, metric: str) -> tuple[str, float] | None:
    """What always giving one answer would score on the test split, from the stored result:
    the most frequent test class (from the confusion matrix) for accuracy; the mean of the
    test targets (from the stored test predictions) for r2, rmse and mae."""
    matrix = result.confusion_matrix
    if metric == "accuracy" and matrix is not None and matrix.matrix:
        rows = [sum(row) for row in matrix.matrix]
        if sum(rows):
            top = max(range(len(rows)), key=rows.__getitem__)
            return f"always '{matrix.labels[top]}'", rows[top] / sum(rows)
    actual = [p.actual for p in result.test_predictions or []]
    if len(actual) < 2 or metric not in {"r2", "rmse", "mae"}:
        return None
    mean = sum(actual) / len(actual)
    if metric == "r2":
        return "always the mean", 0.0
    if metric == "rmse":
        return "always the mean", (sum((a - mean) ** 2 for a in actual) / len(actual)) ** 0.5
    return "always the mean", sum(abs(a - mean) for a in actual) / len(actual)
