"""Reading "load last month's orders from the warehouse" as a query on a registered connection.

The query is built, never taken from the words: a table the connection's catalog has, every
column, and a date window on one of its date columns when the message asks for a period. A
SELECT the person writes out is taken as written; the guard checks both alike. Nothing here
runs anything: the result is a `load_sql` call that waits for a yes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlglot
from sqlglot import exp

from agents.context import ConnectionContext
from ml_backend.datasets.sql_catalog import TableInfo
from ml_backend.datasets.sql_guard import dialect_of

# One line per language: en, es, fr, de, pt.
_LOAD_VERBS = frozenset(
    re.findall(
        r"\S+",
        """
load import pull fetch bring read query extract
carga cargar cargue importa importar trae traer lee leer extrae
charge charger chargez importe importer importez récupère récupérer ramène
lade laden lies lesen importiere importieren hole holen
carregue carregar carrega importe importar traga trazer busque buscar
""",
    )
)
_DATABASE_WORDS = frozenset(
    re.findall(
        r"\S+",
        """
warehouse database db sql dwh datawarehouse
almacén almacen base entrepôt entrepot datenbank banco armazém armazem
""",
    )
)

_WORD = re.compile(r"[\w.]+", re.UNICODE)
_SQL = re.compile(r"\b(?:select\s.+?\sfrom|with\s+\w+\s+as\s*\()\s.+",
                  re.IGNORECASE | re.DOTALL)  # fmt: skip
_FENCED = re.compile(r"```(?:sql)?\s*(.+?)```|`([^`]+)`", re.IGNORECASE | re.DOTALL)

_UNITS = {
    "day": 1, "days": 1, "días": 1, "dias": 1, "jours": 1, "jour": 1, "tage": 1, "tagen": 1,
    "week": 7, "weeks": 7, "semanas": 7, "semaines": 7, "wochen": 7,
    "month": 30, "months": 30, "meses": 30, "mois": 30, "monate": 30, "monaten": 30,
    "year": 365, "years": 365, "años": 365, "anos": 365, "ans": 365, "jahre": 365, "jahren": 365,
}  # fmt: skip
_LAST_N = re.compile(
    r"\b(?:last|past|previous|últimos|ultimos|derniers|dernières|letzten|vergangenen)\s+"
    r"(\d{1,4})\s+(" + "|".join(_UNITS) + r")\b"
)
_PERIODS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:last|previous|past) month\b|\bmonth (?:last|pasado|passado|dernier)\b|"
                r"mes pasado|mês passado|mois dernier|mois précédent|letzten monat|vormonat|"
                r"vorigen monat"), "previous month"),
    (re.compile(r"\bthis month\b|este mes\b|este mês|ce mois|diesen monat"), "this month"),
    (re.compile(r"\b(?:last|previous|past) week\b|semana pasada|semana passada|"
                r"semaine dernière|letzte woche|letzten woche"), "previous week"),
    (re.compile(r"\bthis week\b|esta semana|cette semaine|diese woche"), "this week"),
    (re.compile(r"\b(?:last|previous|past) year\b|año pasado|ano passado|année dernière|"
                r"letztes jahr|letzten jahr|vorjahr"), "previous year"),
    (re.compile(r"\bthis year\b|este año|este ano|cette année|dieses jahr"), "this year"),
    (re.compile(r"\byesterday\b|\bayer\b|\bhier\b|\bgestern\b|\bontem\b"), "yesterday"),
    (re.compile(r"\btoday\b|\bhoy\b|aujourd'hui|\bheute\b|\bhoje\b"), "today"),
]  # fmt: skip
_SINCE = re.compile(r"\b(?:since|from|desde|depuis|seit|a partir de)\s+(\d{4}-\d{2}-\d{2})\b")
_IN_YEAR = re.compile(r"\b(?:in|en|em|im|during)\s+((?:19|20)\d{2})\b")
_DATE_NAMES = ("created", "date", "time", "ordered", "_at", "day", "timestamp")


@dataclass(frozen=True)
class LoadReading:
    """A load the message asks for: the call to make, or a question when something is missing."""

    call: dict[str, Any] | None = None
    question: str | None = None


def read_load(text: str, english: str, connections: list[ConnectionContext],
              today: date) -> LoadReading | None:  # fmt: skip
    """The load `text` asks for, or None when it asks for no load from a connection."""
    lowered = f"{text.lower()}\n{english.lower()}"
    words = {word.strip(".") for word in _WORD.findall(lowered)}
    connection = _connection_named(words, connections)
    written = _written_query(text)
    if written is not None and connection is not None:
        query = _strip_connection_tail(written, connection.name)
        return LoadReading(call={"connection": connection.name, "query": query})
    if not words & _LOAD_VERBS:
        return None
    table = _table_named(lowered, words, connection, connections)
    if connection is None and table is not None:
        if "table" not in words and "tabla" not in words and "table" not in lowered:
            return None
        connection = table[0]
    if connection is None:
        return None
    if connection.problem:
        return LoadReading(
            question=f"I cannot read the connection '{connection.name}' just now "
            f"({connection.problem}); try again, or ask an administrator."
        )
    if table is None:
        names = ", ".join(t.name for t in connection.tables[:30]) or "none"
        return LoadReading(question=f"Which table of '{connection.name}' should I load? "
                           f"It has: {names}.")  # fmt: skip
    return _planned(connection, table[1], lowered, today)


def _planned(connection: ConnectionContext, table: TableInfo, lowered: str,
             today: date) -> LoadReading:  # fmt: skip
    window = date_window(lowered, today)
    select = exp.select("*").from_(exp.to_table(table.name))
    name = table.name.rsplit(".", 1)[-1]
    if window is not None:
        column = _date_column(table, lowered)
        if column is None:
            return LoadReading(question=(
                f"'{table.name}' has no date column to take {window[2]} from; shall I load all "
                f"of it? Say 'load {table.name} from {connection.name}'."))  # fmt: skip
        start, end, _said = window
        field = exp.column(column, quoted=True)
        select = select.where(
            exp.and_(
                field >= exp.Literal.string(start.isoformat()),
                field < exp.Literal.string(end.isoformat()),
            )
        )
        name = f"{name} {start.isoformat()} to {(end - timedelta(days=1)).isoformat()}"
    limit = re.search(r"\b(?:first|top|limit)\s+(\d{1,9})\s+rows?\b", lowered)
    if limit:
        select = select.limit(int(limit.group(1)))
    query = select.sql(dialect=dialect_of(connection.backend), pretty=False)
    return LoadReading(call={"connection": connection.name, "query": query, "name": name[:200]})


def date_window(lowered: str, today: date) -> tuple[date, date, str] | None:
    """The period a message names, as [start, end) dates and the words that named it."""
    found = _LAST_N.search(lowered)
    if found:
        days = int(found.group(1)) * _UNITS[found.group(2)]
        return today - timedelta(days=days), today + timedelta(days=1), found.group(0)
    for pattern, period in _PERIODS:
        said = pattern.search(lowered)
        if said:
            start, end = _period(period, today)
            return start, end, said.group(0)
    since = _SINCE.search(lowered)
    if since:
        try:
            return date.fromisoformat(since.group(1)), today + timedelta(days=1), since.group(0)
        except ValueError:
            return None
    year = _IN_YEAR.search(lowered)
    if year:
        number = int(year.group(1))
        return date(number, 1, 1), date(number + 1, 1, 1), year.group(0)
    return None


def _period(period: str, today: date) -> tuple[date, date]:
    month_start = today.replace(day=1)
    week_start = today - timedelta(days=today.weekday())
    if period == "previous month":
        previous = (month_start - timedelta(days=1)).replace(day=1)
        return previous, month_start
    if period == "this month":
        return month_start, today + timedelta(days=1)
    if period == "previous week":
        return week_start - timedelta(days=7), week_start
    if period == "this week":
        return week_start, today + timedelta(days=1)
    if period == "previous year":
        return date(today.year - 1, 1, 1), date(today.year, 1, 1)
    if period == "this year":
        return date(today.year, 1, 1), today + timedelta(days=1)
    if period == "yesterday":
        return today - timedelta(days=1), today
    return today, today + timedelta(days=1)


def _connection_named(words: set[str], connections: list[ConnectionContext]
                      ) -> ConnectionContext | None:  # fmt: skip
    for connection in connections:
        if connection.name.lower() in words:
            return connection
    if len(connections) == 1 and words & _DATABASE_WORDS:
        return connections[0]
    return None


def _table_named(
    lowered: str,
    words: set[str],
    connection: ConnectionContext | None,
    connections: list[ConnectionContext],
) -> tuple[ConnectionContext, TableInfo] | None:
    """The table the message names (its full name, its name without schema, or that name's
    singular), longest first so 'order_items' beats 'orders'."""
    candidates = [connection] if connection is not None else connections
    named: list[tuple[int, ConnectionContext, TableInfo]] = []
    for owner in candidates:
        for table in owner.tables:
            for form in _forms(table.name):
                if form in words or (" " in form and form in lowered):
                    named.append((len(form), owner, table))
                    break
    if not named:
        return None
    _, owner, table = max(named, key=lambda found: found[0])
    return owner, table


def _forms(name: str) -> list[str]:
    bare = name.lower().rsplit(".", 1)[-1]
    forms = [name.lower(), bare, bare.replace("_", " ")]
    if bare.endswith("s") and len(bare) > 3:
        forms.append(bare[:-1])
    return forms


def _date_column(table: TableInfo, lowered: str) -> str | None:
    # SQLite keeps dates as text: a text column named like a date is one there.
    dates = table.date_columns or [
        c.name for c in table.columns
        if c.kind == "text" and any(n in c.name.lower() for n in _DATE_NAMES)
    ]  # fmt: skip
    if not dates:
        return None
    said = [c for c in dates if c.lower() in lowered or c.lower().replace("_", " ") in lowered]
    if said:
        return said[0]
    return next((c for c in dates if any(n in c.lower() for n in _DATE_NAMES)), dates[0])


def _written_query(text: str) -> str | None:
    for fenced in _FENCED.finditer(text):
        body = (fenced.group(1) or fenced.group(2) or "").strip()
        if _SQL.match(body):
            return body
    found = _SQL.search(text)
    return found.group(0).strip() if found else None


def _strip_connection_tail(query: str, connection: str) -> str:
    """'SELECT ... FROM orders from the warehouse' → 'SELECT ... FROM orders'."""
    tail = re.compile(
        r"\s+(?:from|on|in|using|via|with)\s+(?:the\s+)?" + re.escape(connection)
        + r"(?:\s+(?:connection|database|db|warehouse))?\s*[.!?]?\s*$", re.IGNORECASE,
    )  # fmt: skip
    stripped = tail.sub("", query).strip().rstrip(";").strip()
    try:
        sqlglot.parse_one(stripped)
    except sqlglot.errors.ParseError:
        return query
    return stripped
