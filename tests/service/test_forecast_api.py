"""Forecasting through the jobs API with a real worker: metrics, plot, future values."""

from __future__ import annotations

import httpx
import pytest

from tests.service.helpers import run_events, wait_for
from tests.service.stack import Stack


@pytest.mark.integration
def test_arima_forecast_of_sunspots(client: httpx.Client, stack: Stack) -> None:
    config = {"algorithm": "arima", "task_type": "forecasting", "dataset": {"name": "sunspots"},
              "target_column": "sunspots", "time_column": "year", "horizon": 10}  # fmt: skip
    accepted = client.post("/api/v1/ml/train", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job
    result = job["result"]
    assert result["task_type"] == "forecasting"
    test = result["metrics"]["test"]
    assert set(test) >= {"mae", "rmse", "mape", "smape"}
    tail = result["test_forecast"]
    assert len(tail) == 10
    mae = sum(abs(p["actual"] - p["predicted"]) for p in tail) / len(tail)
    assert test["mae"] == pytest.approx(mae)
    assert all(p["lower"] <= p["predicted"] <= p["upper"] for p in tail)

    # One progress step per candidate order, not only start and end.
    steps = [e for e in run_events(stack, job["run_id"]) if e["type"] == "progress"]
    assert len(steps) >= 3
    plot = client.get(f"/api/v1/runs/{job['run_id']}/plots/forecast")
    assert plot.status_code == 200 and plot.json()["data"]

    future = client.post(f"/api/v1/runs/{job['run_id']}/predict", json={"horizon": 5})
    assert future.status_code == 200, future.text
    points = future.json()["points"]
    assert len(points) == 5
    last_year = max(p["time"] for p in tail)
    assert [p["time"] for p in points] == pytest.approx([last_year + i for i in range(1, 6)])
    rows = client.post(f"/api/v1/runs/{job['run_id']}/predict", json={"rows": [{"year": 2000}]})
    assert rows.status_code == 409 and "horizon" in rows.json()["detail"]


@pytest.mark.integration
def test_forecast_mistakes_are_refused(client: httpx.Client) -> None:
    response = client.post("/api/v1/ml/train", json={
        "algorithm": "arima", "task_type": "forecasting", "dataset": {"name": "sunspots"},
        "target_column": "sunspots", "time_column": "year", "horizon": 5000})  # fmt: skip
    assert response.status_code == 422
    assert "horizon" in response.json()["detail"]
