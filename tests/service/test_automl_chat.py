"""AutoML by talking, over HTTP with real workers: the plan states the budget heard, the run
spends it, and the agent says what won and why, every number from the result."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ml_backend.numbers import format_metric
from tests.service.helpers import wait_for, wait_for_result_message


def _say(client: httpx.Client, conversation: int, text: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()["reply"]
    return reply


def _text(reply: dict[str, Any]) -> str:
    return str(reply["content"])


@pytest.mark.integration
def test_an_automl_asked_in_words_runs_and_is_explained(client: httpx.Client) -> None:
    conversation = client.post("/api/v1/conversations", json={"dataset": {"name": "iris"}}).json()
    planned = _say(client, conversation["id"], "find the best model for species in 15 seconds")
    plan = next(p for p in planned["parts"] if p["type"] == "plan")
    assert plan["action"] == "automl", planned
    assert plan["config"]["time_budget_s"] == 15
    assert plan["config"]["target_column"] == "species"
    assert "15 seconds" in _text(planned)

    started = _say(client, conversation["id"], "yes")
    run = next(p for p in started["parts"] if p["type"] == "run")
    assert run["kind"] == "automl"
    job = wait_for(client, "automl", run["job_id"], {"finished", "failed"})
    assert job["status"] == "finished", job
    result = job["result"]
    wait_for_result_message(client, conversation["id"], job["run_id"])
    messages = client.get(f"/api/v1/conversations/{conversation['id']}").json()["messages"]
    summary = next(
        _text(m)
        for m in messages
        if any(p.get("type") == "result" and p.get("run_id") == job["run_id"] for p in m["parts"])
    )
    goal = result["goal_metric"]
    test = result["metrics"]["test"][goal]
    assert format_metric(goal, test) in summary
    assert ("ensemble" in summary) == (result["best"] == "ensemble")

    answer = _text(_say(client, conversation["id"], "which one won?"))
    if result["best"] == "ensemble":
        heaviest = max(result["models"], key=lambda m: m["weight"])
        assert "ensemble" in answer and heaviest["name"] in answer
    else:
        assert result["best"] in answer
