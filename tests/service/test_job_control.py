"""Cancel a queued and a running job; a worker killed mid-job; nothing is left 'running'."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.helpers import (
    SLOW_XGBOOST,
    children_of,
    run_events,
    slow_training_csv,
    upload,
    wait_for,
    worker_of,
)
from tests.service.stack import Stack


@pytest.fixture(scope="module")
def slow_dataset(stack: Stack) -> str:
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        response = upload(http, slow_training_csv(), "slow.csv", name="slow")
        assert response.status_code in (200, 201, 409), response.text
    return "slow"


def _slow_job(client: httpx.Client, dataset: str) -> dict[str, Any]:
    config = {"algorithm": "xgboost", "dataset": {"name": dataset}, "target_column": "y",
              "hyperparameters": SLOW_XGBOOST}  # fmt: skip
    response = client.post("/api/v1/ml/train", json=config)
    assert response.status_code == 202, response.text
    return dict(response.json())


def _wait_training(client: httpx.Client, job_id: str) -> dict[str, Any]:
    """Until the job is training and has reported at least one boosting round."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = wait_for(client, "train", job_id, {"training", "finished", "failed"})
        if job["run_status"] != "training" or (job.get("step") or 0) > 0:
            return job
        time.sleep(0.1)
    raise AssertionError("no boosting round reported")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.mark.integration
def test_cancel_running_and_queued_jobs(
    client: httpx.Client, stack: Stack, slow_dataset: str
) -> None:
    running = [_slow_job(client, slow_dataset) for _ in range(len(stack.workers))]
    for job in running:
        assert _wait_training(client, job["job_id"])["run_status"] == "training"
    queued = _slow_job(client, slow_dataset)  # every worker is busy: this one waits
    assert client.get(f"/api/v1/ml/train/{queued['job_id']}").json()["status"] == "queued"

    cancelled = client.delete(f"/api/v1/ml/train/{queued['job_id']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    horses = [children_of(int(worker_of(stack, j["job_id"]).pid or 0)) for j in running]
    started = time.monotonic()
    for job in running:
        response = client.delete(f"/api/v1/ml/train/{job['job_id']}")
        assert response.json()["status"] == "cancelled"
    while any(_alive(pid) for pids in horses for pid in pids) and time.monotonic() - started < 5:
        time.sleep(0.05)
    assert not any(_alive(pid) for pids in horses for pid in pids), "training still running"
    assert time.monotonic() - started < 3

    # The queued one never starts, even now that workers are free; the workers live on.
    time.sleep(1.5)
    events = [e["type"] for e in run_events(stack, queued["run_id"])]
    assert events == ["queued", "cancelled"]
    assert client.get(f"/api/v1/ml/train/{queued['job_id']}").json()["status"] == "cancelled"
    assert all(w.poll() is None for w in stack.workers)
    again = client.delete(f"/api/v1/ml/train/{queued['job_id']}")
    assert again.status_code == 409


@pytest.mark.integration
def test_killed_work_horse_marks_run_failed(
    client: httpx.Client, stack: Stack, slow_dataset: str
) -> None:
    job = _slow_job(client, slow_dataset)
    training = _wait_training(client, job["job_id"])
    assert training["unit"] == "round", training  # what its step counts: boosting rounds
    worker = worker_of(stack, job["job_id"])
    for pid in children_of(int(worker.pid or 0)):
        os.kill(pid, signal.SIGKILL)  # what the kernel's OOM killer would do
    failed = wait_for(client, "train", job["job_id"], {"failed", "finished"})
    assert failed["status"] == "failed"
    assert "died" in failed["error"] and "SIGKILL" in failed["error"]
    assert run_events(stack, job["run_id"])[-1]["type"] == "failed"


@pytest.mark.integration
def test_killed_worker_marks_run_failed(
    client: httpx.Client, stack: Stack, slow_dataset: str
) -> None:
    job = _slow_job(client, slow_dataset)
    _wait_training(client, job["job_id"])
    worker = worker_of(stack, job["job_id"])
    pid = int(worker.pid or 0)
    horses = children_of(pid)
    os.kill(pid, signal.SIGKILL)  # the whole worker machine going away
    for horse in horses:
        os.kill(horse, signal.SIGKILL)
    failed = wait_for(client, "train", job["job_id"], {"failed", "finished"})
    assert failed["status"] == "failed"
    assert "stopped answering" in failed["error"]
    stack.replace_dead_workers()
