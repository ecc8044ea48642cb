"""An AutoML in words: the plan before it runs, what won and why after."""

from __future__ import annotations

from ml_backend.configs import AutoMLConfig
from ml_backend.jobs.automl.result import AutoMLResult
from ml_backend.jobs.words import columns_words, dataset_words, duration_words, split_words
from ml_backend.numbers import format_metric


def describe_automl(config: AutoMLConfig) -> str:
    names = ", ".join(config.algorithms) if config.algorithms else "every applicable algorithm"
    return (
        f"Find the best model to predict `{config.target_column}`"
        f"{columns_words(config.feature_columns)} on {dataset_words(config.dataset)} in "
        f"{duration_words(config.time_budget_s)}: try {names} with their defaults, tune the "
        f"most promising and combine the best into a weighted ensemble, chosen by "
        f"{config.goal_metric or 'the default metric'} on the training data; "
        f"{split_words(config.split)}."
    )


def summarize_automl(run_id: int, result: AutoMLResult) -> str:
    goal = result.goal_metric
    tried = len(result.models) + sum(search.trials for search in result.searches)
    text = (
        f"**AutoML run {run_id} finished** in {result.elapsed_s:.0f} s of its "
        f"{duration_words(result.time_budget_s)}, after {tried} models scored on "
        f"{result.selected_on}. "
    )
    members = sorted((m for m in result.models if m.weight > 0), key=lambda m: -m.weight)
    single = next((m for m in result.models if m.name == result.best_single), None)
    single_said = format_metric(goal, single.value if single else None)
    if result.best == "ensemble":
        shares = ", ".join(f"{m.name} {m.weight:.0%}" for m in members)
        text += (
            f"The winner is a **weighted ensemble** of {shares}: on the rows that chose it, "
            f"{goal} {format_metric(goal, result.ensemble_value)} against {single_said} for "
            f"the best single model ({result.best_single})."
        )
    else:
        text += f"The winner is **{result.best}**, validation {goal} {single_said}; "
        text += "no combination of models scored better than it alone."
    text += _tuning_words(result)
    test = (result.training.metrics.get("test") or {}).get(goal)
    if test is not None:
        text += (
            f" Fitted on every training row, it scores **{format_metric(goal, test)}** on the "
            "test part, which nothing before had read."
        )
    if result.skipped:
        text += " Left out: " + "; ".join(f"{s.algorithm} ({s.reason})" for s in result.skipped)
        text += "."
    return text


def _tuning_words(result: AutoMLResult) -> str:
    goal = result.goal_metric
    parts = []
    for search in result.searches:
        gained = search.best_value != search.default_value
        outcome = (
            f"{format_metric(goal, search.default_value)} → "
            f"{format_metric(goal, search.best_value)}"
            if gained
            else f"no better than its defaults ({format_metric(goal, search.default_value)})"
        )
        parts.append(f"{search.algorithm} {search.trials} trials, {outcome}")
    return f" Tuned: {'; '.join(parts)}." if parts else ""
