"""The tenants' limits as a worker reads them: from the database, again when they changed.

A worker needs each tenant's concurrent-jobs limit every time it looks for a job. It reads all
overrides in one query and again when an admin changed limits through the API (which bumps
LIMITS_CHANGED_KEY in Redis, a nudge, not a copy) or, at the latest, after MAX_AGE_S (a change
made with `mlchat limits`, which may not reach this Redis).
"""

from __future__ import annotations

import logging
import time

import redis
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.db.models import TenantLimits
from service.domain.limits.schemas import Limits

log = logging.getLogger(__name__)

LIMITS_CHANGED_KEY = "mlchat:limits:changed"
MAX_AGE_S = 10.0


class LimitBook:
    def __init__(self, engine: Engine, defaults: Limits, max_age_s: float = MAX_AGE_S) -> None:
        self.engine = engine
        self.defaults = defaults
        self.max_age_s = max_age_s
        self._overridden: dict[str, Limits] = {}
        self._read_at = -float("inf")
        self._stamp: bytes | None = None

    def refresh(self, connection: redis.Redis) -> None:
        """Read the limits again if an admin changed them or they are `max_age_s` old."""
        stamp: bytes | None = connection.get(LIMITS_CHANGED_KEY)  # type: ignore[assignment]
        if stamp != self._stamp or time.monotonic() - self._read_at > self.max_age_s:
            self._read()
            self._stamp = stamp

    def limits(self, tenant: str) -> Limits:
        """The tenant's limits as last read."""
        return self._overridden.get(tenant, self.defaults)

    def _read(self) -> None:
        try:
            with Session(self.engine) as session:
                rows = list(session.scalars(select(TenantLimits)))
                self._overridden = {row.tenant: self.defaults.overridden(row.limits)
                                    for row in rows}  # fmt: skip
        except (SQLAlchemyError, ValueError) as error:
            # Keep the last limits read (or the defaults, before the first migration): a worker
            # that cannot read them must go on serving, not stop.
            log.warning("could not read the tenants' limits: %s", str(error).splitlines()[0])
        self._read_at = time.monotonic()
