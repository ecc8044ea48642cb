"""Dataset logic: store an upload once as Parquet, profile it, list, page and delete."""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any

import anyio.to_thread
from sqlalchemy import Row, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ml_backend.configs import DatasetById, DatasetByName, DatasetRef
from ml_backend.datasets import IngestedDataset, ingest_file, read_rows
from ml_backend.suggestions import did_you_mean
from service.db.models import Dataset
from service.domain.datasets.schemas import DatasetSummary
from service.domain.limits.services import tenant_limits
from service.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    dataset_over_limit,
    upload_too_large,
)
from service.paging import Cursor, Page, keyset
from service.settings import Settings
from service.storage import Storage, StoredFile, open_storage

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[\w][\w .()\-]{0,199}$")
FILENAME_MAX_CHARS = 400
"""The longest file name a dataset records (its column's width)."""


def parquet_name(name: str) -> str:
    """A safe file name for a dataset's Parquet download."""
    return re.sub(r"[^\w.-]+", "_", name).strip("._") + ".parquet"


def check_name(name: str) -> str:
    """The name if a dataset may have it, else InvalidInputError saying which names are usable."""
    if not _NAME.match(name):
        raise InvalidInputError(
            f"dataset name {name!r} is not usable: use letters, digits, spaces, "
            "'.', '-', '_' or parentheses, at most 200 characters"
        )
    return name


def _name_from(filename: str) -> str:
    stem = Path(filename).name.rsplit(".", 1)[0].strip()
    return re.sub(r"[^\w .()\-]", "_", stem)[:200] or "dataset"


def _recorded_filename(filename: str) -> str:
    # The client's name for the file, kept as a record (and for its suffix): without control
    # characters (PostgreSQL refuses a NUL) and within its column, the suffix kept.
    return re.sub(r"[\x00-\x1f\x7f]", "", filename)[-FILENAME_MAX_CHARS:] or "upload"


def _spool_to_disk(source: IO[bytes], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".upload") as target:
        shutil.copyfileobj(source, target, length=1024 * 1024)
        return Path(target.name)


def _file_missing(dataset: Dataset) -> NotFoundError:
    return NotFoundError(
        f"the file of dataset {dataset.id} is missing from the storage; upload it again"
    )


LIST_NAME = "datasets"
ORDER = (Dataset.created_at, Dataset.id)
SUMMARY_COLUMNS = [getattr(Dataset, name) for name in DatasetSummary.model_fields]
"""A list's columns: never the profile, the largest."""


def _position(row: Row[Any]) -> Cursor:
    return Cursor(row.created_at, row.id)


class DatasetService:
    """Owns the session for dataset requests."""

    def __init__(self, session: AsyncSession, settings: Settings, tenant: str) -> None:
        self.session = session
        self.settings = settings
        self.tenant = tenant

    @property
    def storage(self) -> Storage:
        return open_storage(self.settings)

    async def local_file(self, dataset: Dataset) -> Path:
        """A local path of the dataset's Parquet file (a copy, where the storage is remote)."""
        try:
            return await anyio.to_thread.run_sync(
                self.storage.local_dataset, dataset.tenant, dataset.content_hash
            )
        except FileNotFoundError:
            raise _file_missing(dataset) from None

    async def open_file(self, dataset: Dataset) -> StoredFile:
        """The dataset's Parquet file, opened to send it."""
        try:
            return await anyio.to_thread.run_sync(
                self.storage.open_dataset, dataset.tenant, dataset.content_hash
            )
        except FileNotFoundError:
            raise _file_missing(dataset) from None

    async def _name_taken(self, name: str) -> bool:
        query = select(Dataset.id).where(Dataset.tenant == self.tenant, Dataset.name == name)
        return (await self.session.scalar(query)) is not None

    async def create_from_upload(
        self, source: IO[bytes], filename: str, name: str | None
    ) -> Dataset:
        """Store an uploaded file: stream it to disk, convert, profile, then add the row."""
        filename = _recorded_filename(filename)
        name = check_name((name or "").strip() or _name_from(filename))
        if await self._name_taken(name):
            raise ConflictError(
                f"a dataset named {name!r} already exists; pass another `name` or delete it first"
            )
        upload = await anyio.to_thread.run_sync(_spool_to_disk, source, self.storage.spool_dir())
        try:
            size = upload.stat().st_size
            if size > self.settings.max_dataset_bytes:
                raise upload_too_large(self.settings.max_dataset_mb)
            limit = (await tenant_limits(self.session, self.settings, self.tenant)).dataset_bytes
            if size > limit:
                raise dataset_over_limit(limit, self.tenant)
            ingested = await anyio.to_thread.run_sync(
                ingest_file, upload, filename, self.storage.ingest_dir(self.tenant)
            )
        finally:
            upload.unlink(missing_ok=True)
        return await self._add(ingested, name=name, filename=filename)

    async def _add(
        self,
        ingested: IngestedDataset,
        *,
        name: str,
        filename: str | None,
        description: str | None = None,
        target_hint: str | None = None,
        is_sample: bool = False,
        parent_id: int | None = None,
        source: dict[str, Any] | None = None,
    ) -> Dataset:
        """Store the ingested file, then add its row: a row never names a missing file."""
        await anyio.to_thread.run_sync(
            self.storage.put_dataset, self.tenant, ingested.path, ingested.content_hash
        )
        dataset = Dataset(
            tenant=self.tenant,
            name=name,
            description=description,
            filename=filename,
            format=ingested.format.value,
            content_hash=ingested.content_hash,
            size_bytes=ingested.path.stat().st_size,
            row_count=ingested.row_count,
            column_count=len(ingested.profile.columns),
            profile=ingested.profile.model_dump(mode="json"),
            target_hint=target_hint,
            is_sample=is_sample,
            parent_id=parent_id,
            source=source,
        )
        self.session.add(dataset)
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            await self.forget_file(ingested.content_hash)
            raise ConflictError(f"a dataset named {name!r} already exists") from None
        return dataset

    async def add_sample(
        self, ingested: IngestedDataset, name: str, description: str, target: str | None
    ) -> Dataset:
        return await self._add(
            ingested, name=name, filename=None, description=description,
            target_hint=target, is_sample=True,
        )  # fmt: skip

    async def add_derived(
        self, ingested: IngestedDataset, *, name: str, parent: Dataset, description: str
    ) -> Dataset:
        """Register a dataset computed from `parent` (a lineage edge to it)."""
        if await self._name_taken(name):
            await self.forget_file(ingested.content_hash)
            raise ConflictError(
                f"a dataset named {name!r} already exists; pass another `name` or delete it first"
            )
        return await self._add(
            ingested, name=name, filename=None, description=description, parent_id=parent.id
        )

    async def add_from_source(
        self, ingested: IngestedDataset, *, name: str, description: str, source: dict[str, Any]
    ) -> Dataset:
        """Register a dataset read from outside (a SQL query); `source` records where from."""
        if await self._name_taken(name):
            await self.forget_file(ingested.content_hash)
            raise ConflictError(
                f"a dataset named {name!r} already exists; pass another `name` or delete it first"
            )
        return await self._add(
            ingested, name=name, filename=None, description=description, source=source
        )

    async def unused_name(self, stem: str) -> str:
        """`stem`, or `stem (2)`, `stem (3)`... whichever no dataset of the tenant has yet."""
        stem = re.sub(r"[^\w .()\-]", "_", stem)[:190] or "query"
        name, n = stem, 1
        while await self._name_taken(name):
            n += 1
            name = f"{stem} ({n})"
        return name

    async def forget_file(self, content_hash: str) -> None:
        """Delete a Parquet file once no dataset row refers to it (files are shared by hash)."""
        query = select(func.count()).where(
            Dataset.content_hash == content_hash, Dataset.tenant == self.tenant
        )
        if not await self.session.scalar(query):
            await anyio.to_thread.run_sync(self.storage.delete_dataset, self.tenant, content_hash)

    async def names(self) -> list[str]:
        query = select(Dataset.name).where(Dataset.tenant == self.tenant).order_by(Dataset.id)
        return list(await self.session.scalars(query))

    async def page(self, limit: int, after: Cursor | None) -> Page[DatasetSummary]:
        """The tenant's datasets newest first, without their profiles."""
        query = select(*SUMMARY_COLUMNS).where(Dataset.tenant == self.tenant)
        rows = (await self.session.execute(keyset(query, *ORDER, after, limit))).all()
        return Page.of(rows, limit, LIST_NAME, _position, DatasetSummary.of)

    async def get(self, dataset_id: int) -> Dataset:
        dataset = await self.session.get(Dataset, dataset_id)
        if dataset is None or dataset.tenant != self.tenant:
            raise NotFoundError(
                f"dataset {dataset_id} does not exist; GET /api/v1/datasets lists them"
            )
        return dataset

    async def find(self, *, dataset_id: int | None = None, name: str | None = None) -> Dataset:
        """A dataset by id or by name, with a did-you-mean for names."""
        if dataset_id is not None:
            return await self.get(dataset_id)
        query = select(Dataset).where(Dataset.tenant == self.tenant, Dataset.name == name)
        dataset = await self.session.scalar(query)
        if dataset is None:
            names = await self.names()
            raise NotFoundError(
                f"no dataset named {name!r}{did_you_mean(name or '', names)} "
                f"Available: {', '.join(names) or 'none'}"
            )
        return dataset

    async def find_ref(self, ref: DatasetRef) -> Dataset:
        """The dataset a config names; a missing one is a mistake in the request (422)."""
        try:
            if isinstance(ref, DatasetById):
                return await self.find(dataset_id=ref.id)
            if isinstance(ref, DatasetByName):
                return await self.find(name=ref.name)
        except NotFoundError as exc:
            raise InvalidInputError(exc.detail, field="dataset") from None
        # Reading a query here would hold a job request for up to the SQL timeout; loading it
        # is its own step, so the dataset is profiled (and checked) before anything trains on it.
        raise InvalidInputError(
            f"load the query as a dataset first: POST /api/v1/datasets/sql with "
            f'{{"connection": "{ref.connection}", "query": "...", "name": "..."}}, then name '
            "that dataset here",
            field="dataset",
        )

    async def rows(self, dataset_id: int, offset: int, limit: int) -> tuple[Dataset, list[Any]]:
        dataset = await self.get(dataset_id)
        rows = await anyio.to_thread.run_sync(read_rows, await self.local_file(dataset), offset,
                                              limit)  # fmt: skip
        return dataset, rows

    async def delete(self, dataset_id: int) -> None:
        dataset = await self.get(dataset_id)
        await self.session.delete(dataset)
        await self.session.commit()
        await self.forget_file(dataset.content_hash)
