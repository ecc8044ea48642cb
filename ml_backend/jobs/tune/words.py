"""A tuning run in words: the plan before it runs, the summary after."""

from __future__ import annotations

from ml_backend.configs import TuningConfig
from ml_backend.jobs.tune.run import TuningResult
from ml_backend.jobs.words import dataset_words, duration_words, number, split_words


def describe_tuning(config: TuningConfig) -> str:
    goal = config.goal_metric or "the default metric"
    budget = f"{config.n_trials} trials" if config.n_trials else "trials"
    if config.timeout_s:
        budget += f" for up to {duration_words(config.timeout_s)}"
    fixed = ", ".join(f"{k}={v}" for k, v in config.hyperparameters.items())
    return (
        f"Tune {config.algorithm} to predict `{config.target_column}` on "
        f"{dataset_words(config.dataset)}: {budget} optimising {goal}, "
        f"{split_words(config.split)}{f', keeping {fixed} fixed' if fixed else ''}."
    )


def summarize_tuning(run_id: int, result: TuningResult) -> str:
    goal = result.goal_metric
    params = ", ".join(f"{k}={v}" for k, v in result.best_params.items())
    text = (
        f"**Tuning run {run_id} finished** after {len(result.trials)} trials: the best "
        f"validation {goal} is **{number(goal, result.best_value)}** with "
        f"{params or 'the defaults'}."
    )
    test = result.training.metrics.get("test") or {}
    if goal in test:
        text += f" Refit with those settings, it scores {number(goal, test[goal])} on test."
    return text + " The history, slice, contour and importance plots show how the search went."
