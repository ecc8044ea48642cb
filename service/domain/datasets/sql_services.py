"""Datasets from SQL: a tenant's connection, a checked query, its rows stored like an upload."""

from __future__ import annotations

import logging

import anyio.to_thread

from ml_backend.datasets.sql_guard import check_query
from ml_backend.datasets.sql_source import SqlLimits, ingest_sql
from ml_backend.errors import MLInputError, SqlConnectionError, SqlRefusedError
from ml_backend.jobs.words import size_words
from service.db.models import Dataset
from service.domain.connections.services import ConnectionService, connection_target
from service.domain.datasets.services import DatasetService, check_name
from service.domain.limits.services import tenant_limits
from service.errors import ConflictError, InvalidInputError, PayloadTooLargeError, UnavailableError

log = logging.getLogger(__name__)


class SqlDatasetService:
    """Loads a query's result as one of the tenant's datasets."""

    def __init__(self, datasets: DatasetService, connections: ConnectionService) -> None:
        self.datasets = datasets
        self.connections = connections

    @property
    def limits(self) -> SqlLimits:
        settings = self.datasets.settings
        return SqlLimits(row_cap=settings.sql_row_cap, timeout_s=settings.sql_timeout_s)

    async def refresh(self, dataset_id: int) -> tuple[Dataset, bool]:
        """Run a SQL dataset's query again: its rows as the dataset's next version, or its
        latest version when they have not changed (then False)."""
        dataset = await self.datasets.get(dataset_id)
        source = dataset.source or {}
        if source.get("source") != "sql":
            raise ConflictError(
                f"dataset {dataset.name!r} was not loaded from SQL, so it cannot be refreshed; "
                "upload the new file with `new_version=true` instead"
            )
        return await self._load(str(source["connection"]), str(source["query"]), dataset.name,
                                new_version=True)  # fmt: skip

    async def load(self, connection_name: str, query: str, name: str | None) -> Dataset:
        """Run `query` read-only on the tenant's connection and store its rows as a dataset."""
        dataset, _ = await self._load(connection_name, query, name, new_version=False)
        return dataset

    async def _load(
        self, connection_name: str, query: str, name: str | None, *, new_version: bool
    ) -> tuple[Dataset, bool]:
        connection = await self.connections.get(self.datasets.tenant, connection_name)
        target = connection_target(connection.url)
        try:
            # Checked here too, before any connection opens: a refusal costs nothing.
            checked = check_query(query, target.backend)
        except SqlRefusedError as error:
            raise InvalidInputError(error.detail, field="query") from None
        name = check_name(name.strip()) if name and name.strip() else None
        name = name or await self.datasets.unused_name(checked.tables[0] if checked.tables else
                                                       f"{connection_name} query")  # fmt: skip
        limits = self.limits
        try:
            loaded = await anyio.to_thread.run_sync(
                ingest_sql,
                connection.url,
                query,
                self.datasets.storage.ingest_dir(self.datasets.tenant),
                limits,
            )
        except MLInputError as error:  # refused, failed in the database, or unstorable
            raise InvalidInputError(error.detail, field=error.field or "query") from None
        except SqlConnectionError as error:
            raise UnavailableError(
                f"the connection {connection_name!r} could not be used: {error}; check that "
                "the database is up, or ask an administrator to check the connection"
            ) from None
        limit = (await tenant_limits(self.datasets.session, self.datasets.settings,
                                     self.datasets.tenant)).dataset_bytes  # fmt: skip
        if loaded.dataset.path.stat().st_size > limit:
            await self.datasets.forget_file(loaded.dataset.content_hash)
            raise PayloadTooLargeError(
                f"the query's rows are larger than the {size_words(limit)} dataset limit of "
                f"tenant {self.datasets.tenant!r}: narrow the query (fewer columns, a WHERE, a "
                "LIMIT), or ask an admin to raise it (`mlchat limits set --dataset-gb N`)",
                limit_bytes=limit,
            )
        source = {
            "source": "sql", "connection": connection_name, "query": query,
            "row_cap": limits.row_cap, "capped": loaded.capped,
        }  # fmt: skip
        capped = f", capped at {limits.row_cap:,} rows" if loaded.capped else ""
        dataset, added = await self.datasets.add_from_source(
            loaded.dataset, name=name, source=source, connection_id=connection.id,
            new_version=new_version,
            description=f"Loaded from the SQL connection {connection_name!r}{capped}.",
        )  # fmt: skip
        log.info(
            "sql dataset loaded",
            extra={"dataset_id": dataset.id, "connection": connection_name,
                   "rows": dataset.row_count, "capped": loaded.capped},
        )  # fmt: skip
        return dataset, added
