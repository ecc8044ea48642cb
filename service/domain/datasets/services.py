"""Dataset logic: store an upload once as Parquet, profile it, list, page and delete."""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import anyio.to_thread
from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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
from service.lineage import record
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


def is_latest() -> ColumnElement[bool]:
    """A dataset row is its name's latest version: lists and names show only those."""
    other = aliased(Dataset)
    highest = (
        select(func.max(other.version))
        .where(other.tenant == Dataset.tenant, other.name == Dataset.name)
        .scalar_subquery()
    )
    return Dataset.version == highest


Link = Callable[[Dataset], None]
"""Records a new dataset row's lineage edges, in the session that adds it."""


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

    async def latest(self, name: str) -> Dataset | None:
        """The latest version of the tenant's dataset `name`; None if there is none."""
        query = (
            select(Dataset)
            .where(Dataset.tenant == self.tenant, Dataset.name == name)
            .order_by(Dataset.version.desc())
            .limit(1)
        )
        return await self.session.scalar(query)

    async def versions(self, dataset_id: int) -> list[Dataset]:
        """Every version of the dataset `dataset_id` is one of, oldest first."""
        dataset = await self.get(dataset_id)
        query = (
            select(Dataset)
            .where(Dataset.tenant == self.tenant, Dataset.name == dataset.name)
            .order_by(Dataset.version)
        )
        return list(await self.session.scalars(query))

    async def version(self, dataset_id: int, number: int) -> Dataset:
        """Version `number` of the dataset `dataset_id` is one of."""
        dataset = await self.get(dataset_id)
        query = select(Dataset).where(
            Dataset.tenant == self.tenant, Dataset.name == dataset.name, Dataset.version == number
        )
        found = await self.session.scalar(query)
        if found is None:
            raise NotFoundError(
                f"dataset {dataset.name!r} has no version {number}; "
                f"GET /api/v1/datasets/{dataset_id}/versions lists them"
            )
        return found

    async def add_version(
        self,
        ingested: IngestedDataset,
        *,
        name: str,
        filename: str | None,
        description: str | None = None,
        source: dict[str, Any] | None = None,
        link: Link | None = None,
    ) -> tuple[Dataset, bool]:
        """`ingested` as the next version of `name` (its first, if new), and True; or the
        latest version and False when that has the same content (nothing changed)."""
        previous = await self.latest(name)
        if previous is not None and previous.content_hash == ingested.content_hash:
            return previous, False

        def linked(new: Dataset) -> None:
            if previous is not None:
                record.dataset_version(self.session, previous, new)
            if link is not None:
                link(new)

        dataset = await self._add(
            ingested, name=name, filename=filename, description=description, source=source,
            version=previous.version + 1 if previous is not None else 1,
            target_hint=previous.target_hint if previous is not None else None, link=linked,
        )  # fmt: skip
        return dataset, True

    async def restore(self, dataset_id: int, number: int) -> tuple[Dataset, bool]:
        """Make version `number`'s content the latest again, as a new version (history is
        never rewritten: runs keep the versions they read), and True; or the latest and False
        when it has that content already."""
        old = await self.version(dataset_id, number)
        previous = await self.latest(old.name)
        assert previous is not None  # `old` is one of its versions
        if previous.content_hash == old.content_hash:
            return previous, False
        new = Dataset(
            tenant=self.tenant, name=old.name, version=previous.version + 1,
            description=old.description, filename=old.filename, format=old.format,
            content_hash=old.content_hash, size_bytes=old.size_bytes, row_count=old.row_count,
            column_count=old.column_count, profile=old.profile, target_hint=old.target_hint,
            is_sample=old.is_sample, parent_id=old.parent_id, source=old.source,
        )  # fmt: skip
        self.session.add(new)

        def link(added: Dataset) -> None:
            record.dataset_version(self.session, previous, added)
            record.dataset_restored(self.session, old, added)

        await self._commit_linked(new, link)
        return new, True

    async def _commit_linked(self, dataset: Dataset, link: Link) -> None:
        try:
            await self.session.flush()  # gives the row its id for its edges
            link(dataset)
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise ConflictError(
                f"another version of {dataset.name!r} was added at the same time; try again"
            ) from None

    async def create_from_upload(
        self, source: IO[bytes], filename: str, name: str | None, *, new_version: bool = False
    ) -> tuple[Dataset, bool]:
        """Store an uploaded file: stream it to disk, convert, profile, then add the row; under
        a name in use, only as its next version (`new_version`). True if a row was added."""
        filename = _recorded_filename(filename)
        name = check_name((name or "").strip() or _name_from(filename))
        if not new_version and await self._name_taken(name):
            raise ConflictError(
                f"a dataset named {name!r} already exists; pass another `name`, delete it "
                "first, or send `new_version=true` to upload this file as its next version"
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
        if new_version:
            return await self.add_version(ingested, name=name, filename=filename)
        return await self._add(ingested, name=name, filename=filename), True

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
        version: int = 1,
        link: Link | None = None,
    ) -> Dataset:
        """Store the ingested file, then add its row (and its lineage edges): a row never names
        a missing file."""
        await anyio.to_thread.run_sync(
            self.storage.put_dataset, self.tenant, ingested.path, ingested.content_hash
        )
        dataset = Dataset(
            tenant=self.tenant,
            name=name,
            version=version,
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
            await self.session.flush()
            if link is not None:
                link(dataset)
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            await self.forget_file(ingested.content_hash)
            if version > 1:
                raise ConflictError(
                    f"another version of {name!r} was added at the same time; try again"
                ) from None
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
        self,
        ingested: IngestedDataset,
        *,
        name: str,
        parent: Dataset,
        description: str,
        model_run_id: int | None = None,
    ) -> Dataset:
        """Register a dataset computed from `parent` (by the model of run `model_run_id`),
        with its lineage edges."""
        if await self._name_taken(name):
            await self.forget_file(ingested.content_hash)
            raise ConflictError(
                f"a dataset named {name!r} already exists; pass another `name` or delete it first"
            )
        return await self._add(
            ingested, name=name, filename=None, description=description, parent_id=parent.id,
            link=lambda new: record.dataset_derived(self.session, parent, new, model_run_id),
        )  # fmt: skip

    async def add_from_source(
        self,
        ingested: IngestedDataset,
        *,
        name: str,
        description: str,
        source: dict[str, Any],
        connection_id: int | None = None,
        new_version: bool = False,
    ) -> tuple[Dataset, bool]:
        """Register a dataset read from outside (a SQL query); `source` records where from.
        Under a name in use only as its next version (`new_version`, a refresh); True if a row
        was added."""
        if not new_version and await self._name_taken(name):
            await self.forget_file(ingested.content_hash)
            raise ConflictError(
                f"a dataset named {name!r} already exists; pass another `name` or delete it first"
            )

        def link(new: Dataset) -> None:
            if connection_id is not None:
                record.dataset_loaded(self.session, connection_id, new)

        return await self.add_version(
            ingested, name=name, filename=None, description=description, source=source,
            link=link,
        )  # fmt: skip

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
        query = (
            select(Dataset.name)
            .where(Dataset.tenant == self.tenant, is_latest())
            .order_by(Dataset.id)
        )
        return list(await self.session.scalars(query))

    async def page(self, limit: int, after: Cursor | None) -> Page[DatasetSummary]:
        """The tenant's datasets newest first (each one's latest version), without profiles."""
        query = select(*SUMMARY_COLUMNS).where(Dataset.tenant == self.tenant, is_latest())
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
        """A dataset by id (that exact version) or by name (its latest version), with a
        did-you-mean for names."""
        if dataset_id is not None:
            return await self.get(dataset_id)
        dataset = await self.latest(name or "")
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
