"""Requests as Slack sends them: signed with the v0 HMAC of the signing secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.service.slack.fake_slack import Call, FakeSlack
from tests.service.stack import Stack

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
EVENTS = "/integrations/slack/events"
INTERACTIVITY = "/integrations/slack/interactivity"
COMMANDS = "/integrations/slack/commands"


def signature_headers(body: str, *, secret: str = SIGNING_SECRET,
                      timestamp: int | None = None) -> dict[str, str]:  # fmt: skip
    """The headers Slack sends with `body`: its timestamp and the v0 signature of both."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    # Slack's v0 scheme, written out: the app's check (bolt's) is what is under test.
    base = f"v0:{stamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": stamp, "x-slack-signature": signature}


def new_ts() -> str:
    """A fresh message ts, as Slack makes them: seconds, a dot, six digits."""
    return f"{int(time.time())}.{uuid.uuid4().int % 1_000_000:06d}"


def mention_body(team: str, user: str, channel: str, text: str, ts: str,
                 bot_user: str) -> dict[str, Any]:  # fmt: skip
    """An app_mention event callback, as the Events API delivers it."""
    event = {"type": "app_mention", "user": user, "text": f"<@{bot_user}> {text}", "ts": ts,
             "channel": channel, "event_ts": ts, "team": team}  # fmt: skip
    return _callback(team, event)


def message_body(team: str, user: str, channel: str, text: str, ts: str, *,
                 channel_type: str = "im", thread_ts: str | None = None,
                 files: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # fmt: skip
    """A message event callback (a DM, or a reply in a channel's thread)."""
    event: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts,
                             "channel": channel, "channel_type": channel_type, "event_ts": ts,
                             "team": team}  # fmt: skip
    if thread_ts:
        event["thread_ts"] = thread_ts
    if files:
        event.update(subtype="file_share", files=files)
    return _callback(team, event)


def _callback(team: str, event: dict[str, Any]) -> dict[str, Any]:
    return {"token": "legacy", "team_id": team, "api_app_id": "A0FAKE", "event": event,
            "type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}]}  # fmt: skip


def press_payload(team: str, user: str, posted: Call, action_id: str) -> dict[str, Any]:
    """The block_actions payload of `user` pressing the `action_id` button of a message the
    app posted (`posted`, as the fake recorded it)."""
    buttons = [element for block in posted.params["blocks"] if block["type"] == "actions"
               for element in block["elements"]]  # fmt: skip
    button = next(element for element in buttons if element["action_id"] == action_id)
    ts = posted_ts(posted)
    message = {"type": "message", "ts": ts, "thread_ts": posted.params.get("thread_ts") or ts,
               "text": posted.params.get("text"), "blocks": posted.params["blocks"]}  # fmt: skip
    return {"type": "block_actions", "team": {"id": team, "domain": "fake"},
            "user": {"id": user, "team_id": team}, "api_app_id": "A0FAKE",
            "channel": {"id": posted.params["channel"]}, "message": message,
            "container": {"type": "message", "message_ts": ts,
                          "channel_id": posted.params["channel"]},
            "trigger_id": "1.2.3", "response_url": "https://hooks.invalid/response",
            "actions": [{**button, "block_id": "mlchat_plan", "action_ts": new_ts()}]}  # fmt: skip


_TS = re.compile(r"^\d+\.\d+$")


def posted_ts(call: Call) -> str:
    """The ts the fake gave the message `call` posted (its answers number them in order)."""
    ts = (call.answer or {}).get("ts")
    assert isinstance(ts, str) and _TS.match(ts), call
    return ts


def blocks_text(call: Call) -> str:
    """All the text of a posted message, its blocks included."""
    return json.dumps(call.params.get("blocks") or []) + str(call.params.get("text") or "")


@dataclass
class SlackStack:
    stack: Stack
    fake: FakeSlack
    client: httpx.Client

    def event(self, body: dict[str, Any], **signing: Any) -> httpx.Response:
        raw = json.dumps(body)
        headers = {"content-type": "application/json", **signature_headers(raw, **signing)}
        return self.client.post(EVENTS, content=raw, headers=headers)

    def interact(self, payload: dict[str, Any], **signing: Any) -> httpx.Response:
        raw = urlencode({"payload": json.dumps(payload)})
        headers = {"content-type": "application/x-www-form-urlencoded",
                   **signature_headers(raw, **signing)}  # fmt: skip
        return self.client.post(INTERACTIVITY, content=raw, headers=headers)

    def command(self, form: dict[str, str], **signing: Any) -> httpx.Response:
        raw = urlencode(form)
        headers = {"content-type": "application/x-www-form-urlencoded",
                   **signature_headers(raw, **signing)}  # fmt: skip
        return self.client.post(COMMANDS, content=raw, headers=headers)

    def reply_in(self, thread_ts: str, where: Any = lambda call: True,
                 timeout_s: float = 240.0) -> Call:  # fmt: skip
        """The app's first message in the thread that `where` holds for, once posted."""
        return self.fake.wait_for_call(
            "chat.postMessage", timeout_s,
            lambda call: call.params.get("thread_ts") == thread_ts and where(call),
        )  # fmt: skip
