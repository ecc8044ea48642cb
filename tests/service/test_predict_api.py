"""Predicting with a finished run over HTTP: JSON rows, a whole dataset, and bad requests."""

from __future__ import annotations

import io
from typing import Any

import httpx
import joblib
import pandas as pd
import pytest
from palmerpenguins import load_penguins

from tests.service.helpers import wait_for


def _finished_run(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    config = {"algorithm": "random_forest", "dataset": {"name": "penguins"},
              "hyperparameters": {"n_estimators": 20, "n_jobs": 1}, **fields}  # fmt: skip
    accepted = client.post("/api/v1/ml/train", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job
    return job


def _rows(count: int) -> list[dict[str, Any]]:
    frame = load_penguins().dropna().head(count).astype(object)
    return [dict(row) for row in frame.to_dict(orient="records")]


@pytest.mark.integration
def test_rows_predicted_equal_the_downloaded_model(client: httpx.Client) -> None:
    job = _finished_run(client, target_column="species")
    rows = _rows(5)
    response = client.post(f"/api/v1/runs/{job['run_id']}/predict", json={"rows": rows})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["target_column"] == "species"
    assert body["ignored_columns"] == ["species"]

    model = joblib.load(io.BytesIO(client.get(f"/api/v1/runs/{job['run_id']}/model").content))
    frame = pd.DataFrame(rows)
    assert [p["prediction"] for p in body["predictions"]] == list(model.predict(frame))
    expected = model.predict_proba(frame)
    for prediction, probabilities in zip(body["predictions"], expected, strict=True):
        assert list(prediction["probabilities"]) == model.classes
        assert list(prediction["probabilities"].values()) == pytest.approx(list(probabilities))


@pytest.mark.integration
def test_batch_prediction_makes_a_new_dataset(client: httpx.Client) -> None:
    job = _finished_run(client, target_column="body_mass_g")
    name = f"penguins-mass-{job['run_id']}"
    response = client.post(
        f"/api/v1/runs/{job['run_id']}/predict",
        json={"dataset": {"name": "penguins"}, "name": name},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["added_columns"] == ["predicted_body_mass_g"]
    new = body["dataset"]
    assert new["name"] == name and new["row_count"] == 344

    detail = client.get(f"/api/v1/datasets/{new['id']}").json()
    penguins = client.get("/api/v1/datasets", params={}).json()
    parent = next(d for d in penguins if d["name"] == "penguins")
    assert detail["parent_id"] == parent["id"]
    rows = client.get(f"/api/v1/datasets/{new['id']}/rows", params={"limit": 344}).json()["rows"]
    model = joblib.load(io.BytesIO(client.get(f"/api/v1/runs/{job['run_id']}/model").content))
    frame = pd.DataFrame(rows)
    assert [r["predicted_body_mass_g"] for r in rows] == pytest.approx(list(model.predict(frame)))
    again = client.post(
        f"/api/v1/runs/{job['run_id']}/predict",
        json={"dataset": {"name": "penguins"}, "name": name},
    )
    assert again.status_code == 409


@pytest.mark.integration
def test_bad_prediction_requests_say_what_to_fix(client: httpx.Client) -> None:
    job = _finished_run(client, target_column="species")
    url = f"/api/v1/runs/{job['run_id']}/predict"
    rows = _rows(2)
    del rows[1]["island"]
    missing = client.post(url, json={"rows": rows})
    assert missing.status_code == 422
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert "row 1 lacks column(s) island" in missing.json()["detail"]

    rows = _rows(1)
    rows[0]["bill_length_mm"] = "long"
    assert "expected a number" in client.post(url, json={"rows": rows}).json()["detail"]
    both = client.post(url, json={"rows": _rows(1), "dataset": {"name": "penguins"}})
    assert both.status_code == 422 and "exactly one of" in both.text
    assert client.post(url, json={"horizon": 3}).status_code == 409
    assert client.post("/api/v1/runs/999999/predict", json={"rows": _rows(1)}).status_code == 404
    unknown = client.post(url, json={"dataset": {"name": "pengiuns"}})
    assert unknown.status_code == 422 and "penguins" in unknown.json()["detail"]
