"""Dataset versions and the lineage graph on the real stack: upload, train, a new version,
retrain and restore (in words and by API), the graph that links them, the experiment's models
and their MLflow export; each tenant sees its own graph only."""

from __future__ import annotations

import io
import sqlite3
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from mlchat_client import Experiments, Model
from tests.service.helpers import csv_bytes, wait_for
from tests.service.stack import Stack
from tests.sql_databases import make_sqlite_orders


def _frame(seed: int, rows: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=rows), rng.normal(size=rows)
    label = np.where(x1 + 0.5 * x2 + rng.normal(scale=0.3, size=rows) > 0, "yes", "no")
    return pd.DataFrame({"x1": x1.round(4), "x2": x2.round(4), "label": label})


@pytest.fixture
def tenant_client(stack: Stack) -> Iterator[httpx.Client]:
    """A client of a tenant of its own, so other tests' datasets never show."""
    params = {"tenant_id": f"lineage-{uuid.uuid4().hex[:8]}"}
    with httpx.Client(base_url=stack.base_url, timeout=60, params=params) as http:
        yield http


def _upload(
    client: httpx.Client, frame: pd.DataFrame, name: str, *, new_version: bool = True
) -> httpx.Response:
    data = {"name": name, "new_version": "true" if new_version else "false"}
    return client.post(
        "/api/v1/datasets", files={"file": (f"{name}.csv", csv_bytes(frame))}, data=data
    )


def _finished(client: httpx.Client, accepted: httpx.Response) -> dict[str, Any]:
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job
    run: dict[str, Any] = client.get(f"/api/v1/runs/{job['run_id']}").raise_for_status().json()
    return run


def _test_metrics(run: dict[str, Any]) -> dict[str, float]:
    metrics: dict[str, float] = run["result"]["metrics"]["test"]
    return {k: v for k, v in metrics.items() if isinstance(v, int | float)}


def _edges(graph: dict[str, Any]) -> set[tuple[str, int, str, int, str]]:
    return {
        (e["from_kind"], e["from_id"], e["to_kind"], e["to_id"], e["relation"])
        for e in graph["edges"]
    }


STORY = {
    "algorithm": "xgboost",
    "dataset": {"name": "churn"},
    "target_column": "label",
    "split": {"strategy": "stratified", "test_size": 0.25, "validation_size": 0.2},
    "hyperparameters": {"n_estimators": 15, "max_depth": 3},
    "experiment": "churn-story",
}


def _say(client: httpx.Client, conversation_id: int, text: str) -> dict[str, Any]:
    said = client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": text})
    assert said.status_code == 200, said.text
    reply: dict[str, Any] = said.json()["reply"]
    return reply


def _part(reply: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [p for p in reply["parts"] if p["type"] == kind]
    assert found, reply
    return found[-1]


def _run_of(client: httpx.Client, reply: dict[str, Any]) -> dict[str, Any]:
    started = _part(reply, "run")
    job = wait_for(client, "train", started["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job
    run: dict[str, Any] = client.get(f"/api/v1/runs/{started['run_id']}").json()
    return run


@pytest.mark.integration
def test_the_whole_story_in_words_and_by_api(tenant_client: httpx.Client) -> None:
    """Upload v1, train, upload v2 under the same name, retrain it in words, ask where its
    data came from and what was trained on each version, restore v1 in words, retrain by API
    on it (the first run's test metrics again), then the experiment's two models and their
    MLflow export."""
    client = tenant_client
    first = _upload(client, _frame(1), "churn")
    assert first.status_code == 201, first.text
    v1 = first.json()
    assert v1["version"] == 1
    same = _upload(client, _frame(1), "churn")
    assert same.status_code == 200 and same.json()["id"] == v1["id"]  # no duplicate
    run1 = _finished(client, client.post("/api/v1/ml/train", json=STORY))
    assert run1["dataset_id"] == v1["id"]

    second = _upload(client, _frame(2), "churn")
    assert second.status_code == 201, second.text
    v2 = second.json()
    assert (v2["version"], v2["name"]) == (2, "churn") and v2["id"] != v1["id"]
    listed = client.get("/api/v1/datasets").json()
    assert [(d["name"], d["version"]) for d in listed] == [("churn", 2)]  # the latest only

    made = client.post("/api/v1/conversations", json={"dataset": {"id": v2["id"]}})
    assert made.status_code == 201, made.text
    talk = made.json()["id"]
    plan = _say(client, talk, f"retrain run {run1['run_id']} on the latest data")
    assert _part(plan, "plan")["config"] == {"run_id": run1["run_id"], "data": "latest"}
    run2 = _run_of(client, _say(client, talk, "yes"))
    assert run2["dataset_id"] == v2["id"] and run2["conversation_id"] == talk
    assert _test_metrics(run2) != _test_metrics(run1)

    told = _say(client, talk, "where did this model's data come from?")["content"]
    assert "data came from" in told and "churn v2" in told.split("\n")[0], told
    assert f"#/lineage/run/{run2['run_id']}" in told
    on_v1 = _say(client, talk, "what was trained on version 1 of churn?")["content"]
    assert f"train run {run1['run_id']}" in on_v1.split("\n")[0], on_v1
    assert f"run {run2['run_id']} " not in on_v1.split("\n")[0]

    graph = client.get(
        f"/api/v1/lineage/dataset/{v1['id']}", params={"direction": "downstream", "depth": 4}
    ).json()
    edges = _edges(graph)
    assert ("dataset", v1["id"], "run", run1["run_id"], "input") in edges
    assert ("dataset", v2["id"], "run", run2["run_id"], "input") in edges
    assert ("dataset", v1["id"], "dataset", v2["id"], "next_version") in edges
    assert ("run", run1["run_id"], "run", run2["run_id"], "retrained") in edges
    assert ("run", run1["run_id"], "model", run1["run_id"], "trained") in edges
    labels = {(n["kind"], n["id"]): n["label"] for n in graph["nodes"]}
    assert labels[("dataset", v2["id"])] == "churn v2"
    assert graph["center"]["link"] == f"#/lineage/dataset/{v1['id']}"
    model = client.get(
        f"/api/v1/lineage/model/{run2['run_id']}", params={"direction": "upstream"}
    ).json()
    upstream = _edges(model)
    assert ("dataset", v2["id"], "run", run2["run_id"], "input") in upstream
    assert ("dataset", v1["id"], "run", run1["run_id"], "input") in upstream  # via run 1
    assert model["center"]["label"] == f"model of run {run2['run_id']}"

    restore = _say(client, talk, "restore version 1")
    assert _part(restore, "plan")["config"] == {"dataset": {"name": "churn"}, "version": 1}
    v3 = client.get(
        f"/api/v1/datasets/{_part(_say(client, talk, 'yes'), 'dataset')['dataset_id']}"
    ).json()
    assert (v3["version"], v3["content_hash"]) == (3, v1["content_hash"])
    again = client.post(f"/api/v1/datasets/{v2['id']}/versions/1/restore")
    assert again.status_code == 200 and again.json()["id"] == v3["id"]  # nothing new to make
    versions = client.get(f"/api/v1/datasets/{v1['id']}/versions").json()["versions"]
    assert [(v["version"], v["latest"]) for v in versions] == [(1, False), (2, False), (3, True)]

    run3 = _finished(
        client, client.post(f"/api/v1/runs/{run1['run_id']}/retrain", json={"data": "latest"})
    )
    assert run3["dataset_id"] == v3["id"]
    expected = _test_metrics(run1)
    assert expected and _test_metrics(run3) == pytest.approx(expected, abs=1e-6)
    assert ("dataset", v1["id"], "dataset", v3["id"], "restored") in _edges(
        client.get(f"/api/v1/lineage/dataset/{v3['id']}").json()
    )

    # The same training on the same data is one model: run 3 joins run 1's.
    models = Experiments(http=client).models("churn-story").list()
    assert sorted(m.run_ids for m in models) == sorted(
        [[run1["run_id"], run3["run_id"]], [run2["run_id"]]]
    )
    for model_of in models:
        assert len(model_of.iterations) == 15 and model_of.step == 15
        assert all(item.metrics for item in model_of.iterations)
    _check_mlflow_export(client, "churn-story", models)


def _check_mlflow_export(client: httpx.Client, experiment: str, models: list[Model]) -> None:
    """The export, read back by MLflow's own client: each model's metrics and step histories."""
    from mlflow.tracking import MlflowClient

    answer = client.get(f"/api/v1/experiments/{experiment}/mlflow", timeout=600)
    assert answer.status_code == 200, answer.text
    with tempfile.TemporaryDirectory() as folder:
        zipfile.ZipFile(io.BytesIO(answer.content)).extractall(folder)
        mlflow = MlflowClient(tracking_uri=f"sqlite:///{Path(folder) / 'mlflow.db'}")
        found = mlflow.get_experiment_by_name(experiment)
        assert found is not None
        runs = {
            r.data.tags["mlchat.model_id"]: r for r in mlflow.search_runs([found.experiment_id])
        }
        assert set(runs) == {m.id for m in models}
        for model_of in models:
            run = runs[model_of.id]
            for split, values in model_of.metrics.items():
                for name, value in values.items():
                    assert run.data.metrics[f"{split}_{name}"] == pytest.approx(value)
            names = {name for item in model_of.iterations for name in item.metrics}
            for name in names:
                history = sorted(
                    (m.step, m.value) for m in mlflow.get_metric_history(run.info.run_id, name)
                )
                wanted = [
                    (i.step, i.metrics[name]) for i in model_of.iterations if name in i.metrics
                ]
                assert [s for s, _ in history] == [s for s, _ in wanted]
                assert [v for _, v in history] == pytest.approx([v for _, v in wanted])


@pytest.mark.integration
def test_retrain_on_a_version_without_the_columns_is_a_clear_422(
    tenant_client: httpx.Client,
) -> None:
    client = tenant_client
    assert _upload(client, _frame(3), "shifting").status_code == 201
    config = {
        "algorithm": "random_forest",
        "dataset": {"name": "shifting"},
        "target_column": "label",
        "feature_columns": ["x1", "x2"],
        "hyperparameters": {"n_estimators": 5, "n_jobs": 1},
    }
    run = _finished(client, client.post("/api/v1/ml/train", json=config))
    narrower = _frame(4).drop(columns=["x2"])
    assert _upload(client, narrower, "shifting").status_code == 201
    refused = client.post(f"/api/v1/runs/{run['run_id']}/retrain", json={"data": "latest"})
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    detail = refused.json()["detail"]
    assert "version 2" in detail and "x2" in detail
    missing = client.post(f"/api/v1/runs/{run['run_id']}/retrain", json={"data": 9})
    assert missing.status_code == 404 and "no version 9" in missing.json()["detail"]


@pytest.mark.integration
def test_a_plain_upload_under_a_used_name_says_how_to_add_a_version(
    tenant_client: httpx.Client,
) -> None:
    client = tenant_client
    assert _upload(client, _frame(5), "plain", new_version=False).status_code == 201
    refused = _upload(client, _frame(6), "plain", new_version=False)
    assert refused.status_code == 409 and "new_version=true" in refused.json()["detail"]


@pytest.mark.integration
def test_the_graph_is_the_tenants_own(stack: Stack, tenant_client: httpx.Client) -> None:
    client = tenant_client
    made = _upload(client, _frame(7), "private")
    dataset_id = made.json()["id"]
    assert client.get(f"/api/v1/lineage/dataset/{dataset_id}").status_code == 200
    with httpx.Client(
        base_url=stack.base_url, timeout=60, params={"tenant_id": f"lineage-{uuid.uuid4().hex[:8]}"}
    ) as other:
        for path in (
            f"/api/v1/lineage/dataset/{dataset_id}",
            f"/api/v1/datasets/{dataset_id}/versions",
        ):
            hidden = other.get(path)
            assert hidden.status_code == 404, hidden.text
            assert hidden.headers["content-type"].startswith("application/problem+json")
    unknown = client.get("/api/v1/lineage/pipeline/1")
    assert unknown.status_code == 404 and "kinds: dataset" in unknown.json()["detail"]
    assert client.get("/api/v1/lineage/run/999999").status_code == 404


@pytest.mark.integration
def test_a_refreshed_sql_dataset_is_a_new_version_only_when_its_rows_changed(
    stack: Stack, tenant_client: httpx.Client, tmp_path: Path
) -> None:
    client = tenant_client
    source = tmp_path / "shop.db"
    url = make_sqlite_orders(source)
    with httpx.Client(base_url=stack.base_url, timeout=60) as admin:
        made = admin.post(
            "/api/v1/admin/connections",
            json={
                "tenant_id": client.params["tenant_id"],
                "name": "shop",
                "url": url,
            },
        )
        assert made.status_code == 201, made.text
    query = "SELECT id, customer, amount FROM orders"
    loaded = client.post("/api/v1/datasets/sql", json={"connection": "shop", "query": query})
    assert loaded.status_code == 201, loaded.text
    v1 = loaded.json()

    unchanged = client.post(f"/api/v1/datasets/{v1['id']}/refresh")
    assert unchanged.status_code == 200 and unchanged.json()["id"] == v1["id"]
    with sqlite3.connect(source) as db:
        db.execute("INSERT INTO orders VALUES (100000, 'new', 1.0, '2026-12-01', NULL)")
    db.close()
    refreshed = client.post(f"/api/v1/datasets/{v1['id']}/refresh")
    assert refreshed.status_code == 201, refreshed.text
    v2 = refreshed.json()
    assert (v2["name"], v2["version"], v2["row_count"]) == (v1["name"], 2, v1["row_count"] + 1)

    graph = client.get(f"/api/v1/lineage/dataset/{v2['id']}", params={"direction": "upstream"})
    edges = _edges(graph.json())
    connection_id = next(n["id"] for n in graph.json()["nodes"] if n["kind"] == "connection")
    assert ("connection", connection_id, "dataset", v1["id"], "loaded") in edges
    assert ("connection", connection_id, "dataset", v2["id"], "loaded") in edges
    assert ("dataset", v1["id"], "dataset", v2["id"], "next_version") in edges

    uploaded = _upload(client, _frame(8), "not-sql")
    refused = client.post(f"/api/v1/datasets/{uploaded.json()['id']}/refresh")
    assert refused.status_code == 409 and "new_version=true" in refused.json()["detail"]


@pytest.mark.integration
def test_predictions_and_exports_are_downstream_of_the_model(tenant_client: httpx.Client) -> None:
    client = tenant_client
    v1 = _upload(client, _frame(9), "scored").json()
    config = {
        "algorithm": "random_forest",
        "dataset": {"id": v1["id"]},
        "target_column": "label",
        "hyperparameters": {"n_estimators": 5, "n_jobs": 1},
    }
    run = _finished(client, client.post("/api/v1/ml/train", json=config))
    run_id = run["run_id"]
    predicted = client.post(
        f"/api/v1/runs/{run_id}/predict", json={"dataset_id": v1["id"], "name": "scored-out"}
    )
    assert predicted.status_code == 200, predicted.text
    out = predicted.json()["dataset"]
    assert client.get(f"/api/v1/runs/{run_id}/reproduce").status_code == 200
    assert client.get(f"/api/v1/runs/{run_id}/reproduce").status_code == 200  # recorded once

    graph = client.get(f"/api/v1/lineage/run/{run_id}", params={"direction": "downstream"})
    edges = _edges(graph.json())
    assert ("model", run_id, "dataset", out["id"], "predicted") in edges
    assert ("run", run_id, "script", run_id, "exported") in edges
    up = _edges(
        client.get(
            f"/api/v1/lineage/dataset/{out['id']}", params={"direction": "upstream", "depth": 3}
        ).json()
    )
    assert {
        ("dataset", v1["id"], "dataset", out["id"], "derived"),
        ("dataset", v1["id"], "run", run_id, "input"),
    } <= up


@pytest.mark.integration
def test_a_run_asked_for_in_a_conversation_hangs_from_it(tenant_client: httpx.Client) -> None:
    client = tenant_client
    dataset = _upload(client, _frame(10), "asked").json()
    conversation = client.post("/api/v1/conversations", json={"dataset": {"id": dataset["id"]}})
    assert conversation.status_code == 201, conversation.text
    conversation_id = conversation.json()["id"]
    for text in ("train a random forest on label", "yes"):
        said = client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": text})
        assert said.status_code == 200, said.text
    parts = said.json()["reply"]["parts"]
    run_id = next(p["run_id"] for p in parts if p["type"] == "run")

    graph = client.get(
        f"/api/v1/lineage/conversation/{conversation_id}", params={"direction": "downstream"}
    ).json()
    assert ("conversation", conversation_id, "run", run_id, "requested") in _edges(graph)
    assert graph["center"]["link"] == f"#/c/{conversation_id}"
    upstream = _edges(
        client.get(f"/api/v1/lineage/run/{run_id}", params={"direction": "upstream"}).json()
    )
    assert ("dataset", dataset["id"], "run", run_id, "input") in upstream
