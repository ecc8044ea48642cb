"""GET /api/v1/runs/{id}/notebook: a notebook that, run against the downloaded dataset,
reproduces the run's stored test metrics."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import nbformat
import pytest

from tests.ml_backend.test_notebook import executed
from tests.service.helpers import wait_for
from tests.service.stack import Stack


def _finished(client: httpx.Client, **config: Any) -> dict[str, Any]:
    accepted = client.post("/api/v1/ml/train", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job
    return job


@pytest.mark.integration
@pytest.mark.parametrize(
    "config",
    [
        {"algorithm": "xgboost", "target_column": "species", "hyperparameters": {"n_jobs": 1},
         "split": {"strategy": "stratified", "test_size": 0.25}},
        {"algorithm": "linear", "target_column": "body_mass_g"},
    ],
)  # fmt: skip
def test_the_downloaded_notebook_reproduces_the_run(
    client: httpx.Client, stack: Stack, tmp_path: Path, config: dict[str, Any]
) -> None:
    job = _finished(client, dataset={"name": "penguins"}, **config)
    response = client.get(f"/api/v1/runs/{job['run_id']}/notebook")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ipynb+json")
    disposition = f'attachment; filename="run-{job["run_id"]}.ipynb"'
    assert response.headers["content-disposition"] == disposition
    notebook = nbformat.reads(response.text, as_version=4)
    nbformat.validate(notebook)

    # The reader downloads the dataset as the notebook says, next to it, and runs it.
    words = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    download = re.search(r"curl -o (\S+) (\S+)", words)
    assert download is not None
    dataset_id = job["dataset_id"]
    assert download.group(2) == f"{stack.base_url}/api/v1/datasets/{dataset_id}/file"
    (tmp_path / download.group(1)).write_bytes(client.get(download.group(2)).content)
    report, printed = executed(notebook, tmp_path)

    stored = job["result"]["metrics"]["test"]
    assert report["mlchat_modules"] == []
    assert report["metrics"] == pytest.approx(stored, abs=1e-9)
    assert f"all {len(stored)} test metrics reproduced within 1e-06" in printed


@pytest.mark.integration
def test_runs_without_a_model_have_no_notebook(client: httpx.Client) -> None:
    explored = client.post(
        "/api/v1/ml/explore",
        json={"explorer": "describe", "dataset": {"name": "penguins"}, "columns": []},
    ).json()
    wait_for(client, "explore", explored["job_id"], {"finished", "failed"})
    refused = client.get(f"/api/v1/runs/{explored['run_id']}/notebook")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "explore run" in refused.json()["detail"]
    assert client.get("/api/v1/runs/999999/notebook").status_code == 404


@pytest.mark.integration
def test_a_tuned_model_reproduces_too(client: httpx.Client, tmp_path: Path) -> None:
    config = {"algorithm": "random_forest", "dataset": {"name": "penguins"},
              "target_column": "species", "n_trials": 3,
              "hyperparameters": {"n_jobs": 1}}  # fmt: skip
    accepted = client.post("/api/v1/ml/tune", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "tune", accepted.json()["job_id"], {"finished", "failed"}, 300)
    assert job["status"] == "finished", job
    response = client.get(f"/api/v1/runs/{job['run_id']}/notebook")
    assert response.status_code == 200, response.text
    notebook = nbformat.reads(response.text, as_version=4)
    dataset = client.get(f"/api/v1/datasets/{job['dataset_id']}/file").content
    (tmp_path / "penguins.parquet").write_bytes(dataset)
    report, printed = executed(notebook, tmp_path)
    stored = job["result"]["metrics"]["test"]
    assert report["metrics"] == pytest.approx(stored, abs=1e-9)
    assert f"all {len(stored)} test metrics reproduced within 1e-06" in printed

    # A leaderboard's winner is its model: its notebook retrains the winner to the same scores.
    board = client.post("/api/v1/ml/leaderboard", json={
        "dataset": {"name": "penguins"}, "target_column": "island",
        "algorithms": ["linear", "random_forest"]}).json()  # fmt: skip
    ranked = wait_for(client, "leaderboard", board["job_id"], {"finished", "failed"}, 300)
    winner = client.get(f"/api/v1/runs/{board['run_id']}/notebook")
    assert winner.status_code == 200, winner.text
    report, printed = executed(nbformat.reads(winner.text, as_version=4), tmp_path)
    assert report["metrics"] == pytest.approx(ranked["result"]["metrics"]["test"], abs=1e-9)
    assert ranked["result"]["best"] in winner.text

    # An exploration keeps no model: it says so.
    explore = client.post("/api/v1/ml/explore", json={
        "explorer": "describe", "dataset": {"name": "penguins"}}).json()  # fmt: skip
    refused = client.get(f"/api/v1/runs/{explore['run_id']}/notebook")
    assert refused.status_code == 409
    assert "notebooks come from training and tuning" in refused.json()["detail"]
