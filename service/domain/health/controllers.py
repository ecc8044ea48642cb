"""GET /health: database, Redis and workers, each with its own verdict.

A worker counts while it is heard from: RQ keeps a dead worker's registration (kill -9, a
machine gone) until its key expires minutes later, still `busy` if it died busy, so only
workers whose last heartbeat is within `MLCHAT_DEAD_AFTER_S` count; the others are `lost`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from litestar import Response, get
from rq import Worker
from rq.worker import BaseWorker
from sqlalchemy import text

from service.problems import RETRY_AFTER_S
from service.queues import queue_name
from service.resources import Resources


async def _database(resources: Resources) -> dict[str, Any]:
    try:
        async with resources.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return {"ok": True, "backend": resources.engine.dialect.name}
    except Exception as exc:
        return {"ok": False, "error": str(exc)}


async def _redis(resources: Resources) -> dict[str, Any]:
    try:
        await resources.redis.ping()
        return {"ok": True}
    except Exception as exc:
        return {"ok": False, "error": str(exc)}


def _workers(resources: Resources) -> dict[str, Any]:
    try:
        workers = Worker.all(connection=resources.sync_redis)
    except Exception as exc:
        return {"ok": False, "count": 0, "error": str(exc)}
    queue = queue_name(resources.settings.tenant)
    serving = [w for w in workers if queue in w.queue_names()]
    live = [w for w in serving if _heard_from(w, resources.settings.dead_after_s)]
    return {
        "ok": bool(live),
        "count": len(live),
        "busy": sum(1 for w in live if w.get_state() == "busy"),
        "lost": len(serving) - len(live),
        "queue": queue,
    }


def _heard_from(worker: BaseWorker, within_s: float) -> bool:
    """Whether the worker's last heartbeat is at most `within_s` old."""
    if worker.last_heartbeat is None:
        return False
    silent = datetime.now(UTC) - worker.last_heartbeat.replace(tzinfo=UTC)
    return silent.total_seconds() <= within_s


@get("/health", tags=["health"], summary="Database, Redis and worker status")
async def health(resources: Resources) -> Response[dict[str, Any]]:
    checks = {
        "database": await _database(resources),
        "redis": await _redis(resources),
        "workers": await anyio.to_thread.run_sync(_workers, resources),
    }
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ok else "degraded", **checks}
    if ok:
        return Response(body)
    return Response(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})
