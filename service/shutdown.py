"""Telling a run stopped by a shutdown from one whose worker died.

A worker asked to stop (SIGTERM or SIGINT: `mlchat up` stopping, a service manager, a person at
the terminal) says so in Redis before anything else, so whoever later finds its job abandoned
(the reaper, on the next start) says why truthfully rather than guessing at a crash.
"""

from __future__ import annotations

import redis

SHUTDOWN_REASON = (
    "stopped because mlchat was shut down while it ran (its worker was stopped); run it again"
)
STOPPING_TTL_S = 7 * 24 * 3600
"""How long a stopped worker's word is kept: longer than mlchat is likely to stay down."""


def stopping_key(worker_name: str) -> str:
    return f"mlchat:worker:{worker_name}:stopping"


def mark_stopping(connection: redis.Redis, worker_name: str) -> None:
    """Record that the worker `worker_name` was asked to stop."""
    connection.set(stopping_key(worker_name), "1", ex=STOPPING_TTL_S)


def was_stopping(connection: redis.Redis, worker_name: str | None) -> bool:
    """Whether the worker `worker_name` was asked to stop before it went away."""
    return bool(worker_name) and bool(connection.exists(stopping_key(str(worker_name))))
