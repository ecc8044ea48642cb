"""The long-lived connections of the web process, opened at start-up and closed at shutdown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from service.db.engines import async_engine, async_session_factory
from service.settings import Settings


@dataclass
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[Any]
    redis: aioredis.Redis
    # RQ speaks synchronous redis-py; enqueue and cancel go through a thread with it.
    sync_redis: Redis

    @classmethod
    def open(cls, settings: Settings) -> Resources:
        url = settings.resolved_redis_url
        engine = async_engine(settings.resolved_database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=async_session_factory(engine),
            redis=aioredis.Redis.from_url(url),
            sync_redis=Redis.from_url(url),
        )

    async def close(self) -> None:
        await self.redis.aclose()
        self.sync_redis.close()
        await self.engine.dispose()
