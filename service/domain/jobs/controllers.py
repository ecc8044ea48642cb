"""The jobs API: one collection per route of the job registry, all of one shape."""

# No `from __future__ import annotations`: each generated handler's body type is a route's
# config class, read from a variable, which Litestar must see as the class itself.

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import Parameter
from pydantic import BaseModel

from ml_backend.jobs.registry import route_job, routes
from service.db.models import RunStatus
from service.domain.jobs.document import (
    TrainingJobPage,
    TrainingJobView,
    TrainStatusFilter,
    document_view,
)
from service.domain.jobs.schemas import JobAccepted, JobPage, JobView
from service.domain.jobs.services import JobService
from service.domain.params import JobId, Offset


class _JobController(Controller):
    route: str

    @get("/{job_id:str}", summary="A job's status and, when finished, its result")
    async def get_job(self, job_id: JobId, jobs: JobService) -> JobView:
        return await jobs.get(job_id, self.route)

    @get("/", summary="List jobs, newest first")
    async def list_jobs(
        self,
        jobs: JobService,
        status: RunStatus | None = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        offset: Offset = 0,
    ) -> JobPage:
        return await jobs.list(self.route, None if status is None else [status], limit, offset)

    @delete("/{job_id:str}", status_code=200, summary="Cancel a queued or running job")
    async def cancel_job(self, job_id: JobId, jobs: JobService) -> JobView:
        return await jobs.cancel(job_id, self.route)


class _TrainController(Controller):
    """The train route answers in the training-service document's shape (see document.py)."""

    route: str

    @get("/{job_id:str}", summary="A training job's status and, when completed, its result")
    async def get_job(self, job_id: JobId, jobs: JobService) -> TrainingJobView:
        return document_view(await jobs.get(job_id, self.route))

    @get("/", summary="List training jobs, newest first")
    async def list_jobs(
        self,
        jobs: JobService,
        status: TrainStatusFilter | None = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        offset: Offset = 0,
    ) -> TrainingJobPage:
        statuses = None if status is None else status.run_statuses()
        page = await jobs.list(self.route, statuses, limit, offset)
        return TrainingJobPage(
            items=[document_view(item) for item in page.items],
            total=page.total, limit=page.limit, offset=page.offset,
        )  # fmt: skip

    @delete("/{job_id:str}", status_code=200, summary="Cancel a queued or running training job")
    async def cancel_job(self, job_id: JobId, jobs: JobService) -> TrainingJobView:
        return document_view(await jobs.cancel(job_id, self.route))


DOCUMENT_ROUTES = {"train": _TrainController}
"""Routes a training-service document describes, answered in its shape."""


def job_controller(route: str) -> type[Controller]:
    """`/api/v1/ml/{route}`: submit the route's config, then read, list and cancel its jobs."""
    spec = route_job(route)
    config: type[BaseModel] = spec.config
    base: type[Controller] = DOCUMENT_ROUTES.get(route, _JobController)

    class JobController(base):  # type: ignore[valid-type,misc]
        path = f"/api/v1/ml/{route}"
        tags = (spec.api_tag,)

        @post("/", status_code=202, summary=spec.api_summary)
        async def submit(self, data: config, jobs: JobService) -> JobAccepted:  # type: ignore[valid-type]
            return await jobs.submit(self.route, data)

    JobController.route = route
    JobController.__name__ = JobController.__qualname__ = f"{route.title()}Controller"
    return JobController


JOB_CONTROLLERS = [job_controller(route) for route in routes()]
