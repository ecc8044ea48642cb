"""The agent's word in a conversation when one of its runs ends: written by the worker when
the run finishes or fails there, by the web process when it is cancelled or given up."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
import redis.asyncio as aioredis
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from agents.summaries import summarize
from service.db.models import Conversation, Message, Run, RunStatus, utcnow
from service.domain.jobs.kinds import shown_kind
from service.errors import StorageUnavailableError
from service.events import conversation_channel
from service.markdown import to_html
from service.settings import PLOTS_DIR, Settings
from service.storage import Storage, open_storage

log = logging.getLogger(__name__)
MAX_ATTACHED_PLOT_BYTES = 2_000_000
"""Larger figures are referred to by URL instead of travelling inside the message."""


def _plot_parts(run: Run, storage: Storage, names: list[str]) -> list[dict[str, Any]]:
    parts = []
    for name in names:
        file = f"{PLOTS_DIR}/{name}.json"
        part: dict[str, Any] = {"type": "plot", "run_id": run.id, "name": name,
                                "url": f"/api/v1/runs/{run.id}/plots/{name}"}  # fmt: skip
        try:
            size = storage.artifact_size(run.tenant, run.id, file)
            if size is not None and size <= MAX_ATTACHED_PLOT_BYTES:
                part["figure"] = json.loads(storage.read_artifact(run.tenant, run.id, file))
        except StorageUnavailableError:
            log.warning("plot %s of run %s left out of its summary: storage unavailable",
                        name, run.id)  # fmt: skip
        parts.append(part)
    return parts


def end_words(run: Run, settings: Settings, error: str | None = None) -> tuple[str, list[Any]]:
    """What the agent says when `run` ended: its summary with its plots, why it failed, or
    that it was cancelled (the agent promised to write whichever way it ends)."""
    shown = shown_kind(run.kind)
    if run.status == RunStatus.CANCELLED:
        content = (
            f"**Run {run.id} was cancelled** before it finished, so it has no results. "
            "Ask again when you want it run, as it was or changed."
        )
        return content, [{"type": "result", "run_id": run.id, "kind": shown,
                          "status": "cancelled"}]  # fmt: skip
    if error is None and run.status == RunStatus.FINISHED and run.result is not None:
        content = summarize(run.kind, run.id, run.result)
        names = [str(name) for name in run.result.get("plots") or []]
        parts = [{"type": "result", "run_id": run.id, "kind": shown, "status": "finished"}]
        parts += _plot_parts(run, open_storage(settings), names)
        return content, parts
    reason = error or run.error or "no reason was recorded"
    content = f"**Run {run.id} failed**: {reason}"
    return content, [{"type": "result", "run_id": run.id, "kind": shown, "status": "failed"}]


def _message_event(message: Message) -> str:
    view = {"id": message.id, "role": "assistant", "content": message.content,
            "html": to_html(message.content), "parts": message.parts,
            "created_at": message.created_at.isoformat()}  # fmt: skip
    return json.dumps({"type": "message", "conversation_id": message.conversation_id,
                       "message": view})  # fmt: skip


def note_run_end(
    session: Session, client: redis.Redis, run: Run, settings: Settings, error: str | None
) -> None:
    """Write the run's summary (or why it failed, or that it was cancelled) into its
    conversation and announce it."""
    if run.conversation_id is None:
        return
    conversation = session.get(Conversation, run.conversation_id)
    if conversation is None:
        return
    content, parts = end_words(run, settings, error)
    message = Message(conversation_id=run.conversation_id, role="assistant", content=content,
                      parts=parts)  # fmt: skip
    session.add(message)
    conversation.updated_at = utcnow()
    session.commit()
    client.publish(conversation_channel(run.conversation_id), _message_event(message))


async def note_run_end_async(
    session: AsyncSession, client: aioredis.Redis, run: Run, settings: Settings
) -> None:
    """`note_run_end` for the web process, for a run that ended there (cancelled, or given up
    by the reaper): without results, so nothing is read from disk. A failure to write it is
    logged; the run's own end is recorded already."""
    conversation_id = run.conversation_id
    if conversation_id is None:
        return
    try:
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            return
        content, parts = end_words(run, settings)
        message = Message(conversation_id=conversation_id, role="assistant", content=content,
                          parts=parts)  # fmt: skip
        session.add(message)
        conversation.updated_at = utcnow()
        await session.commit()
        await session.refresh(message)  # its id and time, without a lazy load
        await client.publish(conversation_channel(conversation_id), _message_event(message))
    except (SQLAlchemyError, aioredis.RedisError):
        log.exception("could not tell run %s's conversation how it ended", run.id)
