"""Tenant limits: the defaults with an admin's overrides, changed by an admin, and a tenant's
use against them."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Dataset, TenantLimits, utcnow
from service.domain.keys.services import check_tenant
from service.domain.limits.schemas import Limits, LimitsUpdate, TenantLimitsView, Usage
from service.settings import Settings
from service.slots import running, waiting


async def tenant_limits(session: AsyncSession, settings: Settings, tenant: str) -> Limits:
    """The limits `tenant` works under now."""
    row = await session.get(TenantLimits, tenant)
    defaults = Limits.defaults(settings)
    return defaults.overridden(row.limits) if row is not None else defaults


class LimitService:
    """Owns the session for reading and changing tenants' limits."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def view(self, tenant: str) -> TenantLimitsView:
        row = await self.session.get(TenantLimits, check_tenant(tenant))
        return self._view(tenant, row)

    async def update(self, tenant: str, change: LimitsUpdate) -> TenantLimitsView:
        """Set the limits `change` gives, reset those it gives as null, keep the others."""
        row = await self.session.get(TenantLimits, check_tenant(tenant))
        overrides: dict[str, Any] = dict(row.limits) if row is not None else {}
        for name in change.model_fields_set:
            value = getattr(change, name)
            if value is None:
                overrides.pop(name, None)
            else:
                overrides[name] = value
        if row is None:
            row = TenantLimits(tenant=tenant, limits=overrides, updated_at=utcnow())
            self.session.add(row)
        else:
            # A new dict, so the JSON column is seen as changed.
            row.limits, row.updated_at = overrides, utcnow()
        await self.session.commit()
        return self._view(tenant, row)

    def _view(self, tenant: str, row: TenantLimits | None) -> TenantLimitsView:
        defaults = Limits.defaults(self.settings)
        overrides = dict(row.limits) if row is not None else {}
        return TenantLimitsView(
            tenant=tenant, limits=defaults.overridden(overrides), overrides=overrides,
            defaults=defaults, updated_at=row.updated_at if row is not None else None,
        )  # fmt: skip

    async def usage(self, tenant: str, connection: Redis) -> Usage:
        """The tenant's running and waiting jobs and stored data, beside its limits."""
        limits = await tenant_limits(self.session, self.settings, tenant)
        count, stored, largest = (
            await self.session.execute(
                select(
                    func.count(Dataset.id),
                    func.coalesce(func.sum(Dataset.size_bytes), 0),
                    func.coalesce(func.max(Dataset.size_bytes), 0),
                ).where(Dataset.tenant == tenant)
            )
        ).one()

        def jobs() -> tuple[int, int]:
            return running(connection, tenant), waiting(connection, tenant)

        running_jobs, queued_jobs = await anyio.to_thread.run_sync(jobs)
        return Usage(
            tenant=tenant, limits=limits, running_jobs=running_jobs, queued_jobs=queued_jobs,
            datasets=int(count), stored_bytes=int(stored), largest_dataset_bytes=int(largest),
        )  # fmt: skip
