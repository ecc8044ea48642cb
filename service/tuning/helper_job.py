"""A tuning helper's RQ job: trials of the study a tuning job created on another worker.

The helper reads the run's data as the tuning did, runs trials until the study has its trials,
its time is up or the run ended, and reports each trial on the run's stream. It never changes
the run itself: the tuning job starts, refits and ends it.
"""

from __future__ import annotations

from collections.abc import Callable

from rq.job import get_current_job
from sqlalchemy import Engine, select

from ml_backend.datasets import read_frame
from ml_backend.errors import MLInputError
from ml_backend.jobs.tune.job import columns
from ml_backend.jobs.tune.resolve import ResolvedTuning
from ml_backend.jobs.tune.trials import join_study, open_for_trials
from ml_backend.reporting import ProgressUnit, Reporter
from service.confinement import confine, job_limits
from service.db.engines import sync_session_factory
from service.db.models import Run, RunStatus
from service.run_reporter import RunReporter
from service.tuning.helpers import STUDY_TTL_MARGIN_S, study_ttl_s, trial_cores
from service.tuning.journal import study_name, study_storage
from service.worker import JobContext, job_engine, job_redis, job_settings


def help_tune(run_id: int, seed: int) -> int:
    """RQ entry point: run trials of run `run_id`'s study, sampling with `seed`; returns how
    many this helper ran (none when the search ended before it started)."""
    job = get_current_job()
    settings = job_settings()
    client, owns_client = job_redis(settings)
    limits = job_limits(job.meta) if job is not None else None
    if limits is not None:
        cores = trial_cores(client, limits, settings.dead_after_s)
        confine(limits.model_copy(update={"cpu_cores": cores}))
    engine = job_engine(settings.resolved_database_url)
    over = _run_over(engine, run_id)
    try:
        with sync_session_factory(engine)() as session:
            run = session.get(Run, run_id)
            if run is None or RunStatus(run.status).is_final:
                return 0
            reporter = RunReporter(
                client,
                run_id=run.id,
                job_id=run.job_id,
                tenant=run.tenant,
                conversation_id=run.conversation_id,
            )
            resolved = ResolvedTuning.model_validate(run.resolved)
            ttl_s = study_ttl_s(limits) if limits is not None else STUDY_TTL_MARGIN_S
            storage = study_storage(client, run_id, ttl_s)
            if not open_for_trials(resolved, storage, study_name(run_id)):
                return 0
            context = JobContext(settings=settings, session=session, run=run, reporter=reporter)
            try:
                frame = read_frame(context.dataset_path(), columns=columns(resolved))
            except MLInputError:  # the tuning job says so on the run
                return 0
        return join_study(
            resolved,
            frame,
            storage,
            study_name(run_id),
            seed=seed,
            reporter=_WhileActive(reporter, over),
            worker=job.worker_name if job is not None else None,
            job=job.id if job is not None else None,
            stopped=over,
        )
    finally:
        if owns_client:
            client.close()


def _run_over(engine: Engine, run_id: int) -> Callable[[], bool]:
    """Whether the run has ended (cancelled, failed, or finished by its tuning job)."""

    def over() -> bool:
        with engine.connect() as connection:
            status = connection.scalar(select(Run.status).where(Run.id == run_id))
        return status is None or RunStatus(status).is_final

    return over


class _WhileActive:
    """Passes a helper's events on while the run is active: nothing may follow its final
    event, and a helper's trial can end just after a cancel did."""

    def __init__(self, outer: Reporter, over: Callable[[], bool]) -> None:
        self.outer = outer
        self.over = over

    def progress(
        self,
        step: int,
        total: int,
        *,
        message: str | None = None,
        metrics: dict[str, float] | None = None,
        unit: ProgressUnit | None = None,
        fraction: float | None = None,
    ) -> None:
        if not self.over():
            self.outer.progress(
                step, total, message=message, metrics=metrics, unit=unit, fraction=fraction
            )

    def log(self, message: str) -> None:
        if not self.over():
            self.outer.log(message)

    def artifact(self, kind: str, name: str) -> None:
        if not self.over():
            self.outer.artifact(kind, name)
