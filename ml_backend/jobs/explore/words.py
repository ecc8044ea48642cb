"""An exploration in words: what it will draw, and what the drawing shows."""

from __future__ import annotations

from ml_backend.configs import ExplorationConfig, ExplorerName
from ml_backend.explorers.base import ExplorationResult
from ml_backend.jobs.words import dataset_words

_TABLES = {
    ExplorerName.DESCRIBE: "Summary statistics of",
    ExplorerName.MISSING: "The missing values of",
}
"""Explorers that make a table or a map rather than a chart, named as such."""


def describe_exploration(config: ExplorationConfig) -> str:
    columns = ", ".join(f"`{c}`" for c in config.columns) or "all columns"
    extra = "".join(f", {k} {v}" for k, v in config.parameters.items())
    where = dataset_words(config.dataset)
    if config.explorer in _TABLES:
        return f"{_TABLES[config.explorer]} {columns} of {where}{extra}."
    return f"Draw a {config.explorer} of {columns} on {where}{extra}."


def summarize_exploration(run_id: int, result: ExplorationResult, plots: list[str]) -> str:
    facts = [
        f"{key.replace('_', ' ')} {_fact(value)}"
        for key, value in result.summary.items()
        if isinstance(value, int | float | str) and not isinstance(value, bool)
    ]
    note = "; ".join(facts[:6]) + "." if facts else ""
    return f"Here is the {', '.join(plots) or 'chart'} (run {run_id}). {note}".strip()


def _fact(value: int | float | str) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
