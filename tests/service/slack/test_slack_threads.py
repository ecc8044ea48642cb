"""The Slack app against a running mlchat and a fake Slack: a mention becomes a plan in the
thread, Run starts it on a real worker, Socket Mode does the same, forged requests do nothing,
a shared file becomes a dataset, and two workspaces never see each other's."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.service.helpers import csv_bytes, run_events
from tests.service.slack.fake_slack import Call
from tests.service.slack.png import png_colours, png_size
from tests.service.slack.signed import (
    SlackStack,
    blocks_text,
    mention_body,
    message_body,
    new_ts,
    posted_ts,
    press_payload,
)

pytestmark = pytest.mark.integration

ACME, BETA, STRANGER = "T0ACME", "T0BETA", "T0STRANGER"
ASK = "train xgboost on penguins to predict species with 20 trees"
ACK_S = 3.0
"""Slack gives up on a request not answered within this."""


def updated_message(slack: SlackStack, posted: Call) -> Call:
    """The app's first rewrite of a message it posted, once made."""
    ts = posted_ts(posted)
    return slack.fake.wait_for_call("chat.update", where=lambda c: c.params.get("ts") == ts)


def has_buttons(call: Call) -> bool:
    actions = [b for b in call.params.get("blocks") or [] if b["type"] == "actions"]
    return bool(actions) and [e["action_id"] for e in actions[0]["elements"]] == [
        "mlchat_run", "mlchat_edit", "mlchat_cancel"]  # fmt: skip


def conversation_of(call: Call) -> int:
    """The conversation a message links to (the browser's #/c/{id})."""
    found = re.search(r"/#/c/(\d+)", blocks_text(call))
    assert found, call
    return int(found.group(1))


def mention(slack: SlackStack, text: str = ASK, *, team: str = ACME, user: str = "UALICE",
            channel: str = "C0GENERAL") -> str:  # fmt: skip
    """Mention the bot in a channel; the new thread's ts. Slack's answer comes within 3 s."""
    ts = new_ts()
    bot = {ACME: "UBOTACME", BETA: "UBOTBETA"}.get(team, "UBOTAPP")
    started = time.monotonic()
    response = slack.event(mention_body(team, user, channel, text, ts, bot))
    assert response.status_code == 200, response.text
    assert time.monotonic() - started < ACK_S
    return ts


def test_a_mention_plans_in_the_thread_and_run_starts_it_on_a_worker(
    slack_stack: SlackStack,
) -> None:
    slack = slack_stack
    ts = mention(slack)
    plan = slack.reply_in(ts, has_buttons)
    assert plan.token == "xoxb-acme"
    assert "xgboost" in blocks_text(plan) and "species" in blocks_text(plan)
    conversation = conversation_of(plan)
    assert "https://mlchat.example.org/#/c/" in blocks_text(plan)

    started = time.monotonic()
    response = slack.interact(press_payload(ACME, "UALICE", plan, "mlchat_run"))
    assert response.status_code == 200 and time.monotonic() - started < ACK_S
    updated = updated_message(slack, plan)
    running = re.search(r"Running — run #(\d+)", blocks_text(updated))
    assert running, updated
    assert not any(b["type"] == "actions" for b in updated.params["blocks"])  # the buttons went
    run_id = int(running.group(1))
    events = run_events(slack.stack, run_id)
    assert events[-1]["type"] == "finished", events[-3:]
    run = slack.client.get(f"/api/v1/runs/{run_id}").json()
    assert run["status"] == "finished" and run["config"]["algorithm"] == "xgboost"
    # The thread is the browser's conversation too: the plan, the yes, the started run.
    messages = slack.client.get(f"/api/v1/conversations/{conversation}").json()["messages"]
    assert [m["content"] for m in messages if m["role"] == "user"][-1] == "yes"
    assert any(p.get("run_id") == run_id for m in messages for p in m["parts"])

    # The run is followed in the thread: one progress message, rewritten in place to its end,
    # then the summary with the metrics, a link to the run's page and the plots as PNG.
    summary = slack.reply_in(ts, lambda c: f"/#/runs/{run_id}" in blocks_text(c))
    assert "*Metrics*" in blocks_text(summary) and "accuracy" in blocks_text(summary)
    progress = slack.reply_in(ts, lambda c: c is not summary and c is not plan
                              and f"run {run_id}" in blocks_text(c).lower())  # fmt: skip
    # A run that ended before the follower's first post is shown at its end by the post itself.
    rewrites = slack.fake.calls_of("chat.update", ts=posted_ts(progress))
    assert "100%" in blocks_text(rewrites[-1] if rewrites else progress)
    progress_posts = [c for c in slack.fake.calls_of("chat.postMessage")
                      if c.params.get("thread_ts") == ts and c is not summary
                      and f"run {run_id}" in blocks_text(c).lower()]  # fmt: skip
    assert progress_posts == [progress]  # one message per run, edited rather than re-posted
    shared = slack.fake.wait_for_call(
        "files.completeUploadExternal", where=lambda c: c.params.get("thread_ts") == ts
    )
    uploaded = json.loads(shared.params["files"])
    assert uploaded
    image = slack.fake.uploads[uploaded[0]["id"]]
    assert png_size(image)[0] > 200 and len(png_colours(image)) > 20  # a drawn plot


def test_someone_else_pressing_run_is_refused_and_nothing_runs(slack_stack: SlackStack) -> None:
    slack = slack_stack
    ts = mention(slack, "train a random forest on penguins to predict species")
    plan = slack.reply_in(ts, has_buttons)
    slack.interact(press_payload(ACME, "UMALLORY", plan, "mlchat_run")).raise_for_status()
    refused = slack.fake.wait_for_call(
        "chat.postEphemeral", where=lambda c: c.params.get("user") == "UMALLORY"
    )
    assert refused.params["text"] == "Only <@UALICE> can run this plan."
    # Alice cancels it: the plan says so, and the conversation never started a run.
    slack.interact(press_payload(ACME, "UALICE", plan, "mlchat_cancel")).raise_for_status()
    cancelled = updated_message(slack, plan)
    assert "Cancelled by <@UALICE>" in blocks_text(cancelled)
    messages = slack.client.get(f"/api/v1/conversations/{conversation_of(plan)}").json()
    assert not any(p["type"] == "run" for m in messages["messages"] for p in m["parts"])
    assert messages["pending_plan"] is None


def test_the_same_mention_over_socket_mode(slack_stack: SlackStack) -> None:
    slack = slack_stack
    slack.fake.wait_for_socket()
    ts = new_ts()
    envelope = slack.fake.send_envelope(
        "events_api", mention_body(ACME, "UALICE", "C0GENERAL", ASK, ts, "UBOTACME")
    )
    slack.fake.wait_for_ack(envelope, timeout_s=ACK_S * 10)
    plan = slack.reply_in(ts, has_buttons)
    assert plan.token == "xoxb-acme"
    pressed = slack.fake.send_envelope(
        "interactive", press_payload(ACME, "UALICE", plan, "mlchat_run")
    )
    slack.fake.wait_for_ack(pressed, timeout_s=ACK_S * 10)
    updated = updated_message(slack, plan)
    assert re.search(r"Running — run #\d+", blocks_text(updated))


def test_a_bad_signature_or_a_stale_timestamp_is_401_and_nothing_is_done(
    slack_stack: SlackStack,
) -> None:
    slack = slack_stack
    conversations_before = slack.client.get("/api/v1/conversations").json()
    runs_before = _run_ids(slack)
    forged_ts, stale_ts = new_ts(), new_ts()
    forged = slack.event(mention_body(ACME, "UALICE", "C0GENERAL", ASK, forged_ts, "UBOTACME"),
                         secret="not-the-secret")  # fmt: skip
    stale = slack.event(mention_body(ACME, "UALICE", "C0GENERAL", ASK, stale_ts, "UBOTACME"),
                        timestamp=int(time.time()) - 10 * 60)  # fmt: skip
    assert (forged.status_code, stale.status_code) == (401, 401)
    unsigned = slack.client.post("/integrations/slack/commands", data={"text": ASK})
    assert unsigned.status_code == 401
    # Slack's URL check, correctly signed, is answered with its challenge.
    challenge = slack.event({"type": "url_verification", "challenge": "c4a11en9e"})
    assert challenge.status_code == 200 and "c4a11en9e" in challenge.text
    # A signed mention sent after them is answered; the forged ones never were.
    later = mention(slack, "what columns does penguins have?")
    slack.reply_in(later)
    for refused_ts in (forged_ts, stale_ts):
        assert not [c for c in slack.fake.calls if c.params.get("thread_ts") == refused_ts]
    conversations = slack.client.get("/api/v1/conversations").json()
    assert len(conversations) == len(conversations_before) + 1
    assert _run_ids(slack) == runs_before


def _run_ids(slack: SlackStack) -> set[int]:
    listed = slack.client.get("/api/v1/runs", params={"limit": 500}).raise_for_status().json()
    return {run["run_id"] for run in listed["items"]}


def _share(slack: SlackStack, team: str, name: str, content: bytes) -> str:
    shared = slack.fake.add_file(team, name, content)
    ts = new_ts()
    slack.event(message_body(team, "UALICE", "D0DIRECT", "", ts, files=[shared])
                ).raise_for_status()  # fmt: skip
    return ts


def _dataset_names(slack: SlackStack, tenant: str) -> set[str]:
    listed = slack.client.get("/api/v1/datasets", params={"tenant_id": tenant, "limit": 200})
    return {d["name"] for d in listed.raise_for_status().json()}


def _table(seed: int) -> bytes:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    return csv_bytes(pd.DataFrame({"x": rng.normal(size=40), "y": rng.integers(0, 2, 40)}))


def test_a_file_shared_in_a_thread_becomes_a_dataset(slack_stack: SlackStack) -> None:
    slack = slack_stack
    ts = _share(slack, ACME, "shared_tips.csv", _table(1))
    said = slack.reply_in(ts)
    assert "Added *shared_tips* (version 1) as a dataset: 40 rows, 2 columns" in blocks_text(said)
    assert slack.fake.calls_of("download")[-1].token == "xoxb-acme"
    assert "shared_tips" in _dataset_names(slack, "default")
    # The thread's conversation turned to it.
    conversation = slack.client.get("/api/v1/conversations").json()[0]
    detail = slack.client.get("/api/v1/datasets", params={"limit": 200}).json()
    tips = next(d for d in detail if d["name"] == "shared_tips")
    assert conversation["dataset_id"] == tips["id"]

    broken = _share(slack, ACME, "broken.parquet", b"PAR1 this is not parquet at all")
    refused = slack.reply_in(broken)
    assert "I could not make a dataset of *broken.parquet*" in blocks_text(refused)
    assert "broken" not in _dataset_names(slack, "default")


def test_two_workspaces_are_isolated_and_an_unconnected_one_is_told(
    slack_stack: SlackStack,
) -> None:
    slack = slack_stack
    acme_ts = _share(slack, ACME, "acme_sales.csv", _table(2))
    beta_ts = _share(slack, BETA, "beta_churn.csv", _table(3))
    assert slack.reply_in(beta_ts).token == "xoxb-beta"
    assert slack.reply_in(acme_ts).token == "xoxb-acme"
    assert {"acme_sales", "penguins"} <= _dataset_names(slack, "default")
    assert "beta_churn" not in _dataset_names(slack, "default")
    assert _dataset_names(slack, "beta") == {"beta_churn"}
    # Beta's thread is beta's conversation: acme's tenant cannot open it.
    beta_ask = mention(slack, "train xgboost on beta_churn to predict y", team=BETA)
    beta_plan = slack.reply_in(beta_ask, has_buttons)
    beta_conversation = conversation_of(beta_plan)
    assert slack.client.get(f"/api/v1/conversations/{beta_conversation}").status_code == 404
    shown = slack.client.get(f"/api/v1/conversations/{beta_conversation}",
                             params={"tenant_id": "beta"})  # fmt: skip
    assert shown.status_code == 200 and shown.json()["pending_plan"] is not None
    # Beta's Run button pressed from acme's workspace finds nothing there to run.
    slack.interact(press_payload(ACME, "UALICE", beta_plan, "mlchat_run")).raise_for_status()
    refused = slack.fake.wait_for_call(
        "chat.postEphemeral", where=lambda c: c.params.get("channel") == "C0GENERAL"
        and "no conversation here" in c.params["text"])  # fmt: skip
    assert refused.token == "xoxb-acme"
    shown = slack.client.get(f"/api/v1/conversations/{beta_conversation}",
                             params={"tenant_id": "beta"}).json()  # fmt: skip
    assert shown["pending_plan"] is not None
    assert not any(p["type"] == "run" for m in shown["messages"] for p in m["parts"])
    stranger_ts = mention(slack, ASK, team=STRANGER)
    told = slack.reply_in(stranger_ts)
    assert "not connected to an mlchat tenant" in told.params["text"]
    assert told.token == "xoxb-app"
    assert beta_conversation not in [c["id"] for c in
                                     slack.client.get("/api/v1/conversations").json()]  # fmt: skip


def test_the_routes_answer_404_saying_what_to_set_when_slack_is_off(
    stack: Any,
) -> None:
    import httpx

    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        response = client.post("/integrations/slack/events", content=json.dumps({}))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "MLCHAT_SLACK_SIGNING_SECRET" in response.json()["detail"]
