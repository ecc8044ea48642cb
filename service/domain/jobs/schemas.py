"""What the jobs API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class JobAccepted(BaseModel):
    job_id: str
    run_id: int
    status: str
    kind: str


class JobSummary(BaseModel):
    """A run as a list shows it: what ran, on what, how it stands and its headline numbers;
    the full config and result are at GET /api/v1/runs/{run_id}."""

    job_id: str
    run_id: int
    kind: str
    status: str
    dataset_id: int | None
    dataset_name: str | None = None
    """The dataset's name as it is now; None once the dataset was deleted."""
    algorithm: str | None = None
    """The config's algorithm; None for kinds without one (explore, a leaderboard's several)."""
    conversation_id: int | None = None
    """The conversation the run was started from; None for runs started through the API."""
    progress: float | None
    step: int | None = None
    total: int | None = None
    unit: str | None = None
    """What `step` counts: trial, algorithm, round, epoch, tree or step (as in progress events)."""
    message: str | None = None
    """The latest progress message; while queued, the job's place: "queued, 2 ahead of you"."""
    jobs_ahead: int | None = None
    """While queued: how many of the tenant's jobs are before this one in line."""
    error: str | None = None
    config: dict[str, Any] = Field(
        description="In a list, the config's fields a row names the run by (algorithm or "
        "algorithms, explorer and columns, target, task, goal metric, trials); the whole "
        "config in a single run's answer."
    )
    task_type: str | None = None
    """classification, regression or forecasting, once known (a forecast goes by `train`)."""
    test_metrics: dict[str, float | None] | None = None
    """The test split's metrics once finished (a leaderboard: its winner's; a tuning: the
    refit best model's)."""
    goal_metric: str | None = None
    """The metric a tuning or leaderboard went for."""
    best: str | None = None
    """A leaderboard's winning algorithm."""
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobView(JobSummary):
    """A single run: its summary with the whole config and result."""

    result: dict[str, Any] | None


class JobPage(BaseModel):
    """A page of runs, newest first; the next page's address is in the Link header."""

    items: list[JobSummary]
    total: int
    """How many runs match, on every page together."""
    limit: int
    offset: int
    """The rows skipped by `offset` (0 when the page was asked for by cursor)."""
