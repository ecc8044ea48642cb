"""Answers about finished runs, every number from their stored results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agents.automl_answers import automl_label, is_automl, winner_settings_text
from ml_backend.jobs.words import LOWER_IS_BETTER, headline
from ml_backend.numbers import format_metric, format_params


def _test(run: Mapping[str, Any]) -> dict[str, Any]:
    """The run's test metrics; for a leaderboard, those of its best algorithm."""
    result = run.get("result") or {}
    entry = _leader_entry(result)
    metrics = (entry if entry is not None else result).get("metrics") or {}
    return dict(metrics.get("test") or {})


def _task(run: Mapping[str, Any]) -> str:
    """The run's task; a search keeps it with the model it refit."""
    result = run.get("result") or {}
    return str(result.get("task_type") or (result.get("training") or {}).get("task_type"))


def _leader_entry(result: Mapping[str, Any]) -> Mapping[str, Any] | None:
    entries = result.get("entries")
    if not isinstance(entries, list):
        return None
    return next((e for e in entries if e.get("algorithm") == result.get("best")), None)


def compare_text(runs: Sequence[dict[str, Any]]) -> str:
    """Which run is better and by how much, then a Markdown table of their test metrics."""
    finished = [r for r in runs if r.get("result")]
    names: list[str] = []
    for run in finished:
        for name in _test(run):
            if name not in names:
                names.append(name)
    header = "| run | model | " + " | ".join(names) + " |"
    rows = [header, "|" + " --- |" * (len(names) + 2)]
    for run in finished:
        test = _test(run)
        cells = [format_metric(n, test.get(n)) for n in names]
        rows.append(f"| {run['run_id']} | {model_label(run)} | "
                    + " | ".join(cells) + " |")  # fmt: skip
    unfinished = [f"run {r['run_id']} {_state(r)}" for r in runs if not r.get("result")]
    note = f"\n\nWithout a result to compare: {'; '.join(unfinished)}." if unfinished else ""
    verdict = verdict_text(finished)
    differs = differences_text(finished)
    opening = "\n\n".join(part for part in (verdict, differs) if part)
    return (f"{opening}\n\n" if opening else "") + "\n".join(rows) + note


def _state(run: Mapping[str, Any]) -> str:
    status = str(run.get("status"))
    if status == "failed":
        return f"failed ({run.get('error') or 'no reason given'})"
    if status == "cancelled":
        return "was cancelled"
    return f"is {status}, not finished yet"


def verdict_text(runs: Sequence[Mapping[str, Any]]) -> str:
    """'Run 4 (lightgbm) is better: r2 0.810 against 0.620 for run 3 (linear) on the test
    split.' The runs' task's headline metric decides; '' when they cannot be compared."""
    tasks = {_task(r) for r in runs}
    if len(runs) < 2 or len(tasks) != 1:
        return ""
    metric = headline(tasks.pop(), _test(runs[0]))
    scored = [(r, _test(r).get(metric)) for r in runs]
    valued = [(r, v) for r, v in scored if isinstance(v, int | float)]
    if len(valued) < 2:
        return ""
    lower = metric in LOWER_IS_BETTER
    ordered = sorted(valued, key=lambda pair: pair[1], reverse=not lower)
    (best, best_value), (second, second_value) = ordered[0], ordered[1]
    if best_value == second_value:
        return f"Runs {best['run_id']} and {second['run_id']} score the same {metric}."
    return (
        f"**Run {best['run_id']} ({model_label(best)}) is better**: {metric} "
        f"{format_metric(metric, best_value)} against "
        f"{format_metric(metric, second_value)} for run {second['run_id']} "
        f"({model_label(second)}) on the test split "
        f"({'lower' if lower else 'higher'} is better)."
    )


def differences_text(runs: Sequence[Mapping[str, Any]]) -> str:
    """What two runs did differently (the model, its settings, the columns, the split), which
    is where a difference in their scores comes from; '' for more or fewer runs."""
    if len(runs) != 2:
        return ""
    first, second = runs
    ways = []
    if model_label(first) != model_label(second):
        ways.append(f"the model ({model_label(first)} against {model_label(second)})")
    settings = [_settings(run) for run in runs]
    if settings[0] != settings[1]:
        ways.append(f"the settings ({settings[0]} against {settings[1]})")
    columns = [_columns(run) for run in runs]
    if columns[0] != columns[1]:
        ways.append(f"the input columns ({columns[0]} against {columns[1]})")
    held = [_held_out(run) for run in runs]
    if held[0] != held[1]:
        ways.append(f"the rows held out for testing ({held[0]} against {held[1]})")
    if not ways:
        return ""
    return (
        f"Runs {first['run_id']} and {second['run_id']} differ in " + "; ".join(ways) + ": "
        "that is where the gap in their scores comes from."
    )


def _settings(run: Mapping[str, Any]) -> str:
    result = run.get("result") or {}
    if is_automl(result):
        return winner_settings_text(int(run["run_id"]), result)
    if "best_params" in result:
        return f"the best of a search: {format_params(result['best_params'])}"
    params = result.get("hyperparameters") or (run.get("config") or {}).get("hyperparameters")
    return format_params(params) if params else "the defaults"


def _columns(run: Mapping[str, Any]) -> str:
    config = run.get("config") or {}
    chosen = config.get("feature_columns")
    target = config.get("target_column")
    return (f"{', '.join(chosen)} to predict {target}" if chosen
            else f"all columns to predict {target}")  # fmt: skip


def _held_out(run: Mapping[str, Any]) -> str:
    split = (run.get("config") or {}).get("split") or {}
    share = split.get("test_size", 0.2)
    return f"{100 * float(share):.0f}% ({split.get('strategy', 'random')})"


def model_label(run: Mapping[str, Any]) -> str:
    """What a run's model is: 'xgboost', 'tuned xgboost', 'arima forecast'; not the route
    it went through ('train' for a forecast)."""
    result = run.get("result") or {}
    config = run.get("config") or {}
    training = result.get("training") or {}
    algorithm = result.get("algorithm") or training.get("algorithm") or config.get("algorithm")
    if is_automl(result):
        return automl_label(result)
    if result.get("task_type") == "forecasting" or config.get("task_type") == "forecasting":
        return f"{algorithm or 'automatic'} forecast"
    if "trials" in result:
        return f"tuned {algorithm or 'model'}"
    if isinstance(result.get("entries"), list):
        return f"leaderboard, best {result.get('best') or 'none'}"
    return str(algorithm or "?")
