"""Run history over HTTP: GET /api/v1/runs searched, filtered and paged, each run named by its
dataset and algorithm."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from tests.service.helpers import csv_bytes, upload, wait_for
from tests.service.stack import Stack

pytestmark = pytest.mark.integration


def _table(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    frame["yield_kg"] = frame["a"] * 2 - frame["b"] + rng.normal(scale=0.1, size=80)
    return frame


def _finished(client: httpx.Client, route: str, config: dict[str, Any]) -> dict[str, Any]:
    accepted = client.post(f"/api/v1/ml/{route}", json=config)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, route, accepted.json()["job_id"], {"finished", "failed"})
    assert job.get("run_status", job["status"]) == "finished", job
    return job


@pytest.fixture(scope="module")
def history(stack: Stack) -> dict[str, Any]:
    """Two fresh datasets: two models on the first (xgboost, then a forest), a chart of the
    second; names unique to this module, so other tests' runs never match."""
    tag = uuid.uuid4().hex[:8]
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        farm = upload(client, csv_bytes(_table(1)), "farm.csv", name=f"farm_{tag}").json()
        other = upload(client, csv_bytes(_table(2)), "other.csv", name=f"other_{tag}").json()
        model = {"dataset": {"id": farm["id"]}, "target_column": "yield_kg",
                 "hyperparameters": {"n_estimators": 20}}  # fmt: skip
        boosted = _finished(client, "train", {**model, "algorithm": "xgboost"})
        forest = _finished(client, "train", {**model, "algorithm": "random_forest"})
        chart = _finished(client, "explore", {"explorer": "histogram",
                          "dataset": {"id": other["id"]}, "columns": ["a"]})  # fmt: skip
    return {"tag": tag, "farm": farm, "other": other,
            "boosted": boosted, "forest": forest, "chart": chart}  # fmt: skip


def _page(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/runs", params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _ids(page: dict[str, Any]) -> list[int]:
    return [item["run_id"] for item in page["items"]]


def test_runs_of_a_dataset_are_paged_newest_first_with_names(
    client: httpx.Client, history: dict[str, Any]
) -> None:
    farm, boosted, forest = history["farm"], history["boosted"], history["forest"]
    page = _page(client, dataset_id=farm["id"])
    assert page["total"] == 2 and page["offset"] == 0 and page["limit"] == 50
    assert _ids(page) == [forest["run_id"], boosted["run_id"]]
    assert [(i["dataset_name"], i["algorithm"]) for i in page["items"]] == [
        (farm["name"], "random_forest"), (farm["name"], "xgboost")]  # fmt: skip

    first = _page(client, dataset_id=farm["id"], limit=1)
    second = _page(client, dataset_id=farm["id"], limit=1, offset=1)
    assert (first["total"], second["total"]) == (2, 2)
    assert _ids(first) + _ids(second) == _ids(page)
    assert _page(client, dataset_id=farm["id"], offset=2)["items"] == []

    one = client.get(f"/api/v1/runs/{boosted['run_id']}").json()
    assert (one["dataset_name"], one["algorithm"]) == (farm["name"], "xgboost")
    # A row shows the worker's result by its test metrics (kept with it), not the result.
    row = next(item for item in page["items"] if item["run_id"] == boosted["run_id"])
    assert "result" not in row and row["test_metrics"] == one["result"]["metrics"]["test"]
    assert row["task_type"] == "regression" and "rmse" in row["test_metrics"]
    chart = client.get(f"/api/v1/runs/{history['chart']['run_id']}").json()
    assert (chart["dataset_name"], chart["algorithm"]) == (history["other"]["name"], None)


def test_search_finds_runs_by_dataset_algorithm_target_kind_and_id(
    client: httpx.Client, history: dict[str, Any]
) -> None:
    tag, boosted, forest, chart = (history[k] for k in ("tag", "boosted", "forest", "chart"))
    assert set(_ids(_page(client, q=tag))) == {boosted["run_id"], forest["run_id"],
                                               chart["run_id"]}  # fmt: skip
    assert _ids(_page(client, q=f"FARM_{tag}")) == [forest["run_id"], boosted["run_id"]]
    by_algorithm = _ids(_page(client, q="forest", dataset_id=history["farm"]["id"]))
    assert by_algorithm == [forest["run_id"]]
    by_target = _ids(_page(client, q="yield_k", limit=500))
    assert {boosted["run_id"], forest["run_id"]} <= set(by_target)
    assert chart["run_id"] not in by_target
    assert _ids(_page(client, q="explore", dataset_id=history["other"]["id"])) == [chart["run_id"]]
    assert boosted["run_id"] in _ids(_page(client, q=str(boosted["run_id"]), limit=500))
    assert boosted["run_id"] in _ids(_page(client, q=f"#{boosted['run_id']}", limit=500))
    nothing = _page(client, q=f"no-such-thing-{tag}")
    assert (nothing["items"], nothing["total"]) == ([], 0)


def test_filters_narrow_by_algorithm_kind_status_and_date(
    client: httpx.Client, history: dict[str, Any]
) -> None:
    farm, other = history["farm"]["id"], history["other"]["id"]
    boosted, chart = history["boosted"]["run_id"], history["chart"]["run_id"]
    assert _ids(_page(client, dataset_id=farm, algorithm="xgboost")) == [boosted]
    assert _ids(_page(client, dataset_id=farm, algorithm="XGBoost")) == [boosted]
    assert _page(client, dataset_id=farm, algorithm="lightgbm")["total"] == 0
    assert _ids(_page(client, dataset_id=other, kind="explore")) == [chart]
    assert _page(client, dataset_id=other, kind="train")["total"] == 0
    assert _page(client, dataset_id=farm, status="finished")["total"] == 2
    assert _page(client, dataset_id=farm, status="failed")["total"] == 0

    today = datetime.now(UTC).date()
    day = timedelta(days=1)
    assert _page(client, dataset_id=farm, since=str(today), until=str(today))["total"] == 2
    assert _page(client, dataset_id=farm, since=str(today + day))["total"] == 0
    assert _page(client, dataset_id=farm, until=str(today - day))["total"] == 0
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert _page(client, dataset_id=farm, since=an_hour_ago)["total"] == 2
    assert _page(client, dataset_id=farm, until=an_hour_ago)["total"] == 0


@pytest.mark.parametrize(
    ("params", "named"),
    [({"since": "2026-13-45"}, "since"), ({"until": "yesterday"}, "until"),
     ({"since": "2026-02-01", "until": "2026-01-01"}, "since is after until")],
)  # fmt: skip
def test_a_bad_date_is_a_problem_a_person_can_fix(
    client: httpx.Client, params: dict[str, str], named: str
) -> None:
    response = client.get("/api/v1/runs", params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert named in response.json()["detail"]
    assert "YYYY-MM-DD" in response.json()["detail"] or "swap" in response.json()["detail"]


def test_unknown_kind_or_status_is_refused(client: httpx.Client) -> None:
    for params in ({"kind": "painting"}, {"status": "sleeping"}):
        response = client.get("/api/v1/runs", params=params)
        assert response.status_code in {400, 422}, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
