"""RQ queues: one per tenant, with explicit connections."""

from __future__ import annotations

import redis
from rq import Queue


def queue_name(tenant: str) -> str:
    return f"mlchat-{tenant}"


def tenant_queue(connection: redis.Redis, tenant: str) -> Queue:
    return Queue(queue_name(tenant), connection=connection)
