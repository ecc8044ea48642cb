"""One Redis subscription per API process, fanned out in-process to every socket that wants it.

Every WebSocket used to hold a pub/sub connection of its own, so a hundred open sockets drained
the pool the REST API shared with them. Now a `Hub` keeps one connection, subscribed to the
channels its sockets listen on, and puts each message on every interested socket's `Listener`:
a bounded queue, so a client that reads too slowly is dropped rather than stalling the others.

Channels are subscribed by reference count, not by a pattern (`PSUBSCRIBE mlchat:*`): with a
pattern every API process would receive every tenant's every event (each run event twice, on
the feed and on its conversation), traffic that grows with the cluster rather than with the
process's own sockets. A channel whose last socket leaves stays subscribed a little while
(`IDLE_UNSUBSCRIBE_S`), so a page that reconnects finds it ready without a round trip.

Redis going away does not close the sockets: the hub reconnects with backoff, resubscribes,
and tells each listener that messages may have been missed in between (`RESYNC`), so a run's
socket can fill the gap from the run's stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

import anyio
import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from service.redis_clients import bounded_redis

log = logging.getLogger(__name__)

RESYNC: Final = None
"""Put on every listener's queue after a reconnection: messages may have been lost meanwhile."""

KEEPALIVE_S = 5.0
"""A connection silent this long is pinged; silent for as long again, it is taken for dead."""
IDLE_UNSUBSCRIBE_S = 10.0
"""A channel nobody has listened on for this long is unsubscribed."""
SUBSCRIBE_WAIT_S = 10.0
"""The longest a socket waits for its channel's subscription to be confirmed before it opens."""
BACKOFF_FIRST_S = 0.1
BACKOFF_MAX_S = 5.0
STREAM_READERS = 16
"""Connections the sockets share for reading streams: a replay holds one for one XRANGE."""

Message = str | None


class Listener:
    """One socket's share of a channel: the messages it has yet to send, at most `size`."""

    def __init__(self, channel: str, run_id: int | None, size: int) -> None:
        self.channel = channel
        self.run_id = run_id
        """Only this run's events, when set (a run's socket on its tenant's feed)."""
        self.size = size
        self.queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=size)
        self.dropped = asyncio.Event()
        """Set when the queue overflowed: the socket fell too far behind and is to be closed."""

    def offer(self, message: Message) -> bool:
        """Queue `message`; False (and `dropped` set) when the queue is full."""
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.dropped.set()
            return False
        return True

    async def get(self) -> Message:
        """The next message (RESYNC after a reconnection), waiting for one."""
        return await self.queue.get()


def _run_id_of(text: str) -> int | None:
    try:
        run_id = json.loads(text).get("run_id")
    except (ValueError, AttributeError):
        return None
    return run_id if isinstance(run_id, int) else None


class Hub:
    """The API process's one pub/sub connection and the listeners it serves."""

    def __init__(self, url: str, *, buffer: int, timeout_s: float) -> None:
        self.buffer = buffer
        # Its own connection, never the REST pool; no retries inside redis-py: `run` reconnects,
        # and resubscribes what is wanted now rather than what was wanted then.
        self._client = aioredis.Redis.from_url(
            url, retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=timeout_s, socket_timeout=timeout_s,
        )  # fmt: skip
        self.streams = bounded_redis(url, max_connections=STREAM_READERS, timeout_s=timeout_s)
        """The sockets' own connections for reading run streams (replays, gaps)."""
        self._listeners: dict[str, set[Listener]] = {}
        self._idle_since: dict[str, float] = {}
        self._ready: dict[str, asyncio.Event] = {}
        # SUBSCRIBEs sent on this connection and not yet confirmed, per channel: a channel is
        # ready only once all are, so an older confirmation cannot vouch for a newer request.
        self._unconfirmed: dict[str, int] = {}
        self._resyncing: set[str] = set()
        self._pubsub: PubSub | None = None
        self._connected = False
        self._ever_connected = False
        self.reconnections = 0
        """How often the subscription was lost and restored."""

    @asynccontextmanager
    async def listen(self, channel: str, *, run_id: int | None = None) -> AsyncIterator[Listener]:
        """A listener on `channel` (only `run_id`'s events, when given), subscribed before it is
        handed out when Redis is there; removed when the block ends."""
        listener = Listener(channel, run_id, self.buffer)
        listeners = self._listeners.setdefault(channel, set())
        listeners.add(listener)
        self._idle_since.pop(channel, None)
        try:
            if channel not in self._ready:
                self._ready[channel] = asyncio.Event()
                await self._subscribe(channel)
            if self._connected:
                # Redis is there: the subscription is confirmed before the socket is told it is
                # open, so nothing published after the handshake is missed. Without Redis the
                # socket opens at once and hears from the hub once it is back.
                with anyio.move_on_after(SUBSCRIBE_WAIT_S):
                    await self._ready[channel].wait()
            yield listener
        finally:
            listeners.discard(listener)
            if not listeners and self._listeners.get(channel) is listeners:
                self._idle_since[channel] = anyio.current_time()

    async def run(self) -> None:
        """Keep the subscription up until cancelled: reconnect with backoff and resubscribe."""
        delay = BACKOFF_FIRST_S
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.connect()  # type: ignore[no-untyped-call,unused-ignore]  # untyped before redis-py 8.2
                await self._resubscribe(pubsub)
                delay = BACKOFF_FIRST_S
                await self._read(pubsub)
            except (RedisError, OSError) as error:
                if self._connected:
                    log.warning("redis subscription lost", extra={"error": str(error)})
            finally:
                self._lost()
                with anyio.CancelScope(shield=True):
                    await pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]  # untyped before redis-py 8.2
            await anyio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX_S)

    async def aclose(self) -> None:
        await self._client.aclose()
        await self.streams.aclose()

    async def _subscribe(self, channel: str) -> None:
        pubsub = self._pubsub
        if not self._connected or pubsub is None:
            return  # `run` subscribes every wanted channel once connected
        self._unconfirmed[channel] = self._unconfirmed.get(channel, 0) + 1
        # A failure means a broken connection: `run` notices, reconnects and resubscribes.
        with contextlib.suppress(RedisError):
            await pubsub.subscribe(channel)

    async def _resubscribe(self, pubsub: PubSub) -> None:
        # Channels nobody listens on any more are not worth a subscription on the new connection.
        for channel in [c for c, listeners in self._listeners.items() if not listeners]:
            self._forget(channel)
        # Connected first: a socket that arrives while these are sent subscribes for itself.
        self._pubsub, self._connected = pubsub, True
        channels = list(self._listeners)
        self._unconfirmed = dict.fromkeys(channels, 1)
        if channels:
            await pubsub.subscribe(*channels)
        # Every listener already there may have missed messages (it opened, or was open, while
        # Redis was away); each is told once its channel's subscription is confirmed, since a
        # gap filled before then could miss what is published in between.
        self._resyncing = set(channels)
        if self._ever_connected:
            self.reconnections += 1
            restored = {"channels": len(channels), "reconnections": self.reconnections}
            log.info("redis subscription restored", extra=restored)
        self._ever_connected = True

    async def _read(self, pubsub: PubSub) -> None:
        pinged = False
        next_sweep = anyio.current_time() + IDLE_UNSUBSCRIBE_S
        while True:
            message = await pubsub.get_message(timeout=KEEPALIVE_S)
            if message is None:
                if pinged:
                    raise RedisTimeoutError(f"no answer to a ping in {KEEPALIVE_S}s")
                await pubsub.ping()
                pinged = True
            else:
                pinged = False
                self._dispatch(message)
            if anyio.current_time() >= next_sweep:
                await self._sweep(pubsub)
                next_sweep = anyio.current_time() + IDLE_UNSUBSCRIBE_S
            # Messages already buffered are read without yielding; the sockets' senders get
            # their turn after each one, so a burst cannot fill their queues before they run.
            await asyncio.sleep(0)

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        channel = _text(message["channel"]) if message.get("channel") is not None else ""
        if kind == "subscribe":
            left = self._unconfirmed.get(channel, 1) - 1
            self._unconfirmed[channel] = left
            if left <= 0 and channel in self._ready:
                self._ready[channel].set()
                if channel in self._resyncing:
                    self._resyncing.discard(channel)
                    self._offer(channel, RESYNC)
        elif kind == "message":
            self._deliver(channel, _text(message["data"]))

    def _deliver(self, channel: str, text: str) -> None:
        listeners = self._listeners.get(channel)
        if not listeners:
            return
        if any(listener.run_id is not None for listener in listeners):
            self._offer(channel, text, _run_id_of(text))
        else:
            self._offer(channel, text)

    def _offer(self, channel: str, message: Message, run_id: int | None = None) -> None:
        listeners = self._listeners.get(channel, set())
        overflowed = [
            listener
            for listener in listeners
            if (message is RESYNC or listener.run_id is None or listener.run_id == run_id)
            and not listener.offer(message)
        ]
        for listener in overflowed:
            # Dropped: it is sent nothing more; its socket closes it and may reconnect.
            listeners.discard(listener)
            log.warning("a websocket fell behind and is dropped",
                        extra={"channel": channel, "buffer": listener.size})  # fmt: skip

    async def _sweep(self, pubsub: PubSub) -> None:
        now = anyio.current_time()
        idle = [c for c, since in self._idle_since.items() if now - since >= IDLE_UNSUBSCRIBE_S]
        idle = [c for c in idle if not self._listeners.get(c)]
        for channel in idle:
            self._forget(channel)
        if idle:
            await pubsub.unsubscribe(*idle)

    def _forget(self, channel: str) -> None:
        self._listeners.pop(channel, None)
        self._idle_since.pop(channel, None)
        self._ready.pop(channel, None)
        self._unconfirmed.pop(channel, None)
        self._resyncing.discard(channel)

    def _lost(self) -> None:
        self._connected = False
        self._pubsub = None
        self._unconfirmed.clear()
        self._resyncing.clear()
        for ready in self._ready.values():
            ready.clear()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
