"""Plans in words: what a config will do, in one sentence a person can check."""

from __future__ import annotations

from typing import Any


def _dataset(config: dict[str, Any]) -> str:
    ref = config.get("dataset") or {}
    return str(ref.get("name") or f"dataset {ref.get('id')}")


def _split(config: dict[str, Any]) -> str:
    split = config.get("split") or {}
    share = split.get("test_size", 0.2)
    words = f"{share:.0%} held out for testing"
    if split.get("strategy") and split["strategy"] != "random":
        words += f" ({split['strategy']})"
    if split.get("validation_size"):
        words += f", {split['validation_size']:.0%} for validation"
    return words


def _settings(config: dict[str, Any]) -> str:
    params = config.get("hyperparameters") or {}
    return f" with {', '.join(f'{k}={v}' for k, v in params.items())}" if params else ""


def _features(config: dict[str, Any]) -> str:
    features = config.get("feature_columns")
    return f" from {', '.join(f'`{f}`' for f in features)}" if features else ""


def describe_plan(action: str, config: dict[str, Any]) -> str:
    """One sentence saying what running `config` as `action` does."""
    target = f"`{config.get('target_column')}`"
    if action == "train":
        task = config.get("task_type") or "a model"
        return (
            f"Train {config.get('algorithm')} ({task}) to predict {target}{_features(config)} "
            f"on {_dataset(config)}, {_split(config)}{_settings(config)}."
        )
    if action == "tune":
        budget = config.get("n_trials")
        goal = config.get("goal_metric") or "the default metric"
        return (
            f"Tune {config.get('algorithm')} to predict {target} on {_dataset(config)}: "
            f"{budget or 'timed'} trials optimising {goal}, {_split(config)}."
        )
    if action == "forecast":
        return (
            f"Forecast {target} over `{config.get('time_column')}` on {_dataset(config)} with "
            f"{config.get('algorithm')}, {config.get('horizon') or 'a held-out'} steps ahead."
        )
    if action == "leaderboard":
        names = config.get("algorithms") or ["every applicable algorithm"]
        return (
            f"Train {', '.join(names)} to predict {target} on {_dataset(config)} and rank them "
            f"by {config.get('goal_metric') or 'the default metric'}."
        )
    if action == "explore":
        columns = ", ".join(f"`{c}`" for c in config.get("columns") or []) or "all columns"
        params = config.get("parameters") or {}
        extra = "".join(f", {k} {v}" for k, v in params.items())
        explorer = config.get("explorer")
        if explorer in _TABLES:
            return f"{_TABLES[explorer]} {columns} of {_dataset(config)}{extra}."
        return f"Draw a {explorer} of {columns} on {_dataset(config)}{extra}."
    if action == "describe":
        return f"Describe the columns of {_dataset(config)}."
    return f"{action} with {config}."


_TABLES = {"describe": "Summary statistics of", "missing": "The missing values of"}
"""Explorers that make a table or a map rather than a chart, named as such."""
