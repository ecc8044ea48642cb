"""Answers about finished runs, every number from their stored results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ml_backend.jobs.words import LOWER_IS_BETTER, headline
from ml_backend.numbers import format_metric


def _test(run: Mapping[str, Any]) -> dict[str, Any]:
    return dict(((run.get("result") or {}).get("metrics") or {}).get("test") or {})


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
    unfinished = [str(r["run_id"]) for r in runs if not r.get("result")]
    note = f"\n\nNot finished yet: runs {', '.join(unfinished)}." if unfinished else ""
    verdict = verdict_text(finished)
    return (f"{verdict}\n\n" if verdict else "") + "\n".join(rows) + note


def verdict_text(runs: Sequence[Mapping[str, Any]]) -> str:
    """'Run 4 (lightgbm) is better: r2 0.810 against 0.620 for run 3 (linear) on the test
    split.' The runs' task's headline metric decides; '' when they cannot be compared."""
    tasks = {str((r.get("result") or {}).get("task_type")) for r in runs}
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


def model_label(run: Mapping[str, Any]) -> str:
    """What a run's model is: 'xgboost', 'tuned xgboost', 'arima forecast'; not the route
    it went through ('train' for a forecast)."""
    result = run.get("result") or {}
    config = run.get("config") or {}
    training = result.get("training") or {}
    algorithm = result.get("algorithm") or training.get("algorithm") or config.get("algorithm")
    if result.get("task_type") == "forecasting" or config.get("task_type") == "forecasting":
        return f"{algorithm or 'automatic'} forecast"
    if "trials" in result:
        return f"tuned {algorithm or 'model'}"
    return str(algorithm or "?")
