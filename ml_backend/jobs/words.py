"""Words shared by the kinds' plans and summaries: numbers, datasets, splits, settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ml_backend.configs import DatasetRef, SplitConfig, SplitStrategy
from ml_backend.numbers import format_metric, format_params

HEADLINE = {"classification": "accuracy", "regression": "r2", "forecasting": "mape"}
"""The metric a summary leads with, by task."""
MEANING = {
    "accuracy": "the share of held-out rows classified correctly",
    "r2": "the share of the target's variance on held-out rows that the model explains",
    "rmse": "the typical size of an error on held-out rows (root mean square)",
    "mae": "the average absolute error on held-out rows",
    "mape": "the average percentage error on the held-out tail",
}
LOWER_IS_BETTER = {"rmse", "mae", "mape", "smape", "log_loss"}


def dataset_words(ref: DatasetRef) -> str:
    return str(getattr(ref, "name", None) or f"dataset {getattr(ref, 'id', None)}")


def split_words(split: SplitConfig) -> str:
    words = f"{split.test_size:.0%} held out for testing"
    if split.strategy is not SplitStrategy.RANDOM:
        words += f" ({split.strategy})"
    if split.validation_size:
        words += f", {split.validation_size:.0%} for validation"
    if split.folds:
        words += f", {split.folds}-fold cross-validation of the rest"
    if "random_state" in split.model_fields_set:
        words += f", seed {split.random_state}"
    return words


def settings_words(params: Mapping[str, Any]) -> str:
    return f" with {format_params(params)}" if params else ""


def duration_words(seconds: float) -> str:
    """A time budget as a person says it: '90 seconds', '5 minutes', '2 hours'."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"


def size_words(size_bytes: float) -> str:
    """A size as a person says it, in binary units: '512 kB', '1.5 MB', '10 GB'."""
    for unit, size in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if size_bytes >= size:
            return f"{size_bytes / size:.3g} {unit}"
    return f"{size_bytes:g} bytes"


def columns_words(columns: Sequence[str] | None, prefix: str = " from ") -> str:
    return f"{prefix}{', '.join(f'`{c}`' for c in columns)}" if columns else ""


def versus(metric: str, model: float | None, baseline: float) -> str:
    """Whether a model's value beats a baseline's, in words."""
    if model is None:
        return "cannot be compared"
    better = model < baseline if metric in LOWER_IS_BETTER else model > baseline
    return "does better than that" if better else "does **not** beat it"


def headline(task: str, test: Mapping[str, float | None]) -> str:
    """The test metric a summary of a `task` model leads with."""
    name = HEADLINE.get(task, "accuracy")
    if name not in test and test:
        name = next(iter(test))
    return name


def model_opening(run_id: int, algorithm: str, task: str, metric: str, value: float | None) -> str:
    meaning = MEANING.get(metric, "its score")
    return (
        f"**Run {run_id} finished** ({algorithm}, {task}). On the test split, "
        f"{metric} is **{format_metric(metric, value)}** ({meaning})."
    )
