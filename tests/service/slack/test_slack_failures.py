"""Slack being Slack: an event delivered twice is answered once, a `ratelimited` answer is
waited out and the update still lands, and a call Slack keeps refusing is logged without a
token and loses nothing in mlchat."""

from __future__ import annotations

import time

import pytest

from tests.service.slack.conftest import BOTS, SIGNING_SECRET
from tests.service.slack.signed import (
    SlackStack,
    blocks_text,
    mention_body,
    message_body,
    new_ts,
    press_payload,
)
from tests.service.slack.test_slack_threads import ACME, ASK, has_buttons, updated_message

pytestmark = pytest.mark.integration


def test_an_event_delivered_twice_is_answered_once(slack_stack: SlackStack) -> None:
    slack = slack_stack
    ts = new_ts()
    first = mention_body(ACME, "UALICE", "C0GENERAL", ASK, ts, "UBOTACME")
    slack.event(first).raise_for_status()
    slack.reply_in(ts, has_buttons)
    slack.event(first).raise_for_status()  # Slack's retry: the same event_id
    question = message_body(ACME, "UALICE", "C0GENERAL", "what columns does penguins have?",
                            new_ts(), channel_type="channel", thread_ts=ts)  # fmt: skip
    slack.event(question).raise_for_status()
    # The thread's turns run in order: once the later message is answered, a second answer
    # to the redelivered one would have been posted before it.
    slack.reply_in(ts, lambda c: "bill_length_mm" in blocks_text(c))
    plans = [c for c in slack.fake.calls_of("chat.postMessage", thread_ts=ts) if has_buttons(c)]
    assert len(plans) == 1


def test_a_ratelimited_update_is_retried_and_lands(slack_stack: SlackStack) -> None:
    slack = slack_stack
    ts = new_ts()
    slack.event(mention_body(ACME, "UALICE", "C0GENERAL", ASK, ts, "UBOTACME")).raise_for_status()
    plan = slack.reply_in(ts, has_buttons)
    slack.fake.ratelimit("chat.update", times=2, retry_after_s=1)
    slack.interact(press_payload(ACME, "UALICE", plan, "mlchat_run")).raise_for_status()
    landed = slack.fake.wait_until(lambda: [
        c for c in slack.fake.calls_of("chat.update", ts=plan.answer["ts"])  # type: ignore[index]
        if c.answer and c.answer["ok"]])  # fmt: skip
    assert "Running — run #" in blocks_text(landed[0])
    refused = [c for c in slack.fake.calls_of("chat.update", ts=landed[0].params["ts"])
               if c.answer and not c.answer["ok"]]  # fmt: skip
    assert len(refused) == 2


def test_a_call_slack_keeps_refusing_is_logged_without_tokens(slack_stack: SlackStack) -> None:
    slack = slack_stack
    ts = new_ts()
    slack.event(mention_body(ACME, "UALICE", "C0GENERAL", ASK, ts, "UBOTACME")).raise_for_status()
    plan = slack.reply_in(ts, has_buttons)
    slack.fake.ratelimit("chat.postEphemeral", times=100, retry_after_s=0)
    slack.interact(press_payload(ACME, "UMALLORY", plan, "mlchat_run")).raise_for_status()
    deadline = time.monotonic() + 120
    logs = ""
    while "slack chat.postEphemeral failed: ratelimited" not in logs:
        assert time.monotonic() < deadline, logs[-2000:]
        time.sleep(0.2)  # the API's log file: nothing to subscribe to
        logs = "".join(p.read_text(errors="replace") for p in slack.stack.home.glob("api-*.log"))
    for secret in [*BOTS, SIGNING_SECRET, "xapp-1-fake"]:
        assert secret not in logs
    slack.fake.ratelimit("chat.postEphemeral", times=0)
    # The app goes on: Alice's Run still starts the plan.
    slack.interact(press_payload(ACME, "UALICE", plan, "mlchat_run")).raise_for_status()
    assert "Running — run #" in blocks_text(updated_message(slack, plan))
