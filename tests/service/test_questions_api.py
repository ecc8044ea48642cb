"""A question the agent asks, answered in the next message, over the conversations API: the
answer completes the request it was asked about, stored and read back like any message."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ml_backend.forecast_data import store_sales
from tests.service.helpers import csv_bytes, upload


def _say(client: httpx.Client, conversation: int, text: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.integration
def test_which_series_answered_for_each_store_gives_the_forecast_of_each(
    client: httpx.Client,
) -> None:
    dataset = upload(client, csv_bytes(store_sales(5, 36)), "stores.csv", "question-stores")
    assert dataset.status_code == 201, dataset.text
    created = client.post("/api/v1/conversations", json={"dataset": {"id": dataset.json()["id"]}})
    assert created.status_code == 201, created.text
    conversation = created.json()["id"]

    asked = _say(client, conversation, "forecast sales 4 months ahead")
    answered = _say(client, conversation, "for each store")

    assert asked["pending_plan"] is None
    (question,) = asked["reply"]["parts"]
    assert question["type"] == "clarify" and question["question"]["kind"] == "series"
    assert "`store`" in asked["reply"]["content"]
    plan = answered["pending_plan"]
    assert plan is not None and plan["action"] == "forecast", answered["reply"]["content"]
    config = plan["config"]
    assert config["series"] == {"column": "store", "mode": "each"}
    assert (config["target_column"], config["time_column"], config["horizon"]) == (
        "sales", "date", 4)  # fmt: skip
    # Another answer to the same question, in Spanish, in a new conversation: the total.
    again = client.post("/api/v1/conversations", json={"dataset": {"name": "question-stores"}})
    other = again.json()["id"]
    _say(client, other, "pronostica sales para los próximos 4 meses")
    total = _say(client, other, "el total")
    assert total["pending_plan"]["config"]["series"] == {"column": "store", "mode": "sum"}
    # 'no' drops the question: a later bare value starts nothing and plans nothing.
    third = client.post("/api/v1/conversations", json={"dataset": {"name": "question-stores"}})
    dropped = third.json()["id"]
    _say(client, dropped, "forecast sales 4 months ahead")
    assert _say(client, dropped, "no")["pending_plan"] is None
    late = _say(client, dropped, "S3")
    assert late["pending_plan"] is None
    assert not any(p["type"] == "run" for p in late["reply"]["parts"])
