"""Loads from a SQL connection as the agent reads them: the table the catalog has, a date window
on its date column for a period said in words (five languages), a SELECT written out taken as
it is, a question when the table is missing, and every call checked by the SQL guard."""

from __future__ import annotations

from datetime import date

import pytest

from agents.context import ConnectionContext, SchemaContext
from agents.languages import to_english
from agents.planner.sql_load import LoadReading, date_window, read_load
from agents.validation import ToolArgumentError, validate_call
from ml_backend.datasets.sql_catalog import ColumnInfo, TableInfo

TODAY = date(2026, 12, 2)
ORDERS = TableInfo("orders", (ColumnInfo("id", "number"), ColumnInfo("ordered_at", "date"),
                              ColumnInfo("amount", "number")))  # fmt: skip
ITEMS = TableInfo("order_items", (ColumnInfo("order_id", "number"), ColumnInfo("sku", "text")))
CUSTOMERS = TableInfo("sales.customers", (ColumnInfo("id", "number"),
                                          ColumnInfo("signup_date", "text")))  # fmt: skip
WAREHOUSE = ConnectionContext("warehouse", "postgresql", (ORDERS, ITEMS, CUSTOMERS))
NOVEMBER = "\"ordered_at\" >= '2026-11-01' AND \"ordered_at\" < '2026-12-01'"


def read(text: str, connections: list[ConnectionContext] | None = None) -> LoadReading | None:
    english, _ = to_english(text, protected=set())
    return read_load(text, english, connections or [WAREHOUSE], TODAY)


@pytest.mark.parametrize("text", [
    "load last month's orders from the warehouse",
    "pull the orders of the previous month from the db",
    "carga los pedidos del mes pasado desde warehouse",
    "charge les commandes du mois dernier depuis warehouse",
    "lade die Bestellungen vom letzten Monat aus dem warehouse",
    "carregue os pedidos do mês passado do warehouse",
])  # fmt: skip
def test_a_period_in_words_is_a_window_on_the_tables_date_column(text: str) -> None:
    reading = read(text)
    assert reading is not None and reading.call is not None, reading
    assert reading.call["connection"] == "warehouse"
    assert reading.call["query"] == f"SELECT * FROM orders WHERE {NOVEMBER}"
    assert reading.call["name"] == "orders 2026-11-01 to 2026-11-30"


@pytest.mark.parametrize(("said", "start", "end"), [
    ("the last 30 days", date(2026, 11, 2), date(2026, 12, 3)),
    ("last week", date(2026, 11, 23), date(2026, 11, 30)),
    ("this year", date(2026, 1, 1), date(2026, 12, 3)),
    ("in 2025", date(2025, 1, 1), date(2026, 1, 1)),
    ("since 2026-06-15", date(2026, 6, 15), date(2026, 12, 3)),
    ("yesterday", date(2026, 12, 1), date(2026, 12, 2)),
])  # fmt: skip
def test_periods(said: str, start: date, end: date) -> None:
    window = date_window(f"load orders of {said}", TODAY)
    assert window is not None and window[:2] == (start, end)


def test_the_longest_table_name_wins_and_a_schema_is_kept() -> None:
    items = read("load the order items table from the warehouse")
    assert items is not None and items.call is not None
    assert items.call["query"] == "SELECT * FROM order_items"
    customers = read("import customers from the warehouse signed up in 2025")
    assert customers is not None and customers.call is not None
    # A text column named like a date serves as one (SQLite keeps dates as text).
    assert customers.call["query"] == (
        "SELECT * FROM sales.customers WHERE \"signup_date\" >= '2025-01-01' "
        "AND \"signup_date\" < '2026-01-01'"
    )


def test_a_written_select_is_taken_as_written_without_the_connection_words() -> None:
    reading = read("load SELECT id, amount FROM orders WHERE amount > 10 from the warehouse")
    assert reading is not None and reading.call is not None
    assert reading.call["query"] == "SELECT id, amount FROM orders WHERE amount > 10"
    fenced = read("load `select * from orders limit 5` from warehouse")
    assert fenced is not None and fenced.call is not None
    assert fenced.call["query"] == "select * from orders limit 5"


def test_what_is_missing_is_asked_and_other_requests_are_left_alone() -> None:
    asked = read("load from the warehouse")
    assert asked is not None and asked.question is not None
    assert "orders" in asked.question and "order_items" in asked.question
    no_dates = read("load last month's order items from the warehouse")
    assert no_dates is not None and no_dates.question and "no date column" in no_dates.question
    for text in ["train xgboost on species with the penguins data",
                 "show a histogram of amount", "what columns are there?",
                 "predict churn with the columns from the survey"]:  # fmt: skip
        assert read(text) is None, text


def test_two_connections_need_the_name() -> None:
    other = ConnectionContext("crm", "sqlite", (TableInfo("leads", (ColumnInfo("id", "number"),)),))
    assert read("load the leads table from the database", [WAREHOUSE, other]) is not None
    named = read("load the leads from crm", [WAREHOUSE, other])
    assert named is not None and named.call is not None and named.call["connection"] == "crm"
    assert read("load orders from the database", [WAREHOUSE, other]) is None


def test_every_load_call_passes_the_guard_or_is_refused_with_a_reason() -> None:
    context = SchemaContext(datasets=[], connections=[WAREHOUSE])
    for text in ["load last month's orders from the warehouse",
                 "load the order items table from the warehouse"]:  # fmt: skip
        reading = read(text)
        assert reading is not None and reading.call is not None
        validate_call("load_sql", reading.call, context)
    with pytest.raises(ToolArgumentError, match="one SELECT"):
        validate_call("load_sql", {"connection": "warehouse",
                                   "query": "SELECT 1; DROP TABLE orders"}, context)  # fmt: skip
    with pytest.raises(ToolArgumentError, match="warehouse"):
        validate_call("load_sql", {"connection": "warehous", "query": "SELECT 1"}, context)
