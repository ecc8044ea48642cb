"""The schema context: what the agent knows about the tenant's data and components."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ml_backend.components import component_catalogue
from ml_backend.datasets.sql_catalog import TableInfo
from ml_backend.jobs.budget import JobBudget
from ml_backend.schema import DatasetProfile
from ml_backend.suggestions import did_you_mean

MAX_SAMPLE_VALUES = 3


@dataclass(frozen=True)
class DatasetContext:
    """One dataset the agent may use: how configs refer to it, and its profile."""

    id: int
    name: str
    profile: DatasetProfile
    description: str | None = None
    size_bytes: int | None = None
    """As stored, for the tenant's dataset limit; None where it is not known."""
    version: int = 1
    """Which version of the dataset called `name` this is (an upload under a used name, a
    refresh, a restore each make the next)."""

    @property
    def ref(self) -> dict[str, Any]:
        return {"name": self.name}

    def describe(self) -> str:
        """The profile as compact lines a model can read: one column per line."""
        lines = [f"dataset '{self.name}' (id {self.id}): {self.profile.row_count} rows"]
        for column in self.profile.columns:
            facts = [column.kind.value, column.dtype, f"{column.distinct} distinct"]
            if column.missing:
                facts.append(f"{column.missing} missing")
            if column.min is not None and column.max is not None:
                facts.append(f"range {column.min}..{column.max}")
            samples = ", ".join(repr(v) for v in column.samples[:MAX_SAMPLE_VALUES])
            # Column names and values are data: quoted, never read as instructions.
            lines.append(f"- column {json.dumps(column.name)}: {'; '.join(facts)}; e.g. {samples}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ConnectionContext:
    """A SQL connection the tenant may load from: its name, backend and tables (empty when its
    database could not be read just now; `problem` says why)."""

    name: str
    backend: str
    tables: tuple[TableInfo, ...] = ()
    problem: str | None = None

    def table(self, name: str) -> TableInfo | None:
        return next((t for t in self.tables if t.name.lower() == name.lower()), None)

    def describe(self) -> str:
        if self.problem:
            return f"connection '{self.name}' ({self.backend}): unreadable now ({self.problem})"
        tables = "; ".join(
            f"{json.dumps(t.name)} ({', '.join(c.name for c in t.columns[:12])})"
            for t in self.tables[:40]
        )
        return f"connection '{self.name}' ({self.backend}) tables: {tables or 'none'}"


@dataclass
class SchemaContext:
    """The tenant's datasets and the one the conversation is about, if any, and the SQL
    connections it may load new ones from."""

    datasets: list[DatasetContext]
    focus: DatasetContext | None = None
    components: list[dict[str, Any]] = field(default_factory=component_catalogue)
    connections: list[ConnectionContext] = field(default_factory=list)

    def connection(self, name: str) -> ConnectionContext:
        """The connection called `name`, or LookupError naming those there are."""
        for connection in self.connections:
            if connection.name == name:
                return connection
        names = [c.name for c in self.connections]
        if not names:
            raise LookupError("no SQL connection is registered for you; an administrator adds "
                              "one with `mlchat connections add`")  # fmt: skip
        raise LookupError(
            f"no connection {name!r}{did_you_mean(name, names)} Connections: {', '.join(names)}"
        )

    budget: JobBudget | None = None
    """What one of the tenant's jobs may take; None: no limits to check."""

    def dataset(self, ref: dict[str, Any] | None) -> DatasetContext:
        """The dataset a config refers to (by id or name), else the focus; a clear error."""
        if not ref:
            if self.focus is None:
                raise LookupError(
                    "no dataset chosen: name one of " + ", ".join(d.name for d in self.datasets)
                )
            return self.focus
        for dataset in self.datasets:
            if ref.get("id") == dataset.id or ref.get("name") == dataset.name:
                return dataset
        wanted = str(ref.get("name") or ref.get("id"))
        names = [d.name for d in self.datasets]
        raise LookupError(
            f"no dataset {wanted!r}{did_you_mean(wanted, names)} Available: {', '.join(names)}"
        )

    def prompt(self) -> str:
        """The context as text for a language model's system message."""
        focus = self.focus.describe() if self.focus else "No dataset chosen yet."
        others = ", ".join(d.name for d in self.datasets if d is not self.focus)
        text = f"Current dataset:\n{focus}\nOther datasets: {others or 'none'}"
        if self.connections:
            text += "\nSQL connections (load_sql reads one SELECT into a new dataset):\n"
            text += "\n".join(c.describe() for c in self.connections)
        return text
