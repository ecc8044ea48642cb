"""Conversations with the agent: create, list, read, rename, and send messages."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from sqlalchemy.ext.asyncio import AsyncSession

from service.resources import Resources
from service.routes.conversations.schemas import (
    ConversationCreate,
    ConversationUpdate,
    ConversationView,
    Exchange,
    MessageCreate,
    PlanRequest,
    PlanView,
)
from service.routes.conversations.services import ConversationService


class ConversationController(Controller):
    path = "/api/v1/conversations"
    tags = ("agent",)

    @post("/", status_code=201, summary="Start a conversation, optionally about a dataset")
    async def create(
        self, data: ConversationCreate, session: AsyncSession, resources: Resources, tenant: str
    ) -> ConversationView:
        return await ConversationService(session, resources, tenant).create(data)

    @get("/", summary="Conversations, most recently active first")
    async def list_all(
        self, session: AsyncSession, resources: Resources, tenant: str
    ) -> list[ConversationView]:
        return await ConversationService(session, resources, tenant).all()

    @get("/{conversation_id:int}", summary="A conversation with all its messages")
    async def get_one(
        self, conversation_id: int, session: AsyncSession, resources: Resources, tenant: str
    ) -> ConversationView:
        return await ConversationService(session, resources, tenant).view(conversation_id)

    @patch("/{conversation_id:int}", summary="Rename a conversation or switch its dataset")
    async def update(
        self,
        conversation_id: int,
        data: ConversationUpdate,
        session: AsyncSession,
        resources: Resources,
        tenant: str,
    ) -> ConversationView:
        return await ConversationService(session, resources, tenant).update(conversation_id, data)

    @delete("/{conversation_id:int}", summary="Delete a conversation and its messages")
    async def remove(
        self, conversation_id: int, session: AsyncSession, resources: Resources, tenant: str
    ) -> None:
        await ConversationService(session, resources, tenant).delete(conversation_id)

    @post("/{conversation_id:int}/messages", status_code=200, summary="Say something")
    async def send(
        self,
        conversation_id: int,
        data: MessageCreate,
        session: AsyncSession,
        resources: Resources,
        tenant: str,
    ) -> Exchange:
        return await ConversationService(session, resources, tenant).post(conversation_id, data)


@post("/api/v1/agent/plan", status_code=200, tags=["agent"],
      summary="What the agent would do with a message, without running it")  # fmt: skip
async def plan(
    data: PlanRequest, session: AsyncSession, resources: Resources, tenant: str
) -> PlanView:
    return await ConversationService(session, resources, tenant).plan(
        data.dataset, data.message, data.conversation_id
    )
