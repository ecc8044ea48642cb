"""A run's progress reaches Redis thinned, but never at the cost of a milestone."""

from __future__ import annotations

import json

import redis

from service.events import stream_key
from service.run_reporter import RunReporter
from tests.service.stack import Stack


def test_bare_steps_are_thinned_but_every_message_and_the_last_step_arrive(stack: Stack) -> None:
    client = redis.Redis.from_url(stack.redis.url)
    run_id = 987_654
    client.delete(stream_key(run_id))
    reporter = RunReporter(client, run_id=run_id, job_id="j", tenant="t", conversation_id=None,
                           min_interval_s=60.0)  # fmt: skip
    for trial in range(1, 6):
        for round_ in range(50):  # a trial's boosting rounds: counts only
            reporter.progress(round_, 50)
        reporter.progress(trial, 5, message=f"trial {trial}: f1 0.9")
    entries = client.xrange(stream_key(run_id))
    events = [json.loads(fields[b"event"]) for _, fields in entries]
    messages = [e.get("message") for e in events if e.get("message")]
    assert messages == [f"trial {t}: f1 0.9" for t in range(1, 6)]
    # 250 bare counts within the interval: only the first one is sent
    assert len(events) == 1 + 5
