"""The SQL guard: one read-only SELECT passes, re-rendered without comments; anything else is
refused with a message that says what to write instead."""

from __future__ import annotations

import pytest

from ml_backend.datasets.sql_guard import check_query
from ml_backend.errors import SqlRefusedError

PG, LITE = "postgresql", "sqlite"


@pytest.mark.parametrize(
    ("backend", "query"),
    [
        (PG, "SELECT * FROM orders WHERE created_at >= date_trunc('month', now()) - interval "
             "'1 month'"),
        (PG, "WITH recent AS (SELECT * FROM orders WHERE id > 3) SELECT id FROM recent"),
        (PG, "SELECT id FROM orders UNION ALL SELECT id FROM archive ORDER BY 1"),
        (PG, "SELECT name, count(*) FROM orders GROUP BY name HAVING count(*) > 1"),
        (PG, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) "
             "SELECT i FROM n"),
        (LITE, "SELECT strftime('%Y', created_at) AS year, amount FROM orders LIMIT 10"),
        (LITE, "SELECT * FROM orders WHERE name LIKE 'a%' AND note = 'it''s'"),
    ],
)  # fmt: skip
def test_a_single_select_passes(backend: str, query: str) -> None:
    checked = check_query(query, backend)
    assert checked.sql.upper().startswith(("SELECT", "WITH"))
    assert "orders" in checked.tables or "n" in checked.tables


def test_what_runs_is_the_checked_tree_without_its_comments() -> None:
    checked = check_query("SELECT id /* the key */ FROM orders -- all of them", PG)
    assert checked.sql == "SELECT id FROM orders"
    assert checked.tables == ("orders",)


def test_a_string_the_server_reads_differently_runs_as_the_guard_read_it() -> None:
    # E'\'...' is one string to both readers; rendered again, it stays one quoted string.
    checked = check_query("SELECT E'\\'; DELETE FROM orders; --'", PG)
    assert checked.sql == "SELECT e'''; DELETE FROM orders; --'"


@pytest.mark.parametrize(
    ("backend", "query", "says"),
    [
        (PG, "SELECT * INTO copy FROM orders", "SELECT ... INTO creates a table"),
        (LITE, "SELECT * INTO copy FROM orders", "SELECT ... INTO creates a table"),
        (PG, "WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone",
         "contains a DELETE statement"),
        (PG, "WITH t AS (UPDATE orders SET amount = 0 RETURNING id) SELECT * FROM t",
         "contains an UPDATE statement"),
        (PG, "SELECT * FROM orders; DROP TABLE orders", "holds 2 statements"),
        (PG, "SELECT * FROM orders -- harmless?\n; DELETE FROM orders", "holds 2 statements"),
        (LITE, "SELECT '\\'; DELETE FROM orders; --'", "holds 3 statements"),
        (PG, "SELECT $$x$$; DELETE FROM orders", "holds 2 statements"),
        (PG, "DELETE FROM orders", "this is a DELETE statement"),
        (PG, "INSERT INTO orders SELECT * FROM orders", "this is an INSERT statement"),
        (PG, "CREATE TABLE evil AS SELECT * FROM orders", "this is a CREATE statement"),
        (PG, "COPY orders TO PROGRAM 'touch /tmp/x'", "this is a COPY statement"),
        (PG, "EXPLAIN ANALYZE DELETE FROM orders", "this is an EXPLAIN command"),
        (PG, "SET ROLE postgres", "this is a SET command"),
        (LITE, "ATTACH DATABASE '/tmp/evil.db' AS evil", "this is an ATTACH statement"),
        (LITE, "PRAGMA writable_schema = ON", "this is a PRAGMA statement"),
        (PG, "SELECT pg_read_file('/etc/passwd')", "pg_read_file() is not allowed"),
        (PG, "SELECT pg_catalog.pg_read_file('/etc/passwd')", "pg_read_file() is not allowed"),
        (PG, "SELECT PG_SLEEP(30)", "pg_sleep() is not allowed"),
        (PG, "SELECT * FROM pg_ls_dir('.')", "pg_ls_dir() is not allowed"),
        (PG, "SELECT lo_export(1, '/tmp/x')", "lo_export() is not allowed"),
        (PG, "SELECT set_config('transaction_read_only', 'off', false)", "set_config()"),
        (PG, "SELECT * FROM dblink('dbname=x', 'DELETE FROM orders') AS t(a int)", "dblink()"),
        (PG, "SELECT query_to_xml('DELETE FROM orders RETURNING *', true, false, '')",
         "query_to_xml() is not allowed"),
        (LITE, "SELECT load_extension('/tmp/evil.so')", "load_extension() is not allowed"),
        (LITE, "SELECT writefile('/tmp/x', 'y')", "writefile() is not allowed"),
        (PG, "SELECT * FROM orders FOR UPDATE", "FOR UPDATE / FOR SHARE"),
        (PG, "SELECT rolpassword FROM pg_authid", "holds database secrets"),
        (PG, "SELECT * FROM orders WHERE id = %s", "parameter placeholder"),
        (PG, "SELEC * FROM orders", "could not be read as postgresql SQL"),
        (PG, "SELECT 'unterminated FROM orders", "could not be read"),
        (PG, " ; ", "the query is empty"),
        (PG, "VALUES (1)", "only a SELECT may be run"),
    ],
)  # fmt: skip
def test_anything_but_one_select_is_refused_saying_why(backend: str, query: str, says: str) -> None:
    with pytest.raises(SqlRefusedError) as refused:
        check_query(query, backend)
    assert says in refused.value.detail


def test_a_backend_mlchat_does_not_read_is_refused() -> None:
    with pytest.raises(SqlRefusedError, match="PostgreSQL and SQLite, not mysql"):
        check_query("SELECT 1", "mysql")
