"""A message in a thread, through the same conversation service the browser uses, and the
agent's reply posted back in the thread."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ml_backend.errors import MLInputError
from service.db.models import SlackThread
from service.domain.conversations.schemas import ConversationUpdate, Exchange, MessageCreate
from service.domain.conversations.services import ConversationService
from service.errors import ServiceError
from service.integrations.slack.blocks import answer_blocks, mrkdwn, plan_blocks, question_blocks
from service.integrations.slack.files import take_files
from service.integrations.slack.posting import say
from service.integrations.slack.running import start_following
from service.integrations.slack.threads import thread_for
from service.integrations.slack.workspaces import Workspace, find_workspace, not_connected

if TYPE_CHECKING:
    from service.integrations.slack.app import SlackIntegration

log = logging.getLogger(__name__)
MESSAGE_CHARS = 4000
"""What a conversation message may hold (MessageCreate)."""
NOTHING_SAID = (
    "Tell me what you would like, e.g. “predict species from penguins with xgboost” or "
    "“a histogram of body_mass_g”. Share a CSV or Parquet file here to make it a dataset."
)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def without_mentions(text: str, bot_user_id: str | None) -> str:
    """The text without the bot's mention (every mention, where the bot's id is unknown)."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", "", text)
    else:
        text = _MENTION.sub("", text, count=1)
    return text.strip()


@dataclass(frozen=True)
class Said:
    """Something said to the bot: where, by whom, and what (text, files)."""

    team_id: str | None
    channel: str
    thread_ts: str
    user: str
    text: str
    files: list[dict[str, Any]] = field(default_factory=list)
    token: str = ""


async def converse(slack: SlackIntegration, said: Said) -> None:
    """Take what was said as the next message of the thread's conversation and answer it."""
    workspace = find_workspace(slack.settings, said.team_id)
    if workspace is None:
        await say(slack.web(said.token), said.channel, said.thread_ts, not_connected(said.team_id))
        return
    web = slack.web(workspace.bot_token)
    async with slack.lock(workspace.team_id, said.channel, said.thread_ts):
        async with slack.resources.sessions() as session:
            thread = await thread_for(session, workspace, said.channel, said.thread_ts,
                                      said.user, said.text)  # fmt: skip
            if said.files:
                await take_files(slack, web, session, thread, said.files)
            if not said.text and said.files:
                return
            if not said.text:
                await say(web, said.channel, said.thread_ts, NOTHING_SAID)
                return
            conversations = ConversationService(session, slack.resources, thread.tenant)
            exchange = await exchange_or_say(
                web, said.channel, said.thread_ts, conversations, thread.conversation_id,
                said.text,
            )  # fmt: skip
            if exchange is not None:
                await focus_on_plan(conversations, thread.conversation_id, exchange)
        if exchange is not None:
            await post_reply(slack, web, workspace, thread, exchange, asker=said.user)


async def exchange_or_say(web: Any, channel: str, thread_ts: str,
                          conversations: ConversationService, conversation_id: int,
                          text: str) -> Exchange | None:  # fmt: skip
    """The conversation's answer to `text`; where the service refuses, its reason is said in
    the thread (as the browser shows a problem's detail) and None returned."""
    try:
        return await conversations.post(conversation_id, MessageCreate(text=text[:MESSAGE_CHARS]))
    except (ServiceError, MLInputError) as error:
        await say(web, channel, thread_ts, f"I could not do that: {error.detail}")
        return None


async def focus_on_plan(
    conversations: ConversationService, conversation_id: int, exchange: Exchange
) -> None:
    """Where the thread has no dataset yet, the one its plan names becomes it, as the
    browser's dataset picker would: "make it 60 trees" then revises a plan on that data."""
    ref = ((exchange.plan or {}).get("config") or {}).get("dataset")
    if not isinstance(ref, dict) or not ({"id", "name"} & ref.keys()):
        return
    conversation = await conversations.get(conversation_id)
    if conversation.dataset_id is None:
        await conversations.update(conversation_id, ConversationUpdate(dataset=ref))


async def post_reply(slack: SlackIntegration, web: Any, workspace: Workspace,
                     thread: SlackThread, exchange: Exchange, *, asker: str) -> None:  # fmt: skip
    """The agent's reply in the thread: a plan with its buttons, a question with its choices,
    a started run followed, or an answer."""
    reply = exchange.reply
    settings = slack.settings
    conversation_id = thread.conversation_id
    channel, thread_ts = thread.channel, thread.thread_ts
    text = mrkdwn(reply.content, settings.public_base_url)
    plan = next((p for p in reply.parts if p.get("type") == "plan"), None)
    asked = next((p["question"] for p in reply.parts if isinstance(p.get("question"), dict)), None)
    run = next((p for p in reply.parts if p.get("type") == "run"), None)
    if plan is not None:
        blocks = plan_blocks(settings, reply.content, plan, thread_id=thread.id, asker=asker,
                             reply_id=reply.id, conversation_id=conversation_id)  # fmt: skip
    elif asked is not None:
        options = [str(o) for o in asked.get("options") or []]
        blocks = question_blocks(settings, reply.content, options, thread_id=thread.id,
                                 conversation_id=conversation_id)  # fmt: skip
    else:
        blocks = answer_blocks(settings, reply.content, conversation_id)
    await say(web, channel, thread_ts, text, blocks)
    if run is not None:  # a plan that ran at once (MLCHAT_AUTO_APPROVE)
        start_following(
            spawn=slack.spawn, web=web, settings=settings, tenant=workspace.tenant,
            run_id=int(run["run_id"]), channel=channel, thread_ts=thread_ts,
        )  # fmt: skip
