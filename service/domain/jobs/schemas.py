"""What the jobs API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class JobAccepted(BaseModel):
    job_id: str
    run_id: int
    status: str
    kind: str


class JobView(BaseModel):
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
    config: dict[str, Any]
    result: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(BaseModel):
    items: list[JobView]
    total: int
    limit: int
    offset: int
