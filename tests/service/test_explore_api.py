"""Explorations over HTTP: queued, run by a worker, saved, and reopened as Plotly JSON."""

from __future__ import annotations

import httpx
import numpy as np
import pandas as pd
import pytest

from tests.service.helpers import wait_for


def _penguins(client: httpx.Client) -> pd.DataFrame:
    datasets = client.get("/api/v1/datasets").json()
    penguins = next(d for d in datasets if d["name"] == "penguins")
    rows = client.get(f"/api/v1/datasets/{penguins['id']}/rows?limit=1000").json()["rows"]
    return pd.DataFrame(rows)


@pytest.mark.integration
def test_scatter_by_species_is_saved_and_reopened(client: httpx.Client) -> None:
    config = {
        "explorer": "scatter",
        "dataset": {"name": "penguins"},
        "columns": ["bill_length_mm", "bill_depth_mm"],
        "parameters": {"color": "species"},
    }
    accepted = client.post("/api/v1/ml/explore", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "explore", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "finished", job

    frame = _penguins(client)
    traces = job["result"]["figure"]["data"]
    assert {t["name"] for t in traces} >= {"Adelie", "Chinstrap", "Gentoo"}
    adelie = next(t for t in traces if t["name"] == "Adelie")
    expected = frame[frame["species"] == "Adelie"].dropna(
        subset=["bill_length_mm", "bill_depth_mm"]
    )
    assert sorted(adelie["x"]) == sorted(expected["bill_length_mm"])

    reopened = client.get(f"/api/v1/runs/{job['run_id']}/plots/scatter")
    assert reopened.status_code == 200
    assert reopened.json() == job["result"]["figure"]
    missing = client.get(f"/api/v1/runs/{job['run_id']}/plots/contour")
    assert missing.status_code == 404 and "scatter" in missing.json()["detail"]


@pytest.mark.integration
def test_correlation_equals_pandas(client: httpx.Client) -> None:
    columns = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    config = {"explorer": "correlation", "dataset": {"name": "penguins"}, "columns": columns,
              "parameters": {"method": "spearman"}}  # fmt: skip
    job_id = client.post("/api/v1/ml/explore", json=config).json()["job_id"]
    job = wait_for(client, "explore", job_id, {"finished", "failed"})
    heatmap = job["result"]["figure"]["data"][0]
    expected = _penguins(client)[columns].corr(method="spearman")
    np.testing.assert_allclose(np.array(heatmap["z"], dtype=float), expected.to_numpy(), atol=1e-12)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"explorer": "histogram", "columns": ["species"]}, "bar"),
        ({"explorer": "scatter", "columns": ["bill_length_mm"]}, "two columns"),
        ({"explorer": "histogram", "columns": ["body_mas_g"]}, "body_mass_g"),
        ({"explorer": "histogram", "columns": ["body_mass_g"], "parameters": {"bins": -4}}, "bins"),
        ({"explorer": "piechart", "columns": ["island"]}, "explorer"),
    ],
)
def test_bad_explorations_are_refused(
    client: httpx.Client, config: dict[str, object], words: str
) -> None:
    before = client.get("/api/v1/ml/explore?limit=1").json()["total"]
    response = client.post("/api/v1/ml/explore", json={**config, "dataset": {"name": "penguins"}})
    assert response.status_code == 422, response.text
    assert words in response.json()["detail"]
    assert client.get("/api/v1/ml/explore?limit=1").json()["total"] == before


@pytest.mark.integration
def test_training_plots_and_components(client: httpx.Client) -> None:
    config = {"algorithm": "random_forest", "dataset": {"name": "iris"}, "target_column": "species",
              "hyperparameters": {"n_estimators": 20}}  # fmt: skip
    job = wait_for(client, "train", client.post("/api/v1/ml/train", json=config).json()["job_id"],
                   {"finished", "failed"})  # fmt: skip
    assert set(job["result"]["plots"]) == {
        "feature_importance", "confusion_matrix", "permutation_importance"
    }  # fmt: skip
    heatmap = client.get(f"/api/v1/runs/{job['run_id']}/plots/confusion_matrix").json()["data"][0]
    assert heatmap["z"] == job["result"]["confusion_matrix"]["matrix"]
    bars = client.get(f"/api/v1/runs/{job['run_id']}/plots/feature_importance").json()["data"][0]
    top = job["result"]["feature_importance"][0]
    assert bars["y"][-1] == top["feature"] and bars["x"][-1] == pytest.approx(top["importance"])

    algorithms = client.get("/api/v1/components?type=algorithm").json()
    assert {a["name"] for a in algorithms} >= {
        "xgboost", "lightgbm", "random_forest", "linear", "neural_network"
    }  # fmt: skip
    xgb = next(a for a in algorithms if a["name"] == "xgboost")
    assert xgb["parameters"]["properties"]["max_depth"]["minimum"] >= 1
    explorers = {c["name"] for c in client.get("/api/v1/components?type=explorer").json()}
    assert "correlation" in explorers and len(explorers) == 9
