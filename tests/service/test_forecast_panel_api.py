"""A table of several stores through the API: refused without a choice, a forecast of each
store with a real worker, and its future values as a CSV download."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from tests.ml_backend.forecast_data import store_sales
from tests.service.helpers import csv_bytes, upload, wait_for

HORIZON = 4
AR1 = {"order": [1, 1, 0], "seasonal_order": [0, 0, 0, 0], "trend": "n"}


def _config(dataset_id: int, **fields: Any) -> dict[str, Any]:
    return {"algorithm": "arima", "task_type": "forecasting", "dataset": {"id": dataset_id},
            "target_column": "sales", "time_column": "date", "horizon": HORIZON,
            "hyperparameters": AR1, **fields}  # fmt: skip


@pytest.mark.integration
def test_a_forecast_of_each_store_and_its_csv(client: httpx.Client) -> None:
    dataset = upload(client, csv_bytes(store_sales(5, 36)), "stores.csv", "panel-stores")
    assert dataset.status_code == 201, dataset.text
    dataset_id = dataset.json()["id"]

    unchosen = client.post("/api/v1/ml/train", json=_config(dataset_id))
    accepted = client.post(
        "/api/v1/ml/train", json=_config(dataset_id, series={"column": "store", "mode": "each"})
    )

    assert unchosen.status_code == 422
    assert unchosen.headers["content-type"].startswith("application/problem+json")
    detail = unchosen.json()["detail"]
    assert "'store'" in detail and '"mode": "each"' in detail and '"value": "S' in detail
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"}, 300)
    assert job["run_status"] == "finished", job.get("error")
    result = job["result"]
    assert result["series"]["words"] == "a forecast for each of 5 stores"
    download = client.get(f"/api/v1/runs/{job['run_id']}/forecast.csv")
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    assert f"forecast-run-{job['run_id']}.csv" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert list(rows[0]) == ["store", "date", "forecast", "lower", "upper"]
    expected = [
        (group["group"], point["time"][:10], point["value"], point["lower"], point["upper"])
        for group in result["groups"]
        for point in group["future_forecast"]
    ]
    assert len(expected) == 5 * HORIZON
    read = [(r["store"], r["date"], float(r["forecast"]), float(r["lower"]), float(r["upper"]))
            for r in rows]  # fmt: skip
    assert read == expected
    # The saved models continue every store's series on request, each point named by store.
    future = client.post(f"/api/v1/runs/{job['run_id']}/predict", json={"horizon": 2})
    assert future.status_code == 200, future.text
    assert sorted({p["group"] for p in future.json()["points"]}) == [f"S{n}" for n in range(1, 6)]


@pytest.mark.integration
def test_only_a_finished_forecast_has_a_csv(client: httpx.Client) -> None:
    config = {"algorithm": "linear", "dataset": {"name": "penguins"}, "target_column": "species"}
    trained = client.post("/api/v1/ml/train", json=config)
    assert trained.status_code == 202, trained.text
    job = wait_for(client, "train", trained.json()["job_id"], {"finished", "failed"}, 300)

    response = client.get(f"/api/v1/runs/{job['run_id']}/forecast.csv")

    assert response.status_code == 409
    assert "only forecasts" in response.json()["detail"]
    assert client.get("/api/v1/runs/999999/forecast.csv").status_code == 404
