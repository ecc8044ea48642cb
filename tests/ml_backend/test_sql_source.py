"""Reading a query into a dataset: rows streamed into Parquet up to the cap, bounded in time,
and the read-only transaction holding on its own when the guard is bypassed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ml_backend.datasets.sql_connections import parse_connection_url
from ml_backend.datasets.sql_source import SqlLimits, ingest_sql, run_read_only
from ml_backend.errors import MLInputError, SqlConnectionError, SqlRefusedError, SqlSourceError
from tests.sql_databases import (
    ORDERS,
    POSTGRES_URL,
    SECRET,
    make_sqlite_orders,
    postgres_fingerprint,
    postgres_orders,
    sqlite_fingerprint,
)

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="MLCHAT_TEST_POSTGRES_URL is unset")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    (tmp_path / "source").mkdir()
    return make_sqlite_orders(tmp_path / "source" / "shop.db")


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("MLCHAT_TEST_POSTGRES_URL is unset")
    with postgres_orders() as url:
        yield url


def test_a_query_becomes_a_profiled_parquet_dataset(sqlite_url: str, tmp_path: Path) -> None:
    loaded = ingest_sql(sqlite_url, "SELECT id, customer, amount FROM orders WHERE id <= 700",
                        tmp_path / "datasets", SqlLimits(batch_rows=128))  # fmt: skip
    assert loaded.dataset.row_count == 700 and not loaded.capped
    assert [c.name for c in loaded.dataset.profile.columns] == ["id", "customer", "amount"]
    table = pq.read_table(loaded.dataset.path)
    assert table.column("id").to_pylist()[:3] == [1, 2, 3]
    # Streamed in batches, stored in row groups: never one piece the size of the result.
    assert loaded.dataset.path.name == f"{loaded.dataset.content_hash}.parquet"

    again = ingest_sql(sqlite_url, "SELECT id, customer, amount FROM orders WHERE id <= 700",
                       tmp_path / "datasets", SqlLimits(batch_rows=300))  # fmt: skip
    assert again.dataset.content_hash == loaded.dataset.content_hash
    assert sorted(p.name for p in (tmp_path / "datasets").iterdir()) == [again.dataset.path.name]


def test_reading_stops_at_the_row_cap_and_says_so(sqlite_url: str, tmp_path: Path) -> None:
    capped = ingest_sql(sqlite_url, "SELECT * FROM orders", tmp_path,
                        SqlLimits(row_cap=1_000, batch_rows=300))  # fmt: skip
    assert capped.capped and capped.dataset.row_count == 1_000
    exact = ingest_sql(sqlite_url, "SELECT * FROM orders", tmp_path,
                       SqlLimits(row_cap=ORDERS, batch_rows=500))  # fmt: skip
    assert not exact.capped and exact.dataset.row_count == ORDERS


def test_a_query_past_its_time_is_stopped(sqlite_url: str, tmp_path: Path) -> None:
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    with pytest.raises(SqlSourceError, match=r"longer than the 0.5 s limit"):
        ingest_sql(sqlite_url, endless, tmp_path, SqlLimits(timeout_s=0.5))


def test_an_empty_result_and_a_late_typed_column_are_explained(
    sqlite_url: str, tmp_path: Path
) -> None:
    with pytest.raises(SqlSourceError, match=r"returned no rows \(its columns: id, amount\)"):
        ingest_sql(sqlite_url, "SELECT id, amount FROM orders WHERE id < 0", tmp_path, SqlLimits())
    late = "SELECT id, CASE WHEN id > 150 THEN 'vip' END AS tier FROM orders ORDER BY id"
    with pytest.raises(SqlSourceError, match=r"'tier' is empty in the first 100 rows.*CAST"):
        ingest_sql(sqlite_url, late, tmp_path, SqlLimits(batch_rows=100))


def test_the_guard_runs_before_any_connection(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'absent.db'}"
    with pytest.raises(SqlRefusedError, match="holds 2 statements"):
        ingest_sql(missing, "SELECT 1; DELETE FROM orders", tmp_path, SqlLimits())
    with pytest.raises(SqlConnectionError, match=r"'absent\.db' of this connection is not there"):
        ingest_sql(missing, "SELECT 1", tmp_path, SqlLimits())


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"mysql://me:{SECRET}@db/shop", "PostgreSQL and SQLite, not 'mysql'"),
        ("sqlite:///relative/shop.db", "is a relative path"),
        ("sqlite://", "must name its database file"),
        (f"not a url {SECRET}", "could not be read"),
    ],
)
def test_an_unusable_url_is_refused_without_repeating_it(url: str, says: str) -> None:
    with pytest.raises(MLInputError) as refused:
        parse_connection_url(url)
    assert says in refused.value.detail and SECRET not in refused.value.detail


def test_an_unreachable_server_is_named_without_its_password(tmp_path: Path) -> None:
    with pytest.raises(SqlConnectionError) as failed:
        ingest_sql(f"postgresql://reader:{SECRET}@127.0.0.1:1/shop", "SELECT 1", tmp_path,
                   SqlLimits())  # fmt: skip
    assert "could not reach the database" in str(failed.value)
    assert SECRET not in str(failed.value)


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        ("DELETE FROM orders", "not authorized"),
        ("INSERT INTO orders (id) VALUES (-1)", "not authorized"),
        ("CREATE TABLE evil AS SELECT * FROM orders", "not authorized"),
        ("ATTACH DATABASE '{folder}/evil.db' AS evil", "not authorized"),
        ("PRAGMA writable_schema = ON", "not authorized"),
        ("SELECT 1; DELETE FROM orders", "one statement at a time"),
    ],
)
def test_without_the_guard_sqlite_still_only_reads(
    sqlite_url: str, tmp_path: Path, statement: str, says: str
) -> None:
    path = parse_connection_url(sqlite_url).sqlite_path
    before = sqlite_fingerprint(path)
    with pytest.raises(SqlSourceError, match=says):
        run_read_only(parse_connection_url(sqlite_url),
                      statement.format(folder=path.parent), tmp_path / "out.parquet",
                      SqlLimits())  # fmt: skip
    assert sqlite_fingerprint(path) == before


@needs_postgres
def test_postgresql_values_become_plain_columns(postgres_url: str, tmp_path: Path) -> None:
    loaded = ingest_sql(
        postgres_url,
        "SELECT id, amount, created_at, jsonb_build_object('k', id) AS doc, "
        "gen_random_uuid() AS token FROM orders ORDER BY id",
        tmp_path, SqlLimits(row_cap=900, batch_rows=250),
    )  # fmt: skip
    assert loaded.capped and loaded.dataset.row_count == 900
    schema = pq.read_schema(loaded.dataset.path)
    assert [str(t) for t in schema.types] == ["int64", "double", "date32[day]", "string", "string"]
    assert pq.read_table(loaded.dataset.path).column("doc")[0].as_py() == '{"k": 1}'


@needs_postgres
def test_postgresql_stops_a_slow_query(postgres_url: str, tmp_path: Path) -> None:
    slow = "SELECT count(*) FROM generate_series(1, 10000000000) AS g"
    with pytest.raises(SqlSourceError, match=r"longer than the 1 s limit"):
        ingest_sql(postgres_url, slow, tmp_path, SqlLimits(timeout_s=1))


@needs_postgres
@pytest.mark.parametrize(
    ("statement", "says"),
    [
        ("SELECT add_order()", "cannot execute INSERT in a read-only transaction"),
        ("SELECT * FROM orders FOR UPDATE", "in a read-only transaction"),
        ("SELECT set_config('transaction_read_only', 'off', false)", "read-write mode"),
        ("WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone",
         "must not contain data-modifying statements"),
        ("SELECT 1; DELETE FROM orders", "cannot insert multiple commands"),
        ("DELETE FROM orders", "syntax error"),
        ("COPY orders TO PROGRAM 'touch {marker}'", "syntax error"),
    ],
)  # fmt: skip
def test_without_the_guard_postgresql_still_only_reads(
    postgres_url: str, tmp_path: Path, statement: str, says: str
) -> None:
    before = postgres_fingerprint(postgres_url)
    marker = tmp_path / "pwned"
    with pytest.raises(SqlSourceError, match=says):
        run_read_only(parse_connection_url(postgres_url), statement.format(marker=marker),
                      tmp_path / "out.parquet", SqlLimits(timeout_s=5))  # fmt: skip
    assert postgres_fingerprint(postgres_url) == before
    assert not marker.exists()
