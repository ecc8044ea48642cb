"""`mlchat up` survives its Redis dying (restarted, from its file, with the queue), answers 503
while it is away, and a run cut off by Ctrl-C says it was stopped by the shutdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from rq import Worker

from service.embedded_redis import free_port
from service.events import stream_key
from service.problems import PROBLEM_JSON
from service.shutdown import SHUTDOWN_REASON
from tests.service.helpers import (
    SLOW_XGBOOST,
    WAIT_CAP_S,
    children_of,
    slow_training_csv,
    upload,
    wait_for,
)

pytestmark = pytest.mark.integration

QUICK = {"n_estimators": 10, "max_depth": 2}


@dataclass
class Up:
    """One `mlchat up` with one worker, started again on the same home when asked."""

    home: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.home / "up.log"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLCHAT_")}
        env.update(MLCHAT_HOME=str(self.home), MLCHAT_LOG_JSON="0", MLCHAT_HEARTBEAT_S="1")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "up", "--port", str(self.port),
                 "--workers", "1"],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.until_healthy()

    def until_healthy(self) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_CAP_S
        last: Any = None
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log.read_text()
            try:
                last = httpx.get(f"{self.base_url}/health", timeout=60).json()
                if last.get("status") == "ok":
                    return dict(last)
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(0.2)
        raise AssertionError(f"mlchat up did not become healthy: {last}")

    def redis_server(self) -> tuple[int, str]:
        """The embedded redis-server's pid and URL."""
        assert self.process is not None
        for pid in children_of(self.process.pid):
            if Path(f"/proc/{pid}/comm").read_text().strip() == "redis-server":
                # It names itself by its address: "…/redis-server 127.0.0.1:PORT".
                title = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
                return pid, f"redis://{title.split()[-1]}/0"
        raise AssertionError("no redis-server under mlchat up")

    def stop(self) -> int:
        """Ctrl-C, and its exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=WAIT_CAP_S)


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    started = Up(home=tmp_path_factory.mktemp("faults-up"))
    started.start()
    with httpx.Client(base_url=started.base_url, timeout=60) as http:
        assert upload(http, slow_training_csv(), "slow.csv", name="slow").status_code == 201
    try:
        yield started
    finally:
        if started.process is not None and started.process.poll() is None:
            started.stop()


def _train(client: httpx.Client, hyperparameters: dict[str, Any]) -> dict[str, Any]:
    config = {"algorithm": "xgboost", "dataset": {"name": "slow"}, "target_column": "y",
              "hyperparameters": hyperparameters}  # fmt: skip
    response = client.post("/api/v1/ml/train", json=config)
    assert response.status_code == 202, response.text
    return dict(response.json())


def _training(client: httpx.Client) -> dict[str, Any]:
    """A long job, once it has reported a boosting round."""
    job = _train(client, SLOW_XGBOOST)
    deadline = time.monotonic() + WAIT_CAP_S
    while (wait_for(client, "train", job["job_id"], {"training"}).get("step") or 0) == 0:
        assert time.monotonic() < deadline, "no boosting round reported"
        time.sleep(0.1)
    return job


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_CAP_S
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert int(response.headers["retry-after"]) > 0
    assert "Redis" in response.json()["detail"]


def test_a_dead_redis_comes_back_with_its_queue_and_meanwhile_the_api_says_503(up: Up) -> None:
    with httpx.Client(base_url=up.base_url, timeout=60) as client:
        _redis_dies_and_comes_back(up, client)


def _redis_dies_and_comes_back(up: Up, client: httpx.Client) -> None:
    busy = _training(client)
    queued = _train(client, QUICK)  # the one worker is busy: this one waits in line
    assert client.get(f"/api/v1/ml/train/{queued['job_id']}").json()["status"] == "queued"
    pid, url = up.redis_server()

    assert up.process is not None
    # The supervisor is held still, so Redis stays away for as long as the test asks.
    os.kill(up.process.pid, signal.SIGSTOP)
    try:
        os.kill(pid, signal.SIGKILL)
        _until(lambda: _gone(pid), "redis-server still running")
        _assert_unavailable(client.get(f"/api/v1/ml/train/{busy['job_id']}"))
        _assert_unavailable(client.get("/api/v1/runs"))
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["redis"]["ok"] is False
    finally:
        os.kill(up.process.pid, signal.SIGCONT)

    up.until_healthy()
    assert up.redis_server()[0] != pid
    assert "the embedded redis-server exited; starting it again" in up.log.read_text()
    # The job waiting in line is still there, and runs once the worker is free: the worker
    # hears the cancel once it listens for commands again.
    connection = redis.Redis.from_url(url)
    _until(lambda: connection.pubsub_channels("rq:pubsub:*"), "no worker listens for commands")
    connection.close()
    assert client.delete(f"/api/v1/ml/train/{busy['job_id']}").status_code in (200, 409)
    done = wait_for(client, "train", queued["job_id"], {"finished", "failed", "cancelled"})
    assert done["run_status"] == "finished", done


def test_ctrl_c_mid_run_says_the_run_was_stopped_by_the_shutdown(up: Up) -> None:
    with httpx.Client(base_url=up.base_url, timeout=60) as client:
        _ctrl_c_mid_run(up, client)


def _ctrl_c_mid_run(up: Up, client: httpx.Client) -> None:
    job = _training(client)
    _, url = up.redis_server()
    horses = children_of(_worker_pid(url, job["job_id"]))
    assert horses

    assert up.stop() == 0
    assert all(_gone(horse) for horse in horses)

    up.start()  # the run is read as a person would, after starting mlchat again
    stopped = client.get(f"/api/v1/ml/train/{job['job_id']}").json()
    assert stopped["run_status"] == "failed", stopped
    assert stopped["error"] == SHUTDOWN_REASON
    assert "memory" not in stopped["error"]
    events = [e for e in _stream(up.redis_server()[1], job["run_id"]) if e["type"] == "failed"]
    assert [e["message"] for e in events] == [SHUTDOWN_REASON]


def _worker_pid(url: str, job_id: str) -> int:
    """The pid of the worker running `job_id`."""
    connection = redis.Redis.from_url(url)
    try:
        return next(
            int(w.pid or 0)
            for w in Worker.all(connection=connection)
            if w.get_current_job_id() == job_id
        )
    finally:
        connection.close()


def _stream(url: str, run_id: int) -> list[dict[str, Any]]:
    connection = redis.Redis.from_url(url)
    try:
        return [json.loads(f[b"event"]) for _, f in connection.xrange(stream_key(run_id))]
    finally:
        connection.close()
