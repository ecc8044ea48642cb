"""WebSocket fan-out: N clients on /ws/feed while a run's K events are appended.

Starts its own mlchat API (a temporary MLCHAT_HOME, an embedded Redis, no workers), opens N
feed sockets from this one asyncio process, appends K events of a made-up run as a worker
would (`service.events.append_event`, `INTERVAL_S` apart, from a thread) and reports how many
(client, event) deliveries were lost and the delivery latency, from the event's `ts` (stamped
when it is appended) to its receipt by a client.

Run: `.venv/bin/python bench/fanout.py [--clients 1000] [--events 50]` (under a minute).
Target: 1,000 clients, zero lost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.embedded_redis import EmbeddedRedis
from service.events import append_event
from tests.service.crowd import Crowd, allow_open_files
from tests.service.stack import Stack

TENANT = "default"
RUN_ID = 1_000_001
INTERVAL_S = 0.02
"""Between two events: a busy job's pace (a boosting round or an epoch each)."""
CAP_S = 300.0


def _append(redis_url: str, events: int) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        for step in range(1, events + 1):
            kind = "finished" if step == events else "progress"
            append_event(client, kind, run_id=RUN_ID, job_id="bench-fanout", tenant=TENANT,
                         step=step, total=events, progress=step / events)  # fmt: skip
            time.sleep(INTERVAL_S)
    finally:
        client.close()


def _in_order(seqs: list[int]) -> int:
    """How many events a client got in order from the first: a gap or a swap ends the count."""
    count = 0
    for seq in seqs:
        if seq != count + 1:
            break
        count += 1
    return count


async def _measure(stack: Stack, clients: int, events: int) -> dict[str, float | int]:
    async with Crowd(f"{stack.ws_url}/ws/feed", clients) as crowd:
        follow = asyncio.create_task(crowd.follow(RUN_ID, CAP_S))
        await asyncio.to_thread(_append, stack.redis.url, events)
        with contextlib.suppress(TimeoutError):  # what never came counts as lost
            await follow
    delivered = sum(_in_order(client.seqs) for client in crowd.clients)
    latencies_ms = sorted(age * 1000 for c in crowd.clients for _, _, age in c.events)
    centiles = statistics.quantiles(latencies_ms, n=100) if len(latencies_ms) > 1 else [0.0] * 99
    return {
        "clients": clients,
        "events": events,
        "lost": clients * events - delivered,
        "p50_ms": round(centiles[49], 1),
        "p99_ms": round(centiles[98], 1),
    }


def run_fanout(clients: int = 1000, events: int = 50) -> dict[str, float | int]:
    """Start an API of its own, fan `events` events out to `clients` feed sockets; returns
    {"clients", "events", "lost", "p50_ms", "p99_ms"} (lost: deliveries missing or out of
    order; latency: event `ts` -> receipt)."""
    allow_open_files(clients + 512)  # this process's sockets; the API lifts its own limit
    with tempfile.TemporaryDirectory(prefix="mlchat-bench-fanout-") as tmp:
        home = Path(tmp)
        stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                      database_url=f"sqlite:///{home / 'mlchat.db'}")  # fmt: skip
        try:
            stack.start(n_workers=0)
            return asyncio.run(_measure(stack, clients, events))
        finally:
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(run_fanout(args.clients, args.events)))


if __name__ == "__main__":
    main()
