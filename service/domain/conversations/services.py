"""Conversation logic: store each message, ask the agent, store its reply and its plan."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.loop import ModelUnavailableError, Plan, Turn, history_from
from ml_backend.configs import DatasetRef
from ml_backend.jobs.budget import JobBudget
from service.db.models import Conversation, Message, utcnow
from service.domain.conversations.agent_runtime import ServiceBackend, make_agent, schema_context
from service.domain.conversations.schemas import (
    ConversationCreate,
    ConversationSummary,
    ConversationUpdate,
    ConversationView,
    Exchange,
    MessageCreate,
    MessageView,
    PlanView,
)
from service.domain.datasets.services import DatasetService
from service.domain.limits.services import tenant_limits
from service.errors import NotFoundError, UnavailableError
from service.events import conversation_channel
from service.paging import Cursor, Page, keyset
from service.resources import Resources

OnDelta = Callable[[str], Awaitable[None]]
HISTORY_MESSAGES = 40
"""The agent reads this many recent messages: enough for follow-ups, bounded in cost."""


LIST_NAME = "conversations"
SUMMARY_COLUMNS = [getattr(Conversation, name) for name in ConversationSummary.model_fields]


def _position(row: Row[Any]) -> Cursor:
    return Cursor(row.updated_at, row.id)


def _summary(row: Row[Any]) -> ConversationSummary:
    return ConversationSummary.model_validate(row, from_attributes=True)


class ConversationService:
    """Owns the session for conversation requests."""

    def __init__(self, session: AsyncSession, resources: Resources, tenant: str) -> None:
        self.session = session
        self.resources = resources
        self.tenant = tenant

    async def _dataset_id(self, ref: DatasetRef | None) -> int | None:
        if ref is None:
            return None
        datasets = DatasetService(self.session, self.resources.settings, self.tenant)
        return (await datasets.find_ref(ref)).id

    async def _budget(self) -> JobBudget:
        """What one of the tenant's jobs may take: the agent refuses a plan beyond it."""
        return (await tenant_limits(self.session, self.resources.settings, self.tenant)).budget()

    async def create(self, data: ConversationCreate) -> ConversationView:
        conversation = Conversation(
            tenant=self.tenant,
            title=data.title or "New conversation",
            dataset_id=await self._dataset_id(data.dataset),
        )
        self.session.add(conversation)
        await self.session.commit()
        return ConversationView.of(conversation)

    async def get(self, conversation_id: int) -> Conversation:
        conversation = await self.session.get(Conversation, conversation_id)
        if conversation is None or conversation.tenant != self.tenant:
            raise NotFoundError(
                f"conversation {conversation_id} does not exist; "
                "GET /api/v1/conversations lists them"
            )
        return conversation

    async def messages(self, conversation_id: int, limit: int | None = None) -> list[Message]:
        query = select(Message).where(Message.conversation_id == conversation_id)
        if limit is None:
            return list(await self.session.scalars(query.order_by(Message.id)))
        recent = await self.session.scalars(query.order_by(Message.id.desc()).limit(limit))
        return list(reversed(list(recent)))

    async def view(self, conversation_id: int) -> ConversationView:
        conversation = await self.get(conversation_id)
        return ConversationView.of(conversation, await self.messages(conversation_id))

    async def page(self, limit: int, after: Cursor | None) -> Page[ConversationSummary]:
        """The tenant's conversations, most recently active first, without their messages."""
        query = select(*SUMMARY_COLUMNS).where(Conversation.tenant == self.tenant)
        order = (Conversation.updated_at, Conversation.id)
        rows = (await self.session.execute(keyset(query, *order, after, limit))).all()
        return Page.of(rows, limit, LIST_NAME, _position, _summary)

    async def update(self, conversation_id: int, data: ConversationUpdate) -> ConversationView:
        conversation = await self.get(conversation_id)
        if data.title is not None:
            conversation.title = data.title
        if data.dataset is not None:
            conversation.dataset_id = await self._dataset_id(data.dataset)
        conversation.updated_at = utcnow()
        await self.session.commit()
        return await self.view(conversation_id)

    async def delete(self, conversation_id: int) -> None:
        await self.session.delete(await self.get(conversation_id))
        await self.session.commit()

    async def post(
        self, conversation_id: int, data: MessageCreate, on_delta: OnDelta | None = None
    ) -> Exchange:
        """Store the person's message, let the agent answer, store and publish the reply."""
        conversation = await self.get(conversation_id)
        if data.dataset is not None:
            conversation.dataset_id = await self._dataset_id(data.dataset)
        records = [_record(m) for m in await self.messages(conversation_id, HISTORY_MESSAGES)]
        message = Message(conversation_id=conversation_id, role="user", content=data.text, parts=[])
        self.session.add(message)
        if conversation.title == "New conversation":
            conversation.title = data.text[:80]
        await self.session.commit()
        await self._publish(conversation_id, MessageView.of(message))

        context = await schema_context(
            self.session, self.tenant, conversation.dataset_id, await self._budget()
        )
        backend = ServiceBackend(self.session, self.resources, self.tenant, conversation_id)
        agent = make_agent(self.resources, context, backend)
        pending = _plan(conversation.pending_plan)
        try:
            turn = await agent.turn(
                history_from(records), data.text, pending,
                auto_approve=data.auto_approve, on_delta=on_delta,
            )  # fmt: skip
        except ModelUnavailableError as error:
            # The message is stored already: answer it, so the conversation says what happened.
            turn = Turn(reply=f"**I could not answer**: {error}. Nothing was started; send it "
                        "again once the model is reachable (see MLCHAT_LLM and OPENAI_BASE_URL).",
                        parts=[{"type": "error"}], pending=pending)  # fmt: skip
        reply = Message(
            conversation_id=conversation_id, role="assistant", content=turn.reply,
            parts=turn.parts,
        )  # fmt: skip
        self.session.add(reply)
        conversation.pending_plan = turn.pending.as_json() if turn.pending else None
        loaded = [p["dataset_id"] for p in turn.parts if p.get("type") == "dataset"]
        if loaded:
            conversation.dataset_id = loaded[-1]  # what the agent loaded is what comes next
        if turn.plan is not None and turn.plan.config is not None:
            conversation.last_plan = turn.plan.as_json()
        conversation.updated_at = utcnow()
        await self.session.commit()
        reply_view = MessageView.of(reply)
        await self._publish(conversation_id, reply_view)
        return Exchange(
            conversation_id=conversation_id, message=MessageView.of(message),
            reply=reply_view, pending_plan=conversation.pending_plan,
            plan=turn.plan.as_json() if turn.plan is not None else None,
        )  # fmt: skip

    async def plan(self, dataset: DatasetRef, text: str, conversation_id: int | None) -> PlanView:
        """What the agent would do with `text`, without dispatching or storing anything."""
        records: list[dict[str, Any]] = []
        if conversation_id is not None:
            await self.get(conversation_id)
            records = [_record(m) for m in await self.messages(conversation_id, HISTORY_MESSAGES)]
        context = await schema_context(
            self.session, self.tenant, await self._dataset_id(dataset), await self._budget()
        )
        try:
            plan = await make_agent(self.resources, context, None).plan(history_from(records), text)
        except ModelUnavailableError as error:
            raise UnavailableError(str(error)) from None
        return PlanView(action=plan.action, config=plan.config, message=plan.message)

    async def _publish(self, conversation_id: int, message: MessageView) -> None:
        event = {"type": "message", "conversation_id": conversation_id,
                 "message": message.model_dump(mode="json")}  # fmt: skip
        await self.resources.redis.publish(conversation_channel(conversation_id), json.dumps(event))


def _record(message: Message) -> dict[str, Any]:
    return {"role": message.role, "content": message.content, "parts": message.parts}


def _plan(stored: dict[str, Any] | None) -> Plan | None:
    if not stored:
        return None
    return Plan(action=stored["action"], config=stored.get("config"),
                message=stored.get("message", ""), tool=stored.get("tool"))  # fmt: skip
