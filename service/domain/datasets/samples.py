"""Registers the built-in sample datasets on first start, once per tenant."""

from __future__ import annotations

import logging

import anyio.to_thread
from sqlalchemy import select

from ml_backend.datasets.samples import SAMPLE_DATASETS, write_sample
from service.db.models import Dataset
from service.domain.datasets.services import DatasetService
from service.errors import ConflictError, StorageUnavailableError
from service.resources import Resources

log = logging.getLogger(__name__)


async def register_samples(resources: Resources, tenant: str) -> list[str]:
    """Add every sample dataset the tenant lacks; returns the names added. While the storage
    is unavailable none is added (the next start adds them), and the API starts all the same."""
    added = []
    async with resources.sessions() as session:
        existing = set(await session.scalars(select(Dataset.name).where(Dataset.tenant == tenant)))
        service = DatasetService(session, resources.settings, tenant)
        for name, sample in SAMPLE_DATASETS.items():
            if name in existing:
                continue
            try:
                ingested = await anyio.to_thread.run_sync(
                    write_sample, name, service.storage.ingest_dir(tenant)
                )
                await service.add_sample(ingested, name, sample.description, sample.target)
            except StorageUnavailableError as error:
                log.warning("sample datasets not registered: %s", error.detail)
                break
            except ConflictError:
                continue  # another API process starting at the same time registered it first
            added.append(name)
    if added:
        log.info("sample datasets registered", extra={"names": added})
    return added
