"""A tuning job's helpers: jobs on its tenant's queue that run trials of its study.

The tuning job asks for one helper per other live worker (no more than its tenant may run at
once beside it, nor than it has trials to share); each idle worker takes one, like any job of
the tenant, within the tenant's slots. Helpers are remembered under the run, so that the
tuning can take back those that never started, and a cancel can stop them all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import optuna
import redis
from optuna.storages import BaseStorage
from optuna.trial import FrozenTrial, TrialState
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus, get_current_job
from rq.worker import BaseWorker, Worker

from service.confinement import hold_cores, job_limits
from service.domain.limits.schemas import Limits
from service.queues import tenant_queue
from service.settings import Settings
from service.slots import wake
from service.tenant_worker import tenant_of
from service.tuning.journal import forget_study, study_name, study_storage

log = logging.getLogger(__name__)

HELPER_ENTRY_POINT = "service.tuning.helper_job.help_tune"
HELPS_RUN = "helps_run"
"""A helper job's meta key: the run whose study it helps (a helper is not the run's job)."""
STUDY_TTL_MARGIN_S = 3600
"""How long a study's keys outlive the longest its run may take."""
_ENDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def live_workers(connection: redis.Redis, dead_after_s: float) -> list[BaseWorker]:
    """The workers that vouched for themselves within `dead_after_s`."""
    now = datetime.now(UTC)
    return [
        worker
        for worker in Worker.all(connection=connection)
        if worker.last_heartbeat is not None
        and (now - worker.last_heartbeat.replace(tzinfo=UTC)).total_seconds() <= dead_after_s
    ]


def trial_cores(connection: redis.Redis, limits: Limits, dead_after_s: float) -> int:
    """The cores one worker's trials may use while every worker of this machine runs trials:
    its share of the machine, within the tenant's limit. Parallel fits that together ask for
    more threads than there are cores slow down many times over (OpenMP's threads spin while
    they wait for one another)."""
    host = socket.gethostname()
    here = sum(w.hostname == host for w in live_workers(connection, dead_after_s))
    cores = len(os.sched_getaffinity(0))
    return max(1, min(limits.cpu_cores, cores // max(1, here)))


def helpers_key(run_id: int) -> str:
    return f"mlchat:run:{run_id}:helpers"


def study_ttl_s(limits: Limits) -> int:
    return limits.duration_s + STUDY_TTL_MARGIN_S


def is_helper(job: Job) -> bool:
    return HELPS_RUN in job.meta


class WorkerHelpers:
    """The tenant's other RQ workers, lent to the tuning job of run `run_id` (ml_backend's
    `TrialHelpers`)."""

    def __init__(
        self,
        connection: redis.Redis,
        *,
        run_id: int,
        job_id: str,
        tenant: str,
        worker: str,
        limits: Limits,
        dead_after_s: float,
    ) -> None:
        self.connection = connection
        self.run_id = run_id
        self.job = job_id
        self.tenant = tenant
        self.worker = worker
        self.limits = limits
        self.dead_after_s = dead_after_s
        self.study_name = study_name(run_id)
        self._storage: BaseStorage | None = None
        self._sharing_cores = False

    def available(self) -> int:
        others = len(live_workers(self.connection, self.dead_after_s)) - 1
        return max(0, min(others, self.limits.concurrent_jobs - 1))

    def storage(self) -> BaseStorage:
        if self._storage is None:
            self._storage = study_storage(self.connection, self.run_id, study_ttl_s(self.limits))
        return self._storage

    def invite(self, seeds: list[int]) -> None:
        queue = tenant_queue(self.connection, self.tenant)
        key = helpers_key(self.run_id)
        with self.connection.pipeline() as pipeline:
            pipeline.multi()  # RQ would start the transaction after our first command
            for number, seed in enumerate(seeds, start=1):
                job_id = f"{self.job}-helper-{number}"
                queue.enqueue_call(
                    HELPER_ENTRY_POINT,
                    args=(self.run_id, seed),
                    job_id=job_id,
                    timeout=self.limits.duration_s,
                    result_ttl=3600,
                    failure_ttl=24 * 3600,
                    description=f"tuning helper {number} of run {self.run_id}",
                    meta={HELPS_RUN: self.run_id, "limits": self.limits.model_dump()},
                    pipeline=pipeline,
                )
                pipeline.sadd(key, job_id)
                wake(pipeline)  # one idle worker each
            pipeline.expire(key, study_ttl_s(self.limits))
            pipeline.execute()
        cores = trial_cores(self.connection, self.limits, self.dead_after_s)
        if cores < self.limits.cpu_cores:
            hold_cores(cores)
            self._sharing_cores = True

    def dismiss(self) -> None:
        if self._sharing_cores:  # the refit has the machine's cores to itself again
            hold_cores(self.limits.cpu_cores)
            self._sharing_cores = False
        for job in _helper_jobs(self.connection, self.run_id):
            if job.get_status(refresh=False) == JobStatus.QUEUED:
                with contextlib.suppress(InvalidJobOperation):
                    job.cancel()

    def abandoned(self, trial: FrozenTrial) -> bool:
        job_id = trial.user_attrs.get("job")
        if job_id is None or job_id == self.job:
            return False
        try:
            job = Job.fetch(job_id, connection=self.connection)
        except NoSuchJobError:
            return True
        status = job.get_status(refresh=False)
        if status in _ENDED:
            return True
        if status == JobStatus.STARTED and job.last_heartbeat is not None:
            silent = datetime.now(UTC) - job.last_heartbeat.replace(tzinfo=UTC)
            return silent.total_seconds() > self.dead_after_s
        return False

    def close(self) -> None:
        """The run is over: its study and the list of its helpers go."""
        if self._storage is None:
            return
        forget_study(self.connection, self.run_id)
        self.connection.delete(helpers_key(self.run_id))


@contextmanager
def lent_helpers(
    connection: redis.Redis, run_id: int, settings: Settings
) -> Iterator[WorkerHelpers | None]:
    """The helpers of the job running now (None outside an RQ job), closed when it ends."""
    job = get_current_job()
    if job is None:
        yield None
        return
    helpers = WorkerHelpers(
        connection,
        run_id=run_id,
        job_id=job.id,
        tenant=tenant_of(job.origin),
        worker=job.worker_name or "",
        limits=job_limits(job.meta) or Limits.defaults(settings),
        dead_after_s=settings.dead_after_s,
    )
    try:
        yield helpers
    finally:
        try:
            helpers.close()
        except redis.RedisError:
            log.warning("could not forget the study of run %s", run_id, exc_info=True)


def _helper_jobs(connection: redis.Redis, run_id: int) -> list[Job]:
    ids = [i.decode() for i in connection.smembers(helpers_key(run_id))]  # type: ignore[union-attr]
    return [job for job in Job.fetch_many(ids, connection=connection) if job is not None]


def stop_helpers(connection: redis.Redis, run_id: int) -> None:
    """The run was cancelled: its helpers never start, or stop now; its study goes."""
    for job in _helper_jobs(connection, run_id):
        with contextlib.suppress(InvalidJobOperation):
            job.cancel()
        with contextlib.suppress(InvalidJobOperation):
            send_stop_job_command(connection, job.id)
    forget_study(connection, run_id)
    connection.delete(helpers_key(run_id))


def helper_died(job: Job) -> None:
    """A helper's work horse died (killed, out of memory): the trial it ran is failed, so that
    the tuning counts it lost instead of waiting for it. Called by the worker; never raises."""
    run_id = int(job.meta[HELPS_RUN])
    limits = job_limits(job.meta)
    ttl_s = study_ttl_s(limits) if limits is not None else STUDY_TTL_MARGIN_S
    try:
        study = optuna.load_study(
            study_name=study_name(run_id), storage=study_storage(job.connection, run_id, ttl_s)
        )
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if trial.user_attrs.get("job") == job.id:
                study.tell(trial.number, state=TrialState.FAIL, skip_if_finished=True)
    except KeyError:  # the search is over and forgotten
        return
    except Exception:
        # The tuning notices the helper is gone by itself, only later.
        log.exception("could not fail the trial of dead tuning helper %s", job.id)
