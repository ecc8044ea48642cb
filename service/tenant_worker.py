"""An RQ worker that serves every tenant's queue, each tenant within its concurrent-jobs limit.

Jobs go on a queue per tenant (`service.queues`), but an RQ worker listens on the queues it was
started with. A tenant is born when an admin makes its first key, so a worker started before
that would never see its jobs: this one re-reads the tenants' queues from RQ's own registry of
queues (the `rq:queues` set an enqueue adds to) each time it looks for a job.

It takes a job only with a slot of the job's tenant (`service.slots`), round robin over the
tenants, so a tenant at its limit waits while the others' jobs run. It holds the slot for as
long as the job's work horse runs, renewing it with each heartbeat, and gives it back after.

Faults: its work horse dies with it (`service.horse`); a horse that ends without finishing its
job is told to `horse_died`, with whether the worker was being shut down, so the run says why
it ended; a Redis that goes away for a while (restarting) costs heartbeats, not the job.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import redis
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.worker import WorkerStatus

from service.domain.limits.book import LimitBook
from service.horse import die_with_parent
from service.line import announce_places
from service.queues import QUEUE_PREFIX, queue_name
from service.redis_away import REDIS_AWAY, unless_redis_away
from service.shutdown import mark_stopping
from service.slots import claim, release, renew, wait_for_work

log = logging.getLogger(__name__)

WAIT_S = 2.0
"""The longest an idle worker waits before it looks again without being woken: a slot freed by
a lease running out (a dead worker) or a tenant's limit raised wakes nobody."""


HorseDied = Callable[[Job, int | None, bool], None]
"""Records a job whose work horse ended without finishing it, given the horse's wait status
(None if unknown) and whether the worker was being shut down."""


def tenant_of(queue: str) -> str:
    return queue.removeprefix(QUEUE_PREFIX)


class TenantWorker(Worker):
    def __init__(
        self,
        *args: Any,
        limit_book: LimitBook,
        lease_s: float,
        horse_died: HorseDied | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.limit_book = limit_book
        self.lease_s = lease_s
        self.horse_died = horse_died
        self.shutting_down = False
        self._running: Job | None = None
        self._worker_pid = os.getpid()

    def concurrent_limit(self, tenant: str) -> int:
        return self.limit_book.limits(tenant).concurrent_jobs

    def tenant_queues(self) -> list[Queue]:
        """The queues this worker started with, and any other tenant's RQ knows of."""
        known = {queue.name: queue for queue in self.queues}
        for queue in Queue.all(connection=self.connection):
            if queue.name.startswith(QUEUE_PREFIX) and queue.name not in known:
                known[queue.name] = Queue(queue.name, connection=self.connection)
        return list(known.values())

    def listen_to_all_tenants(self) -> None:
        queues = self.tenant_queues()
        if [q.name for q in queues] != [q.name for q in self.queues]:
            self.queues = queues
            self._ordered_queues = queues[:]

    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> tuple[Job, Queue] | None:
        """The next job this worker may run, waiting up to `timeout` (None: one look, for
        burst mode) or `max_idle_time` for one."""
        self.set_state(WorkerStatus.IDLE)
        self.procline("Listening on every tenant's queue")  # type: ignore[no-untyped-call]
        started = time.monotonic()
        waits = [t for t in (timeout, max_idle_time) if t is not None]
        while True:
            try:
                self.heartbeat()
                if self.should_run_maintenance_tasks:
                    self.run_maintenance_tasks()  # type: ignore[no-untyped-call]
                self.listen_to_all_tenants()
                taken = self.take_job()
                if taken is not None or timeout is None:
                    self.heartbeat()
                    return taken
                left = min(waits) - (time.monotonic() - started) if waits else WAIT_S
                if left <= 0:
                    return None
                wait_for_work(self.connection, min(WAIT_S, left))
            except REDIS_AWAY:
                log.warning("cannot reach Redis; trying again in a second", exc_info=True)
                time.sleep(1.0)

    def take_job(self) -> tuple[Job, Queue] | None:
        """A job of a tenant below its limit, with its slot; None if no such job waits."""
        self.limit_book.refresh(self.connection)
        tenants = [(tenant_of(q.name), self.concurrent_limit(tenant_of(q.name)))
                   for q in self.queues]  # fmt: skip
        while (taken := claim(self.connection, tenants, self.lease_s)) is not None:
            try:
                job = self.job_class.fetch(
                    taken.job_id, connection=self.connection, serializer=self.serializer
                )
            except NoSuchJobError:  # gone from Redis while in line: its slot is not needed
                release(self.connection, taken.tenant, taken.job_id)
                continue
            queue = self.queue_class(
                queue_name(taken.tenant), connection=self.connection, job_class=self.job_class,
                serializer=self.serializer, death_penalty_class=self.death_penalty_class,
            )  # fmt: skip
            log.info("took job %s of tenant %s", job.id, taken.tenant)
            return job, queue
        return None

    def execute_job(self, job: Job, queue: Queue) -> None:
        self._running = job
        try:
            super().execute_job(job, queue)
        finally:
            self._running = None
            release(self.connection, tenant_of(queue.name), job.id)

    def fork_work_horse(self, job: Job, queue: Queue) -> None:
        self._worker_pid = os.getpid()
        super().fork_work_horse(job, queue)
        # Only the worker gets here (the work horse exits inside), after the job started: the
        # jobs behind it in line hear their new places without delaying it.
        tenant = tenant_of(queue.name)
        try:
            announce_places(self.connection, tenant, self.concurrent_limit(tenant))
        except redis.RedisError:
            log.warning("could not tell the waiting jobs their places", exc_info=True)

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        """The forked horse: bound to this worker's life before the job starts."""
        die_with_parent(self._worker_pid)
        super().main_work_horse(job, queue)

    def maintain_heartbeats(self, job: Job) -> None:
        # While Redis restarts the job runs on; the heartbeats resume when it is back.
        with unless_redis_away("renew the job's heartbeat"):
            super().maintain_heartbeats(job)
            renew(self.connection, tenant_of(job.origin), job.id, self.lease_s)

    def set_current_job_working_time(
        self, current_job_working_time: float, pipeline: Any = None
    ) -> None:
        with unless_redis_away("record the job's working time"):
            super().set_current_job_working_time(current_job_working_time, pipeline=pipeline)

    def handle_work_horse_killed(
        self, job: Job, retpid: int | None, ret_val: int | None, rusage: Any
    ) -> None:
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)  # type: ignore[no-untyped-call]
        if self.horse_died is not None:
            self.horse_died(job, ret_val, self.shutting_down)

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        """A warm shutdown (the first SIGTERM/SIGINT): said in Redis before anything else, so a
        job this worker abandons later is known to have been stopped, not lost."""
        self.shutting_down = True
        with unless_redis_away("record that this worker is stopping"):
            mark_stopping(self.connection, self.name)
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]

    def request_force_stop(self, signum: int, frame: FrameType | None) -> None:
        """A cold shutdown (the second signal): RQ kills the horse and exits without a word
        about its job; the run is recorded as stopped by the shutdown first."""
        running = self._running if self.horse_pid else None
        self.shutting_down = True
        try:
            super().request_force_stop(signum, frame)
        except SystemExit:
            if running is not None and self.horse_died is not None:
                # RQ killed the horse with SIGKILL; a wait status of a signal is its number.
                self.horse_died(running, int(signal.SIGKILL), True)
            raise
