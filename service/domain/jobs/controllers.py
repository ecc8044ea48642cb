"""The jobs API: /ml/train and /ml/explore share one shape."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import Parameter

from ml_backend.configs import ExplorationConfig, LeaderboardConfig, TrainingConfig, TuningConfig
from service.db.models import RunKind, RunStatus
from service.domain.jobs.schemas import JobAccepted, JobPage, JobView
from service.domain.jobs.services import JobService


class _JobController(Controller):
    kind: RunKind

    @get("/{job_id:str}", summary="A job's status and, when finished, its result")
    async def get_job(self, job_id: str, jobs: JobService) -> JobView:
        return await jobs.get(job_id, self.kind)

    @get("/", summary="List jobs, newest first")
    async def list_jobs(
        self,
        jobs: JobService,
        status: RunStatus | None = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> JobPage:
        return await jobs.list(self.kind, status, limit, offset)

    @delete("/{job_id:str}", status_code=200, summary="Cancel a queued or running job")
    async def cancel_job(self, job_id: str, jobs: JobService) -> JobView:
        return await jobs.cancel(job_id, self.kind)


class TrainController(_JobController):
    path = "/api/v1/ml/train"
    tags = ("training",)
    kind = RunKind.TRAIN

    @post("/", status_code=202, summary="Validate a TrainingConfig and queue it")
    async def submit(self, data: TrainingConfig, jobs: JobService) -> JobAccepted:
        return await jobs.submit_training(data)


class ExploreController(_JobController):
    path = "/api/v1/ml/explore"
    tags = ("exploration",)
    kind = RunKind.EXPLORE

    @post("/", status_code=202, summary="Validate an ExplorationConfig and queue it")
    async def submit(self, data: ExplorationConfig, jobs: JobService) -> JobAccepted:
        return await jobs.submit_exploration(data)


class TuneController(_JobController):
    path = "/api/v1/ml/tune"
    tags = ("tuning",)
    kind = RunKind.TUNE

    @post("/", status_code=202, summary="Validate a TuningConfig and queue the search")
    async def submit(self, data: TuningConfig, jobs: JobService) -> JobAccepted:
        return await jobs.submit_tuning(data)


class LeaderboardController(_JobController):
    path = "/api/v1/ml/leaderboard"
    tags = ("training",)
    kind = RunKind.LEADERBOARD

    @post("/", status_code=202, summary="Train every applicable algorithm and rank them")
    async def submit(self, data: LeaderboardConfig, jobs: JobService) -> JobAccepted:
        return await jobs.submit_leaderboard(data)
