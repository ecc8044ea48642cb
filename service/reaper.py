"""Finds runs whose job died without saying so and marks them failed, with the reason."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import anyio
import anyio.to_thread
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select

from service.db.models import ACTIVE_STATUSES, Run, RunStatus, utcnow
from service.db.transitions import applied, transition
from service.domain.conversations.notes import note_run_end_async
from service.events import append_event_async
from service.redis_away import REDIS_AWAY
from service.resources import Resources
from service.shutdown import SHUTDOWN_REASON, was_stopping

log = logging.getLogger(__name__)

_GRACE = timedelta(seconds=10)


def _verdict(resources: Resources, run: Run, heard_since: datetime | None) -> str | None:
    """Why the run's job can no longer finish, or None while it still may; a job's silence is
    counted from `heard_since` when later than its last heartbeat (Redis was away till then,
    so no heartbeat could arrive)."""
    try:
        job = Job.fetch(run.job_id, connection=resources.sync_redis)
    except NoSuchJobError:
        return "the job vanished from the queue (was Redis restarted without its data?)"
    reason = _job_verdict(resources, job, heard_since)
    if reason is not None and was_stopping(resources.sync_redis, job.worker_name):
        # Its worker was asked to stop and went before it could say so itself.
        return SHUTDOWN_REASON
    return reason


def _job_verdict(resources: Resources, job: Job, heard_since: datetime | None) -> str | None:
    status = job.get_status(refresh=False)
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        latest = job.latest_result()
        last = (latest.exc_string if latest is not None else "") or ""
        lines = [line for line in last.strip().splitlines() if line.strip()]
        return f"the job {status.value}: {lines[-1] if lines else 'no reason given'}"
    if status == JobStatus.FINISHED:
        return "the job ended without recording a result"
    if status == JobStatus.STARTED and job.last_heartbeat is not None:
        heard = job.last_heartbeat.replace(tzinfo=UTC)
        if heard_since is not None:
            heard = max(heard, heard_since)
        silent = datetime.now(UTC) - heard
        if silent.total_seconds() > resources.settings.dead_after_s:
            return (
                f"the worker running this job stopped answering {int(silent.total_seconds())}s "
                "ago (killed, or its machine went away); run it again"
            )
    return None


async def reap_once(resources: Resources, heard_since: datetime | None = None) -> int:
    """One pass over active runs; returns how many were marked failed."""
    async with resources.sessions() as session:
        cutoff = utcnow() - _GRACE
        runs = list(
            await session.scalars(
                select(Run).where(Run.status.in_(list(ACTIVE_STATUSES)), Run.created_at < cutoff)
            )
        )
        reaped = 0
        for run in runs:
            reason = await anyio.to_thread.run_sync(_verdict, resources, run, heard_since)
            if reason is None:
                continue
            result = await session.execute(
                transition(run.id, RunStatus.FAILED, error=reason, finished_at=utcnow())
            )
            await session.commit()
            if applied(result):
                reaped += 1
                log.warning("run reaped", extra={"run_id": run.id, "reason": reason})
                await append_event_async(
                    resources.redis, "failed", run_id=run.id, job_id=run.job_id,
                    tenant=run.tenant, conversation_id=run.conversation_id, message=reason,
                )  # fmt: skip
                await session.refresh(run)
                await note_run_end_async(session, resources.redis, run, resources.settings)
        return reaped


async def reap_forever(resources: Resources, interval_s: float = 3.0) -> None:
    """Reap every few seconds until cancelled; a failing pass is logged, never fatal."""
    redis_seen_away: datetime | None = None
    while True:
        try:
            await reap_once(resources, redis_seen_away)
        except REDIS_AWAY as exc:
            # Workers could not vouch for their jobs either: their silence counts from now.
            redis_seen_away = datetime.now(UTC)
            log.warning("reaper: cannot reach Redis (%s); trying again", exc)
        except Exception:
            log.exception("reaper pass failed")
        await anyio.sleep(interval_s)
