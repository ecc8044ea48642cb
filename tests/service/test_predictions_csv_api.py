"""Predictions as CSV downloads: a run's test rows, and a whole dataset scored."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, root_mean_squared_error

from tests.service.helpers import wait_for


def _finished(client: httpx.Client, **config: Any) -> dict[str, Any]:
    accepted = client.post("/api/v1/ml/train", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["run_status"] == "finished", job
    return job


def _csv(response: httpx.Response, filename: str) -> pd.DataFrame:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    return pd.read_csv(io.BytesIO(response.content))


def _dataset(client: httpx.Client, name: str) -> dict[str, Any]:
    return next(d for d in client.get("/api/v1/datasets").json() if d["name"] == name)


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail: str = response.json()["detail"]
    return detail


@pytest.mark.integration
def test_a_classifiers_test_rows_download_with_what_its_metrics_judged(
    client: httpx.Client,
) -> None:
    job = _finished(
        client, algorithm="random_forest", dataset={"name": "penguins"}, target_column="species",
        split={"strategy": "stratified", "test_size": 0.25},
        hyperparameters={"n_estimators": 20, "n_jobs": 1},
    )  # fmt: skip
    run_id = job["run_id"]
    table = _csv(
        client.get(f"/api/v1/runs/{run_id}/predictions.csv"), f"run-{run_id}-test-predictions.csv"
    )
    classes = ["Adelie", "Chinstrap", "Gentoo"]
    assert list(table.columns) == [
        "row", "species", "predicted_species", *(f"probability_{c}" for c in classes)
    ]  # fmt: skip
    assert len(table) == job["data_summary"]["test_samples"] == 86
    assert table["row"].is_monotonic_increasing and table["row"].is_unique
    accuracy = accuracy_score(table["species"], table["predicted_species"])
    assert accuracy == pytest.approx(job["metrics"]["accuracy"], abs=1e-12)
    probabilities = table[[f"probability_{c}" for c in classes]].to_numpy()
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    best = np.asarray(classes)[probabilities.argmax(axis=1)]
    assert (best == table["predicted_species"]).mean() > 0.95

    # Each row number names the dataset's row whose species it shows.
    dataset = _dataset(client, "penguins")
    rows = client.get(f"/api/v1/datasets/{dataset['id']}/rows?limit=1000").json()["rows"]
    assert [rows[r]["species"] for r in table["row"]] == list(table["species"])


@pytest.mark.integration
def test_a_regressions_test_rows_give_its_rmse(client: httpx.Client) -> None:
    job = _finished(
        client, algorithm="linear", dataset={"name": "diabetes"},
        target_column="disease_progression",
    )  # fmt: skip
    run_id = job["run_id"]
    table = _csv(
        client.get(f"/api/v1/runs/{run_id}/predictions.csv"), f"run-{run_id}-test-predictions.csv"
    )
    assert list(table.columns) == [
        "row", "disease_progression", "predicted_disease_progression"
    ]  # fmt: skip
    assert len(table) == job["data_summary"]["test_samples"]
    rmse = root_mean_squared_error(
        table["disease_progression"], table["predicted_disease_progression"]
    )
    assert rmse == pytest.approx(job["metrics"]["rmse"], rel=1e-9)


@pytest.mark.integration
def test_a_dataset_scored_downloads_as_csv_without_a_new_dataset(client: httpx.Client) -> None:
    job = _finished(
        client, algorithm="random_forest", dataset={"name": "penguins"}, target_column="sex",
        hyperparameters={"n_estimators": 20, "n_jobs": 1},
    )  # fmt: skip
    run_id = job["run_id"]
    penguins = _dataset(client, "penguins")
    before = len(client.get("/api/v1/datasets").json())
    scored = _csv(
        client.post(
            f"/api/v1/runs/{run_id}/predict?format=csv", json={"dataset_id": penguins["id"]}
        ),
        f"penguins-predicted-by-run-{run_id}.csv",
    )
    assert len(client.get("/api/v1/datasets").json()) == before
    assert len(scored) == penguins["row_count"] == 344
    assert list(scored.columns[-3:]) == ["predicted_sex", "probability_female", "probability_male"]
    assert "bill_length_mm" in scored.columns and "sex" in scored.columns

    # The test rows are predicted as in the test download; every row gets a prediction.
    test = pd.read_csv(io.BytesIO(client.get(f"/api/v1/runs/{run_id}/predictions.csv").content))
    assert list(scored.loc[test["row"], "predicted_sex"]) == list(test["predicted_sex"])
    assert scored["predicted_sex"].isin(["female", "male"]).all()

    # Without format=csv, dataset_id still makes the new dataset, as `dataset` does.
    stored = client.post(f"/api/v1/runs/{run_id}/predict", json={"dataset_id": penguins["id"]})
    assert stored.status_code == 200, stored.text
    assert stored.json()["added_columns"] == list(scored.columns[-3:])


@pytest.mark.integration
def test_runs_without_predictions_say_why(client: httpx.Client) -> None:
    explored = client.post(
        "/api/v1/ml/explore",
        json={"explorer": "describe", "dataset": {"name": "penguins"}, "columns": []},
    ).json()
    wait_for(client, "explore", explored["job_id"], {"finished", "failed"})
    detail = _problem(client.get(f"/api/v1/runs/{explored['run_id']}/predictions.csv"), 409)
    assert "explore run" in detail and "training" in detail

    penguins = _dataset(client, "penguins")
    queued = client.post(
        "/api/v1/ml/train",
        json={"algorithm": "linear", "dataset": {"name": "penguins"}, "target_column": "sex"},
    ).json()
    client.delete(f"/api/v1/ml/train/{queued['job_id']}")
    ended = client.get(f"/api/v1/runs/{queued['run_id']}").json()["status"]
    if ended == "cancelled":  # a quiet machine may have finished it first
        detail = _problem(client.get(f"/api/v1/runs/{queued['run_id']}/predictions.csv"), 409)
        assert "cancelled" in detail and "finished" in detail
        scored = client.post(
            f"/api/v1/runs/{queued['run_id']}/predict?format=csv",
            json={"dataset_id": penguins["id"]},
        )
        assert "cancelled" in _problem(scored, 409)

    _problem(client.get("/api/v1/runs/999999/predictions.csv"), 404)
    finished = _finished(
        client, algorithm="linear", dataset={"name": "penguins"}, target_column="sex",
    )  # fmt: skip
    rows_as_csv = client.post(
        f"/api/v1/runs/{finished['run_id']}/predict?format=csv",
        json={"rows": [{"bill_length_mm": 40.0}]},
    )
    assert "dataset_id" in _problem(rows_as_csv, 422)
    both = client.post(
        f"/api/v1/runs/{finished['run_id']}/predict",
        json={"dataset_id": penguins["id"], "dataset": {"name": "penguins"}},
    )
    assert "exactly one" in _problem(both, 422)
