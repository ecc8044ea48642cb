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
from websockets.exceptions import ConnectionClosedOK
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


# The cap on a wait for something a job or the server does. Each wait ends as soon as what it
# waits for happens; the cap only ends one that never would. A loaded 2-core machine (load
# average ~10) took minutes for jobs that take seconds alone.
WAIT_CAP_S = 600.0


def _ws_base(client: httpx.Client) -> str:
    return str(client.base_url).rstrip("/").replace("http", "ws", 1)


def _stage(job: dict[str, Any]) -> str:
    return str(job.get("run_status", job["status"]))


def wait_for(client: httpx.Client, kind: str, job_id: str, statuses: set[str],
             timeout_s: float = WAIT_CAP_S) -> dict[str, Any]:  # fmt: skip
    """The job once its run status (queued, preprocessing, training, finished, failed,
    cancelled; the train route's `status` is the document's word) is one of `statuses`. For
    ending statuses it follows the run's events until the one that ends it; for others
    (`training`) it polls."""
    job: dict[str, Any] = client.get(f"/api/v1/ml/{kind}/{job_id}").raise_for_status().json()
    if _stage(job) in statuses:
        return job
    if statuses <= FINAL:
        # As the client asks: with its key, and for the tenant it acts for (?tenant_id=).
        query = f"?{client.params}" if client.params else ""
        url = f"{_ws_base(client)}/ws/runs/{job['run_id']}{query}"
        auth = client.headers.get("authorization")
        _follow(url, timeout_s, {"authorization": auth} if auth else None)
        job = client.get(f"/api/v1/ml/{kind}/{job_id}").raise_for_status().json()
        if _stage(job) not in statuses:
            raise AssertionError(f"job {job_id} ended {job['status']}, not {statuses}: {job}")
        return job
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/api/v1/ml/{kind}/{job_id}").raise_for_status().json()
        if _stage(job) in statuses:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']} after {timeout_s}s: {job}")
        time.sleep(0.2)


def _follow(url: str, timeout_s: float, headers: dict[str, str] | None = None,
            limit: int | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """A run socket's events until the server closes it after the run's last one, or `limit`
    of them."""
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    with connect(url, open_timeout=60, close_timeout=10, additional_headers=headers) as socket:
        while limit is None or len(events) < limit:
            try:
                message = socket.recv(timeout=max(0.0, deadline - time.monotonic()))
            except ConnectionClosedOK:
                break
            except TimeoutError:
                raise AssertionError(f"no final event after {timeout_s}s: {events[-3:]}") from None
            events.append(json.loads(message))
    return events


def _has_result(messages: list[dict[str, Any]], run_id: int) -> bool:
    parts = [part for message in messages for part in message["parts"]]
    return any(p["type"] == "result" and p.get("run_id") == run_id for p in parts)


def wait_for_result_message(client: httpx.Client, conversation_id: int, run_id: int,
                            timeout_s: float = WAIT_CAP_S) -> None:  # fmt: skip
    """Until the agent has written how run `run_id` ended into the conversation: the chat
    socket is opened first, so a message written after the look below is heard on it."""
    url = f"{_ws_base(client)}/ws/chat/{conversation_id}"
    deadline = time.monotonic() + timeout_s
    with connect(url, open_timeout=60, close_timeout=10) as socket:
        if _has_result(client.get(f"/api/v1/conversations/{conversation_id}").json()["messages"],
                       run_id):  # fmt: skip
            return
        while True:
            try:
                event = json.loads(socket.recv(timeout=max(0.0, deadline - time.monotonic())))
            except TimeoutError:
                raise AssertionError(f"no result of run {run_id} after {timeout_s}s") from None
            if event.get("type") == "message" and _has_result([event["message"]], run_id):
                return


def run_events(stack: Stack, run_id: int, last_seq: int = 0, limit: int | None = None,
               timeout_s: float = WAIT_CAP_S,
               tenant: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Events from WS /ws/runs/{id}: until the server closes, or `limit` of them (of another
    tenant's run, as the local admin, with `tenant`)."""
    url = f"{stack.ws_url}/ws/runs/{run_id}?last_seq={last_seq}"
    if tenant is not None:
        url += f"&tenant_id={tenant}"
    return _follow(url, timeout_s, limit=limit)


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
