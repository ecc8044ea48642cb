"""The plan's buttons: Run (what the browser's Run says: yes), Edit, Cancel (no); and a
question's choices, each an answer said by whoever pressed it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from service.domain.conversations.services import ConversationService
from service.integrations.slack.blocks import decided_blocks, mrkdwn, running_text
from service.integrations.slack.posting import say, update, whisper
from service.integrations.slack.running import start_following
from service.integrations.slack.talk import Said, converse, exchange_or_say
from service.integrations.slack.threads import thread_by_id
from service.integrations.slack.workspaces import Workspace, find_workspace, not_connected

if TYPE_CHECKING:
    from service.integrations.slack.app import SlackIntegration

log = logging.getLogger(__name__)
YES, NO = "yes", "no"
"""What the browser's Run and Cancel buttons send as the person's message."""
EDIT_PROMPT = (
    "<@{user}>, what should change? Reply in this thread, e.g. “use lightgbm”, "
    "“hold out 30%”, “make it 300 trees”."
)


@dataclass(frozen=True)
class Press:
    """A button pressed on one of the bot's messages."""

    team_id: str | None
    user: str
    channel: str
    message_ts: str
    thread_ts: str
    blocks: list[dict[str, Any]]
    value: dict[str, Any]
    token: str

    @classmethod
    def of(cls, body: dict[str, Any], token: str) -> Press:
        message = body.get("message") or {}
        action = (body.get("actions") or [{}])[0]
        try:
            value = json.loads(action.get("value") or "{}")
        except ValueError:
            value = {}
        team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
        return cls(
            team_id=team, user=(body.get("user") or {}).get("id", ""),
            channel=(body.get("channel") or {}).get("id", ""), message_ts=message.get("ts", ""),
            thread_ts=message.get("thread_ts") or message.get("ts", ""),
            blocks=list(message.get("blocks") or []), token=token,
            value=value if isinstance(value, dict) else {},
        )  # fmt: skip


def _may_decide(workspace: Workspace, press: Press) -> bool:
    return workspace.anyone_may_run or press.user == press.value.get("asker")


async def decide(slack: SlackIntegration, press: Press, answer: str) -> None:
    """Run (`yes`) or Cancel (`no`) the plan of the pressed message, as the browser would."""
    workspace = find_workspace(slack.settings, press.team_id)
    if workspace is None:
        told = not_connected(press.team_id)
        await whisper(slack.web(press.token), press.channel, press.user, told)
        return
    web = slack.web(workspace.bot_token)
    if not _may_decide(workspace, press):
        verb = "run" if answer == YES else "cancel"
        await whisper(web, press.channel, press.user,
                      f"Only <@{press.value.get('asker')}> can {verb} this plan.",
                      press.thread_ts)  # fmt: skip
        return
    async with slack.lock(workspace.team_id, press.channel, press.thread_ts):
        async with slack.resources.sessions() as session:
            thread = await thread_by_id(session, int(press.value.get("thread") or 0),
                                        workspace.team_id)  # fmt: skip
            if thread is None or thread.tenant != workspace.tenant:
                await whisper(web, press.channel, press.user,
                              "This plan belongs to no conversation here any more.")  # fmt: skip
                return
            conversations = ConversationService(session, slack.resources, thread.tenant)
            conversation = await conversations.get(thread.conversation_id)
            last = await conversations.messages(thread.conversation_id, 1)
            # As in the browser, only the newest plan, with nothing said after it, is live.
            if (
                conversation.pending_plan is None
                or not last
                or last[-1].id != press.value.get("reply")
            ):
                await whisper(web, press.channel, press.user,
                              "This plan is no longer waiting: something was said or decided "
                              "after it. Ask again for a new plan.", press.thread_ts)  # fmt: skip
                return
            exchange = await exchange_or_say(
                web, thread.channel, thread.thread_ts, conversations, thread.conversation_id,
                answer,
            )  # fmt: skip
        if exchange is None:
            return
        run = next((p for p in exchange.reply.parts if p.get("type") == "run"), None)
        if run is not None:
            run_id = int(run["run_id"])
            outcome = f"{running_text(slack.settings, run_id)} (pressed by <@{press.user}>)"
            await update(web, press.channel, press.message_ts, f"Running — run #{run_id}",
                         decided_blocks(press.blocks, outcome))  # fmt: skip
            start_following(spawn=slack.spawn, web=web, settings=slack.settings,
                            tenant=thread.tenant, run_id=run_id, channel=thread.channel,
                            thread_ts=thread.thread_ts)  # fmt: skip
            return
        if answer == NO:
            outcome = f"Cancelled by <@{press.user}>: nothing was run."
            await update(web, press.channel, press.message_ts, "Cancelled",
                         decided_blocks(press.blocks, outcome))  # fmt: skip
        await say(web, thread.channel, thread.thread_ts, mrkdwn(exchange.reply.content))


async def edit(slack: SlackIntegration, press: Press) -> None:
    """Ask what to change: the next message in the thread revises the plan."""
    workspace = find_workspace(slack.settings, press.team_id)
    token = workspace.bot_token if workspace else press.token
    await say(slack.web(token), press.channel, press.thread_ts, EDIT_PROMPT.format(user=press.user))


async def choose(slack: SlackIntegration, press: Press) -> None:
    """A question's choice, said in the thread by whoever pressed it."""
    answer = str(press.value.get("answer") or "")
    if answer:
        await converse(slack, Said(team_id=press.team_id, channel=press.channel,
                                   thread_ts=press.thread_ts, user=press.user, text=answer,
                                   token=press.token))  # fmt: skip
