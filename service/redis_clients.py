"""Async Redis clients of the web process that wait a while for Redis, never for ever."""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

RETRIES = 3
"""A command's retries on a broken connection: the first reconnects a connection a Redis
restart left stale; more would only make a caller wait longer while Redis is away."""


def bounded_redis(url: str, *, max_connections: int, timeout_s: float) -> aioredis.Redis:
    """A client over at most `max_connections`: a caller that finds them all busy waits up to
    `timeout_s` for one, as long to connect and as long for an answer, then gets an error."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=timeout_s,
        socket_connect_timeout=timeout_s, socket_timeout=timeout_s,
        retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.5), RETRIES),
    )  # fmt: skip
    return aioredis.Redis.from_pool(pool)
