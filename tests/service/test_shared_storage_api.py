"""mlchat on shared object storage (MLCHAT_STORAGE_URL=s3://..., moto's server on loopback):
a dataset goes in, a model is trained, downloaded and predicts, and nothing lands in the
machine's own datasets and artifacts folders; when the storage goes away the API says so."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import joblib
import pandas as pd
import pyarrow.parquet as pq
import pytest
from palmerpenguins import load_penguins

from service.embedded_redis import EmbeddedRedis
from tests.service.helpers import csv_bytes, upload, wait_for
from tests.service.s3 import MotoServer
from tests.service.stack import Stack


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.integration
def test_datasets_and_models_live_in_the_shared_storage(
    tmp_path_factory: pytest.TempPathFactory, moto_server: MotoServer, s3_storage: dict[str, str]
) -> None:
    home = tmp_path_factory.mktemp("mlchat-s3")
    # Once the server is stopped, a request gives up after two tries rather than five.
    stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                  database_url=f"sqlite:///{home / 'mlchat.db'}",
                  settings={**s3_storage, "AWS_MAX_ATTEMPTS": "2"})  # fmt: skip
    try:
        stack.start(n_workers=1)
        with httpx.Client(base_url=stack.base_url, timeout=60) as client:
            _train_download_predict(client, home, moto_server, s3_storage)
    finally:
        stack.stop()


def _train_download_predict(
    client: httpx.Client, home: Path, moto_server: MotoServer, s3_storage: dict[str, str]
) -> None:
    penguins = load_penguins().dropna()
    uploaded = upload(client, csv_bytes(penguins), "penguins.csv", "shared-penguins")
    assert uploaded.status_code == 201, uploaded.text
    dataset = uploaded.json()

    config = {"algorithm": "random_forest", "dataset": {"id": dataset["id"]},
              "target_column": "species",
              "hyperparameters": {"n_estimators": 20, "n_jobs": 1}}  # fmt: skip
    accepted = client.post("/api/v1/ml/train", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job
    run_id = job["run_id"]

    # The model downloaded predicts what the API predicts with it.
    model_file = client.get(f"/api/v1/runs/{run_id}/model")
    assert model_file.status_code == 200
    assert int(model_file.headers["content-length"]) == len(model_file.content)
    model = joblib.load(io.BytesIO(model_file.content))
    rows = penguins.drop(columns=["species"]).head(8).astype(object).to_dict(orient="records")
    predicted = client.post(f"/api/v1/runs/{run_id}/predict", json={"rows": rows})
    assert predicted.status_code == 200, predicted.text
    expected = list(model.predict(pd.DataFrame(rows)))
    assert [p["prediction"] for p in predicted.json()["predictions"]] == expected

    plots = job["result"]["plots"]
    assert "feature_importance" in plots
    for name in plots:
        plot = client.get(f"/api/v1/runs/{run_id}/plots/{name}")
        assert plot.status_code == 200 and plot.json()["data"], name
    script = client.get(f"/api/v1/runs/{run_id}/reproduce")
    assert script.status_code == 200 and "shared-penguins.parquet" in script.text

    stored = client.get(f"/api/v1/datasets/{dataset['id']}/file")
    assert stored.status_code == 200
    assert pq.read_table(io.BytesIO(stored.content)).num_rows == len(penguins)

    # A whole dataset scored by the model becomes a dataset of its own, stored alike.
    scored = client.post(f"/api/v1/runs/{run_id}/predict",
                         json={"dataset": {"id": dataset["id"]}, "name": "scored"})  # fmt: skip
    assert scored.status_code == 200, scored.text
    scored_id = scored.json()["dataset"]["id"]
    page = client.get(f"/api/v1/datasets/{scored_id}/rows?limit=3").json()
    assert "predicted_species" in page["columns"] and len(page["rows"]) == 3

    # Every file is in the bucket, and none in the machine's own folders.
    bucket, prefix = s3_storage["MLCHAT_STORAGE_URL"].removeprefix("s3://").split("/", 1)
    listed = moto_server.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
    keys = {entry["Key"] for entry in listed.get("Contents", [])}
    assert f"{prefix}/datasets/default/{dataset['content_hash']}.parquet" in keys
    assert f"{prefix}/artifacts/default/{run_id}/model.joblib" in keys
    assert f"{prefix}/artifacts/default/{run_id}/plots/feature_importance.json" in keys
    assert _files(home / "datasets") == [] and _files(home / "artifacts") == []

    # The storage goes away: what needs it answers 503 and says why; the rest still works.
    moto_server.stop()
    for path in (f"/api/v1/runs/{run_id}/plots/feature_importance",
                 f"/api/v1/datasets/{dataset['id']}/file"):  # fmt: skip
        gone = client.get(path)
        assert gone.status_code == 503, (path, gone.text)
        assert gone.headers["content-type"].startswith("application/problem+json")
        assert "storage" in gone.json()["detail"] and "could not be used" in gone.json()["detail"]
    assert client.get("/api/v1/runs").status_code == 200
