"""The agent's word in a conversation when one of its runs ends, written by the worker."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import redis
from sqlalchemy.orm import Session

from agents.summaries import summarize
from service.db.models import Conversation, Message, Run, utcnow
from service.domain.jobs.kinds import shown_kind
from service.events import conversation_channel
from service.markdown import to_html
from service.settings import PLOTS_DIR, Settings
from service.storage import run_dir

log = logging.getLogger(__name__)
MAX_ATTACHED_PLOT_BYTES = 2_000_000
"""Larger figures are referred to by URL instead of travelling inside the message."""


def _plot_parts(run: Run, plots_dir: Path, names: list[str]) -> list[dict[str, Any]]:
    parts = []
    for name in names:
        path = plots_dir / f"{name}.json"
        part: dict[str, Any] = {"type": "plot", "run_id": run.id, "name": name,
                                "url": f"/api/v1/runs/{run.id}/plots/{name}"}  # fmt: skip
        if path.exists() and path.stat().st_size <= MAX_ATTACHED_PLOT_BYTES:
            part["figure"] = json.loads(path.read_text())
        parts.append(part)
    return parts


def note_run_end(
    session: Session, client: redis.Redis, run: Run, settings: Settings, error: str | None
) -> None:
    """Write the run's summary (or why it failed) into its conversation and announce it."""
    if run.conversation_id is None or session.get(Conversation, run.conversation_id) is None:
        return
    shown = shown_kind(run.kind)
    if error is None and run.result is not None:
        content = summarize(run.kind, run.id, run.result)
        names = [str(name) for name in run.result.get("plots") or []]
        parts = [{"type": "result", "run_id": run.id, "kind": shown, "status": "finished"}]
        parts += _plot_parts(run, run_dir(settings, run.tenant, run.id) / PLOTS_DIR, names)
    else:
        content = f"**Run {run.id} failed**: {error}"
        parts = [{"type": "result", "run_id": run.id, "kind": shown, "status": "failed"}]
    message = Message(conversation_id=run.conversation_id, role="assistant", content=content,
                      parts=parts)  # fmt: skip
    session.add(message)
    conversation = session.get(Conversation, run.conversation_id)
    if conversation is not None:
        conversation.updated_at = utcnow()
    session.commit()
    view = {"id": message.id, "role": "assistant", "content": content, "html": to_html(content),
            "parts": parts, "created_at": message.created_at.isoformat()}  # fmt: skip
    event = {"type": "message", "conversation_id": run.conversation_id, "message": view}
    client.publish(conversation_channel(run.conversation_id), json.dumps(event))
