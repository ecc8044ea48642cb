"""Running-job slots per tenant: the leases that hold a tenant to its concurrent-jobs limit.

A worker takes a job off the tenants' queues only together with a slot of the job's tenant, in
one Lua script, so two workers can never both take a tenant's last slot, and a tenant at its
limit leaves its jobs in line while other tenants' jobs are taken (no tenant starves another:
the script serves the queues round robin, starting after the one served last by any worker).

A slot is a lease, a member of the tenant's sorted set scored by its expiry: the worker running
the job renews it with each heartbeat and gives it back when the job ends. A worker that dies
without giving it back loses it when the lease runs out, so a slot never leaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import redis
from redis.client import Pipeline
from rq import Queue

from service.queues import queue_name

WAKE_KEY = "mlchat:workers:wake"
"""A list idle workers block on: a new job or a freed slot pushes to it."""
WAKE_MAX = 64
LAST_SERVED_KEY = "mlchat:workers:last-served"

_CLAIM_LUA = """
local now = redis.call('TIME')
local clock = tonumber(now[1]) + tonumber(now[2]) / 1000000
local lease = tonumber(ARGV[1])
local n = (#ARGV - 1) / 3
local last = redis.call('GET', KEYS[1])
local start = 0
for i = 0, n - 1 do
  if ARGV[2 + i * 3] == last then start = i + 1 end
end
for k = 0, n - 1 do
  local base = 2 + ((start + k) % n) * 3
  local queue, slots, limit = ARGV[base], ARGV[base + 1], tonumber(ARGV[base + 2])
  redis.call('ZREMRANGEBYSCORE', slots, '-inf', clock)
  if redis.call('ZCARD', slots) < limit then
    local job_id = redis.call('LPOP', queue)
    if job_id then
      redis.call('ZADD', slots, clock + lease, job_id)
      redis.call('SET', KEYS[1], queue)
      return {queue, job_id}
    end
  end
end
return false
"""

_RENEW_LUA = """
local now = redis.call('TIME')
local clock = tonumber(now[1]) + tonumber(now[2]) / 1000000
return redis.call('ZADD', KEYS[1], 'XX', clock + tonumber(ARGV[2]), ARGV[1])
"""


def slots_key(tenant: str) -> str:
    return f"mlchat:tenant:{tenant}:running"


def queue_key(tenant: str) -> str:
    return f"{Queue.redis_queue_namespace_prefix}{queue_name(tenant)}"


@dataclass(frozen=True)
class Claim:
    """A job taken off its tenant's queue with one of the tenant's slots."""

    tenant: str
    job_id: str


def claim(
    connection: redis.Redis, tenants: Sequence[tuple[str, int]], lease_s: float
) -> Claim | None:
    """The next job of the first tenant, round robin, that has one waiting and a slot free
    (`tenants`: each tenant with its concurrent-jobs limit); None when there is none."""
    if not tenants:
        return None
    args: list[str | float | int] = [lease_s]
    by_queue = {}
    for tenant, limit in tenants:
        args += [queue_key(tenant), slots_key(tenant), limit]
        by_queue[queue_key(tenant)] = tenant
    taken = connection.register_script(_CLAIM_LUA)(keys=[LAST_SERVED_KEY], args=args)
    if not taken:
        return None
    queue, job_id = (part.decode() if isinstance(part, bytes) else part for part in taken)
    return Claim(by_queue[queue], job_id)


def renew(connection: redis.Redis, tenant: str, job_id: str, lease_s: float) -> None:
    """Extend a held slot's lease by the server's clock (a slot given back stays given back)."""
    connection.register_script(_RENEW_LUA)(keys=[slots_key(tenant)], args=[job_id, lease_s])


def release(connection: redis.Redis, tenant: str, job_id: str) -> None:
    """Give a slot back and wake an idle worker, which may now take the tenant's next job."""
    with connection.pipeline() as pipeline:
        pipeline.zrem(slots_key(tenant), job_id)
        wake(pipeline)
        pipeline.execute()


def wake(pipeline: Pipeline) -> None:
    """Add to `pipeline` the push that wakes one idle worker."""
    pipeline.lpush(WAKE_KEY, 1)
    pipeline.ltrim(WAKE_KEY, 0, WAKE_MAX - 1)


def wait_for_work(connection: redis.Redis, timeout_s: float) -> None:
    """Block until a job or a free slot may be waiting, or `timeout_s` passed."""
    connection.blpop([WAKE_KEY], timeout=timeout_s)


def redis_time(connection: redis.Redis) -> float:
    seconds, micros = connection.time()
    return float(seconds) + micros / 1_000_000


def running(connection: redis.Redis, tenant: str) -> int:
    """How many of the tenant's jobs hold a slot now."""
    return int(connection.zcount(slots_key(tenant), f"({redis_time(connection)}", "+inf"))


def waiting(connection: redis.Redis, tenant: str) -> int:
    """How many of the tenant's jobs wait in line."""
    return int(connection.llen(queue_key(tenant)))
