"""WS /ws/runs/{run_id}: the run's events from the start (or after `last_seq`), then live.
WS /ws/feed: every event of the tenant's runs, live (a runs panel; no replay, the list API has
the state)."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

import anyio
from litestar import websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.params import Parameter
from redis.exceptions import RedisError

from service.db.models import Run
from service.domain.params import RowId
from service.domain.relay import Socket, close_dropped, relay, until_closed, until_dropped
from service.errors import NotFoundError
from service.events import FINAL_EVENT_TYPES, feed_channel, read_events
from service.fanout import RESYNC, Listener
from service.origins import refuse_socket
from service.resources import Resources

log = logging.getLogger(__name__)

POLL_S = 1.0
"""How long a run's socket waits in silence before it asks the database whether the run ended."""
REPLAY_PAGE = 1000
_QUIET = object()


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


class _RunFollower:
    """Sends one run's events in `seq` order, each once: the stream's replay, then the hub's live
    events, the stream filling any gap between them."""

    def __init__(self, socket: Socket, resources: Resources, run_id: int, last_seq: int) -> None:
        self.socket = socket
        self.resources = resources
        self.run_id = run_id
        self.sent = last_seq
        """The highest seq the client has (or said it had)."""
        self.after = "0-0"
        """The stream id of the last entry read."""
        self.behind = False
        """A catch-up failed (Redis away): the next quiet moment tries again."""

    async def follow(self, listener: Listener) -> None:
        """Until the run's final event is sent (and the socket closed)."""
        if await self._catch_up():
            return
        quiet_final_polls = 0
        while True:
            message: object = _QUIET
            with anyio.move_on_after(POLL_S):
                message = await listener.get()
            if message is RESYNC:
                ended = await self._catch_up()
            elif isinstance(message, str):
                ended = await self._live(message)
            else:
                run = await _load(self.resources, self.run_id)
                # The final event follows the database change closely; only after a second
                # quiet poll is it taken as lost (an expired stream) and made up from the row.
                quiet_final_polls = quiet_final_polls + 1 if run and run.status.is_final else 0
                if run is None or quiet_final_polls >= 2:
                    final = _final_event_from(run) if run else {"type": "failed"}
                    await self.socket.send_json(final)
                    await self.socket.close()
                    return
                if (quiet_final_polls == 1 or self.behind) and await self._catch_up():
                    return
                continue
            if ended:
                return
            quiet_final_polls = 0

    async def _live(self, text: str) -> bool:
        event = json.loads(text)
        seq = event.get("seq")
        if not isinstance(seq, int) or seq <= self.sent:
            return False  # already sent, from the replay
        if seq > self.sent + 1:
            return await self._catch_up()  # missed some (Redis was away): the stream has them
        return await self._send(text, seq, event["type"])

    async def _catch_up(self) -> bool:
        """Send what the stream holds past `after`; True once the final event is sent."""
        while True:
            try:
                page = await read_events(self.resources.hub.streams, self.run_id,
                                         after=self.after, count=REPLAY_PAGE)  # fmt: skip
            except RedisError as error:
                log.warning("a run's stream could not be read", extra={"error": str(error)})
                self.behind = True
                return False
            self.behind = False
            for stream_id, event in page:
                self.after = stream_id
                seq = event["seq"]
                if seq > self.sent and await self._send(event, seq, event["type"]):
                    return True
            if len(page) < REPLAY_PAGE:
                return False

    async def _send(self, event: str | dict[str, Any], seq: int, kind: str) -> bool:
        if isinstance(event, str):
            await self.socket.send_text(event)
        else:
            await self.socket.send_json(event)
        self.sent = seq
        if kind in FINAL_EVENT_TYPES:
            await self.socket.close()
            return True
        return False


@websocket("/ws/runs/{run_id:int}")
async def run_events(
    socket: Socket,
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
    # Listening before the replay: an event appended in between arrives live and is deduplicated
    # by its seq, where the other order could lose it.
    async with resources.hub.listen(feed_channel(run.tenant), run_id=run_id) as listener:
        await socket.accept()
        follower = _RunFollower(socket, resources, run_id, last_seq)
        left = False
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(until_closed, socket)
                tasks.start_soon(until_dropped, listener, tasks.cancel_scope)
                await follower.follow(listener)
                tasks.cancel_scope.cancel()
        except* (WebSocketDisconnect, OSError):
            left = True  # a send to a client that is gone raises OSError
    if listener.dropped.is_set() and not left:
        await close_dropped(socket, listener)


@websocket("/ws/feed")
async def tenant_feed(socket: Socket, resources: Resources, tenant: str) -> None:
    """Forwards the events of all the tenant's runs as they happen."""
    await relay(socket, resources.hub, feed_channel(tenant))
