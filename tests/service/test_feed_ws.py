"""WS /ws/feed: every event of the tenant's runs, live, whichever conversation started them."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.sync.client import connect

from tests.service.helpers import wait_for
from tests.service.stack import Stack

CONFIG = {"algorithm": "random_forest", "dataset": {"name": "iris"},
          "target_column": "species", "hyperparameters": {"n_estimators": 60}}  # fmt: skip


@pytest.mark.integration
def test_feed_carries_every_run_of_the_tenant_from_queued_to_finished(
    client: httpx.Client, stack: Stack
) -> None:
    with connect(f"{stack.ws_url}/ws/feed", open_timeout=10) as feed:
        jobs = [client.post("/api/v1/ml/train", json=CONFIG).json() for _ in range(2)]
        wanted = {job["run_id"] for job in jobs}
        seen: dict[int, list[dict[str, object]]] = {run_id: [] for run_id in wanted}
        finished: set[int] = set()
        while finished != wanted:
            event = json.loads(feed.recv(timeout=60))
            if event["run_id"] in wanted:
                seen[event["run_id"]].append(event)
                if event["type"] in {"finished", "failed", "cancelled"}:
                    finished.add(event["run_id"])
    for job in jobs:
        events = seen[job["run_id"]]
        assert events[0]["type"] == "queued" and events[-1]["type"] == "finished"
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert wait_for(client, "train", job["job_id"], {"finished"})["status"] == "completed"
