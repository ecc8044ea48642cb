"""The many-machine shape: two `mlchat api` and three `mlchat worker` processes, each with a home
of its own, sharing only PostgreSQL, an external redis-server and S3-compatible storage. Jobs go
in through both APIs; a worker is killed, a work horse is killed, Redis is restarted; every run
still ends, says truthfully how, and every finished run's files are readable from either API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
import redis
from rq import Worker

from service.embedded_redis import EmbeddedRedis, free_port
from tests.service.helpers import SLOW_XGBOOST, children_of, csv_bytes, slow_training_csv, upload
from tests.service.stack import create_postgres_database, drop_postgres_database

pytestmark = pytest.mark.integration

POSTGRES_URL = os.environ.get("MLCHAT_TEST_POSTGRES_URL")
CAP_S = 600.0
FINAL = {"finished", "failed", "cancelled"}


@dataclass
class Cluster:
    root: Path
    database_url: str
    redis: EmbeddedRedis
    storage: dict[str, str]
    apis: list[tuple[int, subprocess.Popen[bytes]]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def spawn(self, command: str, port: int | None = None) -> subprocess.Popen[bytes]:
        home = self.root / f"{command}-{uuid.uuid4().hex[:6]}"  # no home is shared
        home.mkdir()
        env = {**os.environ, **self.storage, "MLCHAT_HOME": str(home),
               "MLCHAT_DATABASE_URL": self.database_url, "MLCHAT_REDIS_URL": self.redis.url,
               "MLCHAT_DEAD_AFTER_S": "6", "MLCHAT_HEARTBEAT_S": "1", "MLCHAT_LOG_JSON": "0",
               "MLCHAT_LOG_LEVEL": "WARNING"}  # fmt: skip
        if port is not None:
            env["MLCHAT_PORT"] = str(port)
        with (home / "process.log").open("wb") as log:
            return subprocess.Popen([sys.executable, "-m", "service.cli", command], env=env,
                                    stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)  # fmt: skip

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port, _ in self.apis]

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-2000:] for p in self.root.glob("*/*.log"))

    def wait_workers(self, count: int) -> None:
        """Until both APIs see `count` live workers."""
        deadline = time.monotonic() + CAP_S
        for url in self.urls():
            while True:
                try:
                    workers = httpx.get(f"{url}/health", timeout=60).json().get("workers", {})
                    if workers.get("count") == count:
                        break
                except httpx.HTTPError:
                    pass
                exited = [process.args for _, process in self.apis if process.poll() is not None]
                if exited or time.monotonic() > deadline:
                    raise AssertionError(f"{url} never saw {count} workers\n{self.logs()}")
                time.sleep(0.2)

    def stop(self) -> None:
        processes = [process for _, process in self.apis] + self.workers
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.redis.stop()


@pytest.fixture
def cluster(tmp_path: Path, s3_storage: dict[str, str]) -> Iterator[Cluster]:
    if not POSTGRES_URL:
        pytest.skip("the many-machine shape needs PostgreSQL (MLCHAT_TEST_POSTGRES_URL)")
    database_url, name = create_postgres_database(POSTGRES_URL)
    redis_server = EmbeddedRedis(tmp_path / "redis", persist=True)
    redis_server.start()
    started = Cluster(tmp_path, database_url, redis_server, s3_storage)
    try:
        started.apis = [(port, started.spawn("api", port)) for port in (free_port(), free_port())]
        started.workers = [started.spawn("worker") for _ in range(3)]
        started.wait_workers(3)
        yield started
    finally:
        started.stop()
        drop_postgres_database(POSTGRES_URL, name)


def _train(client: httpx.Client, dataset: str, target: str, **extra: Any) -> dict[str, Any]:
    config = {"algorithm": "xgboost", "dataset": {"name": dataset}, "target_column": target,
              **extra}  # fmt: skip
    response = client.post("/api/v1/ml/train", json=config)
    assert response.status_code == 202, response.text
    return dict(response.json())


def _run(client: httpx.Client, run_id: int) -> dict[str, Any]:
    """A run as the API shows it; while Redis restarts an answer may be 503, asked again."""
    deadline = time.monotonic() + CAP_S
    while True:
        response = client.get(f"/api/v1/runs/{run_id}")
        if response.status_code == 200:
            return dict(response.json())
        assert response.status_code == 503, response.text  # never a 500
        assert time.monotonic() < deadline, response.text
        time.sleep(0.2)


def _busy_worker_of(connection: redis.Redis, job_id: str) -> Worker:
    deadline = time.monotonic() + CAP_S
    while True:
        for worker in Worker.all(connection=connection):
            if worker.get_current_job_id() == job_id and worker.pid and children_of(worker.pid):
                return worker
        assert time.monotonic() < deadline, f"no worker took {job_id}"
        time.sleep(0.1)


def _until_training(client: httpx.Client, run_id: int) -> None:
    deadline = time.monotonic() + CAP_S
    while (run := _run(client, run_id))["status"] not in {"training", *FINAL}:
        assert time.monotonic() < deadline, run
        time.sleep(0.1)


@pytest.mark.timeout(1200)
def test_two_apis_three_workers_survive_killed_processes_and_a_redis_restart(
    cluster: Cluster,
) -> None:
    first, second = (httpx.Client(base_url=url, timeout=60) for url in cluster.urls())
    connection = redis.Redis.from_url(cluster.redis.url)
    try:
        rng = np.random.default_rng(0)
        features = rng.normal(size=(200, 3))
        table = pd.DataFrame(features, columns=["a", "b", "c"]).assign(target=features.sum(axis=1))
        small = csv_bytes(table)
        assert upload(first, small, "small.csv", name="small").status_code == 201
        slow = upload(second, slow_training_csv(), "slow.csv", name="slow")
        assert slow.status_code == 201, slow.text

        # Two long jobs: the worker of one and the work horse of the other are killed.
        doomed_worker = _train(first, "slow", "y", hyperparameters=SLOW_XGBOOST)
        doomed_horse = _train(second, "slow", "y", hyperparameters=SLOW_XGBOOST)
        victim = _busy_worker_of(connection, doomed_worker["job_id"])
        horse_owner = _busy_worker_of(connection, doomed_horse["job_id"])
        _until_training(first, doomed_worker["run_id"])
        _until_training(second, doomed_horse["run_id"])
        os.kill(int(victim.pid or 0), signal.SIGKILL)
        os.kill(children_of(int(horse_owner.pid or 0))[0], signal.SIGKILL)

        # Quick jobs through both APIs, some queued while Redis is restarted under them.
        quick = [_train(client, "small", "target") for client in (first, second, first, second)]
        cluster.redis.stop()
        cluster.redis.start()  # the same port, its append-only file read back
        quick += [_train(client, "small", "target") for client in (second, first)]
        # The machine of the killed worker comes back as a new worker.
        cluster.workers.append(cluster.spawn("worker"))

        runs = {job["run_id"]: job for job in [doomed_worker, doomed_horse, *quick]}
        ended: dict[int, dict[str, Any]] = {}
        deadline = time.monotonic() + CAP_S
        while len(ended) < len(runs):
            for run_id in runs.keys() - ended.keys():
                run = _run(first if run_id % 2 else second, run_id)
                if run["status"] in FINAL:
                    ended[run_id] = run
            assert time.monotonic() < deadline, f"not final: {runs.keys() - ended.keys()}"
            time.sleep(0.3)
    finally:
        connection.close()

    worker_end = ended[doomed_worker["run_id"]]
    assert worker_end["status"] == "failed", worker_end
    assert "run it again" in worker_end["error"], worker_end
    horse_end = ended[doomed_horse["run_id"]]
    assert horse_end["status"] == "failed", horse_end
    assert "internal error" not in horse_end["error"], horse_end
    for job in quick:
        run = ended[job["run_id"]]
        assert run["status"] == "finished", (run, cluster.logs())
        for client in (first, second):  # the model is in the shared storage, not one home
            model = client.get(f"/api/v1/runs/{job['run_id']}/model")
            assert model.status_code == 200, model.text
            assert len(model.content) > 1000
    for client in (first, second):
        client.close()
