"""Known ways to make a dataset query write, wait or read outside the database, sent through
the API to a SQLite file and to the machine's PostgreSQL: each is refused with a message that
says what to write instead, no dataset is made, and nothing in the source database changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.stack import Stack
from tests.sql_databases import (
    POSTGRES_URL,
    make_sqlite_orders,
    postgres_fingerprint,
    postgres_orders,
    sqlite_fingerprint,
)

pytestmark = pytest.mark.integration


class Source:
    """A source database registered as a connection of the local tenant."""

    def __init__(self, kind: str, url: str, folder: Path) -> None:
        self.kind, self.url, self.folder = kind, url, folder
        self.connection = f"bypass-{kind}"

    def fingerprint(self) -> Any:
        if self.kind == "sqlite":
            return sqlite_fingerprint(Path(self.url.removeprefix("sqlite:///")))
        return postgres_fingerprint(self.url)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Source]]:
    """The SQLite source, and the PostgreSQL one when the machine's server is named."""
    folder = tmp_path_factory.mktemp("source-sqlite")
    made = {"sqlite": Source("sqlite", make_sqlite_orders(folder / "shop.db"), folder)}
    if not POSTGRES_URL:
        yield made
        return
    with postgres_orders() as url:
        made["postgresql"] = Source("postgresql", url, tmp_path_factory.mktemp("source-pg"))
        yield made


def register(client: httpx.Client, stack: Stack, sources: dict[str, Source], kind: str
               ) -> Source:  # fmt: skip
    if kind not in sources:
        pytest.skip("MLCHAT_TEST_POSTGRES_URL is unset")
    source = sources[kind]
    tenant = stack.settings.get("MLCHAT_TENANT", "default")
    response = client.post("/api/v1/admin/connections",
                           json={"tenant_id": tenant, "name": source.connection,
                                 "url": source.url})  # fmt: skip
    assert response.status_code in {200, 201, 409}, response.text  # 409: this stack has it already
    return source


BOTH = ["sqlite", "postgresql"]
RAW_BYPASSES: list[tuple[list[str], str, str]] = [
    (BOTH, "SELECT * INTO stolen FROM orders", "SELECT ... INTO creates a table"),
    (BOTH, "WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone",
     "contains a DELETE statement"),
    (BOTH, "SELECT * FROM orders; DROP TABLE orders", "holds 2 statements"),
    (BOTH, "SELECT 1; DELETE FROM orders; SELECT 2", "holds 3 statements"),
    (BOTH, "UPDATE orders SET amount = 0", "this is an UPDATE statement"),
    (BOTH, "CREATE TABLE evil AS SELECT * FROM orders", "this is a CREATE statement"),
    (["sqlite"], "ATTACH DATABASE '{folder}/evil.db' AS evil", "this is an ATTACH statement"),
    (["sqlite"], "PRAGMA writable_schema = ON", "this is a PRAGMA statement"),
    (["sqlite"], "SELECT load_extension('{folder}/evil.so')", "load_extension() is not allowed"),
    (["postgresql"], "SELECT pg_read_file('/etc/passwd')", "pg_read_file() is not allowed"),
    (["postgresql"], "SELECT pg_catalog.pg_read_file('/etc/passwd')", "pg_read_file()"),
    (["postgresql"], "SELECT pg_sleep(600)", "pg_sleep() is not allowed"),
    (["postgresql"], "COPY orders TO PROGRAM 'touch {folder}/pwned'", "this is a COPY statement"),
    (["postgresql"], "SELECT query_to_xml('DELETE FROM orders RETURNING id', true, false, '')",
     "query_to_xml() is not allowed"),
    (["postgresql"], "SELECT set_config('transaction_read_only', 'off', false)", "set_config()"),
    (["postgresql"], "SELECT add_order()", "read-only transaction"),
    (BOTH, "SELECT * FROM orders FOR UPDATE", "FOR UPDATE / FOR SHARE"),
    # Comments and strings that hide a second statement from a careless reader.
    (BOTH, "SELECT * FROM orders -- only a comment?\n; DELETE FROM orders", "holds 2 statements"),
    (BOTH, "SELECT * FROM orders /* ; */ ; DELETE FROM orders", "holds 2 statements"),
    (BOTH, "SELECT '\\'; DELETE FROM orders; --'", "holds 3 statements"),
    (["postgresql"], "SELECT $$x$$; DELETE FROM orders", "holds 2 statements"),
    (BOTH, "DELETE FROM orders WHERE 'SELECT' = 'SELECT'", "this is a DELETE statement"),
    (BOTH, "SELEC * FROM orders", "could not be read"),
]  # fmt: skip
BYPASSES = [(kind, query, says) for kinds, query, says in RAW_BYPASSES for kind in kinds]


@pytest.mark.parametrize(("kind", "query", "says"), BYPASSES)
def test_a_known_bypass_is_refused_and_changes_nothing(
    client: httpx.Client,
    stack: Stack,
    sources: dict[str, Source],
    kind: str,
    query: str,
    says: str,
) -> None:
    source = register(client, stack, sources, kind)
    before = source.fingerprint()
    datasets_before = len(client.get("/api/v1/datasets").json())

    response = client.post("/api/v1/datasets/sql", json={
        "source": "sql", "connection": source.connection,
        "query": query.format(folder=source.folder),
    })  # fmt: skip

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert says in response.json()["detail"]
    assert response.json()["field"] == "query"
    assert source.fingerprint() == before
    assert not (source.folder / "pwned").exists() and not (source.folder / "evil.db").exists()
    assert len(client.get("/api/v1/datasets").json()) == datasets_before


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_statement_inside_a_nested_comment_never_runs(
    client: httpx.Client, stack: Stack, sources: dict[str, Source], kind: str
) -> None:
    source = register(client, stack, sources, kind)
    before = source.fingerprint()
    query = "SELECT count(*) AS n FROM orders /* /* */ ; DELETE FROM orders; /* */ */"
    response = client.post("/api/v1/datasets/sql", json={
        "connection": source.connection, "query": query, "name": f"comment trick {kind}",
    })  # fmt: skip
    if kind == "sqlite":
        # SQLite does not nest comments: to it the first */ ends the comment, and what follows
        # is not SQL.
        assert response.status_code == 422 and "could not be read" in response.json()["detail"]
    else:
        # PostgreSQL nests them: the DELETE is inside the comment, and what runs is the guard's
        # own rendering of the tree it read, the SELECT alone.
        assert response.status_code == 201, response.text
        dataset = response.json()
        assert dataset["row_count"] == 1 and dataset["source"]["query"] == query
        assert client.get(f"/api/v1/datasets/{dataset['id']}/rows").json()["rows"] == [{"n": 2_500}]
        client.delete(f"/api/v1/datasets/{dataset['id']}")
    assert source.fingerprint() == before
