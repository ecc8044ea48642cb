"""The first line of defence for a dataset's SQL: exactly one read-only SELECT, or a refusal.

The query is parsed with sqlglot in the connection's dialect and refused unless it is one
SELECT (or a UNION/INTERSECT/EXCEPT of them, with WITH over SELECTs only) that contains no
statement of another kind anywhere in its tree, no row lock, no placeholder and no function
that reaches outside the query (files, sleeping, other connections, settings).

What runs afterwards is not the text the person wrote but sqlglot's own rendering of the tree
it checked, comments dropped: a string that the parser and the server would read differently
(nested comments, escape-string tricks) cannot smuggle a second statement past this check.
The read-only transaction (`sql_source`) is the second, independent line.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from ml_backend.errors import SqlRefusedError

DIALECTS = {"postgresql": "postgres", "sqlite": "sqlite"}
"""SQLAlchemy's backend name -> sqlglot's dialect name, for the backends mlchat reads from."""

_STATEMENTS: tuple[type[exp.Expr], ...] = (
    exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter,
    exp.TruncateTable, exp.Copy, exp.Command, exp.Attach, exp.Detach, exp.Pragma, exp.Set,
    exp.Use, exp.Transaction, exp.Commit, exp.Rollback, exp.Grant, exp.Revoke, exp.LoadData,
    exp.Analyze, exp.Describe, exp.Kill, exp.Refresh, exp.Cache, exp.Uncache, exp.Execute,
    exp.Declare, exp.Comment, exp.Show, exp.Put, exp.Get, exp.Export, exp.LockingStatement,
)  # fmt: skip
"""Statements that are not a plain read; refused at the root and anywhere inside the tree."""

_FUNCTION_PREFIXES = ("pg_", "lo_", "dblink", "query_to_", "cursor_to_", "sqlar", "zipfile")
"""Server functions by family: PostgreSQL's admin and file functions (pg_read_file, pg_sleep,
pg_terminate_backend, pg_ls_dir...), large objects (lo_import/lo_export write server files),
dblink (another connection, outside this transaction), query_to_xml (runs a query given as a
string, which no parser could check), SQLite's archive and zip virtual tables."""

_FUNCTIONS = frozenset({
    "set_config", "current_setting", "nextval", "setval", "txid_current", "load_extension",
    "readfile", "writefile", "edit", "fts3_tokenizer", "sqlite_dbpage", "table_to_xml",
    "schema_to_xml", "database_to_xml", "xmlparse",
})  # fmt: skip
"""Single functions that change settings or sequences, load code, touch files, or dump whole
schemas."""

_TABLES = frozenset({"pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings",
                     "pg_largeobject", "sqlite_dbpage"})  # fmt: skip
"""Catalog tables that hold secrets or raw pages: never a dataset."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query the guard accepted: `sql` is what to run, `tables` the tables it reads."""

    sql: str
    tables: tuple[str, ...]


def dialect_of(backend: str) -> str:
    """sqlglot's dialect for a SQLAlchemy backend name, or a refusal for one mlchat cannot read."""
    try:
        return DIALECTS[backend]
    except KeyError:
        raise SqlRefusedError(
            f"mlchat reads datasets from PostgreSQL and SQLite, not {backend}; register a "
            "connection to one of those (postgresql://... or sqlite:////path/to/file.db)"
        ) from None


def check_query(query: str, backend: str) -> CheckedQuery:
    """The query as it may run on `backend` ('postgresql' or 'sqlite'), or SqlRefusedError."""
    dialect = dialect_of(backend)
    try:
        trees = [tree for tree in sqlglot.parse(query, read=dialect) if tree is not None]
    except (ParseError, TokenError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SqlRefusedError(
            f"the query could not be read as {backend} SQL ({first_line}); write one SELECT "
            "statement, e.g. SELECT * FROM orders WHERE ..."
        ) from None
    if not trees:
        raise SqlRefusedError("the query is empty; write one SELECT, e.g. SELECT * FROM orders")
    if len(trees) > 1:
        raise SqlRefusedError(
            f"only one SELECT may be run, and the query holds {len(trees)} statements; "
            "remove everything after the first ';'"
        )
    tree = trees[0]
    if not isinstance(tree, exp.Query):
        raise SqlRefusedError(
            f"only a SELECT may be run, and this is {_statement_name(tree)}; a dataset is read, "
            "never written: write SELECT ... FROM ..."
        )
    for node in tree.walk():
        _check_node(node)
    tables = tuple(dict.fromkeys(table.name for table in tree.find_all(exp.Table) if table.name))
    return CheckedQuery(sql=tree.sql(dialect=dialect, comments=False), tables=tables)


def _check_node(node: exp.Expr) -> None:
    if isinstance(node, exp.Into):
        raise SqlRefusedError(
            "SELECT ... INTO creates a table; a dataset query may only read: remove the INTO"
        )
    if isinstance(node, _STATEMENTS):
        raise SqlRefusedError(
            f"the query contains {_statement_name(node)} (inside a WITH or a subquery); only "
            "reading is allowed: every part of the query must be a SELECT"
        )
    if isinstance(node, exp.Lock):
        raise SqlRefusedError(
            "FOR UPDATE / FOR SHARE lock rows that other people write to; remove the lock "
            "clause, reading needs none"
        )
    if isinstance(node, exp.Placeholder | exp.Parameter):
        raise SqlRefusedError(
            "the query has a parameter placeholder (?, %s or :name) and there is nothing to "
            "fill it with; write the value into the query"
        )
    if isinstance(node, exp.Func):
        name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
        if name in _FUNCTIONS or name.startswith(_FUNCTION_PREFIXES):
            raise SqlRefusedError(
                f"the function {name}() is not allowed in a dataset query: it reaches outside "
                "the query (files, settings, sleeping, other connections or administration); "
                "select plain columns and expressions"
            )
    if isinstance(node, exp.Table) and node.name.lower() in _TABLES:
        raise SqlRefusedError(
            f"the table {node.name} holds database secrets or raw pages and cannot become a "
            "dataset; select from your own tables"
        )


def _statement_name(node: exp.Expr) -> str:
    kind = str(node.this).upper() if isinstance(node, exp.Command) else node.key.upper()
    article = "an" if kind[:1] in "AEIOU" else "a"
    return f"{article} {kind} {'command' if isinstance(node, exp.Command) else 'statement'}"
