"""The bolt listeners: each acks at once and leaves the work to a tracked task."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from service.db.models import SlackThread
from service.integrations.slack.actions import NO, YES, Press, choose, decide, edit
from service.integrations.slack.blocks import CANCEL, CHOICE, EDIT, RUN
from service.integrations.slack.posting import say
from service.integrations.slack.talk import Said, converse, without_mentions
from service.integrations.slack.threads import find_thread

if TYPE_CHECKING:
    from service.integrations.slack.app import SlackIntegration

Ack = Callable[..., Awaitable[Any]]
TAKEN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
"""Message subtypes that are someone saying something (not an edit, a join, a bot)."""


def register(bolt: AsyncApp, slack: SlackIntegration) -> None:
    """Attach mlchat's listeners to the bolt app."""

    def said_in(event: dict[str, Any], context: AsyncBoltContext, body: dict[str, Any]) -> Said:
        return Said(
            team_id=context.team_id or body.get("team_id"), channel=event.get("channel", ""),
            thread_ts=event.get("thread_ts") or event.get("ts", ""), user=event.get("user", ""),
            text=without_mentions(event.get("text") or "", context.bot_user_id),
            files=list(event.get("files") or []), token=context.bot_token or "",
        )  # fmt: skip

    @bolt.event("app_mention")
    async def mentioned(event: dict[str, Any], context: AsyncBoltContext,
                        body: dict[str, Any]) -> None:  # fmt: skip
        if not slack.first_delivery(body.get("event_id")):
            return
        said = said_in(event, context, body)
        slack.spawn(converse(slack, said), f"slack-mention-{said.channel}-{said.thread_ts}")

    @bolt.event("message")
    async def message(event: dict[str, Any], context: AsyncBoltContext,
                      body: dict[str, Any]) -> None:  # fmt: skip
        if event.get("bot_id") or event.get("subtype") not in TAKEN_SUBTYPES:
            return
        said = said_in(event, context, body)
        if event.get("channel_type") != "im":
            mention = f"<@{context.bot_user_id}" if context.bot_user_id else "<@"
            # A mention comes as app_mention too; elsewhere only a known thread continues.
            if not event.get("thread_ts") or mention in (event.get("text") or ""):
                return
            if not await _known(slack, said):
                return
        if not slack.first_delivery(body.get("event_id")):
            return
        slack.spawn(converse(slack, said), f"slack-message-{said.channel}-{said.thread_ts}")

    @bolt.event("file_shared")
    async def file_shared() -> None:
        """The file comes with its message (subtype file_share), which is where it is taken."""

    @bolt.command("/mlchat")
    async def command(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        slack.spawn(_command(slack, body, context), f"slack-command-{body.get('channel_id')}")

    async def pressed(ack: Ack, body: dict[str, Any], context: AsyncBoltContext,
                      work: Callable[[Press], Coroutine[Any, Any, None]]) -> None:  # fmt: skip
        await ack()
        press = Press.of(body, context.bot_token or "")
        slack.spawn(work(press), f"slack-press-{press.channel}-{press.message_ts}")

    @bolt.action(RUN)
    async def run(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await pressed(ack, body, context, lambda press: decide(slack, press, YES))

    @bolt.action(CANCEL)
    async def cancel(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await pressed(ack, body, context, lambda press: decide(slack, press, NO))

    @bolt.action(EDIT)
    async def revise(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await pressed(ack, body, context, lambda press: edit(slack, press))

    @bolt.action(re.compile(rf"^{CHOICE}_\d+$"))
    async def choice(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await pressed(ack, body, context, lambda press: choose(slack, press))


async def _known(slack: SlackIntegration, said: Said) -> bool:
    if not said.team_id:
        return False
    async with slack.resources.sessions() as session:
        found: SlackThread | None = await find_thread(session, said.team_id, said.channel,
                                                      said.thread_ts)  # fmt: skip
    return found is not None


async def _command(slack: SlackIntegration, body: dict[str, Any], context: AsyncBoltContext
                   ) -> None:  # fmt: skip
    """`/mlchat <text>`: the request is posted in the channel, and its thread is the
    conversation (a slash command itself has no thread to answer in)."""
    user, channel = body.get("user_id", ""), body.get("channel_id", "")
    text = (body.get("text") or "").strip()
    web = slack.web(context.bot_token or "")
    ts = await say(web, channel, None, f"<@{user}> asked: {text}" if text else
                   f"<@{user}> started a conversation")  # fmt: skip
    if ts is None:
        return
    await converse(slack, Said(team_id=context.team_id or body.get("team_id"), channel=channel,
                               thread_ts=ts, user=user, text=text,
                               token=context.bot_token or ""))  # fmt: skip
