"""A tuning run in words: the plan before it runs, the summary after."""

from __future__ import annotations

from ml_backend.configs import TuningConfig
from ml_backend.jobs.tune.run import TuningResult
from ml_backend.jobs.words import dataset_words, duration_words, split_words
from ml_backend.numbers import format_metric, format_params


def describe_tuning(config: TuningConfig) -> str:
    goal = config.goal_metric or "the default metric"
    budget = f"{config.n_trials} trials" if config.n_trials else "trials"
    if config.timeout_s:
        budget += f" for up to {duration_words(config.timeout_s)}"
    fixed = format_params(config.hyperparameters)
    ranges = ", ".join(
        f"{name} from {wanted['low']} to {wanted['high']}"
        for name, wanted in (config.search_space or {}).items()
        if isinstance(wanted, dict) and "low" in wanted and "high" in wanted
    )
    return (
        f"Tune {config.algorithm} to predict `{config.target_column}` on "
        f"{dataset_words(config.dataset)}: {budget} optimising {goal}, "
        f"{split_words(config.split)}{f', searching {ranges}' if ranges else ''}"
        f"{f', keeping {fixed} fixed' if fixed else ''}."
    )


def summarize_tuning(run_id: int, result: TuningResult) -> str:
    goal = result.goal_metric
    params = format_params(result.best_params)
    chosen_on = f" on {result.selected_on}" if result.selected_on else ""
    text = (
        f"**Tuning run {run_id} finished** after {len(result.trials)} trials: the best "
        f"validation {goal}{chosen_on} is **{format_metric(goal, result.best_value)}** with "
        f"{params or 'the defaults'}."
    )
    defaults = result.default_value
    best = next((t for t in result.trials if t.number == result.best_trial), None)
    if defaults is not None:
        if best is not None and best.defaults:
            text += " No trial beat the algorithm's defaults (the first trial), so they were kept."
        else:
            text += (
                f" The algorithm's defaults (the first trial) scored "
                f"{format_metric(goal, defaults)}."
            )
    test = result.training.metrics.get("test") or {}
    if goal in test:
        text += (
            f" Refit with those settings on every training row, it scores "
            f"{format_metric(goal, test[goal])} on the test part, which no trial saw."
        )
    return text + " The history, slice, contour and importance plots show how the search went."
