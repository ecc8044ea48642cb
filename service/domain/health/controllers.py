"""GET /health: database, Redis and workers, each with its own verdict."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Response, get
from rq import Worker
from sqlalchemy import text

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
    return {
        "ok": bool(serving),
        "count": len(serving),
        "busy": sum(1 for w in serving if w.get_state() == "busy"),
        "queue": queue,
    }


@get("/health", tags=["health"], summary="Database, Redis and worker status")
async def health(resources: Resources) -> Response[dict[str, Any]]:
    checks = {
        "database": await _database(resources),
        "redis": await _redis(resources),
        "workers": await anyio.to_thread.run_sync(_workers, resources),
    }
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ok else "degraded", **checks}
    return Response(body, status_code=200 if ok else 503)
