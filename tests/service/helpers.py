"""Small client-side helpers shared by the service tests."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import redis
from rq import Worker
from websockets.sync.client import connect

from tests.service.stack import Stack

FINAL = {"finished", "failed", "cancelled"}


def upload(
    client: httpx.Client, content: bytes, filename: str, name: str | None = None
) -> httpx.Response:
    data = {"name": name} if name else {}
    return client.post("/api/v1/datasets", files={"file": (filename, content)}, data=data)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def wait_for(client: httpx.Client, kind: str, job_id: str, statuses: set[str],
             timeout_s: float = 120) -> dict[str, Any]:  # fmt: skip
    """Poll a job until its run status (queued, preprocessing, training, finished, failed,
    cancelled) is one of `statuses`; the train route's `status` is the document's word."""
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/ml/{kind}/{job_id}").raise_for_status().json()
        if job.get("run_status", job["status"]) in statuses:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']} after {timeout_s}s: {job}")
        time.sleep(0.1)


def run_events(stack: Stack, run_id: int, last_seq: int = 0, limit: int | None = None,
               timeout_s: float = 120,
               tenant: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Events from WS /ws/runs/{id}: until the server closes, or `limit` of them (of another
    tenant's run, as the local admin, with `tenant`)."""
    events: list[dict[str, Any]] = []
    url = f"{stack.ws_url}/ws/runs/{run_id}?last_seq={last_seq}"
    if tenant is not None:
        url += f"&tenant_id={tenant}"
    with connect(url, open_timeout=10, close_timeout=2) as socket:
        deadline = time.monotonic() + timeout_s
        for message in socket:
            events.append(json.loads(message))
            if limit is not None and len(events) >= limit:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"no final event after {timeout_s}s: {events[-3:]}")
    return events


def worker_of(stack: Stack, job_id: str) -> Worker:
    """The RQ worker running `job_id`."""
    connection = redis.Redis.from_url(stack.redis.url)
    for worker in Worker.all(connection=connection):
        if worker.get_current_job_id() == job_id:
            return worker
    raise AssertionError(f"no worker holds job {job_id}")


def children_of(pid: int) -> list[int]:
    """A process's children (a worker's work horse)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def slow_training_csv(rows: int = 8_000, features: int = 20, seed: int = 0) -> bytes:
    """A regression table big enough that thousands of deep boosting rounds take a while."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(rows, features))
    target = matrix @ rng.normal(size=features) + np.sin(matrix[:, 0] * 3) + rng.normal(size=rows)
    frame = pd.DataFrame(matrix, columns=[f"x{i}" for i in range(features)])
    frame["y"] = target
    return csv_bytes(frame)


SLOW_XGBOOST = {"n_estimators": 5000, "max_depth": 10, "learning_rate": 0.01}
