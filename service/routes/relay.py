"""Relaying a Redis pub/sub channel to a WebSocket, for as long as the client stays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import WebSocket
from redis.asyncio import Redis
from redis.asyncio.client import PubSub


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


async def forward(socket: WebSocket[Any, Any, Any], pubsub: PubSub) -> None:
    """Send every message published on the subscription to the socket, as it comes."""
    while True:
        item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
        if item is not None:
            await socket.send_text(item["data"].decode())
