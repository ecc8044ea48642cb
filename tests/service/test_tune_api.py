"""Tuning over HTTP with a real worker: trials streamed, best refit, plots served."""

from __future__ import annotations

import httpx
import pytest

from tests.service.helpers import run_events, wait_for
from tests.service.stack import Stack


@pytest.mark.integration
def test_tuning_run_end_to_end(client: httpx.Client, stack: Stack) -> None:
    config = {
        "algorithm": "random_forest", "dataset": {"name": "penguins"},
        "target_column": "species", "n_trials": 5, "goal_metric": "f1",
        "hyperparameters": {"n_jobs": 1},
        "search_space": {"n_estimators": {"low": 5, "high": 25}},
    }  # fmt: skip
    accepted = client.post("/api/v1/ml/tune", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "tune", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "finished", job
    result = job["result"]

    assert len(result["trials"]) == 5
    values = [t["value"] for t in result["trials"] if t["value"] is not None]
    assert result["best_value"] == max(values)
    # Trials are scored on 5-fold cross-validation of the training rows; the test part judges
    # the refit once.
    assert result["validation"]["metrics"]["f1"]["mean"] == result["best_value"]
    assert set(result["training"]["metrics"]) == {"train", "test"}
    assert result["trials"][0]["defaults"] is True
    assert result["metrics"] == result["training"]["metrics"]
    assert all(5 <= t["params"]["n_estimators"] <= 25 for t in result["trials"])

    events = run_events(stack, job["run_id"])
    trial_messages = [
        e["message"] for e in events if str(e.get("message", "")).startswith("trial ")
    ]
    assert len(trial_messages) == 5

    run_id = job["run_id"]
    for name in ("history", "slice", "contour", "importance", "feature_importance"):
        plot = client.get(f"/api/v1/runs/{run_id}/plots/{name}")
        assert plot.status_code == 200, (name, plot.text)
        assert "data" in plot.json()
    assert client.get(f"/api/v1/runs/{run_id}/model").status_code == 200
    predicted = client.post(
        f"/api/v1/runs/{run_id}/predict",
        json={"rows": [{"island": "Biscoe", "bill_length_mm": 48.0, "bill_depth_mm": 15.0,
                        "flipper_length_mm": 220, "body_mass_g": 5300, "sex": "male",
                        "year": 2008}]},
    )  # fmt: skip
    assert predicted.status_code == 200, predicted.text
    assert predicted.json()["predictions"][0]["prediction"] == "Gentoo"


@pytest.mark.integration
def test_bad_tuning_request_is_refused_before_queueing(client: httpx.Client) -> None:
    before = client.get("/api/v1/ml/tune").json()["total"]
    response = client.post("/api/v1/ml/tune", json={
        "algorithm": "xgboost", "dataset": {"name": "penguins"}, "target_column": "species",
        "goal_metric": "rmse"})  # fmt: skip
    assert response.status_code == 422
    assert "not a classification metric" in response.json()["detail"]
    assert client.get("/api/v1/ml/tune").json()["total"] == before
