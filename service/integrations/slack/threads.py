"""A Slack thread's conversation: found by workspace, channel and thread ts, or begun."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Conversation, SlackThread
from service.integrations.slack.workspaces import Workspace

TITLE_CHARS = 80


async def find_thread(
    session: AsyncSession, team_id: str, channel: str, thread_ts: str
) -> SlackThread | None:
    """The thread's record, or None for a thread that is no conversation (yet)."""
    query = select(SlackThread).where(
        SlackThread.team_id == team_id,
        SlackThread.channel == channel,
        SlackThread.thread_ts == thread_ts,
    )
    return (await session.scalars(query)).first()


async def thread_by_id(session: AsyncSession, thread_id: int, team_id: str) -> SlackThread | None:
    """A thread by its id, only if it is of `team_id`'s workspace (a button's value names the
    thread; another workspace's thread is not found)."""
    thread = await session.get(SlackThread, thread_id)
    return thread if thread is not None and thread.team_id == team_id else None


async def thread_for(
    session: AsyncSession, workspace: Workspace, channel: str, thread_ts: str, user: str,
    first_text: str,
) -> SlackThread:  # fmt: skip
    """The thread's record, begun with a new conversation of the workspace's tenant if new."""
    found = await find_thread(session, workspace.team_id, channel, thread_ts)
    if found is not None:
        return found
    conversation = Conversation(tenant=workspace.tenant, title=first_text[:TITLE_CHARS] or
                                "Slack thread")  # fmt: skip
    session.add(conversation)
    await session.flush()
    thread = SlackThread(team_id=workspace.team_id, channel=channel, thread_ts=thread_ts,
                         tenant=workspace.tenant, conversation_id=conversation.id,
                         started_by=user)  # fmt: skip
    session.add(thread)
    try:
        await session.commit()
    except IntegrityError:
        # Two first messages at once: the other one made it; this conversation goes unused.
        await session.rollback()
        found = await find_thread(session, workspace.team_id, channel, thread_ts)
        assert found is not None
        return found
    return thread
