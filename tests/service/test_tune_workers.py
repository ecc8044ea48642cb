"""Tuning across workers: three RQ workers run trials of one study, in parallel.

A stack of its own with three workers: the tuning job asks the other two for help, each runs
trials of the same study (Optuna's journal on the jobs' Redis), and the best is refit once. A
cancel stops every helper; a helper killed mid-trial costs that trial, not the run.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import optuna
import pytest
import redis
from optuna.trial import TrialState
from rq import Queue, Worker

from service.tuning.helpers import helpers_key
from service.tuning.journal import study_name, study_storage
from tests.service.helpers import (
    WAIT_CAP_S,
    children_of,
    run_events,
    slow_training_csv,
    upload,
    wait_for,
)
from tests.service.stack import Stack, running_stack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home: Path = tmp_path_factory.mktemp("mlchat-tune-workers")
    with running_stack(home, None, n_workers=3) as stack:
        with httpx.Client(base_url=stack.base_url, timeout=60) as http:
            response = upload(http, slow_training_csv(rows=3000), "slow.csv", name="slow")
            assert response.status_code == 201, response.text
        yield stack


@pytest.fixture
def http(three: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=three.base_url, timeout=60) as client:
        yield client


@pytest.fixture
def connection(three: Stack) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(three.redis.url)
    yield client
    client.close()


def _tune(http: httpx.Client, **config: Any) -> dict[str, Any]:
    response = http.post("/api/v1/ml/tune", json=config)
    assert response.status_code == 202, response.text
    return dict(response.json())


def _busy_with(connection: redis.Redis, job_id: str) -> list[Worker]:
    """The workers running the run's job or one of its helpers."""
    return [w for w in Worker.all(connection=connection)
            if (w.get_current_job_id() or "").startswith(job_id)]  # fmt: skip


def _until(what: str, check: Any, timeout_s: float = WAIT_CAP_S) -> Any:
    """`check()`'s first true answer; the cap only ends a wait for what never comes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"{what}: not after {timeout_s}s")


def _study_left(connection: redis.Redis, run_id: int) -> list[bytes]:
    return list(connection.scan_iter(match=f"mlchat:run:{run_id}:study:*"))


def test_trials_run_on_every_worker_and_the_best_is_refit_once(
    http: httpx.Client, connection: redis.Redis, three: Stack
) -> None:
    accepted = _tune(http, algorithm="random_forest", dataset={"name": "penguins"},
                     target_column="species", n_trials=9, hyperparameters={"n_jobs": 1},
                     search_space={"n_estimators": {"low": 100, "high": 300}})  # fmt: skip
    job = wait_for(http, "tune", accepted["job_id"], {"finished", "failed", "cancelled"})
    assert job["status"] == "finished", job
    result = job["result"]

    trials = result["trials"]
    assert [t["number"] for t in trials] == list(range(9))
    names = {w.name for w in Worker.all(connection=connection)}
    workers = {t["worker"] for t in trials}
    assert len(workers) > 1 and workers <= names, (workers, names)
    best = max((t for t in trials if t["value"] is not None), key=lambda t: t["value"])
    assert (result["best_value"], result["best_params"]) == (best["value"], best["params"])
    assert result["training"]["hyperparameters"]["n_estimators"] == best["params"]["n_estimators"]

    events = run_events(three, job["run_id"])
    said = [str(e.get("message", "")) for e in events]
    assert sorted(m.split(":")[0] for m in said if m.startswith("trial ")) == sorted(
        f"trial {i}" for i in range(1, 10)
    )
    assert sum(m.startswith("refitting") for m in said) == 1
    assert any("2 more worker(s)" in m for m in said)
    assert events[-1]["type"] == "finished"
    # Nothing of the search is left: no study, no helper waiting in line.
    assert _study_left(connection, job["run_id"]) == []
    assert not connection.exists(helpers_key(job["run_id"]))
    assert [q.count for q in Queue.all(connection=connection)] == [0]


_watched: dict[int, optuna.Study] = {}


def _running_trials(connection: redis.Redis, run_id: int) -> list[optuna.trial.FrozenTrial]:
    """The study's running trials, read as any worker reads them (one storage per run, which
    reads only what was added since it last looked)."""
    if run_id not in _watched:
        storage = study_storage(connection, run_id, 3600)
        try:
            _watched[run_id] = optuna.load_study(study_name=study_name(run_id), storage=storage)
        except KeyError:  # not created yet
            return []
    return _watched[run_id].get_trials(deepcopy=False, states=(TrialState.RUNNING,))


def _trial_jobs(connection: redis.Redis, run_id: int) -> set[str]:
    """The jobs (the tuning's, its helpers') with a trial running now."""
    return {t.user_attrs.get("job", "") for t in _running_trials(connection, run_id)}


SLOW_TRIALS = {"algorithm": "xgboost", "dataset": {"name": "slow"}, "target_column": "y",
               "hyperparameters": {"n_jobs": 1, "max_depth": 8, "learning_rate": 0.01},
               "search_space": {"n_estimators": {"low": 1500, "high": 2000}}}  # fmt: skip


def test_cancel_mid_study_stops_every_helper(http: httpx.Client, connection: redis.Redis,
                                             three: Stack) -> None:  # fmt: skip
    accepted = _tune(http, n_trials=6, **SLOW_TRIALS)
    run_id = accepted["run_id"]
    _until("all three workers on the study", lambda: len(_trial_jobs(connection, run_id)) == 3)

    cancelled = http.delete(f"/api/v1/ml/tune/{accepted['job_id']}")
    assert cancelled.status_code == 200, cancelled.text

    # A helper in the middle of a trial is stopped, not waited for.
    _until("every worker let go", lambda: not _busy_with(connection, accepted["job_id"]), 120)
    events = run_events(three, run_id)
    assert events[-1]["type"] == "cancelled"
    assert http.get(f"/api/v1/ml/tune/{accepted['job_id']}").json()["status"] == "cancelled"
    assert _study_left(connection, run_id) == []


def test_a_helper_killed_mid_trial_loses_only_its_trial(
    http: httpx.Client, connection: redis.Redis
) -> None:
    accepted = _tune(
        http,
        n_trials=4,
        **{**SLOW_TRIALS, "search_space": {"n_estimators": {"low": 400, "high": 600}}},
    )
    run_id, job_id = accepted["run_id"], accepted["job_id"]
    helping = _until(
        "a helper's trial running",
        lambda: [
            t
            for t in _running_trials(connection, run_id)
            if t.user_attrs.get("job", job_id) != job_id
        ],
    )
    victim = helping[0]
    worker = next(
        w for w in Worker.all(connection=connection) if w.name == victim.user_attrs["worker"]
    )
    (horse,) = children_of(worker.pid)
    os.kill(horse, signal.SIGKILL)  # what the kernel's OOM killer would do

    job = wait_for(http, "tune", job_id, {"finished", "failed", "cancelled"})
    assert job["status"] == "finished", job
    trials = job["result"]["trials"]
    assert len(trials) == 4
    lost = trials[victim.number]
    assert (lost["state"], lost["worker"]) == ("failed", worker.name)
    assert "stopped" in lost["error"]
    assert [t["number"] for t in trials if t["state"] == "failed"] == [victim.number]
