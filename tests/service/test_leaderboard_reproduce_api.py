"""Leaderboards and reproduce scripts over HTTP, with a real worker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.service.helpers import run_events, wait_for
from tests.service.stack import Stack


@pytest.mark.integration
def test_leaderboard_ranks_each_applicable_algorithm_and_its_winner_predicts(
    client: httpx.Client, stack: Stack, tmp_path: Path
) -> None:
    config = {"dataset": {"name": "penguins"}, "target_column": "species",
              "algorithms": ["linear", "xgboost", "random_forest"], "goal_metric": "accuracy",
              "split": {"strategy": "stratified", "test_size": 0.25}}  # fmt: skip
    accepted = client.post("/api/v1/ml/leaderboard", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "leaderboard", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "finished", job
    result = job["result"]
    assert result["project_status"] == "trained"
    entries = result["entries"]
    assert {e["algorithm"] for e in entries} == {"linear", "xgboost", "random_forest"}
    # Ranked on cross-validation of the training rows; the test part only judges.
    scores = [e["validation"]["metrics"]["accuracy"]["mean"] for e in entries]
    assert scores == sorted(scores, reverse=True)
    assert all(len(e["validation"]["metrics"]["accuracy"]["folds"]) == 5 for e in entries)
    assert result["selected_on"] == "5-fold cross-validation of 258 training rows"
    assert result["best"] == entries[0]["algorithm"]
    assert result["metrics"] == entries[0]["metrics"]
    run_id = job["run_id"]
    assert client.get(f"/api/v1/runs/{run_id}/plots/leaderboard").status_code == 200

    # The winner is the run's model: it predicts and reproduces like a training run's.
    rows = [{"island": "Biscoe", "bill_length_mm": 47.5, "bill_depth_mm": 14.9,
             "flipper_length_mm": 215, "body_mass_g": 5300, "sex": "male",
             "year": 2008}]  # fmt: skip
    predicted = client.post(f"/api/v1/runs/{run_id}/predict", json={"rows": rows})
    assert predicted.status_code == 200, predicted.text
    assert predicted.json()["predictions"][0]["prediction"] == "Gentoo"
    script = client.get(f"/api/v1/runs/{run_id}/reproduce")
    assert script.status_code == 200, script.text
    (tmp_path / "reproduce.py").write_text(script.text)
    penguins = next(d for d in client.get("/api/v1/datasets").json() if d["name"] == "penguins")
    data = client.get(f"/api/v1/datasets/{penguins['id']}/file")
    (tmp_path / "penguins.parquet").write_bytes(data.content)
    done = subprocess.run(
        [sys.executable, "reproduce.py", "penguins.parquet"], cwd=tmp_path,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced within 1e-06" in done.stdout

    # The project protocol: every verdict is logged before training starts.
    logs = [e["message"] for e in run_events(stack, job["run_id"]) if e["type"] == "log"]
    preprocessing = next(i for i, m in enumerate(logs) if m.startswith("project preprocessing"))
    training = next(i for i, m in enumerate(logs) if m.startswith("project training"))
    verdicts = [i for i, m in enumerate(logs) if ": applies" in m]
    assert len(verdicts) == 3 and all(preprocessing < i < training for i in verdicts)


@pytest.mark.integration
def test_reproduce_script_retrains_to_the_stored_metrics(
    client: httpx.Client, tmp_path: Path
) -> None:
    config = {"algorithm": "random_forest", "dataset": {"name": "wine"},
              "target_column": "cultivar", "hyperparameters": {"n_estimators": 30}}  # fmt: skip
    datasets = {d["name"]: d for d in client.get("/api/v1/datasets").json()}
    job = wait_for(
        client, "train", client.post("/api/v1/ml/train", json=config).json()["job_id"],
        {"finished", "failed"},
    )  # fmt: skip
    assert job["status"] == "completed", job

    script = client.get(f"/api/v1/runs/{job['run_id']}/reproduce")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/x-python")
    (tmp_path / "reproduce.py").write_text(script.text)
    dataset_file = client.get(f"/api/v1/datasets/{datasets['wine']['id']}/file")
    assert dataset_file.status_code == 200
    (tmp_path / "wine.parquet").write_bytes(dataset_file.content)

    done = subprocess.run(
        [sys.executable, "reproduce.py", "wine.parquet"], cwd=tmp_path,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    log_loss = job["result"]["metrics"]["test"]["log_loss"]
    assert f"{log_loss!r}" in done.stdout and "reproduced within 1e-06" in done.stdout

    explore = client.post("/api/v1/ml/explore", json={
        "explorer": "describe", "dataset": {"name": "wine"}}).json()  # fmt: skip
    refused = client.get(f"/api/v1/runs/{explore['run_id']}/reproduce")
    assert refused.status_code == 409
