"""Redis being out of reach (restarting, or every pooled connection in use), as one notion."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import redis

log = logging.getLogger(__name__)

REDIS_AWAY: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError)
"""What redis-py raises, after its own retries, while Redis cannot be reached: refused or
dropped connections, timeouts, a server still loading its data (BusyLoadingError) and a
connection pool with none free (MaxConnectionsError) are all ConnectionErrors."""


@contextmanager
def unless_redis_away(what: str) -> Iterator[None]:
    """Run the block; if Redis is away, log that `what` was skipped and go on."""
    try:
        yield
    except REDIS_AWAY as exc:
        log.warning("cannot reach Redis to %s; going on without it: %s", what, exc)
