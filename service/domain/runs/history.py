"""Run history: a tenant's runs searched, filtered by what a person remembers of them, paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_

from ml_backend.jobs.registry import JOBS, route_kinds
from service.db.models import Dataset, Run, RunStatus
from service.domain.jobs.services import JobService, job_summary
from service.errors import BadRequestError
from service.paging import Cursor


def moment(name: str, text: str | None, *, end_of_day: bool = False) -> datetime | None:
    """`text` (an ISO date or date-time) as an aware instant; a bare date means its first
    moment, or with `end_of_day` the first moment of the next day (so `until` includes it)."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime.combine(day, time.min, tzinfo=UTC)
            return start + timedelta(days=1) if end_of_day else start
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequestError(
            f"{name}: {text!r} is not a date; write it as YYYY-MM-DD (e.g. 2026-01-31) or an "
            "ISO date-time (2026-01-31T14:00:00Z)",
            field=name,
        ) from None
    # Stored instants are UTC (SQLite keeps them without an offset): compare in UTC.
    return instant.astimezone(UTC) if instant.tzinfo else instant.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RunFilters:
    """What GET /api/v1/runs narrows the history by; None is no filter."""

    q: str | None = None
    dataset_id: int | None = None
    algorithm: str | None = None
    kind: str | None = None
    status: RunStatus | None = None
    since: datetime | None = None
    until: datetime | None = None
    """Exclusive: a bare `until` date was turned into the next day's first moment."""

    def check(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise BadRequestError(
                "since is after until: nothing can match; swap them or widen the range",
                field="since",
            )


def _config_text(key: str) -> ColumnElement[str]:
    """A string field of the JSON config, as SQLite and PostgreSQL both read one."""
    field: ColumnElement[str] = Run.config[key].as_string()
    return field


def _search(q: str) -> ColumnElement[bool]:
    """Runs whose dataset name, algorithm, kind, target column or id holds `q`."""
    pattern = f"%{q.lower()}%"
    kinds = [kind for kind, spec in JOBS.items() if q.lower() in kind or q.lower() in spec.route]
    number = q.removeprefix("#")
    return or_(
        func.lower(Dataset.name).like(pattern),
        func.lower(_config_text("algorithm")).like(pattern),
        func.lower(_config_text("target_column")).like(pattern),
        Run.kind.in_(kinds) if kinds else false(),
        Run.id == int(number)
        if number.isascii() and number.isdigit() and len(number) < 10
        else false(),
    )


def _where(tenant: str, filters: RunFilters) -> list[ColumnElement[bool]]:
    where = [Run.tenant == tenant]
    if filters.q and filters.q.strip():
        where.append(_search(filters.q.strip()))
    if filters.dataset_id is not None:
        where.append(Run.dataset_id == filters.dataset_id)
    if filters.algorithm:
        where.append(func.lower(_config_text("algorithm")) == filters.algorithm.lower())
    if filters.kind is not None:
        where.append(Run.kind.in_(route_kinds(filters.kind)))
    if filters.status is not None:
        where.append(Run.status == filters.status)
    if filters.since is not None:
        where.append(Run.created_at >= filters.since)
    if filters.until is not None:
        where.append(Run.created_at < filters.until)
    return where


async def run_history(
    jobs: JobService,
    tenant: str,
    filters: RunFilters,
    limit: int,
    offset: int,
    after: Cursor | None,
) -> tuple[dict[str, Any], str | None]:
    """One page of the tenant's runs matching `filters`, newest first, with the total (a
    `JobPage` as JSON-ready fields), and the cursor of the next page (None on the last)."""
    filters.check()
    searches = bool(filters.q and filters.q.strip())  # only a search reads the dataset's name
    page, total = await jobs.page(_where(tenant, filters), limit, offset, after, job_summary,
                                  count_joins_dataset=searches)  # fmt: skip
    return {"items": page.items, "total": total, "limit": limit, "offset": offset}, page.after
