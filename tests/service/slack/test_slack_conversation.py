"""A thread goes on as a conversation: a reply in it revises the plan (after Edit), /mlchat
starts one, a message the agent cannot act on gets the browser's question, and `mlchat slack`
serves the same app over Socket Mode on its own."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.service.slack.fake_slack import Bot, fake_slack
from tests.service.slack.signed import (
    SlackStack,
    blocks_text,
    mention_body,
    message_body,
    new_ts,
    press_payload,
)
from tests.service.slack.test_slack_threads import (
    ACME,
    conversation_of,
    has_buttons,
    mention,
)

pytestmark = pytest.mark.integration


def test_edit_asks_what_to_change_and_a_reply_in_the_thread_revises_the_plan(
    slack_stack: SlackStack,
) -> None:
    slack = slack_stack
    ts = mention(slack, "train xgboost on penguins to predict species with 30 trees")
    plan = slack.reply_in(ts, has_buttons)
    slack.interact(press_payload(ACME, "UALICE", plan, "mlchat_edit")).raise_for_status()
    slack.reply_in(ts, lambda c: "what should change?" in c.params["text"])
    reply = message_body(ACME, "UALICE", "C0GENERAL", "make it 60 trees", new_ts(),
                         channel_type="channel", thread_ts=ts)  # fmt: skip
    slack.event(reply).raise_for_status()
    revised = slack.reply_in(ts, lambda c: has_buttons(c) and c is not plan, timeout_s=60)
    assert conversation_of(revised) == conversation_of(plan)
    shown = slack.client.get(f"/api/v1/conversations/{conversation_of(plan)}").json()
    assert shown["pending_plan"]["config"]["hyperparameters"]["n_estimators"] == 60
    # The first plan's Run is stale now: pressing it starts nothing.
    slack.interact(press_payload(ACME, "UALICE", plan, "mlchat_run")).raise_for_status()
    slack.fake.wait_for_call("chat.postEphemeral",
                             where=lambda c: "no longer waiting" in c.params["text"])  # fmt: skip
    shown = slack.client.get(f"/api/v1/conversations/{conversation_of(plan)}").json()
    assert not any(p["type"] == "run" for m in shown["messages"] for p in m["parts"])


def test_a_reply_in_a_thread_the_bot_is_not_in_is_left_alone(slack_stack: SlackStack) -> None:
    slack = slack_stack
    elsewhere = new_ts()
    chatter = message_body(ACME, "UBOB", "C0GENERAL", "lunch?", new_ts(),
                           channel_type="channel", thread_ts=elsewhere)  # fmt: skip
    slack.event(chatter).raise_for_status()
    # A mention sent after it is answered, and the chatter's thread never was.
    later = mention(slack, "what columns does penguins have?")
    slack.reply_in(later)
    assert not [c for c in slack.fake.calls if c.params.get("thread_ts") == elsewhere]


def test_the_slash_command_starts_a_thread_with_the_plan(slack_stack: SlackStack) -> None:
    slack = slack_stack
    response = slack.command({
        "command": "/mlchat", "text": "train lightgbm on penguins to predict species",
        "team_id": ACME, "user_id": "UALICE", "channel_id": "C0ML", "trigger_id": "1.2",
        "response_url": "https://hooks.invalid/commands", "api_app_id": "A0FAKE",
    })  # fmt: skip
    assert response.status_code == 200
    opened = slack.fake.wait_for_call(
        "chat.postMessage", where=lambda c: c.params.get("channel") == "C0ML"
        and not c.params.get("thread_ts"))  # fmt: skip
    assert opened.params["text"].startswith("<@UALICE> asked: train lightgbm")
    plan = slack.reply_in(str(opened.answer["ts"]) if opened.answer else "", has_buttons)
    assert "lightgbm" in blocks_text(plan)


def test_a_message_it_cannot_act_on_gets_the_question_the_browser_gets(
    slack_stack: SlackStack,
) -> None:
    slack = slack_stack
    ts = mention(slack, "train a model on penguins")
    asked = slack.reply_in(ts)
    assert not has_buttons(asked)
    conversation = conversation_of(asked)
    stored = slack.client.get(f"/api/v1/conversations/{conversation}").json()["messages"][-1]
    assert stored["role"] == "assistant" and stored["parts"][0].get("question")
    # The same words (Slack's bold is one star), and its choices, if any, as buttons.
    assert stored["content"].replace("**", "*")[:200] in asked.params["text"]
    options = stored["parts"][0]["question"].get("options") or []
    shown = [b for b in asked.params["blocks"] if b["type"] == "actions"]
    assert [e["text"]["text"] for b in shown for e in b["elements"]] == options[:5]


def test_mlchat_slack_serves_socket_mode_on_its_own(slack_stack: SlackStack) -> None:
    with fake_slack({"xoxb-solo": Bot(ACME, "UBOTSOLO", "BSOLO")}, {"xapp-solo"}) as solo:
        env = slack_stack.stack.env(
            MLCHAT_SLACK_API_URL=solo.api_url,
            MLCHAT_SLACK_APP_TOKEN="xapp-solo",
            MLCHAT_SLACK_BOT_TOKEN="xoxb-solo",
            MLCHAT_SLACK_WORKSPACES=json.dumps({ACME: "default"}),
        )
        # Slack refuses the first connections: the command waits and tries again.
        solo.ratelimit("apps.connections.open", times=5, retry_after_s=0)
        process = subprocess.Popen([sys.executable, "-m", "service.cli", "slack"], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            solo.wait_for_socket()
            opened = solo.calls_of("apps.connections.open")
            assert len(opened) == 6 and {c.token for c in opened} == {"xapp-solo"}
            ts = new_ts()
            asked = mention_body(ACME, "UALICE", "C0SOLO", "what columns does penguins have?",
                                 ts, "UBOTSOLO")  # fmt: skip
            solo.wait_for_ack(solo.send_envelope("events_api", asked))
            answer = solo.wait_for_call(
                "chat.postMessage", where=lambda c: c.params.get("thread_ts") == ts
            )
            assert answer.token == "xoxb-solo" and "bill_length_mm" in blocks_text(answer)
        finally:
            process.terminate()
            output = process.communicate(timeout=60)[0].decode(errors="replace")
        assert process.returncode == 0, output
        assert "xoxb-solo" not in output and "xapp-solo" not in output
