"""What the agent says when a run ends: every number comes from the run's stored result."""

from __future__ import annotations

from typing import Any

_HEADLINE = {"classification": "accuracy", "regression": "r2", "forecasting": "mape"}
_MEANING = {
    "accuracy": "the share of held-out rows classified correctly",
    "r2": "the share of the target's variance on held-out rows that the model explains",
    "rmse": "the typical size of an error on held-out rows (root mean square)",
    "mae": "the average absolute error on held-out rows",
    "mape": "the average percentage error on the held-out tail",
}
_PERCENT = {"accuracy", "r2", "mape", "smape", "precision", "recall", "f1", "auc_roc"}
TOP_FEATURES = 3


def number(name: str, value: float | None) -> str:
    """A metric value as a person reads it: shares as percentages, others to 4 digits."""
    if value is None:
        return "n/a"
    if name in _PERCENT and -1.0 <= value <= 1.0:
        return f"{100 * value:.1f}%"
    return f"{value:.4g}"


def summarize(kind: str, run_id: int, result: dict[str, Any]) -> str:
    """A few sentences of Markdown about a finished run of `kind`."""
    if kind == "explore":
        return _exploration(run_id, result)
    if kind == "tune":
        return _tuning(run_id, result)
    if kind == "leaderboard":
        return _leaderboard(run_id, result)
    return _training(run_id, result)


def _training(run_id: int, result: dict[str, Any]) -> str:
    task = str(result.get("task_type", "classification"))
    test = (result.get("metrics") or {}).get("test") or {}
    headline = _HEADLINE.get(task, "accuracy")
    if headline not in test and test:
        headline = next(iter(test))
    value = test.get(headline)
    algorithm = result.get("algorithm", "the model")
    meaning = _MEANING.get(headline, "its score")
    lines = [
        f"**Run {run_id} finished** ({algorithm}, {task}). On the test split, "
        f"{headline} is **{number(headline, value)}** ({meaning})."
    ]
    baseline = trivial_baseline(result, headline)
    if baseline is not None and value is not None:
        strategy, base_value = baseline
        lines.append(
            f"A trivial baseline ({strategy}) gets {number(headline, base_value)}, so the "
            f"model {_versus(headline, value, base_value)}."
        )
    features = result.get("feature_importance") or []
    if features:
        top = ", ".join(
            f"`{f['feature']}` ({100 * f['importance']:.0f}%)" for f in features[:TOP_FEATURES]
        )
        lines.append(f"The features it relied on most: {top}.")
    plots = result.get("plots") or []
    if "confusion_matrix" in plots:
        lines.append("The confusion matrix shows which classes it mixes up.")
    if "forecast" in plots:
        lines.append(
            "The forecast chart shows the series, the held-out tail and the forecast band."
        )
    lines.append(_next_step(task, algorithm))
    return " ".join(lines)


def trivial_baseline(result: dict[str, Any], metric: str) -> tuple[str, float] | None:
    """What always giving one answer would score on the test split, from the stored result:
    the most frequent test class (from the confusion matrix) for accuracy; the mean of the
    test targets (from the stored test predictions) for r2, rmse and mae."""
    matrix = result.get("confusion_matrix")
    if metric == "accuracy" and isinstance(matrix, dict) and matrix.get("matrix"):
        rows = [sum(row) for row in matrix["matrix"]]
        if sum(rows):
            top = max(range(len(rows)), key=rows.__getitem__)
            label = matrix["labels"][top]
            return f"always '{label}'", rows[top] / sum(rows)
    pairs = result.get("test_predictions") or []
    actual = [float(p["actual"]) for p in pairs if p.get("actual") is not None]
    if len(actual) < 2 or metric not in {"r2", "rmse", "mae"}:
        return None
    mean = sum(actual) / len(actual)
    if metric == "r2":
        return "always the mean", 0.0
    if metric == "rmse":
        return "always the mean", (sum((a - mean) ** 2 for a in actual) / len(actual)) ** 0.5
    return "always the mean", sum(abs(a - mean) for a in actual) / len(actual)


def _versus(metric: str, model: float | None, baseline: float) -> str:
    if model is None:
        return "cannot be compared"
    lower_is_better = metric in {"rmse", "mae", "mape", "smape", "log_loss"}
    better = model < baseline if lower_is_better else model > baseline
    return "does better than that" if better else "does **not** beat it"


def _next_step(task: str, algorithm: Any) -> str:
    if task == "forecasting":
        return "Next: try another forecaster or a longer history, and compare the errors."
    return (
        f"Next: tune {algorithm}'s hyperparameters, or compare every algorithm with a leaderboard."
    )


def _tuning(run_id: int, result: dict[str, Any]) -> str:
    goal = str(result.get("goal_metric", "score"))
    trials = result.get("trials") or []
    params = ", ".join(f"{k}={v}" for k, v in (result.get("best_params") or {}).items())
    text = (
        f"**Tuning run {run_id} finished** after {len(trials)} trials: the best validation "
        f"{goal} is **{number(goal, result.get('best_value'))}** with {params or 'the defaults'}."
    )
    training = result.get("training")
    if isinstance(training, dict):
        test = (training.get("metrics") or {}).get("test") or {}
        if goal in test:
            text += f" Refit with those settings, it scores {number(goal, test[goal])} on test."
    return text + " The history, slice, contour and importance plots show how the search went."


def _leaderboard(run_id: int, result: dict[str, Any]) -> str:
    goal = str(result.get("goal_metric", "score"))
    entries = [e for e in result.get("entries") or [] if e.get("rank")]
    if not entries:
        return f"**Leaderboard run {run_id} finished**, but no algorithm could be trained."
    ranked = sorted(entries, key=lambda e: e["rank"])
    table = "; ".join(
        f"{e['rank']}. {e['algorithm']} "
        f"{number(goal, ((e.get('metrics') or {}).get('test') or {}).get(goal))}"
        for e in ranked
    )
    return f"**Leaderboard run {run_id} finished**, ranked by test {goal}: {table}."


def _exploration(run_id: int, result: dict[str, Any]) -> str:
    summary = result.get("summary")
    if isinstance(summary, dict):
        facts = [
            f"{key.replace('_', ' ')} {_fact(value)}"
            for key, value in summary.items()
            if isinstance(value, int | float | str) and not isinstance(value, bool)
        ]
        note = "; ".join(facts[:6]) + "." if facts else ""
    else:
        note = str(result.get("note") or summary or "")
    plots = ", ".join(result.get("plots") or [])
    return f"Here is the {plots or 'chart'} (run {run_id}). {note}".strip()


def _fact(value: int | float | str) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
