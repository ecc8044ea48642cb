"""What an AutoML run chose, in words, from its stored result: the winner (an ensemble and
its members' weights, or one model), how it scored on the rows that chose it and once on the
test part, and the settings of each model in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ml_backend.numbers import format_metric, format_params

ENSEMBLE = "ensemble"
"""What `best` holds when the winner is the weighted ensemble rather than one model."""


def is_automl(result: Mapping[str, Any]) -> bool:
    """Whether a stored result is an AutoML's: no other kind keeps an ensemble's value."""
    return "ensemble_value" in result and isinstance(result.get("models"), list)


def members(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The models the winner is made of, heaviest first: those with a weight, else the one
    named `best`."""
    models = [m for m in result.get("models") or [] if isinstance(m, Mapping)]
    weighted = [m for m in models if float(m.get("weight") or 0.0) > 0.0]
    if weighted:
        return sorted(weighted, key=lambda m: -float(m.get("weight") or 0.0))
    return [m for m in models if m.get("name") == result.get("best")]


def automl_label(result: Mapping[str, Any]) -> str:
    """'automl: ensemble of lightgbm, linear' or 'automl: lightgbm (tuned)'."""
    chosen = members(result)
    if result.get("best") == ENSEMBLE:
        algorithms = dict.fromkeys(str(m.get("algorithm")) for m in chosen)
        return f"automl: ensemble of {', '.join(algorithms) or 'several models'}"
    if chosen:
        return f"automl: {_model_words(chosen[0])}"
    return f"automl: {result.get('best') or '?'}"


def winner_text(run_id: int, result: Mapping[str, Any]) -> str:
    """Which model won run `run_id`'s AutoML and by how much: an ensemble with its members'
    weights or a single model, its validation value and its test value."""
    goal = str(result.get("goal_metric") or "score")
    chosen = members(result)
    on = f" on {result['selected_on']}" if result.get("selected_on") else ""
    if result.get("best") == ENSEMBLE:
        shares = ", ".join(f"{m.get('name')} ({_model_words(m)}) {_share(m)}" for m in chosen)
        text = (
            f"Run {run_id}'s AutoML chose a **weighted ensemble** of {len(chosen)} models: "
            f"{shares}. Its validation {goal} is "
            f"{format_metric(goal, result.get('ensemble_value'))}{on}, against "
            f"{format_metric(goal, result.get('single_value'))} for the best single model "
            f"({result.get('best_single')})."
        )
    else:
        value = chosen[0].get("value") if chosen else result.get("single_value")
        said = f" ({_model_words(chosen[0])})" if chosen else ""
        text = (
            f"Run {run_id}'s AutoML chose a single model, **{result.get('best')}**{said}, "
            f"not an ensemble: no combination scored better. Its validation {goal} is "
            f"{format_metric(goal, value)}{on}."
        )
    return f"{text} {_test_words(result, goal)}"


def winner_settings_text(run_id: int, result: Mapping[str, Any]) -> str:
    """The settings of each model in run `run_id`'s winner, with its weight in an ensemble."""
    chosen = members(result)
    if not chosen:
        return f"Run {run_id}'s AutoML keeps no models to show the settings of."
    ensemble = result.get("best") == ENSEMBLE
    parts = []
    for model in chosen:
        weight = f", {_share(model)} of the ensemble" if ensemble else ""
        params = format_params(model.get("hyperparameters") or {}) or "its defaults"
        parts.append(f"{model.get('name')} ({_model_words(model)}{weight}): {params}")
    what = "weighted ensemble" if ensemble else "model"
    return f"The settings of the {what} run {run_id}'s AutoML chose: " + "; ".join(parts) + "."


def _model_words(model: Mapping[str, Any]) -> str:
    stage = "tuned" if model.get("stage") == "tuned" else "defaults"
    return f"{model.get('algorithm')}, {stage}"


def _share(model: Mapping[str, Any]) -> str:
    return f"{100 * float(model.get('weight') or 0.0):.0f}%"


def _test_words(result: Mapping[str, Any], goal: str) -> str:
    test = (result.get("metrics") or {}).get("test") or {}
    value = test.get(goal)
    if value is None:
        return "It has no test score stored."
    return (
        f"Fitted on every training row, it scores {goal} {format_metric(goal, value)} on the "
        "test part, which nothing before had read."
    )
