"""The jobs API: one collection per route of the job registry, all of one shape."""

# No `from __future__ import annotations`: each generated handler's body type is a route's
# config class, read from a variable, which Litestar must see as the class itself.

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from pydantic import BaseModel

from ml_backend.jobs.registry import route_job, routes
from service.db.models import RunStatus
from service.domain.jobs.document import (
    TrainingJobPage,
    TrainingJobView,
    TrainStatusFilter,
    document_summary,
    document_view,
)
from service.domain.jobs.listing import LIST_NAME
from service.domain.jobs.schemas import JobAccepted, JobPage, JobView
from service.domain.jobs.services import JobService, job_summary
from service.domain.params import RUN_PAGE_DEFAULT, After, JobId, Offset, RunLimit
from service.paging import check_one_way, decode_cursor, paged


class _JobController(Controller):
    route: str

    @get("/{job_id:str}", summary="A job's status and, when finished, its result")
    async def get_job(self, job_id: JobId, jobs: JobService) -> JobView:
        return await jobs.get(job_id, self.route)

    @get("/", summary="List jobs, newest first, a page at a time (next page: the Link header)")
    async def list_jobs(
        self,
        request: Request[Any, Any, Any],
        jobs: JobService,
        status: RunStatus | None = None,
        limit: RunLimit = RUN_PAGE_DEFAULT,
        offset: Offset = 0,
        after: After = None,
    ) -> Response[JobPage]:
        check_one_way(offset, after)
        statuses = None if status is None else [status]
        page, total = await jobs.list(self.route, statuses, limit, offset,
                                      decode_cursor(LIST_NAME, after), job_summary)  # fmt: skip
        body = {"items": page.items, "total": total, "limit": limit, "offset": offset}
        return paged(request, body, page.after)

    @delete("/{job_id:str}", status_code=200, summary="Cancel a queued or running job")
    async def cancel_job(self, job_id: JobId, jobs: JobService) -> JobView:
        return await jobs.cancel(job_id, self.route)


class _TrainController(Controller):
    """The train route answers in the training-service document's shape (see document.py)."""

    route: str

    @get("/{job_id:str}", summary="A training job's status and, when completed, its result")
    async def get_job(self, job_id: JobId, jobs: JobService) -> TrainingJobView:
        return document_view(await jobs.get(job_id, self.route))

    @get("/", summary="List training jobs, newest first, a page at a time (next page: the "
         "Link header)")  # fmt: skip
    async def list_jobs(
        self,
        request: Request[Any, Any, Any],
        jobs: JobService,
        status: TrainStatusFilter | None = None,
        limit: RunLimit = RUN_PAGE_DEFAULT,
        offset: Offset = 0,
        after: After = None,
    ) -> Response[TrainingJobPage]:
        check_one_way(offset, after)
        statuses = None if status is None else status.run_statuses()
        page, total = await jobs.list(
            self.route, statuses, limit, offset, decode_cursor(LIST_NAME, after), document_summary
        )
        body = {"items": page.items, "total": total, "limit": limit, "offset": offset}
        return paged(request, body, page.after)

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
