"""WebSockets that scale: one Redis subscription per API process, fanned out to every socket.

A thousand feed clients get every event in order while the REST API stays healthy; a client
that stops reading is dropped without holding the others up; sockets outlive a Redis restart.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
import redis.asyncio as aioredis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedOK

from service.embedded_redis import EmbeddedRedis
from service.events import append_event_async, feed_channel
from tests.service.crowd import Crowd, StalledClient, allow_open_files, append_run
from tests.service.stack import Stack

TENANT = "default"
CLIENTS = 1000
EVENTS = 20
WS_BUFFER = 50
"""The server's per-socket buffer here: small, so a stalled client overflows it soon."""
CAP_S = 120.0
"""The cap on a wait for what the server does; each wait ends as soon as it happens."""
_RUN_IDS = itertools.count(900_001)  # made-up runs: only their events exist


def _stack(home: Path, *, persist: bool, **settings: str) -> Stack:
    return Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=persist),
                 database_url=f"sqlite:///{home / 'mlchat.db'}", settings=settings)  # fmt: skip


@pytest.fixture(scope="module")
def fanout_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """API and one worker (so /health can say ok), with a small per-socket buffer."""
    allow_open_files(CLIENTS + 512)  # the API inherits it too
    stack = _stack(tmp_path_factory.mktemp("fanout"), persist=False,
                   MLCHAT_WS_BUFFER=str(WS_BUFFER))  # fmt: skip
    try:
        stack.start(n_workers=1)
        yield stack
    finally:
        stack.stop()


@pytest.mark.integration
async def test_a_thousand_feed_clients_get_every_event_in_order_while_rest_stays_healthy(
    fanout_stack: Stack,
) -> None:
    run_id = next(_RUN_IDS)
    events = aioredis.Redis.from_url(fanout_stack.redis.url)
    async with (
        Crowd(f"{fanout_stack.ws_url}/ws/feed", CLIENTS) as crowd,
        httpx.AsyncClient(base_url=fanout_stack.base_url, timeout=60) as http,
        anyio.create_task_group() as tasks,
    ):
        tasks.start_soon(crowd.follow, run_id, CAP_S)
        # Each event goes out to a thousand sockets while the REST API is asked for its lists
        # and its health: before the hub, these sockets' subscriptions drained the pool REST
        # needed (500 on the list, 503 on /health, sockets closed with 4500).
        for step in range(1, EVENTS + 1):
            kind = "finished" if step == EVENTS else "progress"
            await append_event_async(events, kind, run_id=run_id, job_id="crowd", tenant=TENANT,
                                     step=step, total=EVENTS)  # fmt: skip
            runs = await http.get("/api/v1/runs")
            health = await http.get("/health")
            assert runs.status_code == 200, runs.text
            assert health.status_code == 200, health.text
    await events.aclose()
    expected = list(range(1, EVENTS + 1))
    short = [(i, c.seqs) for i, c in enumerate(crowd.clients) if c.seqs != expected]
    assert not short, f"{len(short)} of {CLIENTS} clients missed or reordered events: {short[:3]}"


def _bytes_to_stall(message_bytes: int) -> int:
    """Events of `message_bytes` that surely overflow a stalled client's server-side buffers:
    the kernel's largest send buffer (autotuned), the transport's, and the socket's queue."""
    try:
        send_max = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, IndexError, ValueError):
        send_max = 4 * 1024 * 1024
    held = send_max + 256 * 1024 + WS_BUFFER * message_bytes
    return 2 * held // message_bytes


@pytest.mark.integration
async def test_a_client_that_stops_reading_is_dropped_and_holds_nobody_up(
    fanout_stack: Stack,
) -> None:
    run_id = next(_RUN_IDS)
    message_bytes = 16 * 1024  # large events fill the stalled client's pipes in few of them
    n_events = _bytes_to_stall(message_bytes)
    url = f"{fanout_stack.ws_url}/ws/feed"
    stalled = StalledClient(url)
    await stalled.open()
    try:
        async with Crowd(url, 5) as crowd, anyio.create_task_group() as tasks:
            tasks.start_soon(crowd.follow, run_id, CAP_S)
            await append_run(fanout_stack.redis.url, run_id, TENANT, n_events,
                             message_bytes=message_bytes)  # fmt: skip
        # The others were sent every event, the last included, while the stalled one read
        # nothing: had its socket held the hub up, they would still be waiting.
        expected = list(range(1, n_events + 1))
        assert all(c.seqs == expected for c in crowd.clients), [len(c.seqs) for c in crowd.clients]
        with anyio.fail_after(CAP_S):
            await stalled.drain()
    finally:
        stalled.close()
    seqs = [json.loads(text)["seq"] for text in stalled.texts]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) < n_events
    assert stalled.closed_with is not None
    code, reason = stalled.closed_with
    assert code == 1013 and "too slow" in reason, stalled.closed_with


@pytest.fixture(scope="module")
def restart_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """API alone (runs stay queued), on a Redis that keeps its data across a restart."""
    stack = _stack(tmp_path_factory.mktemp("fanout-restart"), persist=True)
    try:
        stack.start(n_workers=0)
        yield stack
    finally:
        stack.stop()


@pytest.mark.integration
async def test_sockets_stay_open_and_hear_again_after_redis_restarts(restart_stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=restart_stack.base_url, timeout=60) as http:
        job = (await http.post("/api/v1/ml/train", json={
            "algorithm": "random_forest", "dataset": {"name": "iris"},
            "target_column": "species"})).raise_for_status().json()  # fmt: skip
    run_id = job["run_id"]
    feed_url = f"{restart_stack.ws_url}/ws/feed"
    run_url = f"{restart_stack.ws_url}/ws/runs/{run_id}"
    async with Crowd(feed_url, 10) as feeds, connect(run_url, open_timeout=60) as run_socket:
        heard = [json.loads(await run_socket.recv())]
        assert heard[0]["type"] == "queued"

        restart_stack.redis.stop()
        restart_stack.redis.start()
        client = aioredis.Redis.from_url(restart_stack.redis.url)
        try:
            # Appended at once, maybe before the hub is back: the run's socket finds it in the
            # stream; the feed, which has no replay, may miss it.
            await append_event_async(client, "progress", run_id=run_id, job_id=job["job_id"],
                                     tenant=TENANT, step=1, total=2)  # fmt: skip
            with anyio.fail_after(CAP_S):
                while (await client.pubsub_numsub(feed_channel(TENANT)))[0][1] < 1:
                    await anyio.sleep(0.05)  # polling Redis for the hub's subscription
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(feeds.follow, run_id, CAP_S)
                await append_event_async(client, "progress", run_id=run_id,
                                         job_id=job["job_id"], tenant=TENANT, step=2)  # fmt: skip
                await append_event_async(client, "cancelled", run_id=run_id,
                                         job_id=job["job_id"], tenant=TENANT)  # fmt: skip
        finally:
            await client.aclose()
        with anyio.fail_after(CAP_S):
            try:
                while True:
                    heard.append(json.loads(await run_socket.recv()))
            except ConnectionClosedOK:
                pass
    assert [e["seq"] for e in heard] == [1, 2, 3, 4]
    assert heard[-1]["type"] == "cancelled"
    for feed in feeds.clients:
        assert feed.seqs[-2:] == [3, 4] and feed.seqs in ([2, 3, 4], [3, 4]), feed.seqs
