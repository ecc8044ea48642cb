"""The leaderboard kind: every applicable algorithm trained on one split, then ranked."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from pydantic import BaseModel

from ml_backend.configs import LeaderboardConfig
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.leaderboard.run import (
    LeaderboardResult,
    Phase,
    ResolvedLeaderboard,
    resolve_leaderboard,
    run_leaderboard,
)
from ml_backend.jobs.leaderboard.words import describe_leaderboard, summarize_leaderboard
from ml_backend.jobs.spec import JobEnv, JobResult, JobSpec, Outcome
from ml_backend.jobs.train.job import training_columns
from ml_backend.splitting import final_split


class LeaderboardRun(LeaderboardResult, JobResult):
    """A finished leaderboard as stored; `project_status` is the project protocol's last phase.
    `metrics` are the winner's, whose model is the run's, so every model run reads alike."""

    project_status: str = Phase.TRAINED.value
    metrics: dict[str, dict[str, float | None]] | None = None


def columns(resolved: ResolvedLeaderboard) -> list[str]:
    wanted: dict[str, None] = {}
    for candidate in resolved.applicable:
        if candidate.training is not None:
            wanted.update(dict.fromkeys(training_columns(candidate.training)))
    return list(wanted)


def run(frame: pd.DataFrame, resolved: ResolvedLeaderboard, env: JobEnv) -> Outcome[LeaderboardRun]:
    def on_phase(phase: str, details: dict[str, Any]) -> None:
        # The project protocol: preprocessing until every algorithm said whether it applies,
        # training while the applicable ones train; the run's own `finished` is `trained`.
        if phase == Phase.TRAINING:
            env.training()
        env.reporter.log(f"project {phase}: {json.dumps(details, default=str)}")

    outcome = run_leaderboard(
        resolved, frame, reporter=env.reporter, artifact_dir=env.artifact_dir, on_phase=on_phase
    )
    result = outcome.result
    winner = next((e for e in result.entries if e.algorithm == result.best), None)
    stored = LeaderboardRun.model_validate(
        {
            **dict(result),
            "metrics": winner.metrics if winner else None,
            "plots": sorted(outcome.plots),
        }
    )
    return Outcome(stored, outcome.plots)


def trained_model(resolved: ResolvedLeaderboard, result: LeaderboardRun | None) -> BaseModel:
    """The winner's training, fitted on every training row: the run's own model."""
    best = None if result is None else result.best
    chosen = next((c.training for c in resolved.applicable if c.algorithm == best), None)
    if chosen is None:
        raise ConfigValidationError(
            "this leaderboard has no winning model (no algorithm trained)", field="algorithms"
        )
    return chosen.model_copy(update={"split": final_split(chosen.split)})


SPEC = JobSpec(
    kind="leaderboard",
    route="leaderboard",
    tool="leaderboard",
    description="Train every applicable algorithm on one target and rank them by a goal metric.",
    config=LeaderboardConfig,
    resolved=ResolvedLeaderboard,
    result=LeaderboardRun,
    resolve=resolve_leaderboard,
    columns=columns,
    run=run,
    describe=describe_leaderboard,
    summarize=summarize_leaderboard,
    trained_model=trained_model,
    model_from_result=True,
    api_tag="training",
    api_summary="Train every applicable algorithm and rank them",
)
