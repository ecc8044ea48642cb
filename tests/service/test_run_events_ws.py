"""WS /ws/runs/{id}: replay from the start or from last_seq, live after, nothing lost or doubled."""

from __future__ import annotations

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.service.helpers import run_events, wait_for
from tests.service.stack import Stack

CONFIG = {"algorithm": "random_forest", "dataset": {"name": "breast_cancer"},
          "target_column": "diagnosis", "hyperparameters": {"n_estimators": 400}}  # fmt: skip


@pytest.mark.integration
def test_reconnect_resumes_without_loss_or_duplicates(client: httpx.Client, stack: Stack) -> None:
    job = client.post("/api/v1/ml/train", json=CONFIG).json()
    first = run_events(stack, job["run_id"], limit=3)  # connect live, leave early
    second = run_events(stack, job["run_id"], last_seq=first[-1]["seq"])
    seqs = [e["seq"] for e in first + second]
    assert seqs == list(range(1, len(seqs) + 1))
    # queued is written with the job in one transaction, so no worker can announce it first
    assert [e["type"] for e in first[:2]] == ["queued", "started"]
    assert second[-1]["type"] == "finished"
    progress = [e for e in first + second if e["type"] == "progress"]
    assert progress[-1]["step"] == progress[-1]["total"] == 400
    assert {e["unit"] for e in progress} == {"tree"}  # a forest counts the trees grown

    # After the end: a full replay equals what the two live halves saw.
    assert run_events(stack, job["run_id"]) == first + second
    tail = run_events(stack, job["run_id"], last_seq=seqs[-3])
    assert [e["seq"] for e in tail] == seqs[-2:]
    assert wait_for(client, "train", job["job_id"], {"finished"})["status"] == "completed"


@pytest.mark.integration
def test_unknown_run_closes_with_reason(stack: Stack) -> None:
    with (
        pytest.raises((ConnectionClosed, InvalidStatus)),
        connect(f"{stack.ws_url}/ws/runs/999999", open_timeout=5) as socket,
    ):
        socket.recv(timeout=5)
