"""Relaying a Redis pub/sub channel to a WebSocket, for as long as the client stays."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

Socket = WebSocket[Any, Any, Any]


@asynccontextmanager
async def subscribed(redis: Redis, channel: str) -> AsyncIterator[PubSub]:
    """A pub/sub subscription to `channel`, closed however the block ends."""
    pubsub = redis.pubsub()
    await pubsub.subscribe(channel)
    try:
        yield pubsub
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped


async def _forward(socket: Socket, pubsub: PubSub) -> None:
    while True:
        item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
        if item is not None:
            await socket.send_text(item["data"].decode())


async def _until_closed(socket: Socket) -> None:
    # A client that says nothing: a receive is how its leaving is noticed.
    while True:
        await socket.receive_text()


async def relay(
    socket: Socket,
    redis: Redis,
    channel: str,
    receive: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Send what `channel` publishes to the accepted `socket` while `receive` handles what the
    client says (by default: nothing), until the client leaves."""
    try:
        async with subscribed(redis, channel) as pubsub, anyio.create_task_group() as tasks:
            tasks.start_soon(_forward, socket, pubsub)
            await (receive() if receive is not None else _until_closed(socket))
            tasks.cancel_scope.cancel()
    except* WebSocketDisconnect:
        pass  # the client left: nothing to close
