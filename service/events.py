"""Run events: one Redis Stream per run, numbered by a per-run sequence, fanned out by pub/sub.

A Lua script gives each event its `seq` and appends it in one step, so events from the API
(queued, cancelled) and from a worker (progress, finished) never interleave out of order.

A run's final event (finished, failed, cancelled) is the last of its stream, whoever appends
after it: the script writes a marker with it and drops any later event. A worker that lost its
run to the reaper or a cancel, and still reports, is then talking to nobody.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

import redis
import redis.asyncio as aioredis

EventType = Literal[
    "queued", "started", "progress", "metric", "log", "artifact", "finished", "failed", "cancelled"
]
FINAL_EVENT_TYPES = frozenset({"finished", "failed", "cancelled"})
STREAM_MAXLEN = 100_000
STREAM_TTL_S = 30 * 24 * 3600

_APPEND_LUA = """
if redis.call('EXISTS', KEYS[3]) == 1 then
  return {0, ''}
end
local seq = redis.call('INCR', KEYS[1])
local event = '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'event', event)
if ARGV[3] == '1' then
  redis.call('SET', KEYS[3], seq, 'EX', ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
for i = 5, #ARGV do
  redis.call('PUBLISH', ARGV[i], event)
end
return {seq, id}
"""


def stream_key(run_id: int) -> str:
    return f"mlchat:run:{run_id}:events"


def _seq_key(run_id: int) -> str:
    return f"mlchat:run:{run_id}:seq"


def final_key(run_id: int) -> str:
    """Set, to the final event's seq, when the run's final event is on its stream."""
    return f"mlchat:run:{run_id}:final"


def feed_channel(tenant: str) -> str:
    return f"mlchat:tenant:{tenant}:feed"


def conversation_channel(conversation_id: int) -> str:
    return f"mlchat:conversation:{conversation_id}:events"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _channels(tenant: str, conversation_id: int | None) -> list[str]:
    channels = [feed_channel(tenant)]
    if conversation_id is not None:
        channels.append(conversation_channel(conversation_id))
    return channels


def _script_args(
    event_type: EventType,
    run_id: int,
    job_id: str,
    tenant: str,
    conversation_id: int | None,
    fields: dict[str, Any],
) -> tuple[list[str], list[Any]]:
    body = {"type": event_type, "run_id": run_id, "job_id": job_id, "ts": _now()}
    body.update({k: v for k, v in fields.items() if v is not None})
    final = "1" if event_type in FINAL_EVENT_TYPES else "0"
    args: list[Any] = [json.dumps(body, allow_nan=False), STREAM_MAXLEN, final, STREAM_TTL_S]
    args.extend(_channels(tenant, conversation_id))
    return [_seq_key(run_id), stream_key(run_id), final_key(run_id)], args


def append_event(
    client: redis.Redis,
    event_type: EventType,
    *,
    run_id: int,
    job_id: str,
    tenant: str,
    conversation_id: int | None = None,
    **fields: Any,
) -> int:
    """Append one event to the run's stream and publish it; returns its seq, or 0 when the
    run's final event is already on the stream and this one was dropped."""
    keys, args = _script_args(event_type, run_id, job_id, tenant, conversation_id, fields)
    seq, _ = client.register_script(_APPEND_LUA)(keys=keys, args=args)
    return int(seq)


def queue_event(
    pipeline: redis.client.Pipeline,
    event_type: EventType,
    *,
    run_id: int,
    job_id: str,
    tenant: str,
    conversation_id: int | None = None,
    **fields: Any,
) -> None:
    """Add the append of one event to `pipeline`, to be sent with the pipeline's other commands."""
    keys, args = _script_args(event_type, run_id, job_id, tenant, conversation_id, fields)
    # EVAL with the script's text rather than a registered script: a pipeline holding one
    # would first ask the server whether it knows it, costing a round trip.
    pipeline.eval(_APPEND_LUA, len(keys), *keys, *args)


async def append_event_async(
    client: aioredis.Redis,
    event_type: EventType,
    *,
    run_id: int,
    job_id: str,
    tenant: str,
    conversation_id: int | None = None,
    **fields: Any,
) -> int:
    """The same as `append_event`, from the web process."""
    keys, args = _script_args(event_type, run_id, job_id, tenant, conversation_id, fields)
    seq, _ = await client.register_script(_APPEND_LUA)(keys=keys, args=args)
    return int(seq)


def _decode(entries: Any) -> list[tuple[str, dict[str, Any]]]:
    decoded = []
    for entry_id, values in entries:
        raw = values[b"event"] if b"event" in values else values["event"]
        entry = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        decoded.append((entry, json.loads(raw)))
    return decoded


async def read_events(
    client: aioredis.Redis, run_id: int, *, after: str = "0-0", count: int | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Events after stream id `after` (at most `count`), at once: the web process never blocks
    a connection waiting on a stream; live events reach it through its hub."""
    entries = await client.xrange(stream_key(run_id), min=f"({after}", max="+", count=count)
    return _decode(entries)


async def latest_progress(client: aioredis.Redis, run_id: int) -> dict[str, Any] | None:
    """The newest progress event of a run, if any (for status polling)."""
    return _newest_progress(await client.xrevrange(stream_key(run_id), count=20))


async def latest_progress_many(
    client: aioredis.Redis, run_ids: list[int]
) -> dict[int, dict[str, Any]]:
    """`latest_progress` of each run that has one, in one round trip (a list's active runs)."""
    async with client.pipeline(transaction=False) as pipeline:
        for run_id in run_ids:
            pipeline.xrevrange(stream_key(run_id), count=20)
        replies = await pipeline.execute()
    found = {run_id: _newest_progress(entries)
             for run_id, entries in zip(run_ids, replies, strict=True)}  # fmt: skip
    return {run_id: event for run_id, event in found.items() if event is not None}


def _newest_progress(entries: Any) -> dict[str, Any] | None:
    for _, event in _decode(entries):
        if event["type"] == "progress":
            return event
    return None


def all_events(client: redis.Redis, run_id: int) -> list[dict[str, Any]]:
    """Every event on the run's stream, from the worker (which may read it synchronously)."""
    return [event for _, event in _decode(client.xrange(stream_key(run_id)))]
