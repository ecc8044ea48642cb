"""A kind added as its own module plus one registry entry is served like any other: the API
takes and lists it, a worker runs it and saves its plot, the agent has a tool for it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

from service.embedded_redis import EmbeddedRedis
from tests.service.helpers import csv_bytes, upload, wait_for
from tests.service.stack import Stack

WRAPPER = "tests.service.throwaway_kind"
FRAME = pd.DataFrame({"a": [1, None, 3, 4], "b": ["x", "y", None, None], "c": [1, 2, 3, 4]})


class ThrowawayStack(Stack):
    """mlchat's processes with the throwaway kind registered in each."""

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        with (self.home / f"{args[0]}.log").open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", WRAPPER, *args],
                env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    home: Path = tmp_path_factory.mktemp("throwaway-kind")
    stack = ThrowawayStack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                           database_url=f"sqlite:///{home / 'mlchat.db'}")  # fmt: skip
    try:
        stack.start(n_workers=1)
        with httpx.Client(base_url=stack.base_url, timeout=60) as http:
            upload(http, csv_bytes(FRAME), "few.csv", name="few").raise_for_status()
            yield http
    finally:
        stack.stop()


def test_the_new_kind_runs_through_the_api_and_a_worker(client: httpx.Client) -> None:
    config = {"dataset": {"name": "few"}, "columns": ["a", "b"]}
    accepted = client.post("/api/v1/ml/rows", json=config)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["kind"] == "rows"
    job = wait_for(client, "rows", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "finished", job
    assert job["result"]["counts"] == {"a": 3, "b": 2}
    assert job["result"]["total"] == 4
    plot = client.get(f"/api/v1/runs/{job['run_id']}/plots/rows").raise_for_status().json()
    assert plot["data"][0]["y"] == [3, 2]
    listed = client.get("/api/v1/runs", params={"kind": "rows"}).raise_for_status().json()["items"]
    assert [run["run_id"] for run in listed] == [job["run_id"]]
    assert client.get("/api/v1/ml/train/" + job["job_id"]).status_code == 404


def test_the_new_kind_checks_its_config_against_the_data(client: httpx.Client) -> None:
    response = client.post("/api/v1/ml/rows", json={"dataset": {"name": "few"}, "columns": ["bb"]})
    assert response.status_code == 422
    assert "no column 'bb'" in response.json()["detail"]
    assert "did you mean 'b'" in response.json()["detail"]


def test_the_agent_has_a_tool_for_the_new_kind() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", WRAPPER, "tools"], capture_output=True, check=True, text=True
    )
    tools = json.loads(shown.stdout)
    assert tools["count_rows"] is True
    assert tools["train"] is True and tools["job_status"] is False
