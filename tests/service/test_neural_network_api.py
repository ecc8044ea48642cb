"""The PyTorch MLP through the jobs API with a real worker: epochs streamed, metrics real."""

from __future__ import annotations

import io

import httpx
import joblib
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score

from tests.service.helpers import run_events, wait_for
from tests.service.stack import Stack


@pytest.mark.integration
def test_mlp_on_penguins_streams_epochs_and_reports_real_metrics(
    client: httpx.Client, stack: Stack
) -> None:
    config = {
        "algorithm": "neural_network", "dataset": {"name": "penguins"},
        "target_column": "species", "split": {"strategy": "stratified", "validation_size": 0.2},
        "hyperparameters": {"epochs": 40, "hidden_layers": [16], "learning_rate": 0.01,
                            "n_jobs": 1},
    }  # fmt: skip
    accepted = client.post("/api/v1/ml/train", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job

    epochs = [e for e in run_events(stack, job["run_id"]) if e["type"] == "progress"]
    with_losses = [e for e in epochs if "train/loss" in (e.get("metrics") or {})]
    assert with_losses and all("validation/loss" in e["metrics"] for e in with_losses)
    assert epochs[-1]["step"] == epochs[-1]["total"] == 40

    # The stored test metrics are those of the downloadable model on the test rows.
    model = joblib.load(io.BytesIO(client.get(f"/api/v1/runs/{job['run_id']}/model").content))
    penguins = next(d for d in client.get("/api/v1/datasets").json() if d["name"] == "penguins")
    rows = client.get(f"/api/v1/datasets/{penguins['id']}/rows?limit=1000").json()["rows"]
    frame = pd.DataFrame(rows).dropna(subset=["species"]).reset_index(drop=True)
    predicted = model.predict(frame)
    assert accuracy_score(frame["species"], predicted) > 0.9
    test = job["result"]["metrics"]["test"]
    assert test["accuracy"] > 0.9
    assert 0 < test["f1"] <= 1 and f1_score(frame["species"], predicted, average="macro") > 0.9
