"""Experiments as the tracking document's protocol: the Models collection's five operations
by their names, the model each finished training records (iterations, metrics per split,
modules), and its MLflow export read back with MLflow's own client."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mlchat_client import Experiments, MlchatError, Model
from tests.service.helpers import wait_for
from tests.service.stack import Stack

PENGUINS = {
    "algorithm": "xgboost",
    "dataset": {"name": "penguins"},
    "target_column": "species",
    "split": {"strategy": "stratified", "test_size": 0.25, "validation_size": 0.2},
    "hyperparameters": {"n_estimators": 30, "max_depth": 3},
}


def _train(client: httpx.Client, **changes: Any) -> dict[str, Any]:
    config = {**PENGUINS, **changes}
    accepted = client.post("/api/v1/ml/train", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job
    return job


@pytest.mark.integration
def test_models_protocol_as_the_document_states_it(client: httpx.Client) -> None:
    experiments = Experiments(http=client)
    experiments.create("protocol", "made by hand")
    experiments.create("protocol-other")
    models = experiments.models("protocol")

    made = models.create("abc123", "baseline", "trained elsewhere")
    assert made.hash == "abc123" and made.name == "baseline"
    assert made.description == "trained elsewhere"
    assert made.iterations == [] and made.metrics == {} and made.step == 0
    assert models.read("abc123") == made

    renamed = models.update("abc123", "better baseline")
    assert renamed.id == made.id and renamed.name == "better baseline"
    assert models.read("abc123").name == "better baseline"

    second = models.create("def456", "second")
    assert second.id != made.id
    assert [m.hash for m in models.list()] == ["abc123", "def456"]

    # A hash is unique within its experiment, not across experiments.
    with pytest.raises(MlchatError) as taken:
        models.create("abc123", "again")
    assert taken.value.status == 409 and "abc123" in taken.value.detail
    answer = client.post(
        "/api/v1/experiments/protocol/models", json={"hash": "abc123", "name": "x"}
    )
    assert answer.headers["content-type"].startswith("application/problem+json")
    elsewhere = experiments.models("protocol-other").create("abc123", "same hash, other place")
    assert elsewhere.id != made.id

    deleted = models.delete(made.id)
    assert deleted.id == made.id
    with pytest.raises(MlchatError) as gone:
        models.read("abc123")
    assert gone.value.status == 404
    assert [m.hash for m in models.list()] == ["def456"]
    with pytest.raises(MlchatError) as unknown:
        models.delete(made.id)
    assert unknown.value.status == 404
    with pytest.raises(MlchatError) as no_experiment:
        experiments.models("no-such-experiment").list()
    assert no_experiment.value.status == 404
    counts = {e.name: e.models for e in experiments.list()}
    assert counts["protocol"] == 1 and counts["protocol-other"] == 1


@pytest.mark.integration
@pytest.mark.parametrize("blank", [" ", "\x85", "\u2003\t"])
def test_a_name_with_nothing_visible_is_refused_before_anything_is_made(
    client: httpx.Client, blank: str
) -> None:
    """MLflow refuses such a name on export, so mlchat refuses it at the door."""
    made = client.post("/api/v1/experiments", json={"name": blank})
    assert made.status_code == 422, made.text
    assert "visible character" in made.text
    client.post("/api/v1/experiments", json={"name": "named"})
    model = client.post("/api/v1/experiments/named/models", json={"hash": "h1", "name": blank})
    assert model.status_code == 422, model.text
    training = client.post("/api/v1/ml/train", json={**PENGUINS, "experiment": blank})
    assert training.status_code == 422, training.text
    assert "experiment" in training.text
    assert all(e.name.strip() for e in Experiments(http=client).list())
    assert Experiments(http=client).models("named").list() == []


@pytest.fixture(scope="module")
def trained(stack: Stack) -> Iterator[dict[str, Any]]:
    """Four trainings: twice the same in a named experiment, the same again unnamed, and
    another config in the named one."""
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        first = _train(http, experiment="penguin-trials")
        again = _train(http, experiment="penguin-trials")
        unnamed = _train(http)
        shorter = _train(http, experiment="penguin-trials",
                         hyperparameters={"n_estimators": 20, "max_depth": 3})  # fmt: skip
        yield {"first": first, "again": again, "unnamed": unnamed, "shorter": shorter}


def _models(client: httpx.Client, experiment: str) -> list[Model]:
    return Experiments(http=client).models(experiment).list()


@pytest.mark.integration
def test_each_finished_training_is_a_model_of_its_experiment(
    client: httpx.Client, trained: dict[str, Any]
) -> None:
    models = _models(client, "penguin-trials")
    # The same training twice is one model, which knows both runs.
    assert len(models) == 2
    model, shorter = models
    assert model.run_ids == [trained["first"]["run_id"], trained["again"]["run_id"]]
    assert shorter.run_ids == [trained["shorter"]["run_id"]]
    assert model.hash != shorter.hash

    # Its iterations are every boosting round, each with its validation metrics.
    rounds = [i for i in model.iterations if i.unit == "round"]
    assert [i.step for i in rounds] == list(range(1, 31))
    assert all(any(k.startswith("validation/") for k in i.metrics) for i in rounds)
    assert model.step == 30 and len([i for i in shorter.iterations if i.unit == "round"]) == 20

    assert model.metrics == trained["first"]["result"]["metrics"]
    assert set(model.metrics) == {"train", "validation", "test"}
    assert [m["name"] for m in model.modules] == ["preprocessing", "estimator"]
    estimator = model.modules[1]
    assert estimator["kind"] == "xgboost" and estimator["parameters"]["n_estimators"] == 30
    assert "bill_length_mm" in str(model.modules[0]["parameters"]["columns"])
    assert model.params["hyperparameters.n_estimators"] == "30"

    # Unnamed, it joins its dataset-and-target experiment: the same hash, in another place.
    # (other tests of this stack may have put penguins models there too)
    (default,) = [m for m in _models(client, "penguins:species") if m.hash == model.hash]
    assert default.id != model.id
    assert default.run_ids == [trained["unnamed"]["run_id"]]


@pytest.mark.integration
def test_mlflow_export_reads_back_with_mlflows_client(
    client: httpx.Client, trained: dict[str, Any], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from mlflow.tracking import MlflowClient

    models = {m.id: m for m in _models(client, "penguin-trials")}
    answer = client.get("/api/v1/experiments/penguin-trials/mlflow", timeout=600)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/zip")
    zipfile.ZipFile(io.BytesIO(answer.content)).extractall(tmp_path)
    # Artifacts are named relative to the export's folder, where `mlflow ui` is started.
    monkeypatch.chdir(tmp_path)
    mlflow = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment = mlflow.get_experiment_by_name("penguin-trials")
    assert experiment is not None
    runs = mlflow.search_runs([experiment.experiment_id])
    assert {r.data.tags["mlchat.model_id"] for r in runs} == set(models)
    for run in runs:
        model = models[run.data.tags["mlchat.model_id"]]
        assert run.info.run_name == model.name and run.data.tags["mlchat.hash"] == model.hash
        assert (
            run.data.params["hyperparameters.n_estimators"]
            == model.params["hyperparameters.n_estimators"]
        )
        for split, values in model.metrics.items():
            for name, value in values.items():
                assert run.data.metrics[f"{split}_{name}"] == pytest.approx(value)
        names = {name for item in model.iterations for name in item.metrics}
        assert names
        for name in names:
            history = mlflow.get_metric_history(run.info.run_id, name)
            expected = [(i.step, i.metrics[name]) for i in model.iterations if name in i.metrics]
            exported = sorted((m.step, m.value) for m in history)
            assert [step for step, _ in exported] == [step for step, _ in expected]
            assert [value for _, value in exported] == pytest.approx([v for _, v in expected])
        saved = [a.path for a in mlflow.list_artifacts(run.info.run_id, "model")]
        assert saved, "the model's files are the run's artifacts"
        assert (tmp_path / "mlartifacts").is_dir()


@pytest.mark.integration
def test_mlchat_export_mlflow_writes_every_experiment(
    client: httpx.Client, stack: Stack, trained: dict[str, Any], tmp_path: Path
) -> None:
    from mlflow.tracking import MlflowClient

    folder = tmp_path / "mlflow"
    command = [sys.executable, "-m", "service.cli", "export", "mlflow", "--to", str(folder)]
    done = subprocess.run(command, env=stack.env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "mlflow ui --backend-store-uri sqlite:///mlflow.db" in done.stdout
    mlflow = MlflowClient(tracking_uri=f"sqlite:///{folder / 'mlflow.db'}")
    for name in ("penguin-trials", "penguins:species"):
        experiment = mlflow.get_experiment_by_name(name)
        assert experiment is not None, name
        runs = mlflow.search_runs([experiment.experiment_id])
        assert {r.data.tags["mlchat.model_id"] for r in runs} == {
            m.id for m in _models(client, name)
        }
    again = subprocess.run(command, env=stack.env(), capture_output=True, text=True, timeout=600)
    assert again.returncode == 1 and "not empty" in again.stderr


@pytest.mark.integration
def test_a_tuning_is_a_model_with_an_iteration_per_trial(client: httpx.Client) -> None:
    config = {
        "algorithm": "random_forest", "dataset": {"name": "penguins"},
        "target_column": "species", "n_trials": 4, "goal_metric": "f1",
        "hyperparameters": {"n_jobs": 1}, "experiment": "penguin-tuning",
        "search_space": {"n_estimators": {"low": 5, "high": 25}},
    }  # fmt: skip
    accepted = client.post("/api/v1/ml/tune", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "tune", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "finished", job

    (model,) = _models(client, "penguin-tuning")
    assert model.kind == "tune" and model.run_ids == [job["run_id"]]
    trials = [i for i in model.iterations if i.unit == "trial"]
    assert [i.step for i in trials] == [1, 2, 3, 4]
    best = [i.metrics["best/f1"] for i in trials]
    assert best == sorted(best) and best[-1] == pytest.approx(job["result"]["best_value"])
    assert model.metrics == job["result"]["training"]["metrics"]
    assert model.modules[1]["kind"] == "random_forest"
    assert model.params["n_trials"] == "4" and model.params["goal_metric"] == "f1"


@pytest.mark.integration
def test_an_automl_is_a_model_made_of_what_it_chose(client: httpx.Client) -> None:
    config = {"dataset": {"name": "penguins"}, "target_column": "species",
              "algorithms": ["linear", "lightgbm"], "time_budget_s": 10,
              "experiment": "penguin-automl"}  # fmt: skip
    accepted = client.post("/api/v1/ml/automl", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "automl", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "finished", job
    result = job["result"]

    (model,) = _models(client, "penguin-automl")
    assert model.kind == "automl" and model.run_ids == [job["run_id"]]
    assert model.metrics == result["metrics"]
    assert model.params["best"] == result["best"] and model.params["time_budget_s"] == "10.0"
    members = (result["final"] or {}).get("ensemble") or []
    estimators = model.modules[1:]
    if members:
        assert [m["kind"] for m in estimators] == [m["algorithm"] for m in members]
        assert all("of the average" in m["description"] for m in estimators)
    else:
        assert [m["kind"] for m in estimators] == [result["final"]["algorithm"]]
    # The budget spent, and the best validation score so far, second by second.
    seconds = [i for i in model.iterations if i.unit == "second"]
    key = f"best/{result['goal_metric']}"
    best = [i.metrics[key] for i in seconds if key in i.metrics]
    assert best and best == sorted(best)


@pytest.mark.integration
def test_a_leaderboards_winner_is_the_model_of_its_experiment(client: httpx.Client) -> None:
    config = {"dataset": {"name": "penguins"}, "target_column": "species",
              "algorithms": ["linear", "random_forest"], "experiment": "penguin-board"}  # fmt: skip
    accepted = client.post("/api/v1/ml/leaderboard", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "leaderboard", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "finished", job
    result = job["result"]

    (model,) = _models(client, "penguin-board")
    assert model.kind == "leaderboard" and model.run_ids == [job["run_id"]]
    assert model.modules[1]["kind"] == result["best"]
    assert model.metrics == result["metrics"]
    assert (
        model.params["best"] == result["best"] and "cross-validation" in model.params["selected_on"]
    )
