"""Job logic: validate a config against its dataset, record the run, enqueue, cancel."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import anyio.to_thread
from pydantic import BaseModel
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ml_backend.jobs.budget import check_budget, fit_budget
from ml_backend.jobs.registry import AnySpec, Resolution, dataset_of, resolve, route_kinds
from ml_backend.schema import DatasetProfile
from service.db.models import FINAL_STATUSES, Dataset, Run, RunStatus, utcnow
from service.db.transitions import applied, transition
from service.domain.conversations.notes import note_run_end_async
from service.domain.datasets.services import DatasetService
from service.domain.jobs.kinds import shown_kind
from service.domain.jobs.listing import (
    LIST_NAME,
    Live,
    RunRow,
    as_float,
    float_values,
    position,
    schema_defaults,
    schema_row,
    summary_of,
    summary_select,
)
from service.domain.jobs.schemas import JobAccepted, JobSummary, JobView
from service.domain.limits.schemas import Limits
from service.domain.limits.services import tenant_limits
from service.errors import ConflictError, NotFoundError, UnavailableError
from service.events import append_event_async, latest_progress_many, queue_event
from service.line import announce_places, place_of, places_of
from service.lineage import record
from service.paging import Cursor, Page, keyset
from service.queues import tenant_queue
from service.resources import Resources
from service.slots import wake
from service.tuning.helpers import stop_helpers

log = logging.getLogger(__name__)

ENTRY_POINT = "service.worker.run_job"
PROGRESS_FIELDS = ("progress", "step", "total", "unit", "message")
"""What a running run's view takes from its latest progress event."""


ListRow = Callable[[RunRow, Live | None], dict[str, Any]]
"""How a list shows a run's row (`job_summary`, or the train document's `document_summary`)."""


class RunState(Protocol):
    """What `JobService.live` reads of a run: a Run, or a row of a list's query."""

    @property
    def id(self) -> int: ...
    @property
    def job_id(self) -> str: ...
    @property
    def status(self) -> str: ...


SUMMARY_DEFAULTS = schema_defaults(JobSummary)


def summary_fields(row: RunRow, live: Live | None) -> dict[str, Any]:
    """`summary_of`, its numbers as `JobSummary` types them."""
    fields = summary_of(row, live)
    fields["progress"] = as_float(fields["progress"])
    fields["test_metrics"] = float_values(fields["test_metrics"])
    return fields


def job_summary(row: RunRow, live: Live | None) -> dict[str, Any]:
    """A run's row as a list shows it: a `JobSummary` as JSON-ready fields."""
    return schema_row(SUMMARY_DEFAULTS, summary_fields(row, live))


class JobService:
    """Owns the session and the queue for job requests."""

    def __init__(self, session: AsyncSession, resources: Resources, tenant: str) -> None:
        self.session = session
        self.resources = resources
        self.tenant = tenant
        self._limits: Limits | None = None

    async def limits(self) -> Limits:
        """The tenant's limits, read once per request."""
        if self._limits is None:
            self._limits = await tenant_limits(self.session, self.resources.settings, self.tenant)
        return self._limits

    async def submit(
        self,
        route: str,
        config: BaseModel,
        conversation_id: int | None = None,
        resolution: Resolution | None = None,
        retrain_of: int | None = None,
    ) -> JobAccepted:
        """Queue `config` as the kind it is, resolved against its dataset unless `resolution`
        already is (the agent resolves a call when it checks it); `retrain_of`: the run it
        repeats."""
        datasets = DatasetService(self.session, self.resources.settings, self.tenant)
        dataset = await datasets.find_ref(dataset_of(config))
        if resolution is None or resolution.dataset_id != dataset.id:
            resolution = resolve(route, config, DatasetProfile.model_validate(dataset.profile))
        budget = (await self.limits()).budget()
        check_budget(config, dataset.size_bytes, budget)
        resolved = fit_budget(resolution.resolved, budget)
        return await self._submit(
            resolution.spec, dataset, config, resolved, conversation_id, retrain_of
        )

    async def _submit(
        self,
        spec: AnySpec,
        dataset: Dataset,
        config: BaseModel,
        resolved: BaseModel,
        conversation_id: int | None = None,
        retrain_of: int | None = None,
    ) -> JobAccepted:
        run = Run(
            tenant=self.tenant,
            kind=spec.kind,
            status=RunStatus.QUEUED,
            job_id=uuid.uuid4().hex,
            dataset_id=dataset.id,
            conversation_id=conversation_id,
            config=config.model_dump(mode="json", exclude_none=True),
            resolved=resolved.model_dump(mode="json"),
        )
        self.session.add(run)
        await self.session.flush()
        record.run_dispatched(self.session, run, retrain_of)
        await self.session.commit()
        limits = await self.limits()
        try:
            await anyio.to_thread.run_sync(self._enqueue, run, limits)
        except Exception as exc:
            await self.session.execute(
                transition(run.id, RunStatus.FAILED, error=f"could not queue the job: {exc}")
            )
            await self.session.commit()
            raise UnavailableError("the job queue (Redis) is not reachable; try again") from exc
        return JobAccepted(
            job_id=run.job_id, run_id=run.id, status=run.status, kind=shown_kind(run.kind)
        )

    def _enqueue(self, run: Run, limits: Limits) -> None:
        """Append the `queued` event and queue the job in one transaction (one round trip).

        In one MULTI/EXEC, the event is on the run's stream before any worker can take the job,
        so `queued` always comes before `started`. The job runs for at most the tenant's
        duration limit and carries its limits to the process that runs it.
        """
        connection = self.resources.sync_redis
        place = place_of(connection, run.tenant, None, limits.concurrent_jobs)
        with connection.pipeline() as pipeline:
            pipeline.multi()  # RQ would start the transaction after our first command
            queue_event(
                pipeline, "queued", run_id=run.id, job_id=run.job_id, tenant=run.tenant,
                conversation_id=run.conversation_id, progress=0.0,
                message=place.words() if place else None, ahead=place.ahead if place else None,
            )  # fmt: skip
            tenant_queue(connection, run.tenant).enqueue_call(
                ENTRY_POINT,
                args=(run.id,),
                job_id=run.job_id,
                timeout=limits.duration_s,
                result_ttl=24 * 3600,
                failure_ttl=7 * 24 * 3600,
                description=f"{shown_kind(run.kind)} run {run.id}",
                meta={
                    "run_id": run.id,
                    "conversation_id": run.conversation_id,
                    "limits": limits.model_dump(),
                },
                pipeline=pipeline,
            )
            wake(pipeline)
            pipeline.execute()

    async def run_by_id(self, run_id: int) -> Run:
        run = await self.session.get(Run, run_id)
        if run is None or run.tenant != self.tenant:
            raise NotFoundError(f"run {run_id} does not exist; GET /api/v1/runs lists them")
        return run

    async def _run(self, job_id: str, route: str) -> Run:
        query = select(Run).where(Run.job_id == job_id, Run.tenant == self.tenant)
        run = await self.session.scalar(query)
        if run is None or run.kind not in route_kinds(route):
            raise NotFoundError(f"no {route} job {job_id!r}; GET /api/v1/ml/{route} lists them")
        return run

    async def view(self, run: Run) -> JobView:
        """The run as the API shows it alone: its summary with the whole config and result."""
        dataset_name = await self._dataset_name(run.dataset_id)
        live = (await self.live([run])).get(run.id)
        fields = summary_of(RunRow.of(run, dataset_name), live)
        return JobView(**{**fields, "config": run.config}, result=run.result)

    async def live(self, runs: Sequence[RunState]) -> dict[int, Live]:
        """What Redis says of those `runs` not yet final: a queued one's place in line, a
        running one's latest progress; two round trips however many runs there are."""
        queued = [run for run in runs if run.status == RunStatus.QUEUED]
        going = [run.id for run in runs if run.status not in FINAL_STATUSES | {RunStatus.QUEUED}]
        found: dict[int, Live] = {}
        if queued:
            limit = (await self.limits()).concurrent_jobs
            places = await anyio.to_thread.run_sync(
                places_of, self.resources.sync_redis, self.tenant,
                [run.job_id for run in queued], limit,
            )  # fmt: skip
            for run in queued:
                if (place := places.get(run.job_id)) is not None:
                    found[run.id] = {"jobs_ahead": place.ahead, "message": place.words()}
        if going:
            events = await latest_progress_many(self.resources.redis, going)
            for run_id, event in events.items():
                found[run_id] = {key: event.get(key) for key in PROGRESS_FIELDS}
        return found

    async def _dataset_name(self, dataset_id: int | None) -> str | None:
        if dataset_id is None:
            return None
        return await self.session.scalar(select(Dataset.name).where(Dataset.id == dataset_id))

    async def get(self, job_id: str, route: str) -> JobView:
        return await self.view(await self._run(job_id, route))

    async def page(
        self,
        where: list[ColumnElement[bool]],
        limit: int,
        offset: int,
        after: Cursor | None,
        item: ListRow,
        *,
        count_joins_dataset: bool = False,
    ) -> tuple[Page[dict[str, Any]], int]:
        """The runs matching `where`, newest first, from `after` or `offset`, and how many
        match in all (`count_joins_dataset` when `where` reads the dataset's name): one query
        for the rows (no result blobs) with the count beside each, one Redis round trip for
        those still going."""
        count = select(func.count()).select_from(Run)
        if count_joins_dataset:
            count = count.outerjoin(Dataset, Dataset.id == Run.dataset_id)
        # Uncorrelated, so both databases count once per query, not per row; it counts every
        # match, not only those after the cursor, as `total` is the whole list's.
        total_column = count.where(*where).correlate(None).scalar_subquery().label("total")
        query = summary_select().add_columns(total_column).where(*where)
        query = keyset(query, Run.created_at, Run.id, after, limit).offset(offset)
        found = (await self.session.execute(query)).all()
        rows = [RunRow._make(row[:-1]) for row in found]
        if found:
            total = found[0][-1]
        elif offset == 0 and after is None:
            total = 0
        else:  # past the last page, which no row of this query can tell the count on
            total = await self.session.scalar(count.where(*where)) or 0
        live = await self.live(rows[:limit])
        page = Page.of(rows, limit, LIST_NAME, position, lambda row: item(row, live.get(row.id)))
        return page, total

    async def list(
        self,
        route: str,
        statuses: list[RunStatus] | None,
        limit: int,
        offset: int,
        after: Cursor | None,
        item: ListRow,
    ) -> tuple[Page[dict[str, Any]], int]:
        """A page of the route's runs, newest first, of any of `statuses` when given, and how
        many there are in all."""
        where = [Run.tenant == self.tenant, Run.kind.in_(route_kinds(route))]
        if statuses is not None:
            where.append(Run.status.in_([status.value for status in statuses]))
        return await self.page(where, limit, offset, after, item)

    async def cancel(self, job_id: str, route: str, *, note: bool = True) -> JobView:
        """Mark the run cancelled, then make sure RQ never starts it or stops it now; and say
        so in the run's conversation, unless `note` is False (the agent says it there itself)."""
        run = await self._run(job_id, route)
        was_in_line = run.status == RunStatus.QUEUED
        changed = await self.session.execute(
            transition(run.id, RunStatus.CANCELLED, finished_at=utcnow(),
                       error="cancelled by request")
        )  # fmt: skip
        await self.session.commit()
        if not applied(changed):
            await self.session.refresh(run)
            raise ConflictError(f"job {job_id} is already {run.status}; nothing to cancel")
        await anyio.to_thread.run_sync(self._stop, run.job_id)
        await anyio.to_thread.run_sync(stop_helpers, self.resources.sync_redis, run.id)
        if was_in_line:  # the jobs behind it move up
            limit = (await self.limits()).concurrent_jobs
            await anyio.to_thread.run_sync(
                announce_places, self.resources.sync_redis, run.tenant, limit
            )
        await append_event_async(
            self.resources.redis, "cancelled", run_id=run.id, job_id=run.job_id,
            tenant=run.tenant, conversation_id=run.conversation_id, message="cancelled by request",
        )  # fmt: skip
        await self.session.refresh(run)
        view = await self.view(run)
        if note:
            await note_run_end_async(self.session, self.resources.redis, run,
                                     self.resources.settings)  # fmt: skip
        return view

    def _stop(self, job_id: str) -> None:
        connection = self.resources.sync_redis
        try:
            job = Job.fetch(job_id, connection=connection)
        except NoSuchJobError:
            return
        # Cancel drops it from the queue; stop kills the work horse if a worker holds it.
        # Both are tried, since the job may be dequeued between the two looks.
        with contextlib.suppress(InvalidJobOperation):
            job.cancel()
        with contextlib.suppress(InvalidJobOperation):
            send_stop_job_command(connection, job_id)
