"""WS /ws/runs/{run_id}: the run's events from the start (or after `last_seq`), then live.
WS /ws/feed: every event of the tenant's runs, live (a runs panel; no replay, the list API has
the state)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.params import Parameter

from service.db.models import Run
from service.domain.params import RowId
from service.domain.relay import relay
from service.errors import NotFoundError
from service.events import FINAL_EVENT_TYPES, feed_channel, read_events
from service.origins import refuse_socket
from service.resources import Resources

POLL_MS = 1000


def _final_event_from(run: Run) -> dict[str, Any]:
    """The closing event for a run whose stream has expired or lost its final event."""
    kind = {"finished": "finished", "cancelled": "cancelled"}.get(run.status, "failed")
    return {"type": kind, "run_id": run.id, "job_id": run.job_id, "seq": None,
            "message": run.error or f"run {run.status}"}  # fmt: skip


async def _load(resources: Resources, run_id: int) -> Run | None:
    # A short session per look: a long-lived one would pin an old SQLite snapshot.
    async with resources.sessions() as session:
        run: Run | None = await session.get(Run, run_id)
        return run


@websocket("/ws/runs/{run_id:int}")
async def run_events(
    socket: WebSocket[Any, Any, Any],
    run_id: RowId,
    resources: Resources,
    tenant: str,
    last_seq: Annotated[int, Parameter(ge=0)] = 0,
) -> None:
    """Replays then follows a run's events, closing after the final one."""
    run = await _load(resources, run_id)
    if run is None or run.tenant != tenant:
        error = NotFoundError(f"run {run_id} does not exist; GET /api/v1/runs lists them")
        await refuse_socket(socket.scope, socket.send, error)
        return
    await socket.accept()
    after = "0-0"
    quiet_final_polls = 0
    try:
        while True:
            events = await read_events(resources.redis, run_id, after=after, block_ms=POLL_MS)
            for stream_id, event in events:
                after = stream_id
                if event["seq"] <= last_seq:
                    continue
                await socket.send_json(event)
                if event["type"] in FINAL_EVENT_TYPES:
                    await socket.close()
                    return
            if events:
                quiet_final_polls = 0
                continue
            run = await _load(resources, run_id)
            # The final event follows the database change closely; only after a second quiet
            # poll is it taken as lost (an expired stream) and made up from the row.
            quiet_final_polls = quiet_final_polls + 1 if run and run.status.is_final else 0
            if run is None or quiet_final_polls >= 2:
                await socket.send_json(_final_event_from(run) if run else {"type": "failed"})
                await socket.close()
                return
    except WebSocketDisconnect:
        return


@websocket("/ws/feed")
async def tenant_feed(socket: WebSocket[Any, Any, Any], resources: Resources, tenant: str) -> None:
    """Forwards the events of all the tenant's runs as they happen."""
    await socket.accept()
    await relay(socket, resources.redis, feed_channel(tenant))
