"""WS /ws/chat/{conversation_id}: messages both ways, the reply as it forms, and run events.

The client sends `{"type": "message", "text": "...", "auto_approve"?: bool}`. The server
sends `{"type": "delta", "text": ...}` while the reply forms, then every stored message as
`{"type": "message", "message": {...}}`, and the progress events of the conversation's runs
as they happen (the same shape as on /ws/runs, with `run_id`).
"""

from __future__ import annotations

import json
from typing import Any

from litestar import WebSocket, websocket
from pydantic import ValidationError

from ml_backend.errors import MLInputError
from service.auth import identity_of
from service.db.models import KeyScope
from service.domain.conversations.schemas import MessageCreate
from service.domain.conversations.services import ConversationService
from service.domain.params import RowId
from service.domain.relay import relay
from service.errors import ServiceError
from service.events import conversation_channel
from service.origins import refuse_socket
from service.request_bodies import check_json_depth, check_no_nul
from service.resources import Resources


@websocket("/ws/chat/{conversation_id:int}")
async def chat(
    socket: WebSocket[Any, Any, Any], conversation_id: RowId, resources: Resources, tenant: str
) -> None:
    """Carries one conversation: what the person says in, the agent and its runs out."""
    async with resources.sessions() as session:
        try:
            await ConversationService(session, resources, tenant).get(conversation_id)
        except ServiceError as error:
            await refuse_socket(socket.scope, socket.send, error)
            return
    await relay(socket, resources.hub, conversation_channel(conversation_id),
                lambda: _receive(socket, resources, tenant, conversation_id))  # fmt: skip


async def _receive(
    socket: WebSocket[Any, Any, Any], resources: Resources, tenant: str, conversation_id: int
) -> None:
    may_speak = identity_of(socket.scope).scope != KeyScope.READ
    while True:
        raw = await socket.receive_text()
        if not may_speak:
            # The handshake was a GET, which a read key may make; speaking starts work.
            await socket.send_json({"type": "error", "detail": "a read key may only look: "
                                    "sending messages needs a run key"})  # fmt: skip
            continue
        try:
            check_json_depth(raw)
            incoming = json.loads(raw)
            check_no_nul(incoming)
            data = MessageCreate.model_validate({k: v for k, v in incoming.items() if k != "type"})
        except ServiceError as error:
            await socket.send_json({"type": "error", "detail": f"not a message: {error.detail}"})
            continue
        except (ValueError, ValidationError, AttributeError) as error:
            await socket.send_json({"type": "error", "detail": f"not a message: {error}"})
            continue

        async def delta(text: str) -> None:
            await socket.send_json({"type": "delta", "text": text})

        async with resources.sessions() as session:
            try:
                await ConversationService(session, resources, tenant).post(
                    conversation_id, data, on_delta=delta
                )
            except (ServiceError, MLInputError) as error:
                # What a REST client gets as problem+json, a socket gets as an error event.
                await socket.send_json({"type": "error", "detail": error.detail})
