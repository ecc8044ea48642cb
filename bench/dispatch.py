"""Dispatch latency and training overhead of mlchat, each against its own baseline.

1. POST /api/v1/ml/train -> the worker's first event, against a bare RQ enqueue -> start of a
   no-op job on the same Redis, with a plain RQ worker that has the same libraries loaded.
2. A training job's time in the worker (started -> finished event) against the same `train`
   called directly in this process.

Run: `.venv/bin/python bench/dispatch.py` (about a minute). Prints ratios; targets: dispatch
within 2x of bare RQ, training overhead under 10%.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import redis
from rq import Queue

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.embedded_redis import EmbeddedRedis
from tests.service.helpers import slow_training_csv, upload
from tests.service.stack import Stack

REPEATS = 25
TRAINING = {"algorithm": "xgboost", "target_column": "y",
            "hyperparameters": {"n_estimators": 300, "max_depth": 6}}  # fmt: skip


def _first_event(client: redis.Redis, stream: str, timeout_s: float = 30) -> float:
    """Wall time at which the first 'started' entry shows up on `stream`."""
    last = "0-0"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        reply = client.xread({stream: last}, block=1000)
        for _, entries in reply:
            for entry_id, fields in entries:
                last = entry_id
                if b'"started"' in fields[b"event"]:
                    return time.perf_counter()
    raise TimeoutError(stream)


def bare_rq(client: redis.Redis, stack: Stack) -> list[float]:
    worker = subprocess.Popen(
        [sys.executable, "-c", (
            "import service.worker as w; w.preload_ml_libraries();"
            "import redis, rq; rq.Worker(['bench-noop'], connection=redis.Redis.from_url("
            f"'{stack.redis.url}')).work(logging_level='WARNING')"
        )],
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    queue = Queue("bench-noop", connection=client)
    times = []
    try:
        time.sleep(3)
        for i in range(REPEATS + 2):
            stream = f"bench:noop:{i}"
            start = time.perf_counter()
            queue.enqueue("bench.noop.mark", stream)
            elapsed = _first_event(client, stream) - start
            if i >= 2:  # the first forks warm the page cache
                times.append(elapsed)
    finally:
        worker.terminate()
        worker.wait()
    return times


def mlchat_dispatch(client: redis.Redis, http: httpx.Client) -> list[float]:
    times = []
    config = {"algorithm": "linear", "dataset": {"name": "iris"}, "target_column": "species"}
    for i in range(REPEATS + 2):
        start = time.perf_counter()
        job = http.post("/api/v1/ml/train", json=config).raise_for_status().json()
        elapsed = _first_event(client, f"mlchat:run:{job['run_id']}:events") - start
        if i >= 2:
            times.append(elapsed)
        _wait(http, job["job_id"])
    return times


def _wait(http: httpx.Client, job_id: str) -> dict[str, Any]:
    while True:
        job: dict[str, Any] = http.get(f"/api/v1/ml/train/{job_id}").json()
        if job["status"] in {"finished", "failed", "cancelled"}:
            return job
        time.sleep(0.05)


def training_overhead(stack: Stack, http: httpx.Client) -> tuple[float, float]:
    from ml_backend.configs import TrainingConfig
    from ml_backend.datasets import read_frame
    from ml_backend.reporting import NullReporter
    from ml_backend.schema import DatasetProfile
    from ml_backend.training import train
    from ml_backend.validation import resolve_training

    dataset = upload(http, slow_training_csv(rows=20_000), "bench.csv", name="bench").json()
    config = {**TRAINING, "dataset": {"id": dataset["id"]}}
    path = stack.home / "datasets" / f"{dataset['content_hash']}.parquet"
    resolved = resolve_training(
        TrainingConfig.model_validate(config), DatasetProfile.model_validate(dataset["profile"])
    )
    direct, worker = [], []
    for _ in range(3):
        start = time.perf_counter()
        columns = [*resolved.feature_columns, resolved.target_column]
        train(resolved, read_frame(path, columns=columns), reporter=NullReporter())
        direct.append(time.perf_counter() - start)

        job = http.post("/api/v1/ml/train", json=config).raise_for_status().json()
        _wait(http, job["job_id"])
        events = http.get(f"/api/v1/runs/{job['run_id']}").json()
        worker.append(
            _event_span(stack, job["run_id"]) or events["result"]["training_duration_seconds"]
        )
    return statistics.median(direct), statistics.median(worker)


def _event_span(stack: Stack, run_id: int) -> float:
    client = redis.Redis.from_url(stack.redis.url)
    stamps = {}
    import json
    from datetime import datetime

    for _, fields in client.xrange(f"mlchat:run:{run_id}:events"):
        event = json.loads(fields[b"event"])
        stamps[event["type"]] = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
    return (stamps["finished"] - stamps["started"]).total_seconds()


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        stack = Stack(home=Path(home), redis=EmbeddedRedis(Path(home) / "redis", persist=False),
                      database_url=f"sqlite:///{home}/mlchat.db")  # fmt: skip
        stack.start(n_workers=1)
        client = redis.Redis.from_url(stack.redis.url)
        try:
            with httpx.Client(base_url=stack.base_url, timeout=60) as http:
                baseline = statistics.median(bare_rq(client, stack))
                ours = statistics.median(mlchat_dispatch(client, http))
                direct, in_worker = training_overhead(stack, http)
        finally:
            stack.stop()
    print(f"dispatch: bare RQ {baseline * 1000:.1f} ms, mlchat {ours * 1000:.1f} ms, "
          f"ratio {ours / baseline:.2f} (target <= 2.0)")  # fmt: skip
    print(f"training: direct {direct:.2f} s, in worker {in_worker:.2f} s, "
          f"overhead {100 * (in_worker / direct - 1):.1f}% (target < 10%)")  # fmt: skip


if __name__ == "__main__":
    main()
