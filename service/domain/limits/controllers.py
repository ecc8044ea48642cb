"""The limits API: an admin reads and changes a tenant's limits; every tenant sees its use."""

from __future__ import annotations

from litestar import Controller, get, patch
from redis import Redis

from service.domain.limits.book import LIMITS_CHANGED_KEY
from service.domain.limits.schemas import LimitsUpdate, TenantLimitsView, Usage
from service.domain.limits.services import LimitService
from service.resources import Resources
from service.slots import WAKE_KEY, WAKE_MAX


class LimitController(Controller):
    # Only admin keys get here: the authentication middleware refuses the others. The tenant is
    # the admin's own, or the one `?tenant_id=` names.
    path = "/api/v1/admin/limits"
    tags = ("admin",)

    @get("/", summary="The tenant's limits: what applies, what an admin set, the defaults")
    async def get_limits(self, tenant: str, limits: LimitService) -> TenantLimitsView:
        return await limits.view(tenant)

    @patch(
        "/", summary="Change the tenant's limits: a field set, null back to the default, "
        "left out unchanged",
    )  # fmt: skip
    async def change_limits(
        self, data: LimitsUpdate, tenant: str, limits: LimitService, resources: Resources
    ) -> TenantLimitsView:
        changed = await limits.update(tenant, data)
        # Workers read limits from the database; this tells them to read them now, and wakes
        # one, which may now take jobs a raised limit lets through.
        async with resources.redis.pipeline() as pipeline:
            pipeline.incr(LIMITS_CHANGED_KEY)
            pipeline.lpush(WAKE_KEY, 1)
            pipeline.ltrim(WAKE_KEY, 0, WAKE_MAX - 1)
            await pipeline.execute()
        return changed


@get("/api/v1/usage", tags=["usage"], summary="The tenant's use against its limits")
async def usage(tenant: str, limits: LimitService, resources: Resources) -> Usage:
    connection: Redis = resources.sync_redis
    return await limits.usage(tenant, connection)
