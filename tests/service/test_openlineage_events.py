"""OpenLineage run events from real runs on a real worker, through openlineage-python's file
transport: START then COMPLETE for a run that finishes, START then FAIL for one that fails,
with the dataset read (its schema and version) and the model made."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from service.embedded_redis import EmbeddedRedis
from tests.service.helpers import csv_bytes, upload, wait_for
from tests.service.stack import Stack


@pytest.fixture(scope="module")
def lineage_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home: Path = tmp_path_factory.mktemp("mlchat-openlineage")
    settings = {"MLCHAT_OPENLINEAGE_URL": f"file://{home / 'lineage.jsonl'}"}
    stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                  database_url=f"sqlite:///{home / 'mlchat.db'}", settings=settings)  # fmt: skip
    try:
        stack.start(n_workers=1)
        yield stack
    finally:
        stack.stop()


def _run_events(stack: Stack, dataset: str) -> list[dict[str, Any]]:
    """The events the file transport wrote of runs that read `dataset`, in order."""
    path = stack.home / "lineage.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    events = [json.loads(line) for line in lines if line.strip()]
    return [e for e in events if any(d["name"].endswith(f"/datasets/{dataset}")
                                     for d in e["inputs"])]  # fmt: skip


@pytest.mark.integration
def test_a_finished_run_sends_start_then_complete(lineage_stack: Stack) -> None:
    with httpx.Client(base_url=lineage_stack.base_url, timeout=60) as client:
        config = {"algorithm": "random_forest", "dataset": {"name": "penguins"},
                  "target_column": "species", "hyperparameters": {"n_estimators": 10}}  # fmt: skip
        accepted = client.post("/api/v1/ml/train", json=config)
        assert accepted.status_code == 202, accepted.text
        job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "completed", job
    events = _run_events(lineage_stack, "penguins")
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    start, complete = events
    assert start["run"]["runId"] == complete["run"]["runId"]
    (source,) = complete["inputs"]
    fields = {f["name"]: f["type"] for f in source["facets"]["schema"]["fields"]}
    assert "species" in fields and "bill_length_mm" in fields
    assert source["facets"]["version"]["datasetVersion"]
    (made,) = complete["outputs"]
    assert made["name"].endswith(f"/runs/{job['run_id']}/model")


@pytest.mark.integration
def test_a_failed_run_sends_start_then_fail(lineage_stack: Stack) -> None:
    frame = pd.DataFrame({"x": range(40), "y": [i % 2 for i in range(40)]})
    with httpx.Client(base_url=lineage_stack.base_url, timeout=60) as client:
        uploaded = upload(client, csv_bytes(frame), "vanishing.csv", name="vanishing")
        assert uploaded.status_code == 201, uploaded.text
        # The file goes from the storage after the upload: the run passes the API's checks
        # (they read the profile) and fails in the worker, which reads the file.
        (stored,) = lineage_stack.home.rglob(f"{uploaded.json()['content_hash']}.parquet")
        stored.unlink()
        config = {"algorithm": "linear", "dataset": {"name": "vanishing"}, "target_column": "y"}
        accepted = client.post("/api/v1/ml/train", json=config)
        assert accepted.status_code == 202, accepted.text
        job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "failed", job
    events = _run_events(lineage_stack, "vanishing")
    assert [e["eventType"] for e in events] == ["START", "FAIL"]
    message = events[-1]["run"]["facets"]["errorMessage"]["message"]
    assert "missing" in message
