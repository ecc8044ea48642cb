"""Training over HTTP: submit, poll, read real metrics; bad configs refused before queueing."""

from __future__ import annotations

import io
from typing import Any

import httpx
import joblib
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score

from tests.service.helpers import run_events, wait_for
from tests.service.stack import Stack


def _train(client: httpx.Client, config: dict[str, Any]) -> httpx.Response:
    return client.post("/api/v1/ml/train", json=config)


@pytest.mark.integration
def test_xgboost_on_penguins_species(client: httpx.Client, stack: Stack) -> None:
    config = {
        "algorithm": "xgboost",
        "dataset": {"name": "penguins"},
        "target_column": "species",
        "split": {"strategy": "stratified", "test_size": 0.25},
        "hyperparameters": {"n_estimators": 60, "max_depth": 3},
    }
    accepted = _train(client, config)
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["status"] == "queued" and body["run_id"] > 0

    job = wait_for(client, "train", body["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job
    result = job["result"]
    assert result["task_type"] == "classification"
    assert result["metrics"]["test"]["accuracy"] > 0.9
    assert result["data_summary"]["test_samples"] == 86  # a quarter of 344, stratified
    features = [f["feature"] for f in result["feature_importance"]]
    assert "bill_length_mm" in features and "species" not in features
    labels = result["confusion_matrix"]["labels"]
    assert sorted(labels) == ["Adelie", "Chinstrap", "Gentoo"]

    events = run_events(stack, body["run_id"])
    rounds = [e for e in events if e["type"] == "progress" and e.get("total") == 60]
    assert rounds and rounds[-1]["step"] == 60
    assert events[0]["type"] == "queued" and events[-1]["type"] == "finished"

    # The downloadable model is the real one: it predicts the dataset as the metrics say.
    model = joblib.load(io.BytesIO(client.get(f"/api/v1/runs/{body['run_id']}/model").content))
    rows = client.get("/api/v1/datasets").json()
    penguins = next(d for d in rows if d["name"] == "penguins")
    data = client.get(f"/api/v1/datasets/{penguins['id']}/rows?limit=1000").json()["rows"]
    frame = pd.DataFrame(data).dropna(subset=["species"])
    assert accuracy_score(frame["species"], model.predict(frame)) > 0.9


@pytest.mark.integration
@pytest.mark.parametrize("algorithm", ["lightgbm", "random_forest", "linear"])
def test_each_algorithm_regression_through_the_api(client: httpx.Client, algorithm: str) -> None:
    config = {"algorithm": algorithm, "dataset": {"name": "diabetes"},
              "target_column": "disease_progression"}  # fmt: skip
    job = wait_for(client, "train", _train(client, config).json()["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job
    metrics = job["result"]["metrics"]["test"]
    assert job["result"]["task_type"] == "regression"
    assert metrics["r2"] > 0.2 and metrics["rmse"] > 0


def _run_count(client: httpx.Client) -> int:
    return int(client.get("/api/v1/ml/train?limit=1").json()["total"])


@pytest.mark.integration
@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"target_column": "specie"}, "did you mean 'species'"),
        ({"feature_columns": ["bill_lenght_mm"]}, "bill_length_mm"),
        ({"algorithm": "xgbost"}, "xgboost"),
        ({"hyperparameters": {"max_depth": -3}}, "max_depth"),
        ({"hyperparameters": {"n_trees": 10}}, "n_trees"),
        ({"split": {"test_size": 1.5}}, "test_size"),
        ({"dataset": {"name": "pengiuns"}}, "penguins"),
        (
            {
                "target_column": "year",
                "task_type": "regression",
                "feature_columns": ["island"],
                "dataset": {"name": "one-class"},
            },
            "one",
        ),
    ],
)
def test_bad_configs_are_refused_and_nothing_is_queued(
    client: httpx.Client, change: dict[str, Any], words: str
) -> None:
    if change.get("dataset") == {"name": "one-class"}:
        csv = "island,year\n" + "".join(f"i{i % 3},2007\n" for i in range(30))
        client.post("/api/v1/datasets", files={"file": ("oc.csv", csv.encode())},
                    data={"name": "one-class"})  # fmt: skip
    before = _run_count(client)
    config = {"algorithm": "xgboost", "dataset": {"name": "penguins"},
              "target_column": "species", **change}  # fmt: skip
    response = _train(client, config)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words.lower() in response.json()["detail"].lower()
    assert _run_count(client) == before


@pytest.mark.integration
def test_unknown_job_is_404_problem(client: httpx.Client) -> None:
    response = client.get("/api/v1/ml/train/nope")
    assert response.status_code == 404
    assert "GET /api/v1/ml/train" in response.json()["detail"]
