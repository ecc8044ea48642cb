"""The long-lived connections of the web process, opened at start-up and closed at shutdown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from service.db.engines import async_engine, async_session_factory
from service.fanout import Hub
from service.redis_clients import bounded_redis
from service.settings import Settings


@dataclass
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[Any]
    redis: aioredis.Redis
    """For requests only: the sockets have the hub's connections."""
    hub: Hub
    """The one pub/sub subscription of this process, shared by its WebSockets; run by the
    app's lifespan."""
    # RQ speaks synchronous redis-py; enqueue and cancel go through a thread with it.
    sync_redis: Redis

    @classmethod
    def open(cls, settings: Settings) -> Resources:
        url = settings.resolved_redis_url
        timeout_s = settings.redis_timeout_s
        engine = async_engine(settings.resolved_database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=async_session_factory(engine),
            redis=bounded_redis(url, max_connections=settings.redis_pool_size, timeout_s=timeout_s),
            hub=Hub(url, buffer=settings.ws_buffer, timeout_s=timeout_s),
            sync_redis=Redis.from_url(url),
        )

    async def close(self) -> None:
        await self.redis.aclose()
        await self.hub.aclose()
        self.sync_redis.close()
        await self.engine.dispose()
