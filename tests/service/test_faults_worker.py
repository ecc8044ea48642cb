"""A worker killed or shut down mid-job: its work horse goes with it, its run ends saying why,
nothing reaches the run after that, and /health stops counting a dead worker."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from rq import Worker

from service.events import FINAL_EVENT_TYPES, stream_key
from service.shutdown import SHUTDOWN_REASON, stopping_key
from tests.service.helpers import (
    SLOW_XGBOOST,
    children_of,
    slow_training_csv,
    upload,
    wait_for,
    worker_of,
)
from tests.service.stack import Stack

pytestmark = pytest.mark.integration

CAP_S = 120.0


@pytest.fixture(scope="module")
def slow_dataset(stack: Stack) -> str:
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        response = upload(http, slow_training_csv(), "slow.csv", name="slow")
        assert response.status_code in (200, 201, 409), response.text
    return "slow"


def _training(client: httpx.Client, dataset: str) -> dict[str, Any]:
    """A long xgboost job, once it has reported a boosting round."""
    config = {"algorithm": "xgboost", "dataset": {"name": dataset}, "target_column": "y",
              "hyperparameters": SLOW_XGBOOST}  # fmt: skip
    response = client.post("/api/v1/ml/train", json=config)
    assert response.status_code == 202, response.text
    job = dict(response.json())
    deadline = time.monotonic() + CAP_S
    while (wait_for(client, "train", job["job_id"], {"training"}).get("step") or 0) == 0:
        assert time.monotonic() < deadline, "no boosting round reported"
        time.sleep(0.1)
    return job


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _until_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + CAP_S
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"still running: {[p for p in pids if _alive(p)]}"
        time.sleep(0.05)


def _stream_types(stack: Stack, run_id: int) -> list[str]:
    connection = redis.Redis.from_url(stack.redis.url)
    try:
        return [json.loads(f[b"event"])["type"] for _, f in connection.xrange(stream_key(run_id))]
    finally:
        connection.close()


def _run_files(stack: Stack, run_id: int) -> list[Path]:
    """Every file under the run's folder and the folders of jobs still being written."""
    artifacts = stack.home / "artifacts"
    folders = [
        artifacts / "local" / str(run_id),
        *(artifacts / ".staging").glob(f"local-{run_id}-*"),
    ]
    return [path for folder in folders if folder.exists() for path in folder.rglob("*")]


def test_a_worker_killed_mid_job_takes_its_horse_and_leaves_a_truthful_end(
    client: httpx.Client, stack: Stack, slow_dataset: str
) -> None:
    job = _training(client, slow_dataset)
    worker = worker_of(stack, job["job_id"])
    pid = int(worker.pid or 0)
    horses = children_of(pid)
    assert horses, "the busy worker has no work horse"
    before = client.get("/health").json()["workers"]
    assert before["busy"] >= 1 and before["lost"] == 0, before

    os.kill(pid, signal.SIGKILL)  # the worker's machine goes away
    _until_gone(horses)  # the kernel kills the horse with its parent

    failed = wait_for(client, "train", job["job_id"], {"failed", "finished", "cancelled"})
    assert failed["status"] == "failed", failed
    assert "stopped answering" in failed["error"] and "run it again" in failed["error"]
    assert "memory" not in failed["error"]
    types = _stream_types(stack, job["run_id"])
    assert types[-1] == "failed" and sum(t in FINAL_EVENT_TYPES for t in types) == 1, types
    assert _run_files(stack, job["run_id"]) == []  # the horse saved no model, and never will

    # /health stops counting it once it has been silent for MLCHAT_DEAD_AFTER_S.
    deadline = time.monotonic() + CAP_S
    while (workers := client.get("/health").json()["workers"])["lost"] < 1:
        assert time.monotonic() < deadline, workers
        time.sleep(0.2)
    assert workers["count"] == len(stack.workers) - 1, workers
    live = [w for w in _registered(stack) if w.pid != pid]
    assert workers["busy"] == sum(1 for w in live if w.get_state() == "busy"), workers
    stack.replace_dead_workers()


def test_a_worker_shut_down_mid_job_says_the_run_was_stopped_by_the_shutdown(
    client: httpx.Client, stack: Stack, slow_dataset: str
) -> None:
    job = _training(client, slow_dataset)
    worker = worker_of(stack, job["job_id"])
    pid = int(worker.pid or 0)
    horses = children_of(pid)
    process = next(p for p in stack.workers if p.pid == pid)

    process.send_signal(signal.SIGTERM)  # warm: RQ would wait for the job to end
    connection = redis.Redis.from_url(stack.redis.url)
    deadline = time.monotonic() + CAP_S
    while not connection.exists(stopping_key(worker.name)):
        assert time.monotonic() < deadline, "the worker did not record its stop"
        time.sleep(0.05)
    # RQ takes a second signal within a second of the first for the same one, repeated. The
    # stop is recorded before RQ's own date of it, so that date may come a moment later.
    asked = Worker.find_by_key(worker.key, connection=connection)
    assert asked is not None
    while asked.shutdown_requested_date is None:
        assert time.monotonic() < deadline, "RQ did not record the warm shutdown"
        time.sleep(0.05)
    since = datetime.now(UTC) - asked.shutdown_requested_date.replace(tzinfo=UTC)
    time.sleep(max(0.0, 1.2 - since.total_seconds()))
    process.send_signal(signal.SIGTERM)  # cold: the horse is killed
    assert process.wait(timeout=CAP_S) == 0
    _until_gone(horses)

    failed = client.get(f"/api/v1/ml/train/{job['job_id']}").json()
    assert failed["status"] == "failed", failed  # recorded by the worker before it exited
    assert failed["error"] == SHUTDOWN_REASON
    assert "memory" not in failed["error"]
    assert _stream_types(stack, job["run_id"])[-1] == "failed"
    assert _run_files(stack, job["run_id"]) == []
    connection.close()
    stack.replace_dead_workers()


def _registered(stack: Stack) -> list[Worker]:
    connection = redis.Redis.from_url(stack.redis.url)
    return list(Worker.all(connection=connection))
