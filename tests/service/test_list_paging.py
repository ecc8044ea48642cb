"""Every list pages by cursor: newest first, `?after=` from the `Link: <…>; rel="next"` header,
filters kept across pages; list rows are summaries (no results, profiles or messages).

The rows are written straight into the stack's database (SQLite, and PostgreSQL when the test
server is given) for a tenant of this module's own, which the local admin acts for with
`?tenant_id=`: other tests' rows never show, and 500+ runs cost no training.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from service.db.engines import sync_engine, sync_session_factory
from service.db.models import ApiKey, Conversation, Dataset, Message, Run, RunStatus, SqlConnection
from service.db.result_summary import result_summary
from tests.service.keyed import problem
from tests.service.stack import Stack

pytestmark = pytest.mark.integration

RUNS = 520
BIG = [{"actual": i * 0.5, "predicted": i * 0.5 + 0.1} for i in range(1000)]
"""A result's test predictions: what makes a result large, and must never be in a list."""


def _result(i: int, kind: str) -> dict[str, Any]:
    if kind == "leaderboard":
        return {
            "task_type": "classification",
            "goal_metric": "f1",
            "best": "xgboost",
            "entries": [
                {"algorithm": "linear", "metrics": {"test": {"f1": 0.5}}},
                {"algorithm": "xgboost", "metrics": {"test": {"f1": 0.9}}},
            ],
        }
    if kind == "explore":
        return {"explorer": "histogram", "figure": {"data": [{"x": list(range(2000))}]}}
    return {
        "task_type": "classification", "algorithm": "xgboost",
        "metrics": {"train": {"accuracy": 1.0}, "test": {"accuracy": i / RUNS, "f1": 0.5}},
        "confusion_matrix": {"labels": ["a", "b"], "matrix": [[i, 1], [2, 3]]},
        "feature_importance": [{"feature": "x", "importance": 0.75},
                               {"feature": "y", "importance": 0.25}],
        "data_summary": {"total_samples": 100, "train_samples": 80, "test_samples": 20},
        "model_artifact_id": f"runs/{i}/model", "training_duration_seconds": 1.5,
        "test_predictions": BIG,
    }  # fmt: skip


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> Iterator[dict[str, Any]]:
    """`RUNS` runs of a fresh tenant, three at a time sharing a creation instant (so the id
    breaks ties), with two datasets, conversations, keys and connections."""
    tenant = f"lists-{uuid.uuid4().hex[:8]}"
    start = datetime(2026, 3, 1, tzinfo=UTC)
    engine = sync_engine(stack.database_url)
    try:
        with sync_session_factory(engine)() as session:
            datasets = [
                Dataset(
                    tenant=tenant,
                    name=f"table{i}",
                    format="csv",
                    content_hash=f"{i:064d}",
                    size_bytes=10,
                    row_count=5,
                    column_count=2,
                    profile={"columns": [{"name": "x"}] * 500},
                    created_at=start + timedelta(days=i),
                )
                for i in range(5)
            ]
            session.add_all(datasets)
            session.flush()
            kinds = ["train", "train", "explore", "leaderboard"]
            runs: list[dict[str, Any]] = []
            for i in range(RUNS):
                kind = kinds[i % len(kinds)]
                status = RunStatus.FAILED if i % 7 == 0 else RunStatus.FINISHED
                result = None if status == RunStatus.FAILED else _result(i, kind)
                config: dict[str, Any] = {"dataset": {"id": datasets[i % 2].id}}
                if kind == "train":
                    config |= {
                        "algorithm": "xgboost" if i % 2 else "random_forest",
                        "target_column": "label",
                        "hyperparameters": {"max_depth": 3},
                    }
                elif kind == "leaderboard":
                    config |= {"algorithms": ["linear", "xgboost"], "target_column": "label"}
                else:
                    config |= {"explorer": "histogram", "columns": ["x"]}
                run = Run(tenant=tenant, kind=kind, status=status, job_id=uuid.uuid4().hex,
                          dataset_id=datasets[i % 2].id, config=config, resolved=config,
                          result=result, summary=result_summary(result), progress=1.0,
                          error="the worker stopped" if result is None else None,
                          created_at=start + timedelta(minutes=i // 3))  # fmt: skip
                session.add(run)
                session.flush()
                runs.append({"id": run.id, "kind": kind, "status": status.value,
                             "dataset_id": run.dataset_id, "created_at": run.created_at,
                             "algorithm": config.get("algorithm")})  # fmt: skip
            conversations = [Conversation(tenant=tenant, title=f"talk {i}",
                                          created_at=start, updated_at=start + timedelta(hours=i),
                                          pending_plan={"config": config})
                             for i in range(7)]  # fmt: skip
            session.add_all(conversations)
            session.flush()
            session.add_all(Message(conversation_id=c.id, role="user", content="hello")
                            for c in conversations)  # fmt: skip
            session.add_all(
                ApiKey(tenant=tenant, scope="read", prefix=f"mlc_{uuid.uuid4().hex[:8]}",
                       secret_hash=uuid.uuid4().hex * 2, created_at=start + timedelta(seconds=i))
                for i in range(6)
            )  # fmt: skip
            session.add_all(SqlConnection(tenant=tenant, name=f"db{i}",
                                          url=f"sqlite:////tmp/never-{i}.db",
                                          created_at=start + timedelta(seconds=i))
                            for i in range(4))  # fmt: skip
            session.commit()
            dataset_ids = [d.id for d in datasets]
    finally:
        engine.dispose()
    newest_first = sorted(runs, key=lambda r: (r["created_at"], r["id"]), reverse=True)
    yield {"tenant": tenant, "runs": newest_first, "datasets": dataset_ids, "start": start}


def _walk(client: httpx.Client, path: str, params: dict[str, Any]) -> list[httpx.Response]:
    """Every page of a list, following each page's Link rel="next" to the end."""
    pages = [client.get(path, params=params) if params else client.get(path)]
    while "next" in pages[-1].links:
        assert pages[-1].status_code == 200, pages[-1].text
        assert len(pages) < 100, "the pages never end"
        pages.append(client.get(pages[-1].links["next"]["url"]))
    assert pages[-1].status_code == 200, pages[-1].text
    return pages


def _run_ids(pages: list[httpx.Response]) -> list[int]:
    return [item["run_id"] for page in pages for item in page.json()["items"]]


def test_cursor_pages_through_every_run_once_newest_first(
    client: httpx.Client, stack: Stack, seeded: dict[str, Any]
) -> None:
    tenant, runs = seeded["tenant"], seeded["runs"]
    pages = _walk(client, "/api/v1/runs", {"tenant_id": tenant, "limit": 100})
    assert _run_ids(pages) == [run["id"] for run in runs]
    assert len(pages) == 6 and all(page.json()["total"] == RUNS for page in pages)
    assert all(f"tenant_id={tenant}" in page.links["next"]["url"] for page in pages[:-1])

    # A run added while someone pages goes to the top: the pages after the first stay right.
    first = client.get("/api/v1/runs", params={"tenant_id": tenant, "limit": 200})
    engine = sync_engine(stack.database_url)
    added = Run(tenant=tenant, kind="train", status=RunStatus.CANCELLED, job_id=uuid.uuid4().hex,
                config={}, resolved={}, progress=0.0, created_at=datetime.now(UTC))  # fmt: skip
    try:
        with sync_session_factory(engine)() as session:
            session.add(added)
            session.commit()
            rest = _walk(client, first.links["next"]["url"], {})
            assert _run_ids([first, *rest]) == [run["id"] for run in runs]
            newest = client.get("/api/v1/runs", params={"tenant_id": tenant, "limit": 1})
            assert _run_ids([newest]) == [added.id]
            session.delete(added)
            session.commit()
    finally:
        engine.dispose()


def test_filters_hold_on_every_page(client: httpx.Client, seeded: dict[str, Any]) -> None:
    tenant, runs = seeded["tenant"], seeded["runs"]
    first_dataset = seeded["datasets"][0]
    day_two = (seeded["start"] + timedelta(days=1)).date().isoformat()
    cases: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [
        ({"status": "failed"}, [r for r in runs if r["status"] == "failed"]),
        ({"kind": "explore"}, [r for r in runs if r["kind"] == "explore"]),
        ({"dataset_id": first_dataset}, [r for r in runs if r["dataset_id"] == first_dataset]),
        ({"algorithm": "xgboost"}, [r for r in runs if r["algorithm"] == "xgboost"]),
        ({"q": "table1"}, [r for r in runs if r["dataset_id"] == seeded["datasets"][1]]),
        ({"since": day_two}, []),
        ({"until": seeded["start"].date().isoformat(), "kind": "leaderboard"},
         [r for r in runs if r["kind"] == "leaderboard"]),
    ]  # fmt: skip
    for filters, expected in cases:
        pages = _walk(client, "/api/v1/runs", {"tenant_id": tenant, "limit": 37, **filters})
        assert _run_ids(pages) == [run["id"] for run in expected], filters
        assert all(page.json()["total"] == len(expected) for page in pages), filters

    # A job collection pages the same way, and its rows stay in the route's shape.
    pages = _walk(client, "/api/v1/ml/train", {"tenant_id": tenant, "limit": 50,
                                               "status": "completed"})  # fmt: skip
    finished_trains = [r for r in runs if r["kind"] == "train" and r["status"] == "finished"]
    assert _run_ids(pages) == [r["id"] for r in finished_trains]
    assert {item["status"] for page in pages for item in page.json()["items"]} == {"completed"}


def test_list_rows_are_summaries_without_blobs(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    tenant = seeded["tenant"]
    params = {"tenant_id": tenant, "limit": 8}
    rows = client.get("/api/v1/runs", params=params).raise_for_status().json()["items"]
    for row in rows:
        assert "result" not in row and "resolved" not in row
        assert "hyperparameters" not in row["config"] and "dataset" not in row["config"]
        whole = client.get(f"/api/v1/runs/{row['run_id']}", params={"tenant_id": tenant}).json()
        result = whole["result"] or {}
        assert whole["config"]["dataset"]["id"] == row["dataset_id"], "a run alone: whole config"
        if row["kind"] == "train" and result:
            assert row["test_metrics"] == result["metrics"]["test"] == whole["test_metrics"]
            assert row["config"]["algorithm"] == whole["config"]["algorithm"]
        if row["kind"] == "leaderboard" and result:
            assert (row["best"], row["goal_metric"], row["test_metrics"]) == (
                "xgboost",
                "f1",
                {"f1": 0.9},
            )
    trains = client.get("/api/v1/ml/train", params={**params, "status": "completed"}).json()
    for item in trains["items"]:
        assert "result" not in item and "actual" not in str(item)
        whole = client.get(f"/api/v1/ml/train/{item['job_id']}", params={"tenant_id": tenant})
        for field in ("metrics", "classes", "feature_importance", "data_summary",
                      "model_artifact_id", "training_duration_seconds"):  # fmt: skip
            assert item[field] == whole.json()[field] is not None, field
    assert len(client.get("/api/v1/runs", params=params).content) < 8 * 2_000

    datasets = client.get("/api/v1/datasets", params=params).json()
    assert datasets and all("profile" not in d for d in datasets)
    talks = client.get("/api/v1/conversations", params=params).json()
    assert talks and all("messages" not in t and "pending_plan" not in t for t in talks)


def test_every_catalog_list_pages_newest_first(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    tenant = seeded["tenant"]
    params = {"tenant_id": tenant, "limit": 2}
    lists = {
        "/api/v1/datasets": ("name", [f"table{i}" for i in reversed(range(5))]),
        "/api/v1/conversations": ("title", [f"talk {i}" for i in reversed(range(7))]),
        "/api/v1/connections": ("name", [f"db{i}" for i in reversed(range(4))]),
        "/api/v1/admin/connections": ("name", [f"db{i}" for i in reversed(range(4))]),
    }
    for path, (field, expected) in lists.items():
        pages = _walk(client, path, params)
        assert [row[field] for page in pages for row in page.json()] == expected, path
        assert all(len(page.json()) <= 2 for page in pages)
    keys = _walk(client, "/api/v1/admin/keys", params)
    created = [row["created_at"] for page in keys for row in page.json()]
    assert len(created) == 6 and created == sorted(created, reverse=True)


@pytest.mark.parametrize(
    ("path", "after", "says"),
    [("/api/v1/runs", "not-a-cursor", "Link"),
     ("/api/v1/runs", "eyJ4IjogMX0", "Link"),
     ("/api/v1/ml/train", "%%%", "Link"),
     ("/api/v1/datasets", "W10", "Link")],
)  # fmt: skip
def test_a_bad_cursor_is_a_problem_that_says_what_to_send(
    client: httpx.Client, path: str, after: str, says: str
) -> None:
    body = problem(client.get(path, params={"after": after}), 400)
    assert says in body["detail"] and "after" in body["detail"]
    assert body["field"] == "after"


def test_a_cursor_of_another_list_or_with_an_offset_is_refused(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    params = {"tenant_id": seeded["tenant"], "limit": 1}
    datasets_next = client.get("/api/v1/datasets", params=params).links["next"]["url"]
    cursor = httpx.URL(datasets_next).params["after"]
    body = problem(client.get("/api/v1/runs", params={"after": cursor}), 400)
    assert "datasets list" in body["detail"] and "leave" in body["detail"]
    runs_next = httpx.URL(client.get("/api/v1/runs", params=params).links["next"]["url"])
    both = client.get("/api/v1/runs", params={"after": runs_next.params["after"], "offset": 5})
    assert "not both" in problem(both, 400)["detail"]
