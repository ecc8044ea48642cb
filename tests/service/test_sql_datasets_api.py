"""SQL connections and datasets with keys: an admin registers a tenant's connections (CLI and
API) and no answer, list or log ever holds their secret; a run key loads a query as a normal
profiled dataset that records where it came from; another tenant cannot see or use them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest

from tests.service.conftest import SECURED_SQL_ROW_CAP as ROW_CAP
from tests.service.keyed import as_key, make_key, mlchat, problem
from tests.service.stack import Stack
from tests.sql_databases import ORDERS, SECRET, make_sqlite_orders

pytestmark = pytest.mark.integration

KeyedClient = Callable[[str, str], httpx.Client]


@pytest.fixture
def keyed(secured: Stack) -> Iterator[KeyedClient]:
    """A client holding a new key of (tenant, scope); closed after the test."""
    with ExitStack() as clients:

        def client(tenant: str, scope: str) -> httpx.Client:
            return clients.enter_context(as_key(secured, make_key(secured, tenant, scope)))

        yield client


@pytest.fixture(scope="module")
def shop_url(secured: Stack) -> str:
    """A SQLite source whose URL carries a password-like secret (SQLite ignores it)."""
    folder = secured.home / "source"
    folder.mkdir(exist_ok=True)
    path = folder / "shop.db"
    url = make_sqlite_orders(path) if not path.exists() else f"sqlite:///{path}"
    # A query string SQLite ignores but every URL-echoing code path would repeat.
    return f"{url}?secret={SECRET}"


def test_connections_are_registered_by_admins_and_never_shown(
    secured: Stack, shop_url: str, keyed: KeyedClient
) -> None:
    admin = keyed("acme", "admin")
    runner = keyed("acme", "run")

    # CLI: the URL from a variable or stdin, so it is in no shell history; then the admin API.
    by_env = mlchat(secured, "connections", "add", "warehouse", "--tenant", "acme",
                    "--url-env", "SHOP_URL", SHOP_URL=shop_url)  # fmt: skip
    assert by_env.returncode == 0, by_env.stderr
    assert "connection 'warehouse' of tenant acme: sqlite" in by_env.stdout
    by_stdin = subprocess.run(
        [sys.executable, "-m", "service.cli", "connections", "add", "archive", "--tenant", "acme"],
        input=shop_url + "\n", env=secured.env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert by_stdin.returncode == 0, by_stdin.stderr
    made = admin.post(
        "/api/v1/admin/connections",
        json={"tenant_id": "globex", "name": "warehouse", "url": shop_url},
    )
    assert made.status_code == 201, made.text  # fmt: skip

    listed = admin.get("/api/v1/admin/connections", params={"tenant_id": "acme"}).json()
    assert [(c["name"], c["dialect"], c["database"]) for c in listed] == [
        ("archive", "sqlite", "shop.db"), ("warehouse", "sqlite", "shop.db"),
    ]  # fmt: skip
    assert len(admin.get("/api/v1/admin/connections").json()) == 3
    own = runner.get("/api/v1/connections").json()
    assert [c["name"] for c in own] == ["archive", "warehouse"]
    cli_list = mlchat(secured, "connections", "list")
    assert cli_list.returncode == 0 and "globex" in cli_list.stdout

    problem(runner.get("/api/v1/admin/connections"), 403)
    problem(
        runner.post(
            "/api/v1/admin/connections", json={"tenant_id": "acme", "name": "mine", "url": shop_url}
        ),
        403,
    )
    again = problem(admin.post("/api/v1/admin/connections",
                               json={"tenant_id": "acme", "name": "warehouse", "url": shop_url}),
                    409)  # fmt: skip
    assert "already has a connection named 'warehouse'" in again["detail"]
    bad = problem(admin.post("/api/v1/admin/connections", json={
        "tenant_id": "acme", "name": "other", "url": f"mysql://u:{SECRET}@db/x",
    }), 422)  # fmt: skip
    assert "PostgreSQL and SQLite" in bad["detail"]

    every_answer = " ".join([made.text, str(listed), str(own), by_env.stdout, by_stdin.stdout,
                             by_stdin.stderr, cli_list.stdout, str(bad)])  # fmt: skip
    assert SECRET not in every_answer


def test_a_run_key_loads_a_query_as_a_profiled_dataset(
    secured: Stack, shop_url: str, keyed: KeyedClient
) -> None:
    admin = keyed("initech", "admin")
    assert admin.post("/api/v1/admin/connections", json={
        "tenant_id": "initech", "name": "warehouse", "url": shop_url,
    }).status_code == 201  # fmt: skip
    runner = keyed("initech", "run")
    reader = keyed("initech", "read")
    body = {
        "source": "sql",
        "connection": "warehouse",
        "query": "SELECT id, customer, amount FROM orders WHERE created_at >= '2026-06-01'",
    }

    made = runner.post("/api/v1/datasets/sql", json=body)

    assert made.status_code == 201, made.text
    dataset = made.json()
    june_onwards = sum(1 for i in range(1, ORDERS + 1) if 1 + i % 12 >= 6)
    assert dataset["name"] == "orders" and dataset["row_count"] == june_onwards
    assert dataset["source"] == {
        "source": "sql",
        "connection": "warehouse",
        "query": body["query"],
        "row_cap": ROW_CAP,
        "capped": False,
    }
    assert [c["name"] for c in dataset["profile"]["columns"]] == ["id", "customer", "amount"]
    listed = {d["name"] for d in reader.get("/api/v1/datasets").json()}
    assert "orders" in listed
    rows = reader.get(f"/api/v1/datasets/{dataset['id']}/rows", params={"limit": 2}).json()
    assert rows["total"] == june_onwards and len(rows["rows"]) == 2

    whole = runner.post("/api/v1/datasets/sql", json={
        "connection": "warehouse", "query": "SELECT * FROM orders", "name": "all orders",
    }).json()  # fmt: skip
    assert whole["row_count"] == ROW_CAP and whole["source"]["capped"] is True
    assert f"capped at {ROW_CAP:,} rows" in whole["description"]
    # Trained on like any upload: the config names it.
    plan = runner.post("/api/v1/ml/train", json={
        "algorithm": "linear", "dataset": {"name": "all orders"}, "target_column": "amount",
        "feature_columns": ["id"],
    })  # fmt: skip
    assert plan.status_code == 202, plan.text

    problem(reader.post("/api/v1/datasets/sql", json=body), 403)
    missing = problem(runner.post("/api/v1/datasets/sql",
                                  json={**body, "connection": "warehous"}), 404)  # fmt: skip
    assert "did you mean 'warehouse'" in missing["detail"] and missing["connections"] == [
        "warehouse"
    ]
    refused = problem(runner.post("/api/v1/datasets/sql",
                                  json={**body, "query": "DELETE FROM orders"}), 422)  # fmt: skip
    assert "only a SELECT may be run" in refused["detail"]
    direct = problem(runner.post("/api/v1/ml/train", json={
        "algorithm": "linear", "target_column": "amount",
        "dataset": {"source": "sql", "connection": "warehouse", "query": "SELECT * FROM orders"},
    }), 422)  # fmt: skip
    assert "POST /api/v1/datasets/sql" in direct["detail"]


def test_another_tenants_connection_is_invisible(
    secured: Stack, shop_url: str, keyed: KeyedClient
) -> None:
    admin = keyed("umbrella", "admin")
    assert admin.post("/api/v1/admin/connections", json={
        "tenant_id": "umbrella", "name": "secret-lab", "url": shop_url,
    }).status_code == 201  # fmt: skip
    outsider = keyed("hooli", "run")

    refused = problem(outsider.post("/api/v1/datasets/sql", json={
        "connection": "secret-lab", "query": "SELECT * FROM orders",
    }), 404)  # fmt: skip

    assert "no SQL connection named 'secret-lab'" in refused["detail"]
    assert refused["connections"] == []
    assert outsider.get("/api/v1/connections").json() == []
    # An admin of another tenant removes it by naming the tenant; then it is gone for its own.
    removed = admin.delete("/api/v1/admin/connections/secret-lab",
                           params={"tenant_id": "umbrella"})  # fmt: skip
    assert removed.status_code == 200, removed.text
    owner = keyed("umbrella", "run")
    problem(owner.post("/api/v1/datasets/sql", json={
        "connection": "secret-lab", "query": "SELECT * FROM orders",
    }), 404)  # fmt: skip


def test_an_unreachable_database_is_explained_without_its_secret(
    secured: Stack, keyed: KeyedClient
) -> None:
    admin = keyed("stark", "admin")
    assert admin.post("/api/v1/admin/connections", json={
        "tenant_id": "stark", "name": "down",
        "url": f"postgresql://reader:{SECRET}@127.0.0.1:1/shop",
    }).status_code == 201  # fmt: skip
    runner = keyed("stark", "run")

    failed = problem(runner.post("/api/v1/datasets/sql", json={
        "connection": "down", "query": "SELECT * FROM orders",
    }), 503)  # fmt: skip

    assert "the connection 'down' could not be used" in failed["detail"]
    assert SECRET not in str(failed)


def test_no_log_holds_a_connections_secret(secured: Stack) -> None:
    # Runs last in this module: every connection above has been made, listed, used and failed.
    logs = "\n".join(p.read_text(errors="replace") for p in secured.home.glob("*.log"))
    assert "sql dataset loaded" in logs  # the logs are there, at INFO
    assert SECRET not in logs
