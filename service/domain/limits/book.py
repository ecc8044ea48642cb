"""The tenants' limits as a worker reads them: from the database, again every few seconds.

A worker asks for a tenant's concurrent-jobs limit each time it looks for a job; one query a
few seconds serves all of those and still picks up an admin's change soon.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.db.models import TenantLimits
from service.domain.limits.schemas import Limits

log = logging.getLogger(__name__)

MAX_AGE_S = 3.0


class LimitBook:
    def __init__(self, engine: Engine, defaults: Limits, max_age_s: float = MAX_AGE_S) -> None:
        self.engine = engine
        self.defaults = defaults
        self.max_age_s = max_age_s
        self._overridden: dict[str, Limits] = {}
        self._read_at = -float("inf")

    def limits(self, tenant: str) -> Limits:
        """The tenant's limits, at most `max_age_s` old."""
        if time.monotonic() - self._read_at > self.max_age_s:
            self._read()
        return self._overridden.get(tenant, self.defaults)

    def _read(self) -> None:
        try:
            with Session(self.engine) as session:
                rows = list(session.scalars(select(TenantLimits)))
                self._overridden = {row.tenant: self.defaults.overridden(row.limits)
                                    for row in rows}  # fmt: skip
        except (SQLAlchemyError, ValueError):
            # Keep the last limits read (or the defaults, before the first migration): a worker
            # that cannot read them must go on serving, not stop.
            log.warning("could not read the tenants' limits", exc_info=True)
        self._read_at = time.monotonic()
