"""RQ queues: one per tenant, with explicit connections."""

from __future__ import annotations

import redis
from rq import Queue

QUEUE_PREFIX = "mlchat-"


def queue_name(tenant: str) -> str:
    return f"{QUEUE_PREFIX}{tenant}"


def tenant_queue(connection: redis.Redis, tenant: str) -> Queue:
    return Queue(queue_name(tenant), connection=connection)
