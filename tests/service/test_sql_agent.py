"""Loading from a SQL connection by talking: the agent plans a read-only query from a table the
connection has, waits for a yes, loads exactly the rows asked for as a new dataset the
conversation turns to, and refuses a query that would write, leaving the source untouched."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.stack import Stack
from tests.sql_databases import sqlite_fingerprint

pytestmark = pytest.mark.integration


def _shop(path: Path, today: date) -> tuple[str, int]:
    """A SQLite shop with an orders row a day for 120 days up to today (dates as text, as
    SQLite keeps them); returns its URL and how many orders fall in the previous month."""
    days = [today - timedelta(days=n) for n in range(120)]
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL, "
                           "region TEXT, ordered_at TEXT)")  # fmt: skip
        connection.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?)",
            [(i, 10.0 + i % 17, ["north", "south"][i % 2], day.isoformat())
             for i, day in enumerate(days)],
        )  # fmt: skip
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    connection.close()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    return f"sqlite:///{path}", sum(last_month <= day < this_month for day in days)


def _say(client: httpx.Client, conversation: int, text: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()["reply"]
    return reply


def test_load_last_months_orders_by_talking(
    client: httpx.Client, stack: Stack, tmp_path: Path
) -> None:
    # Another name each run: the session's stack is shared by both database backends' runs.
    name = f"shop{uuid.uuid4().hex[:6]}"
    url, november = _shop(tmp_path / "shop.db", date.today())
    added = client.post("/api/v1/admin/connections",
                        json={"tenant_id": "default", "name": name, "url": url})  # fmt: skip
    assert added.status_code == 201, added.text
    before = sqlite_fingerprint(tmp_path / "shop.db")
    conversation = client.post("/api/v1/conversations", json={}).json()["id"]

    asked = _say(client, conversation, f"load from {name}")
    assert "orders" in asked["content"] and "customers" in asked["content"], asked

    planned = _say(client, conversation, f"load last month's orders from {name}")
    plan = next(p for p in planned["parts"] if p["type"] == "plan")
    assert plan["tool"] == "load_sql" and "ordered_at" in plan["config"]["query"]
    assert client.get("/api/v1/datasets").json() == [
        d for d in client.get("/api/v1/datasets").json() if d["name"] != plan["config"]["name"]
    ], "nothing is loaded before the yes"

    loaded = _say(client, conversation, "yes")
    assert f"{november:,} rows" in loaded["content"], loaded["content"]
    part = next(p for p in loaded["parts"] if p["type"] == "dataset")
    dataset = client.get(f"/api/v1/datasets/{part['dataset_id']}").json()
    assert dataset["row_count"] == november
    assert dataset["source"]["connection"] == name and "ordered_at" in dataset["source"]["query"]
    view = client.get(f"/api/v1/conversations/{conversation}").json()
    assert view["dataset_id"] == part["dataset_id"], "the conversation turned to it"

    chart = _say(client, conversation, "histogram of amount")
    assert chart["parts"] and chart["parts"][0]["type"] in {"plan", "run"}, chart
    assert chart["parts"][0]["config"]["dataset"] == {"name": dataset["name"]}

    refused = _say(
        client, conversation, f"load SELECT * FROM orders; DROP TABLE orders from {name}"
    )
    assert not any(p["type"] == "plan" for p in refused["parts"]), refused
    assert "SELECT" in refused["content"], refused["content"]
    assert sqlite_fingerprint(tmp_path / "shop.db") == before, "the source is unchanged"


def test_a_load_over_the_tenants_dataset_limit_is_refused_and_kept_nowhere(
    client: httpx.Client, stack: Stack, tmp_path: Path
) -> None:
    name = f"big{uuid.uuid4().hex[:6]}"
    url, _ = _shop(tmp_path / "shop.db", date.today())
    connection = {"tenant_id": "default", "name": name, "url": url}
    client.post("/api/v1/admin/connections", json=connection).raise_for_status()
    before = {d["id"] for d in client.get("/api/v1/datasets").json()}
    client.patch("/api/v1/admin/limits", json={"dataset_gb": 0.000001}).raise_for_status()
    try:
        refused = client.post("/api/v1/datasets/sql", json={
            "source": "sql", "connection": name, "query": "SELECT * FROM orders"})  # fmt: skip
        assert refused.status_code == 413, refused.text
        assert "dataset limit" in refused.json()["detail"] and "--dataset-gb" in refused.text
    finally:
        client.patch("/api/v1/admin/limits", json={"dataset_gb": None}).raise_for_status()
    assert {d["id"] for d in client.get("/api/v1/datasets").json()} == before
