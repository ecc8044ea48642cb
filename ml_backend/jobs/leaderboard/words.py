"""A leaderboard in words: the plan before it runs, the ranking after."""

from __future__ import annotations

from ml_backend.configs import LeaderboardConfig
from ml_backend.jobs.leaderboard.run import LeaderboardEntry, LeaderboardResult
from ml_backend.jobs.words import columns_words, dataset_words, split_words
from ml_backend.numbers import format_metric


def describe_leaderboard(config: LeaderboardConfig) -> str:
    names = config.algorithms or ["every applicable algorithm"]
    return (
        f"Train {', '.join(names)} to predict `{config.target_column}`"
        f"{columns_words(config.feature_columns)} on {dataset_words(config.dataset)}, "
        f"{split_words(config.split)}, and rank them by "
        f"{config.goal_metric or 'the default metric'}."
    )


def summarize_leaderboard(run_id: int, result: LeaderboardResult) -> str:
    goal = result.goal_metric
    ranked = sorted((e for e in result.entries if e.rank), key=lambda e: e.rank or 0)
    if not ranked:
        return f"**Leaderboard run {run_id} finished**, but no algorithm could be trained."
    table = "; ".join(f"{e.rank}. {e.algorithm} {_ranked_by(e, goal)}" for e in ranked)
    chosen = result.selected_on or "the training data"
    text = f"**Leaderboard run {run_id} finished**, ranked by {goal} on {chosen}: {table}."
    best = ranked[0]
    judged = _test_value(best.metrics, goal)
    if judged is not None:
        text += (
            f" The test part, kept out of the ranking, then judged {best.algorithm}'s model "
            f"(fitted on every training row) at {format_metric(goal, judged)}."
        )
    return text


def _ranked_by(entry: LeaderboardEntry, goal: str) -> str:
    scores = entry.validation.metrics.get(goal) if entry.validation else None
    if scores is None or scores.mean is None:
        return f"test {format_metric(goal, _test_value(entry.metrics, goal))}"
    spread = f" ± {format_metric(goal, scores.std)}" if scores.std is not None else ""
    return f"{format_metric(goal, scores.mean)}{spread}"


def _test_value(metrics: dict[str, dict[str, float | None]] | None, goal: str) -> float | None:
    return ((metrics or {}).get("test") or {}).get(goal)
