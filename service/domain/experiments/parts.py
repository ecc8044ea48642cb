"""What a finished run's model is made of, read from its stored result and resolved config:
the pure part of recording a model, shared by the worker and the tests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from ml_backend.algorithms import ALGORITHMS

MODEL_KINDS = frozenset({"train", "tune", "forecast", "leaderboard", "automl"})
"""The kinds whose run ends with one model (a leaderboard's winner, an AutoML's choice); an
exploration records none."""

PARAM_VALUE_MAX = 6000
"""MLflow's limit on a param's value; a longer value is cut to it."""


@dataclass(frozen=True)
class ModelParts:
    """A trained model as the experiments document describes it, less its iterations."""

    algorithm: str
    metrics: dict[str, dict[str, float | None]]
    modules: list[dict[str, Any]]
    params: dict[str, str]
    model_files: list[str]


def model_hash(kind: str, resolved: dict[str, Any], data_version: str | None) -> str:
    """The hash of a model in its experiment: of its resolved config and the data it read, so
    the same training on the same data has the same hash. The run's name and experiment are
    left out: renaming a training does not make it another model; so is the dataset's row,
    since `data_version` says what it held (a restored version is the same data again)."""
    dropped = {"name", "experiment"} | ({"dataset"} if data_version is not None else set())
    config = {k: v for k, v in resolved.items() if k not in dropped}
    if isinstance(config.get("training"), dict):
        config["training"] = {k: v for k, v in config["training"].items() if k != "name"}
    canonical = json.dumps(
        {"kind": kind, "config": config, "data": data_version}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def default_experiment(dataset_name: str, target_column: str) -> str:
    """The experiment a model joins unless the person names one: its dataset and target."""
    return f"{dataset_name}:{target_column}"[:200]


def target_of(resolved: dict[str, Any]) -> str | None:
    training = resolved.get("training")
    board = resolved.get("leaderboard") if "candidates" not in resolved else resolved
    if isinstance(board, dict) and not isinstance(training, dict):
        # A leaderboard's (or an AutoML's) candidates share one target: the first one's says it.
        training = next(
            (c.get("training") for c in board.get("candidates") or [] if c.get("training")),
            None,
        )
    source = training if isinstance(training, dict) else resolved
    target = source.get("target_column")
    return str(target) if target is not None else None


def model_parts(kind: str, resolved: dict[str, Any], result: dict[str, Any]) -> ModelParts | None:
    """The model of a finished run of `kind`, or None for a kind that trains none."""
    if kind not in MODEL_KINDS:
        return None
    if kind == "tune":
        training = dict(result["training"])
        config = dict(resolved.get("training") or resolved)
        extra = {"best_trial": result.get("best_trial"), "goal_metric": result.get("goal_metric")}
        params = flat_params({**resolved, "training": None, **extra, **_config_params(config)})
        return _tabular(training, config, params)
    if kind == "automl":
        return _automl(result)
    if kind == "leaderboard":
        return _winner(resolved, result)
    if kind == "forecast":
        algorithm = str(result["algorithm"])
        estimator = {
            "name": "estimator",
            "kind": algorithm,
            "description": result.get("model"),
            "parameters": result.get("hyperparameters") or {},
        }
        return ModelParts(
            algorithm=algorithm,
            metrics=result.get("metrics") or {},
            modules=[estimator],
            params=flat_params(_config_params(resolved)),
            model_files=list(result.get("model_files") or []),
        )
    return _tabular(result, resolved, flat_params(_config_params(resolved)))


def _automl(result: dict[str, Any]) -> ModelParts:
    """An AutoML's chosen model: its final training's parts, with one estimator module per
    member of an ensemble (its weight said), and how the choice was made as params."""
    final = dict(result.get("final") or {})
    extra = {
        "goal_metric": result.get("goal_metric"),
        "time_budget_s": result.get("time_budget_s"),
        "best": result.get("best"),
        "selected_on": result.get("selected_on"),
    }
    config = {k: v for k, v in final.items() if k != "ensemble"}
    parts = _tabular(
        dict(result["training"]), final, flat_params({**extra, **_config_params(config)})
    )
    members = final.get("ensemble") or []
    if not members:
        return parts
    estimators = [
        {
            "name": f"member{index}",
            "kind": member["algorithm"],
            "description": f"{member['algorithm']}, {member['weight']:.0%} of the average",
            "parameters": member.get("hyperparameters") or {},
        }
        for index, member in enumerate(members, start=1)
    ]
    return replace(parts, modules=[parts.modules[0], *estimators])


def _winner(resolved: dict[str, Any], result: dict[str, Any]) -> ModelParts | None:
    """A leaderboard's winner, fitted on every training row: its model is the run's."""
    best = result.get("best")
    training = next(
        (
            c.get("training")
            for c in resolved.get("candidates") or []
            if c.get("algorithm") == best and c.get("training")
        ),
        None,
    )
    if best is None or training is None:
        return None  # nothing trained: no model to record
    entry: dict[str, Any] = next(
        (e for e in result.get("entries") or [] if e.get("algorithm") == best), {}
    )
    extra = {"goal_metric": result.get("goal_metric"), "best": best,
             "selected_on": result.get("selected_on")}  # fmt: skip
    winner = {"algorithm": best, "task_type": result.get("task_type"),
              "hyperparameters": training.get("hyperparameters"),
              "metrics": result.get("metrics") or entry.get("metrics")}  # fmt: skip
    return _tabular(winner, training, flat_params({**extra, **_config_params(training)}))


def model_identity(kind: str, resolved: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """What makes two runs' models the same model: their resolved config, and for an AutoML
    also what it chose (the same budget may choose differently on another day)."""
    if kind == "automl":
        return {**resolved, "chosen": result.get("final")}
    if kind == "leaderboard":
        return {**resolved, "chosen": result.get("best")}
    return resolved


def _config_params(resolved: dict[str, Any]) -> dict[str, Any]:
    # feature_kinds repeats the features with their encodings, which `modules` already says.
    return {k: v for k, v in resolved.items() if k not in {"feature_kinds", "training"}}


def _tabular(
    result: dict[str, Any], resolved: dict[str, Any], params: dict[str, str]
) -> ModelParts:
    algorithm = str(result["algorithm"])
    kinds: dict[str, str] = resolved.get("feature_kinds") or {}
    by_kind: dict[str, list[str]] = {}
    for column, kind in kinds.items():
        by_kind.setdefault(str(kind), []).append(column)
    spec = ALGORITHMS.get(algorithm)
    scaled = bool(spec is not None and spec.needs_scaling)
    preprocessing = {
        "name": "preprocessing",
        "kind": "column_transformer",
        "description": "impute missing values, one-hot encode categories, split dates into parts"
        + (", scale numbers" if scaled else ""),
        "parameters": {"columns": by_kind, "scale": scaled},
    }
    estimator = {
        "name": "estimator",
        "kind": algorithm,
        "description": f"{algorithm} {result.get('task_type', '')}".strip(),
        "parameters": result.get("hyperparameters") or {},
    }
    return ModelParts(
        algorithm=algorithm,
        metrics=result.get("metrics") or {},
        modules=[preprocessing, estimator],
        params=params,
        model_files=list(result.get("model_files") or []),
    )


def flat_params(values: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested config values as `a.b` -> text, as MLflow's params are; None left out."""
    flat: dict[str, str] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if value is None:
            continue
        if isinstance(value, dict) and value:
            flat.update(flat_params(value, f"{name}."))
        else:
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            flat[name] = text[:PARAM_VALUE_MAX]
    return flat


def merged_iterations(
    reported: list[dict[str, Any]], streamed: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The run's steps with metrics: what this process reported, and what the run's stream
    holds from others (a tuning's helpers' trials), once each, in order of unit and step.

    A trial's step is the count of trials done as its worker saw it, so two trials ending at
    once on two workers can say the same step and each miss the other in its best so far: the
    stream, which holds every worker's trials, numbers them in the order they ended, and the
    best so far is taken again in that order."""
    seen: dict[tuple[str | None, int], dict[str, Any]] = {}
    trials = 0
    for event in streamed:
        if event.get("type") == "progress" and event.get("metrics") and "step" in event:
            unit = event.get("unit")
            if unit == "trial":
                trials += 1
            key = (unit, trials if unit == "trial" else int(event["step"]))
            seen[key] = {"step": key[1], "unit": unit, "metrics": dict(event["metrics"])}
    for item in reported:
        if item.get("unit") == "trial" and trials:
            continue  # the stream holds this process's trials too, each once
        seen[(item.get("unit"), int(item["step"]))] = dict(item)
    order = {unit: i for i, unit in enumerate(dict.fromkeys(unit for unit, _ in seen))}
    merged = [seen[key] for key in sorted(seen, key=lambda k: (order[k[0]], k[1]))]
    _best_so_far([item for item in merged if item.get("unit") == "trial"])
    return merged


def _best_so_far(trials: list[dict[str, Any]]) -> None:
    """Each `best/<goal>` made the best of the `trial/<goal>` values up to its trial. The best
    is never worse than its trial: above it when the goal is maximised, below when minimised."""
    goals = {k.removeprefix("best/") for t in trials for k in t["metrics"] if k.startswith("best/")}
    for goal in goals:
        pairs = [(t["metrics"].get(f"trial/{goal}"), t["metrics"].get(f"best/{goal}"))
                 for t in trials]  # fmt: skip
        known = [
            (v, b) for v, b in pairs if isinstance(v, float | int) and isinstance(b, float | int)
        ]
        if not known:
            continue
        if all(b == v for v, b in known):
            continue  # every trial was the best when it ended: no sign of which way is better
        larger = all(b >= v for v, b in known)
        best: float | None = None
        for trial in trials:
            value = trial["metrics"].get(f"trial/{goal}")
            if isinstance(value, float | int):
                better = best is None or (value > best if larger else value < best)
                best = float(value) if better else best
            if best is not None and f"best/{goal}" in trial["metrics"]:
                trial["metrics"][f"best/{goal}"] = best
