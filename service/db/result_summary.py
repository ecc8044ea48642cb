"""What a list row shows of a run's result, kept beside it in `runs.summary`.

A result holds figures, test predictions and every split's numbers (kilobytes to megabytes);
a list shows a few numbers of it. Reading those out of the stored JSON on each list request
costs a parse of every document (PostgreSQL's `json` type reparses it per path), so they are
written once, when the result is.
"""

from __future__ import annotations

from typing import Any

DOCUMENT_KEYS = (
    "confusion_matrix",
    "feature_importance",
    "model_artifact_id",
    "training_duration_seconds",
    "data_summary",
)
"""What the training-service document's list rows show besides the test metrics."""


def _at(document: Any, *path: str) -> Any:
    for key in path:
        document = document.get(key) if isinstance(document, dict) else None
    return document


def result_summary(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """`result`'s test metrics (a tuning's refit model's, a leaderboard's winner's), its goal
    metric, winner and task, and the training document's fields, where it has them."""
    if result is None:
        return None
    best = result.get("best")
    # A run's own model's metrics where it keeps them at the top (a training, a tuning's refit,
    # an AutoML's choice, a leaderboard's winner since it has a model); else the winner's entry.
    test = _at(result, "metrics", "test") or _at(result, "training", "metrics", "test")
    if test is None and isinstance(best, str):
        winner = next((entry for entry in result.get("entries") or []
                       if _at(entry, "algorithm") == best), None)  # fmt: skip
        test = _at(winner, "metrics", "test")
    summary = {
        "test_metrics": test,
        "goal_metric": result.get("goal_metric"),
        "best": best,
        "task_type": result.get("task_type") or _at(result, "training", "task_type"),
        **{key: result.get(key) for key in DOCUMENT_KEYS},
    }
    return {key: value for key, value in summary.items() if value is not None}
