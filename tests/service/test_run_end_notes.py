"""The conversation hears how each of its runs ended: cancelled through the API, the agent
writes it there; cancelled by asking the agent in that conversation, its reply says it once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.service.helpers import SLOW_XGBOOST, slow_training_csv, upload

pytestmark = pytest.mark.integration


def _conversation_with_a_run(client: httpx.Client) -> tuple[int, dict[str, Any]]:
    response = upload(client, slow_training_csv(), "slow.csv", name="slow")
    assert response.status_code in (200, 201, 409), response.text
    created = client.post("/api/v1/conversations", json={"dataset": {"name": "slow"}}).json()
    trees, depth = SLOW_XGBOOST["n_estimators"], SLOW_XGBOOST["max_depth"]
    said = client.post(
        f"/api/v1/conversations/{created['id']}/messages",
        json={"text": f"train xgboost on y with {trees} trees and max depth {depth}",
              "auto_approve": True},
    )  # fmt: skip
    assert said.status_code in (200, 201), said.text
    run = next(p for p in said.json()["reply"]["parts"] if p["type"] == "run")
    return int(created["id"]), run


def _messages(client: httpx.Client, conversation_id: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = client.get(f"/api/v1/conversations/{conversation_id}").json()[
        "messages"
    ]
    return messages


def test_a_run_cancelled_through_the_api_is_told_in_its_conversation(
    client: httpx.Client,
) -> None:
    conversation_id, run = _conversation_with_a_run(client)
    cancelled = client.delete(f"/api/v1/ml/train/{run['job_id']}")
    assert cancelled.status_code == 200, cancelled.text

    last = _messages(client, conversation_id)[-1]
    assert last["role"] == "assistant"
    assert f"Run {run['run_id']} was cancelled" in last["content"]
    assert {"type": "result", "run_id": run["run_id"], "kind": "train",
            "status": "cancelled"} in last["parts"]  # fmt: skip


def test_asking_the_agent_to_cancel_is_answered_once(client: httpx.Client) -> None:
    conversation_id, run = _conversation_with_a_run(client)
    before = len(_messages(client, conversation_id))
    said = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": f"cancel run {run['run_id']}"},
    )
    assert said.status_code in (200, 201), said.text
    assert "cancelled" in said.json()["reply"]["content"]

    after = _messages(client, conversation_id)[before:]
    assert [m["role"] for m in after] == ["user", "assistant"]
