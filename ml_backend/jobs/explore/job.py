"""The explore kind: a chart or table of the data, drawn by one of the explorers."""

from __future__ import annotations

import pandas as pd

from ml_backend.configs import ExplorationConfig
from ml_backend.explorers import run_exploration, validate_exploration
from ml_backend.explorers.base import ExplorationResult
from ml_backend.jobs.explore.words import describe_exploration, summarize_exploration
from ml_backend.jobs.spec import JobEnv, JobResult, JobSpec, Outcome


class ExploreRun(ExplorationResult, JobResult):
    """A finished exploration as stored: the figure and numbers, and the plot's name."""


def columns(_resolved: ExplorationConfig) -> None:
    return None


def run(frame: pd.DataFrame, resolved: ExplorationConfig, env: JobEnv) -> Outcome[ExploreRun]:
    env.training()
    result = run_exploration(resolved, frame, env.reporter)
    plots = {resolved.explorer.value: result.figure}
    # Already validated: checking the figure's values again would cost a large scatter time.
    stored = ExploreRun.model_construct(**dict(result), plots=sorted(plots))
    return Outcome(stored, plots)


def summarize(run_id: int, result: ExploreRun) -> str:
    return summarize_exploration(run_id, result, result.plots)


SPEC = JobSpec(
    kind="explore",
    route="explore",
    tool="explore",
    description=(
        "Draw a chart or table of the data (scatter, histogram, box, bar, line, "
        "correlation, scatter_matrix, describe, missing)."
    ),
    config=ExplorationConfig,
    resolved=ExplorationConfig,
    result=ExploreRun,
    resolve=validate_exploration,
    columns=columns,
    run=run,
    describe=describe_exploration,
    summarize=summarize,
    api_tag="exploration",
    api_summary="Validate an ExplorationConfig and queue it",
)
