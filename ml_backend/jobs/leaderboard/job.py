"""The leaderboard kind: every applicable algorithm trained on one split, then ranked."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ml_backend.configs import LeaderboardConfig
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


class LeaderboardRun(LeaderboardResult, JobResult):
    """A finished leaderboard as stored; `project_status` is the project protocol's last phase."""

    project_status: str = Phase.TRAINED.value


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
    stored = LeaderboardRun.model_validate({**dict(outcome.result), "plots": sorted(outcome.plots)})
    return Outcome(stored, outcome.plots)


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
    api_tag="training",
    api_summary="Train every applicable algorithm and rank them",
)
