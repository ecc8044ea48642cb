"""API keys and tenants: keys made, listed and revoked by the CLI and the admin API; with
MLCHAT_AUTH=required nothing but /health answers without a valid key; scopes bound what a key
may do; and one tenant learns nothing of another's datasets, runs and conversations (404)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.service.helpers import FINAL, csv_bytes, upload, wait_for
from tests.service.keyed import as_key, cli_key, make_key, mlchat, problem
from tests.service.stack import Stack

pytestmark = pytest.mark.integration


def test_without_a_valid_key_only_health_answers(secured: Stack) -> None:
    with httpx.Client(base_url=secured.base_url, timeout=60) as anonymous:
        assert anonymous.get("/health").status_code == 200
        body = problem(anonymous.get("/api/v1/datasets"), 401)
        assert "mlchat keys create" in body["detail"]
        problem(anonymous.post("/api/v1/ml/train", json={}), 401)
        problem(anonymous.get("/api/v1/runs", headers={"authorization": "Basic eDp5"}), 401)
    with as_key(secured, "mlc_not-a-key-at-all") as forged:
        assert "mlchat keys create" in problem(forged.get("/api/v1/runs"), 401)["detail"]


def test_a_websocket_with_a_bad_key_is_refused_before_it_opens(secured: Stack) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{secured.ws_url}/ws/feed", open_timeout=10,
                additional_headers={"authorization": "Bearer mlc_forged"}).close()  # fmt: skip
    assert refused.value.response.status_code == 401
    key = make_key(secured, "ws-tenant", "read")
    with connect(f"{secured.ws_url}/ws/feed", open_timeout=10,
                 additional_headers={"authorization": f"Bearer {key}"}):  # fmt: skip
        pass


def test_keys_from_the_cli_are_shown_once_listed_without_secret_and_revocable(
    secured: Stack,
) -> None:
    key = cli_key(secured, "cli-tenant", "run", name="alice")
    with as_key(secured, key) as alice:
        assert alice.get("/api/v1/datasets").raise_for_status().json() == []
    listed = mlchat(secured, "keys", "list", "--tenant", "cli-tenant")
    assert listed.returncode == 0, listed.stderr
    assert key not in listed.stdout and key[:12] in listed.stdout
    row = next(line for line in listed.stdout.splitlines() if key[:12] in line)
    assert "alice" in row and "run" in row
    assert row.split()[6] != "-", "last used is recorded"  # id prefix tenant scope created(2)
    database = secured.home / "mlchat.db"
    if database.exists():
        assert key.encode() not in database.read_bytes(), "only the hash is stored"

    revoked = mlchat(secured, "keys", "revoke", key[:12])
    assert revoked.returncode == 0, revoked.stderr
    with as_key(secured, key) as alice:
        assert "revoked" in problem(alice.get("/api/v1/datasets"), 401)["detail"]
    unknown = mlchat(secured, "keys", "revoke", "mlc_nosuchkey")
    assert unknown.returncode == 1 and "no key" in unknown.stderr


def test_the_admin_api_makes_lists_and_revokes_keys(secured: Stack) -> None:
    with as_key(secured, make_key(secured, "ops", "admin")) as admin:
        made = admin.post("/api/v1/admin/keys", json={"tenant_id": "api-tenant", "scope": "read",
                                                      "name": "bob"})  # fmt: skip
        assert made.status_code == 201, made.text
        key = made.json()["key"]
        listed = admin.get("/api/v1/admin/keys", params={"tenant_id": "api-tenant"}).json()
        assert [k["prefix"] for k in listed] == [made.json()["prefix"]]
        assert "key" not in listed[0] and key not in admin.get("/api/v1/admin/keys").text
        with as_key(secured, key) as bob:
            assert bob.get("/api/v1/runs").status_code == 200
            problem(bob.get("/api/v1/admin/keys"), 403)
            revoked = admin.delete(f"/api/v1/admin/keys/{made.json()['id']}")
            assert revoked.status_code == 200 and revoked.json()["revoked_at"], revoked.text
            problem(bob.get("/api/v1/runs"), 401)
        problem(admin.post("/api/v1/admin/keys", json={"tenant_id": "a b", "scope": "run"}), 422)
        problem(admin.delete("/api/v1/admin/keys/mlc_nosuchkey"), 404)
    with as_key(secured, make_key(secured, "ops", "run")) as runner:
        problem(runner.get("/api/v1/admin/keys"), 403)
        problem(runner.post("/api/v1/admin/keys", json={"tenant_id": "x", "scope": "admin"}), 403)


def test_a_read_key_may_look_but_not_change(secured: Stack) -> None:
    with as_key(secured, make_key(secured, "readers", "read")) as reader:
        assert reader.get("/api/v1/datasets").status_code == 200
        body = problem(reader.post("/api/v1/ml/train", json={"algorithm": "linear"}), 403)
        assert "run key" in body["detail"]
        problem(upload(reader, b"a,b\n1,2\n", "x.csv"), 403)
        problem(reader.delete("/api/v1/datasets/1"), 403)
        problem(reader.post("/api/v1/conversations", json={}), 403)


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=120)
    return pd.DataFrame({"x": x, "z": rng.normal(size=120), "y": np.where(x > 0, "up", "down")})


def test_another_tenants_things_are_not_found(secured: Stack) -> None:
    with as_key(secured, make_key(secured, "tenant-a", "run")) as a, \
         as_key(secured, make_key(secured, "tenant-b", "run")) as b:  # fmt: skip
        dataset = upload(a, csv_bytes(_frame()), "signals.csv").raise_for_status().json()
        started = a.post("/api/v1/ml/train", json={
            "algorithm": "random_forest", "dataset": {"id": dataset["id"]}, "target_column": "y",
            "hyperparameters": {"n_estimators": 5}})  # fmt: skip
        assert started.status_code == 202, started.text
        run_id, job_id = started.json()["run_id"], started.json()["job_id"]
        # A new tenant's queue is served: the worker started before the tenant existed.
        assert wait_for(a, "train", job_id, FINAL)["status"] == "completed"
        conversation = a.post("/api/v1/conversations", json={"dataset": {"id": dataset["id"]}})
        conversation_id = conversation.raise_for_status().json()["id"]

        for path in [f"/api/v1/datasets/{dataset['id']}", f"/api/v1/datasets/{dataset['id']}/rows",
                     f"/api/v1/runs/{run_id}", f"/api/v1/runs/{run_id}/model",
                     f"/api/v1/runs/{run_id}/plots/feature_importance",
                     f"/api/v1/runs/{run_id}/reproduce", f"/api/v1/ml/train/{job_id}",
                     f"/api/v1/conversations/{conversation_id}"]:  # fmt: skip
            assert a.get(path).status_code == 200, (path, a.get(path).text)
            problem(b.get(path), 404)
        problem(b.post(f"/api/v1/runs/{run_id}/predict", json={"rows": [{"x": 1, "z": 0}]}), 404)
        problem(b.post(f"/api/v1/conversations/{conversation_id}/messages",
                       json={"text": "hello"}), 404)  # fmt: skip
        problem(b.delete(f"/api/v1/ml/train/{job_id}"), 404)
        problem(b.delete(f"/api/v1/datasets/{dataset['id']}"), 404)
        assert dataset["id"] not in [d["id"] for d in b.get("/api/v1/datasets").json()]
        assert run_id not in [r["run_id"] for r in b.get("/api/v1/runs").json()["items"]]
        assert job_id not in [j["job_id"] for j in b.get("/api/v1/ml/train").json()["items"]]
        # Each tenant's copy of the same rows is its own file: deleting B's leaves A's.
        same = csv_bytes(_frame())
        mine = upload(b, same, "same.csv").raise_for_status().json()
        assert mine["content_hash"] == dataset["content_hash"]
        b.delete(f"/api/v1/datasets/{mine['id']}").raise_for_status()
        assert a.get(f"/api/v1/datasets/{dataset['id']}/rows").status_code == 200
        # Naming another tenant is for admin keys only.
        problem(b.get("/api/v1/datasets", params={"tenant_id": "tenant-a"}), 403)
        assert a.get(f"/api/v1/datasets/{dataset['id']}").status_code == 200

    with as_key(secured, make_key(secured, "ops", "admin")) as admin:
        seen = admin.get("/api/v1/datasets", params={"tenant_id": "tenant-a"}).json()
        assert [d["id"] for d in seen] == [dataset["id"]]
        problem(admin.get(f"/api/v1/datasets/{dataset['id']}"), 404)


def test_in_local_mode_a_key_still_names_its_tenant(client: httpx.Client, stack: Stack) -> None:
    """The default: loopback needs no key, but a request with one acts as the key's tenant."""
    local = client.get("/api/v1/datasets").raise_for_status().json()
    assert any(d["is_sample"] for d in local)
    with as_key(stack, make_key(stack, "visitor", "read")) as visitor:
        assert visitor.get("/api/v1/datasets").json() == []
        problem(visitor.get(f"/api/v1/datasets/{local[0]['id']}"), 404)
        problem(visitor.post("/api/v1/conversations", json={}), 403)
    with as_key(stack, "mlc_wrong") as wrong:
        problem(wrong.get("/api/v1/datasets"), 401)


@pytest.mark.parametrize("command", ["api", "up"])
def test_a_non_loopback_bind_needs_required_auth(command: str, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "MLCHAT_HOME": str(tmp_path)}
    refused = mlchat(None, command, "--host", "0.0.0.0", "--port", "1", **env)
    assert refused.returncode == 2
    assert "MLCHAT_AUTH=required" in refused.stderr and "0.0.0.0" in refused.stderr


def test_another_tenants_sockets_are_not_found_and_feeds_stay_apart(secured: Stack) -> None:
    key_a, key_b = make_key(secured, "feed-a", "run"), make_key(secured, "feed-b", "run")
    bearer_a = {"authorization": f"Bearer {key_a}"}
    bearer_b = {"authorization": f"Bearer {key_b}"}
    with as_key(secured, key_a) as a, as_key(secured, key_b) as b, \
         connect(f"{secured.ws_url}/ws/feed", additional_headers=bearer_a) as feed_a:  # fmt: skip

        def train(client: httpx.Client, name: str) -> dict[str, Any]:
            dataset = upload(client, csv_bytes(_frame()), f"{name}.csv").raise_for_status().json()
            started = client.post(
                "/api/v1/ml/train",
                json={
                    "algorithm": "linear",
                    "dataset": {"id": dataset["id"]},
                    "target_column": "y",
                },
            )
            job: dict[str, Any] = started.raise_for_status().json()
            assert wait_for(client, "train", job["job_id"], FINAL)["status"] == "completed"
            return job

        conversation = a.post("/api/v1/conversations", json={}).raise_for_status().json()["id"]
        ran_a = train(a, "a")
        train(b, "b")
        for path in [f"/ws/runs/{ran_a['run_id']}", f"/ws/chat/{conversation}"]:
            with pytest.raises(InvalidStatus) as refused:
                connect(f"{secured.ws_url}{path}", additional_headers=bearer_b).close()
            assert refused.value.response.status_code == 404, path
        # The feed keeps order: once a run started after B's ended has ended, every event
        # published before it, B's included, would have been delivered.
        marker = train(a, "marker")
        seen: list[dict[str, Any]] = []
        while not any(e.get("run_id") == marker["run_id"] and e["type"] in FINAL for e in seen):
            seen.append(json.loads(feed_a.recv(timeout=120)))
        assert {e.get("run_id") for e in seen} == {ran_a["run_id"], marker["run_id"]}, seen
