"""Following runs' event streams in Redis, as the benchmarks that wait on many runs do."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import redis

FINAL = frozenset({"finished", "failed", "cancelled"})


def run_stream(run_id: int) -> str:
    return f"mlchat:run:{run_id}:events"


def until_final(
    client: redis.Redis, run_ids: Iterable[int], timeout_s: float = 900.0
) -> dict[int, list[dict[str, Any]]]:
    """Each run's events up to its final one, read as they come (one XREAD for all runs)."""
    positions = {run_stream(run_id): "0-0" for run_id in run_ids}
    ids = {run_stream(run_id): run_id for run_id in run_ids}
    events: dict[int, list[dict[str, Any]]] = {run_id: [] for run_id in ids.values()}
    deadline = time.monotonic() + timeout_s
    while positions:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(positions)} run(s) without a final event after {timeout_s} s")
        # redis-py's stubs type a reply as if it could be anything; it is a list of pairs.
        reply: Any = client.xread(positions, block=1000)  # type: ignore[arg-type]
        for raw_stream, entries in reply or []:
            stream = raw_stream.decode()
            for entry_id, fields in entries:
                positions[stream] = entry_id
                event = json.loads(fields[b"event"])
                events[ids[stream]].append(event)
                if event.get("type") in FINAL:
                    del positions[stream]
                    break
    return events


def count_entries(client: redis.Redis, stream: str, wanted: int, timeout_s: float = 900.0) -> None:
    """Return once `stream` holds `wanted` entries, reading them as they come."""
    last, seen = "0-0", 0
    deadline = time.monotonic() + timeout_s
    while seen < wanted:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{stream}: {seen} of {wanted} entries after {timeout_s} s")
        reply: Any = client.xread({stream: last}, block=1000)
        for _, entries in reply or []:
            seen += len(entries)
            last = entries[-1][0]


def started_to_final_s(events: list[dict[str, Any]]) -> float:
    """Seconds from a run's `started` event to its final one, by the events' own stamps."""
    stamps = {e["type"]: datetime.fromisoformat(e["ts"].replace("Z", "+00:00")) for e in events}
    final = next(e["type"] for e in reversed(events) if e["type"] in FINAL)
    return (stamps[final] - stamps["started"]).total_seconds()
