"""AutoML over HTTP with a real worker: its budget on the run's progress, its chosen model
predicting and reproducing like a training run's, and bad budgets refused before queueing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.service.helpers import run_events, wait_for
from tests.service.stack import Stack

ROWS = [{"island": "Biscoe", "bill_length_mm": 47.5, "bill_depth_mm": 14.9,
         "flipper_length_mm": 215, "body_mass_g": 5300, "sex": "male", "year": 2008}]  # fmt: skip


@pytest.mark.integration
def test_an_automl_spends_its_budget_and_its_model_predicts_and_reproduces(
    client: httpx.Client, stack: Stack, tmp_path: Path
) -> None:
    config = {"dataset": {"name": "penguins"}, "target_column": "species",
              "algorithms": ["linear", "lightgbm", "random_forest"], "time_budget_s": 20,
              "split": {"strategy": "stratified", "test_size": 0.25}}  # fmt: skip
    accepted = client.post("/api/v1/ml/automl", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "automl", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "finished", job
    result, run_id = job["result"], job["run_id"]
    assert result["selected_on"] == "5-fold cross-validation of 258 training rows"
    assert {m["algorithm"] for m in result["models"] if m["stage"] == "defaults"} == {
        "linear",
        "lightgbm",
        "random_forest",
    }
    assert sum(m["weight"] for m in result["models"]) == pytest.approx(1.0)
    assert (result["metrics"]["test"]["accuracy"] or 0) > 0.9
    assert "automl_search" in result["plots"]
    search = client.get(f"/api/v1/runs/{run_id}/plots/automl_search")
    assert search.status_code == 200
    best_line = next(t for t in search.json()["data"] if t["name"] == "best so far")
    assert best_line["y"] == sorted(best_line["y"]) and len(best_line["y"]) >= 4

    # The progress a person watches is the budget spent, with the best validation so far.
    progress = [e for e in run_events(stack, run_id) if e["type"] == "progress"]
    budget = [e for e in progress if e.get("unit") == "second"]
    assert budget and all(e["total"] == 20 for e in budget)
    assert any("best/accuracy" in (e.get("metrics") or {}) for e in budget)

    predicted = client.post(f"/api/v1/runs/{run_id}/predict", json={"rows": ROWS})
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

    notebook = client.get(f"/api/v1/runs/{run_id}/notebook")
    if result["best"] == "ensemble":
        # A notebook retrains one model: an ensemble's says where its script is instead.
        assert notebook.status_code == 409 and "reproduce" in notebook.json()["detail"]
    else:
        assert notebook.status_code == 200, notebook.text


@pytest.mark.parametrize(
    ("budget", "words"),
    [(2, "greater than or equal to 5"), (-60, "greater than or equal to 5")],
)
def test_a_budget_too_small_is_refused_before_anything_is_queued(
    client: httpx.Client, budget: float, words: str
) -> None:
    before = len(client.get("/api/v1/ml/automl").json())
    config = {"dataset": {"name": "penguins"}, "target_column": "species",
              "time_budget_s": budget}  # fmt: skip
    refused = client.post("/api/v1/ml/automl", json=config)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert words in refused.text and "time_budget_s" in refused.text
    assert len(client.get("/api/v1/ml/automl").json()) == before


def test_a_budget_over_the_duration_limit_says_the_limit(client: httpx.Client) -> None:
    config = {"dataset": {"name": "penguins"}, "target_column": "species",
              "time_budget_s": 10 * 24 * 3600}  # fmt: skip
    refused = client.post("/api/v1/ml/automl", json=config)
    assert refused.status_code in (400, 422), refused.text
    assert "duration limit" in refused.text and "time_budget_s" in refused.text
