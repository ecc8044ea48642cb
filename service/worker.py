"""RQ entry points and the worker process; heavy ML imports happen once, before the fork."""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import signal
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import redis
from rq.job import Job, get_current_job
from rq.timeouts import JobTimeoutException
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ml_backend.datasets import read_frame
from ml_backend.errors import MLInputError
from ml_backend.jobs.registry import get_job
from ml_backend.jobs.spec import Figure, JobEnv
from service.confinement import (
    EXIT_OUT_OF_MEMORY,
    confine,
    find_thread_pools,
    job_limits,
    over_duration,
    over_memory,
    ran_out_of_memory,
)
from service.db.engines import sync_engine, sync_session_factory
from service.db.migrate import wait_until_current
from service.db.models import ACTIVE_STATUSES, Dataset, Run, RunStatus, utcnow
from service.db.transitions import START_RUN, applied, transition
from service.domain.conversations.notes import note_run_end
from service.domain.experiments.recording import record_model
from service.domain.jobs.kinds import shown_kind
from service.domain.limits.book import LimitBook
from service.domain.limits.schemas import Limits
from service.events import all_events, append_event
from service.openlineage_events import emit_run_event
from service.queues import queue_name
from service.redis_away import REDIS_AWAY
from service.run_reporter import RunReporter
from service.settings import PLOTS_DIR, Settings
from service.shutdown import SHUTDOWN_REASON
from service.storage import Storage, open_storage
from service.tenant_worker import HorseDied, TenantWorker, tenant_of
from service.tuning.helpers import helper_died, is_helper, lent_helpers

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What a job needs: its run, a database session, Redis, a reporter and a folder."""

    settings: Settings
    session: Session
    run: Run
    reporter: RunReporter
    folder: Path | None = None
    """The job's local folder for its files, made when first asked for."""

    @property
    def storage(self) -> Storage:
        return open_storage(self.settings)

    def move(self, status: RunStatus, **values: Any) -> bool:
        """Change the run's status if it is still active; False if it was cancelled meanwhile."""
        changed = applied(self.session.execute(transition(self.run.id, status, **values)))
        self.session.commit()
        return bool(changed)

    def dataset_path(self) -> Path:
        dataset = self.session.get(Dataset, self.run.dataset_id)
        if dataset is None:
            raise MLInputError("the dataset of this run was deleted; upload it again")
        try:
            return self.storage.local_dataset(dataset.tenant, dataset.content_hash)
        except FileNotFoundError:
            raise MLInputError(
                f"the file of dataset {dataset.id} is missing from the storage; upload it again"
            ) from None

    def artifact_dir(self) -> Path:
        """The job's local folder: what it writes there is stored when it ends (`publish`)."""
        if self.folder is None:
            self.folder = self.storage.job_folder(self.run.tenant, self.run.id)
        return self.folder

    def still_active(self) -> bool:
        """Whether the run is still going, as the database says now (not as it was read)."""
        status = self.session.scalar(select(Run.status).where(Run.id == self.run.id))
        self.session.commit()
        return status in ACTIVE_STATUSES

    def publish(self, figures: dict[str, Figure]) -> bool:
        """Write the Plotly figures beside the job's files, store them all as the run's
        artifacts, then announce the figures: whoever hears of one finds it at
        `GET /runs/{id}/plots/{name}`. A run that ended meanwhile (cancelled, given up by the
        reaper) gets nothing stored; whether the files were stored."""
        if not self.still_active():
            return False
        folder = self.artifact_dir() / PLOTS_DIR
        folder.mkdir(exist_ok=True)
        for name, figure in figures.items():
            (folder / f"{name}.json").write_text(json.dumps(figure))
        self.storage.publish_run(self.run.tenant, self.run.id, self.artifact_dir())
        for name in figures:
            self.reporter.artifact("plot", name)
        return True

    def discard_folder(self) -> None:
        """Remove the job's local folder (what a finished job had is stored already)."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


_engines: dict[str, Engine] = {}


def job_engine(url: str) -> Engine:
    """One engine per database, made in the worker parent so each forked job inherits it.

    It uses NullPool, so no connection is open when the worker forks and none is shared.
    """
    if url not in _engines:
        engine = _engines[url] = sync_engine(url)
        # A forked job's compiled-statement cache dies with it; compiling a job's statements
        # here, once, saves every job the SQLAlchemy set-up (~15 ms when they were compiled
        # in each job).
        with engine.connect() as connection, suppress(SQLAlchemyError):
            # Before the API's first migration the tables are missing: jobs then pay it.
            connection.execute(START_RUN, {"run_id": 0, "started_at": utcnow()}).all()
            with Session(bind=connection) as session:
                session.get(Run, 0)
                session.execute(transition(0, RunStatus.TRAINING))
            connection.rollback()
    return _engines[url]


_settings: Settings | None = None


def job_settings() -> Settings:
    """The worker parent's settings (read once, before the fork), else the environment's."""
    return _settings if _settings is not None else Settings()


def job_redis(settings: Settings) -> tuple[redis.Redis, bool]:
    """The work horse's RQ connection, else a new client; and whether the caller must close it.

    RQ's connection is already open in the work horse (it marked the job started through it),
    so the `started` event costs no connect and handshake.
    """
    job = get_current_job()
    if job is not None:
        return job.connection, False
    return redis.Redis.from_url(settings.resolved_redis_url), True


def _start(engine: Engine, client: redis.Redis, run_id: int) -> RunReporter | None:
    """Take the run out of `queued` and announce it; None when a cancel came first.

    Dispatch latency is the time to the `started` event, so nothing comes before it but one
    conditional UPDATE (which also returns what the event needs) and its commit, on a plain
    connection rather than an ORM session.
    """
    with engine.connect() as connection:
        started = connection.execute(START_RUN, {"run_id": run_id, "started_at": utcnow()}).first()
        connection.commit()
        if started is None:
            return None
        reporter = RunReporter(
            client,
            run_id=run_id,
            job_id=started.job_id,
            tenant=started.tenant,
            conversation_id=started.conversation_id,
        )
        reporter.emit("started", message=f"{shown_kind(started.kind)} started")
    return reporter


@contextmanager
def job_context(run_id: int) -> Iterator[JobContext | None]:
    """Start the run; yields None when it must not start (cancelled while queued)."""
    settings = job_settings()
    engine = job_engine(settings.resolved_database_url)
    client, owns_client = job_redis(settings)
    try:
        reporter = _start(engine, client, run_id)
        if reporter is None:
            yield None
            return
        # A session of its own, which connects per transaction as before: a job of hours holds
        # no idle connection for a server or a firewall to drop.
        with sync_session_factory(engine)() as session:
            run = session.get(Run, run_id)
            if run is None:  # runs are never deleted, and this one was just updated
                raise RuntimeError(f"run {run_id} vanished after it started")
            yield JobContext(settings=settings, session=session, run=run, reporter=reporter)
    finally:
        if owns_client:
            client.close()


def run_job(run_id: int) -> None:
    """RQ entry point: run the run's resolved config as its kind's job, within its limits."""
    job = get_current_job()
    limits = job_limits(job.meta) if job is not None else None
    held = confine(limits) if limits is not None else None
    with job_context(run_id) as ctx:
        if ctx is None:
            return
        if held is not None:
            ctx.reporter.log(held)
        emit_run_event(ctx.settings, ctx.session, ctx.run, "START")
        try:
            result = _run(ctx)
        except MLInputError as exc:
            _fail(ctx, exc.detail)
            return
        except JobTimeoutException:
            _fail(ctx, over_duration(limits or _default_limits(), ctx.run.tenant))
            return
        except Exception as exc:
            if limits is not None and ran_out_of_memory(exc):
                # What memory is left may not carry the bookkeeping of a failure: the worker
                # reads this exit status and records it (`_horse_died`).
                os._exit(EXIT_OUT_OF_MEMORY)
            _fail(ctx, f"internal error: {type(exc).__name__}: {exc}")
            raise
        if result is None:
            return  # the run ended while the job ran: nothing of it was stored
        finished = f"{shown_kind(ctx.run.kind)} finished"
        if ctx.move(RunStatus.FINISHED, result=result, progress=1.0, finished_at=utcnow()):
            # Recorded before the run says it finished: whoever hears `finished` finds its model.
            _record_model(ctx)
            ctx.reporter.emit("finished", progress=1.0, message=finished)
            emit_run_event(ctx.settings, ctx.session, ctx.run, "COMPLETE")
            _note(ctx, None)
        else:  # it ended in the instant since the files were stored: they go with it
            ctx.storage.delete_run(ctx.run.tenant, ctx.run.id)


def _run(ctx: JobContext) -> dict[str, Any] | None:
    """Run the job in its local folder, which goes when it ends; the result to store, or None
    when the run ended meanwhile."""
    try:
        return _run_kind(ctx)
    finally:
        ctx.discard_folder()


def _run_kind(ctx: JobContext) -> dict[str, Any] | None:
    """Read the columns the kind needs, run it, store its files and figures; the result."""
    spec = get_job(ctx.run.kind)
    resolved = spec.resolved.model_validate(ctx.run.resolved)
    frame = read_frame(ctx.dataset_path(), columns=spec.columns(resolved))

    def training() -> None:
        ctx.move(RunStatus.TRAINING)

    with lent_helpers(ctx.reporter.client, ctx.run.id, ctx.settings) as helpers:
        env = JobEnv(
            reporter=ctx.reporter,
            artifact_dir=ctx.artifact_dir(),
            model_artifact_id=f"runs/{ctx.run.id}/model",
            training=training,
            helpers=helpers,
        )
        outcome = spec.run(frame, resolved, env)
    if not ctx.publish(outcome.plots):
        return None
    metrics = outcome.result.test_metrics()
    if metrics is not None:
        ctx.reporter.emit("metric", metrics={f"test/{k}": v for k, v in metrics.items()})
    stored: dict[str, Any] = outcome.result.model_dump(mode="json")
    return stored


def _fail(ctx: JobContext, reason: str) -> None:
    log.warning("run failed", extra={"run_id": ctx.run.id, "reason": reason})
    ctx.session.rollback()
    ctx.discard_folder()
    if ctx.move(RunStatus.FAILED, error=reason, finished_at=utcnow()):
        ctx.reporter.emit("failed", message=reason)
        emit_run_event(ctx.settings, ctx.session, ctx.run, "FAIL", reason)
        _note(ctx, reason)


def _record_model(ctx: JobContext) -> None:
    """Record the finished run's model in its experiment, with every step it reported; the
    run is finished already, so a failure here is logged rather than failing it."""
    try:
        ctx.session.refresh(ctx.run)
        streamed = all_events(ctx.reporter.client, ctx.run.id)
        record_model(ctx.session, ctx.run, ctx.reporter.iterations, streamed)
    except (SQLAlchemyError, redis.RedisError, KeyError, TypeError, ValueError):
        ctx.session.rollback()
        log.exception("could not record the model of run %s in its experiment", ctx.run.id)


def _note(ctx: JobContext, error: str | None) -> None:
    """Tell the run's conversation, if it has one; the run itself is already recorded."""
    if ctx.run.conversation_id is None:
        return
    ctx.session.refresh(ctx.run)
    try:
        note_run_end(ctx.session, ctx.reporter.client, ctx.run, ctx.settings, error)
    except (SQLAlchemyError, redis.RedisError, OSError, ValueError):
        log.exception("could not write the run's summary into its conversation")


def _default_limits() -> Limits:
    return Limits.defaults(job_settings())


def _death_reason(job: Job, status: int | None, shutting_down: bool) -> str:
    """Why a job's work horse ended without finishing the job, read from its wait status and
    from whether its worker was being shut down."""
    limits = job_limits(job.meta) or _default_limits()
    tenant = tenant_of(job.origin)
    if status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == EXIT_OUT_OF_MEMORY:
        return over_memory(limits, tenant)
    if shutting_down:
        return SHUTDOWN_REASON
    if job.started_at is not None and job.timeout:
        # RQ's own stop at the limit failed (the job was stuck in native code), so the worker
        # killed the horse a minute later.
        ran_s = (utcnow() - job.started_at.replace(tzinfo=UTC)).total_seconds()
        if ran_s >= job.timeout:
            return over_duration(limits, tenant)
    if status is None:
        return "the worker process running this job ended without saying why; run it again"
    if not os.WIFSIGNALED(status):
        return (
            f"the worker process running this job died (exit status {os.WEXITSTATUS(status)}); "
            "run it again, and if it dies again, look at the worker's log"
        )
    sig = os.WTERMSIG(status)
    detail = f"signal {sig} ({signal.Signals(sig).name})"
    if sig == signal.SIGKILL:
        # mlchat's own SIGKILLs (a cancel, a shutdown, the duration limit) are told apart
        # before this; the kernel's OOM killer sends one, and so does a person with kill -9.
        return (
            f"the worker process running this job died ({detail}): something killed it, most "
            "often the system running out of memory — try a smaller dataset or fewer "
            "estimators, or run it again"
        )
    if sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        return (
            f"the worker process running this job was stopped from outside mlchat ({detail}); "
            "run it again"
        )
    return (
        f"the worker process running this job crashed ({detail}); run it again, and if it "
        "crashes again, look at the worker's log"
    )


def _horse_died(settings: Settings) -> HorseDied:
    """Marks the run failed when its work horse ends without finishing it (out of its memory,
    stopped at its duration limit, stopped by a shutdown, OOM killer, kill -9, a crash),
    saying which, and drops the files the horse left unpublished."""

    def record(job: Job, status: int | None, shutting_down: bool) -> None:
        if is_helper(job):  # a tuning's helper loses its trial, never the run
            helper_died(job)
            return
        run_id = int(job.args[0]) if job.args else None
        if run_id is None:
            return
        # RQ calls this inside its horse monitor's one-second alarm; on a busy machine the
        # writes below outlast it and the run was left 'training'. The monitor ends here.
        signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            reason = _death_reason(job, status, shutting_down)
            with Session(job_engine(settings.resolved_database_url)) as session:
                changed = applied(
                    session.execute(
                        transition(run_id, RunStatus.FAILED, error=reason, finished_at=utcnow())
                    )
                )
                session.commit()
                # Read after the commit and inside the session: a run read before it is
                # expired by the commit, and outside the session it cannot be read again.
                run = session.get(Run, run_id)
                if run is None:
                    return
                # What the horse had written will never be stored.
                open_storage(settings).discard_job_folders(run.tenant, run_id)
                if not changed:
                    return
                append_event(
                    job.connection,
                    "failed",
                    run_id=run_id,
                    job_id=job.id,
                    tenant=run.tenant,
                    conversation_id=run.conversation_id,
                    message=reason,
                )
                emit_run_event(settings, session, run, "FAIL", reason)
                note_run_end(session, job.connection, run, settings, reason)
        except Exception:
            log.error("could not record a dead work horse: %s", traceback.format_exc())

    return record


def preload_ml_libraries() -> None:
    """Import the heavy libraries once in the worker parent, so each forked job starts fast.

    Only imports: a parent that ran OpenMP work (xgboost, lightgbm, torch) before forking
    can leave its children hanging.
    """
    import lightgbm  # noqa: F401
    import optuna  # noqa: F401
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    import sklearn.ensemble  # noqa: F401
    import torch  # noqa: F401
    import xgboost  # noqa: F401

    # mlchat's own modules too: a job then imports nothing before it starts.
    import ml_backend.algorithms.torch_mlp
    import ml_backend.jobs.registry  # noqa: F401

    find_thread_pools()


def run_worker(settings: Settings, *, burst: bool = False, name: str | None = None) -> None:
    """Work every tenant's queue until stopped (SIGTERM/SIGINT: finish the job, then exit)."""
    global _settings
    preload_ml_libraries()
    _settings = settings
    wait_until_current(settings.resolved_database_url)
    book = LimitBook(job_engine(settings.resolved_database_url), Limits.defaults(settings))
    connection = redis.Redis.from_url(settings.resolved_redis_url)
    _wait_for_redis(connection)
    worker = TenantWorker(
        [queue_name(settings.tenant)],
        connection=connection,
        name=name,
        job_monitoring_interval=max(1, int(settings.heartbeat_s)),
        horse_died=_horse_died(settings),
        limit_book=book,
        # A slot of a worker that died is free again when the reaper gives its run up.
        lease_s=settings.dead_after_s,
    )
    # What the worker loaded is never garbage: out of the collector's sight, a forked job's
    # collections do not walk (and so copy) the parent's pages.
    gc.freeze()
    worker.work(burst=burst, logging_level=settings.log_level, with_scheduler=False)


def _wait_for_redis(connection: redis.Redis) -> None:
    """Until Redis answers: a worker started while it restarts waits rather than exiting (to be
    started again, importing its libraries again, by whoever supervises it)."""
    while True:
        try:
            connection.ping()
            return
        except REDIS_AWAY as exc:
            log.warning("waiting for Redis: %s", exc)
            time.sleep(1.0)
