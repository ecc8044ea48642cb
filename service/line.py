"""Where a queued job stands in its tenant's line, in words: "queued, 2 ahead of you".

The place counts the tenant's own jobs before it (tenants are served round robin, so another
tenant's line does not push a job back) and says when the tenant's running jobs hold all its
slots, so the job waits for one to end. A job's `queued` event says its place when it is
queued, and again whenever the line moves (a job of the tenant starts or is cancelled).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
from rq.job import Job

from service.events import queue_event
from service.slots import queue_key, redis_time, slots_key

ANNOUNCED = 50
"""How many waiting jobs hear of their new place when the line moves: those further back
would fill the streams with places that change again before they matter."""


@dataclass(frozen=True)
class Place:
    ahead: int
    """The tenant's jobs before this one in line."""
    running: int
    limit: int
    """The tenant's concurrent-jobs limit."""

    def words(self) -> str:
        text = "queued, next in line" if self.ahead == 0 else f"queued, {self.ahead} ahead of you"
        if self.running >= self.limit:
            text += (
                f"; your {self.running} running jobs are your limit of {self.limit}, "
                "so it starts when one of them ends"
            )
        return text


def place_of(connection: redis.Redis, tenant: str, job_id: str | None, limit: int) -> Place | None:
    """The place of `job_id` in its tenant's line (None if it is not in line, e.g. starting);
    with `job_id` None, the place a job queued now would take."""
    now = redis_time(connection)
    with connection.pipeline(transaction=False) as pipeline:
        if job_id is None:
            pipeline.llen(queue_key(tenant))
        else:
            pipeline.lpos(queue_key(tenant), job_id)
        pipeline.zcount(slots_key(tenant), f"({now}", "+inf")
        ahead, running = pipeline.execute()
    if ahead is None:
        return None
    return Place(ahead=int(ahead), running=int(running), limit=limit)


def places_of(
    connection: redis.Redis, tenant: str, job_ids: list[str], limit: int
) -> dict[str, Place]:
    """`place_of` for each of `job_ids` still in line, in one round trip (a list's queued
    runs)."""
    now = redis_time(connection)
    with connection.pipeline(transaction=False) as pipeline:
        for job_id in job_ids:
            pipeline.lpos(queue_key(tenant), job_id)
        pipeline.zcount(slots_key(tenant), f"({now}", "+inf")
        *positions, running = pipeline.execute()
    return {
        job_id: Place(ahead=int(ahead), running=int(running), limit=limit)
        for job_id, ahead in zip(job_ids, positions, strict=True)
        if ahead is not None
    }


def announce_places(connection: redis.Redis, tenant: str, limit: int) -> None:
    """Tell the first jobs in the tenant's line their places, now that the line moved."""
    waiting: list[bytes] = connection.lrange(queue_key(tenant), 0, ANNOUNCED - 1)  # type: ignore[assignment]
    ids = [job_id.decode() for job_id in waiting]
    if not ids:
        return
    first = place_of(connection, tenant, None, limit)
    running = first.running if first else 0
    with connection.pipeline(transaction=False) as pipeline:
        for ahead, job in enumerate(Job.fetch_many(ids, connection=connection)):
            if job is None or "run_id" not in job.meta:
                continue
            place = Place(ahead=ahead, running=running, limit=limit)
            queue_event(
                pipeline, "queued", run_id=job.meta["run_id"], job_id=job.id, tenant=tenant,
                conversation_id=job.meta.get("conversation_id"), progress=0.0,
                message=place.words(), ahead=ahead,
            )  # fmt: skip
        pipeline.execute()
