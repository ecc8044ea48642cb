"""GET /api/v1/ml/train answers in the training-service document's shape, mlchat's beside it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.service.helpers import wait_for


def _trained(client: httpx.Client, **config: Any) -> dict[str, Any]:
    accepted = client.post("/api/v1/ml/train", json=config)
    assert accepted.status_code == 202, accepted.text
    return wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})


@pytest.mark.integration
def test_a_classifier_reads_as_the_document_has_it(client: httpx.Client) -> None:
    job = _trained(
        client, algorithm="random_forest", dataset={"name": "penguins"}, target_column="species",
        split={"strategy": "stratified", "test_size": 0.25}, hyperparameters={"n_estimators": 30},
    )  # fmt: skip
    assert (job["status"], job["run_status"]) == ("completed", "finished"), job
    metrics, result = job["metrics"], job["result"]
    test = result["metrics"]["test"]
    assert set(metrics) >= {"accuracy", "precision", "recall", "f1_score", "auc_roc"}
    assert "f1" not in metrics and metrics["f1_score"] == test["f1"]
    assert metrics["accuracy"] == test["accuracy"] and metrics["auc_roc"] == test["auc_roc"]

    # The matrix is rows of counts in the order of `classes`; its diagonal is the accuracy.
    matrix = metrics["confusion_matrix"]
    assert job["classes"] == result["confusion_matrix"]["labels"]
    assert sorted(job["classes"]) == ["Adelie", "Chinstrap", "Gentoo"]
    assert all(isinstance(row, list) and len(row) == 3 for row in matrix)
    assert sum(map(sum, matrix)) == job["data_summary"]["test_samples"] == 86
    right = sum(matrix[i][i] for i in range(3))
    assert right / 86 == pytest.approx(metrics["accuracy"])

    importance = job["feature_importance"]
    assert isinstance(importance, dict) and "species" not in importance
    assert sum(importance.values()) == pytest.approx(1.0)
    assert importance == {i["feature"]: i["importance"] for i in result["feature_importance"]}

    assert job["data_summary"] == {"total_samples": 344, "train_samples": 258, "test_samples": 86}
    assert job["training_duration_seconds"] == result["training_duration_seconds"] > 0
    model = client.get(f"/api/v1/{job['model_artifact_id']}")
    assert model.status_code == 200 and len(model.content) > 1000

    # The runs API keeps mlchat's own words for the same run.
    run = client.get(f"/api/v1/runs/{job['run_id']}").json()
    assert run["status"] == "finished" and "metrics" not in run


@pytest.mark.integration
def test_a_regression_names_its_errors(client: httpx.Client) -> None:
    job = _trained(
        client, algorithm="linear", dataset={"name": "diabetes"},
        target_column="disease_progression",
    )  # fmt: skip
    assert job["status"] == "completed", job
    metrics = job["metrics"]
    assert set(metrics) == {"rmse", "mae", "r2", "mape"}
    assert metrics == job["result"]["metrics"]["test"]
    assert metrics["rmse"] >= metrics["mae"] > 0 and 0.2 < metrics["r2"] < 1
    assert job["classes"] is None and "confusion_matrix" not in metrics


@pytest.mark.integration
def test_the_list_filters_by_either_vocabulary(client: httpx.Client) -> None:
    done = _trained(
        client, algorithm="linear", dataset={"name": "iris"}, target_column="species",
    )  # fmt: skip
    cancelled = client.post(
        "/api/v1/ml/train",
        json={"algorithm": "linear", "dataset": {"name": "iris"}, "target_column": "species"},
    ).json()
    stopped = client.delete(f"/api/v1/ml/train/{cancelled['job_id']}")
    if stopped.status_code == 200:  # a worker may have finished it first on a quiet machine
        assert stopped.json()["status"] == "cancelled" and stopped.json()["metrics"] is None

    def listed(status: str) -> list[str]:
        page = client.get(f"/api/v1/ml/train?status={status}&limit=500").raise_for_status().json()
        assert all(item["status"] == page["items"][0]["status"] for item in page["items"])
        return [item["job_id"] for item in page["items"]]

    assert done["job_id"] in listed("completed") and done["job_id"] in listed("finished")
    assert done["job_id"] not in listed("running")
    if stopped.status_code == 200:
        assert cancelled["job_id"] in listed("cancelled")
    item = next(
        i for i in client.get("/api/v1/ml/train?status=completed").json()["items"]
        if i["job_id"] == done["job_id"]
    )  # fmt: skip
    assert item["metrics"] == client.get(f"/api/v1/ml/train/{done['job_id']}").json()["metrics"]

    refused = client.get("/api/v1/ml/train?status=done")
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
