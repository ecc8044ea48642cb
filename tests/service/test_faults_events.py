"""A run's final event is the last of its stream whoever appends after it, and a job's reporter
outlives a Redis that went away."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.retry import Retry

from service.embedded_redis import EmbeddedRedis, free_port
from service.events import (
    STREAM_TTL_S,
    append_event,
    append_event_async,
    feed_channel,
    final_key,
    queue_event,
    stream_key,
)
from service.run_reporter import RunReporter

pytestmark = pytest.mark.integration

RUN = {"run_id": 4242, "job_id": "job-4242", "tenant": "faults"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    home: Path = tmp_path_factory.mktemp("events-redis")
    with EmbeddedRedis(home, persist=False) as started:
        yield started


@pytest.fixture
def client(server: EmbeddedRedis) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(server.url)
    connection.flushdb()
    yield connection
    connection.close()


def _stream(client: redis.Redis, run_id: int) -> list[dict[str, Any]]:
    return [json.loads(fields[b"event"]) for _, fields in client.xrange(stream_key(run_id))]


async def test_nothing_reaches_a_run_after_its_final_event(
    client: redis.Redis, server: EmbeddedRedis
) -> None:
    feed = client.pubsub(ignore_subscribe_messages=True)
    feed.subscribe(feed_channel(RUN["tenant"]))
    append_event(client, "started", **RUN)
    append_event(client, "progress", step=1, total=10, **RUN)
    # The reaper gives the run up from the web process...
    web = aioredis.Redis.from_url(server.url)
    try:
        failed_seq = await append_event_async(web, "failed", message="worker gone", **RUN)
    finally:
        await web.aclose()
    # ...while a work horse that lost its worker still reports, and even says it finished.
    assert append_event(client, "progress", step=2, total=10, **RUN) == 0
    assert append_event(client, "artifact", artifact={"kind": "model", "name": "m"}, **RUN) == 0
    assert append_event(client, "finished", progress=1.0, **RUN) == 0
    with client.pipeline() as pipeline:
        queue_event(pipeline, "cancelled", message="cancelled by request", **RUN)
        assert pipeline.execute() == [[0, b""]]

    events = _stream(client, RUN["run_id"])
    assert [e["type"] for e in events] == ["started", "progress", "failed"]
    assert events[-1]["seq"] == failed_seq == 3
    client.publish(feed_channel(RUN["tenant"]), json.dumps({"type": "end of test"}))
    published: list[str] = []
    while not published or published[-1] != "end of test":
        message = feed.get_message(timeout=60)
        if message is not None:
            published.append(json.loads(message["data"])["type"])
    assert published == ["started", "progress", "failed", "end of test"]
    feed.close()
    # The marker lives as long as the stream it guards.
    ttl = client.ttl(final_key(RUN["run_id"]))
    assert STREAM_TTL_S - 60 < ttl <= STREAM_TTL_S
    assert abs(client.ttl(stream_key(RUN["run_id"])) - ttl) <= 1


def test_another_run_is_not_held_by_a_final_event(client: redis.Redis) -> None:
    append_event(client, "cancelled", **RUN)
    other = {**RUN, "run_id": RUN["run_id"] + 1}
    assert append_event(client, "started", **other) == 1
    assert [e["type"] for e in _stream(client, other["run_id"])] == ["started"]


def test_a_reporter_drops_progress_while_redis_is_away_but_not_the_end() -> None:
    # Nothing listens on this port: Redis is away. No retries, so the test takes no time.
    away = redis.Redis(port=free_port(), retry=Retry(NoBackoff(), 0))
    reporter = RunReporter(away, run_id=1, job_id="j", tenant="t", conversation_id=None)
    reporter.progress(1, 100, message="round 1")  # the job trains on
    reporter.log("still training")
    assert reporter.emit("metric", metrics={"test/rmse": 1.0}) == 0
    with pytest.raises(redis.ConnectionError):
        reporter.emit("finished", progress=1.0)
