"""The agent's replies as Slack messages: a plan with Run / Edit / Cancel, a question with its
choices as buttons, an answer as text; each with a link to the conversation in the browser."""

from __future__ import annotations

import json
import re
from typing import Any

from service.settings import Settings

RUN, EDIT, CANCEL, CHOICE = "mlchat_run", "mlchat_edit", "mlchat_cancel", "mlchat_choice"
ASK_TO_RUN = "\n\nShall I run it?"
"""Where the browser's plan text asks for a yes: in Slack the buttons ask instead."""
SECTION_CHARS = 3000
"""Slack refuses a section's text longer than this."""
FIELDS = 10
"""Slack refuses a section with more fields."""
CHOICES = 5
BUTTON_VALUE_CHARS = 2000


def base_url(settings: Settings) -> str:
    """Where people open mlchat's page."""
    return settings.public_base_url


def conversation_url(settings: Settings, conversation_id: int) -> str:
    """The browser's address of a conversation (web/js/router.js: #/c/{id})."""
    return f"{base_url(settings)}/#/c/{conversation_id}"


def run_url(settings: Settings, run_id: int) -> str:
    """The browser's address of a run's page (web/js/router.js: #/runs/{id})."""
    return f"{base_url(settings)}/#/runs/{run_id}"


def mrkdwn(markdown: str, base: str = "") -> str:
    """The agent's Markdown as Slack's mrkdwn: bold is one star there, links <url|text>. A
    link to a page of mlchat's ('#/runs/6') goes to `base`'s, or is its text alone."""
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", markdown)
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r"<\2|\1>", text)
    root = base.rstrip("/")
    return re.sub(
        r"\[([^\]]+)\]\((#/[^)\s]*)\)",
        lambda m: f"<{root}/{m[2]}|{m[1]}>" if root else m[1],
        text,
    )


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_CHARS] or " "}}


def _link(settings: Settings, conversation_id: int) -> dict[str, Any]:
    url = conversation_url(settings, conversation_id)
    text = f"<{url}|Open this conversation in mlchat>"
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(label: str, action_id: str, value: dict[str, Any], style: str | None = None
            ) -> dict[str, Any]:  # fmt: skip
    button: dict[str, Any] = {"type": "button", "action_id": action_id,
                              "text": {"type": "plain_text", "text": label},
                              "value": json.dumps(value)[:BUTTON_VALUE_CHARS]}  # fmt: skip
    if style:
        button["style"] = style
    return button


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v is not None) or "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def plan_blocks(
    settings: Settings, reply: str, plan: dict[str, Any], *, thread_id: int, asker: str,
    reply_id: int, conversation_id: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """A plan: what it does, its settings, and Run / Edit / Cancel. The buttons' value names
    the thread, who asked and the reply they belong to, so a press can be checked."""
    said = mrkdwn(reply.split(ASK_TO_RUN, 1)[0], base_url(settings))
    config = plan.get("config") or {}
    fields = [{"type": "mrkdwn", "text": f"*{name.replace('_', ' ')}*\n{_shown(value)}"[:2000]}
              for name, value in config.items() if value not in (None, [], {})]  # fmt: skip
    value = {"thread": thread_id, "asker": asker, "reply": reply_id}
    blocks = [_section(f"*Plan: {plan.get('action', 'run')}*\n{said}")]
    if fields:
        blocks.append({"type": "section", "fields": fields[:FIELDS]})
    blocks.append({"type": "actions", "block_id": "mlchat_plan", "elements": [
        _button("Run", RUN, value, "primary"), _button("Edit", EDIT, value),
        _button("Cancel", CANCEL, value, "danger"),
    ]})  # fmt: skip
    blocks.append(_link(settings, conversation_id))
    return blocks


def question_blocks(settings: Settings, reply: str, options: list[str], *, thread_id: int,
                    conversation_id: int) -> list[dict[str, Any]]:  # fmt: skip
    """The agent's question as the browser gets it, its choices as buttons that answer it."""
    blocks = [_section(mrkdwn(reply, base_url(settings)))]
    if options:
        blocks.append({"type": "actions", "block_id": "mlchat_choices", "elements": [
            _button(option[:75], f"{CHOICE}_{index}", {"thread": thread_id, "answer": option})
            for index, option in enumerate(options[:CHOICES])
        ]})  # fmt: skip
    blocks.append(_link(settings, conversation_id))
    return blocks


def answer_blocks(settings: Settings, reply: str, conversation_id: int) -> list[dict[str, Any]]:
    """An answer: the agent's words and the link."""
    return [_section(mrkdwn(reply, base_url(settings))), _link(settings, conversation_id)]


def running_text(settings: Settings, run_id: int) -> str:
    return f"Running — run #{run_id} <{run_url(settings, run_id)}|open in mlchat>"


def decided_blocks(plan_blocks_sent: list[dict[str, Any]], outcome: str) -> list[dict[str, Any]]:
    """The plan message with its buttons replaced by what became of it."""
    kept = [b for b in plan_blocks_sent if b.get("type") != "actions"]
    note = {"type": "section", "block_id": "mlchat_outcome",
            "text": {"type": "mrkdwn", "text": outcome}}  # fmt: skip
    return [*kept[:-1], note, *kept[-1:]] if kept else [note]
