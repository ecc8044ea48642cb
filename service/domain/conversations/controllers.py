"""Conversations with the agent: create, list, read, rename, and send messages."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post

from service.domain.conversations.schemas import (
    ConversationCreate,
    ConversationSummary,
    ConversationUpdate,
    ConversationView,
    Exchange,
    MessageCreate,
    PlanRequest,
    PlanView,
)
from service.domain.conversations.services import LIST_NAME, ConversationService
from service.domain.params import CATALOG_PAGE_DEFAULT, After, CatalogLimit, RowId
from service.paging import decode_cursor, paged


class ConversationController(Controller):
    path = "/api/v1/conversations"
    tags = ("agent",)

    @post("/", status_code=201, summary="Start a conversation, optionally about a dataset")
    async def create(
        self, data: ConversationCreate, conversations: ConversationService
    ) -> ConversationView:
        return await conversations.create(data)

    @get("/", summary="Conversations, most recently active first, a page at a time (next "
         "page: the Link header)")  # fmt: skip
    async def list_all(
        self,
        request: Request[Any, Any, Any],
        conversations: ConversationService,
        limit: CatalogLimit = CATALOG_PAGE_DEFAULT,
        after: After = None,
    ) -> Response[list[ConversationSummary]]:
        page = await conversations.page(limit, decode_cursor(LIST_NAME, after))
        return paged(request, page.items, page.after)

    @get("/{conversation_id:int}", summary="A conversation with all its messages")
    async def get_one(
        self, conversation_id: RowId, conversations: ConversationService
    ) -> ConversationView:
        return await conversations.view(conversation_id)

    @patch("/{conversation_id:int}", summary="Rename a conversation or switch its dataset")
    async def update(
        self, conversation_id: RowId, data: ConversationUpdate, conversations: ConversationService
    ) -> ConversationView:
        return await conversations.update(conversation_id, data)

    @delete("/{conversation_id:int}", summary="Delete a conversation and its messages")
    async def remove(self, conversation_id: RowId, conversations: ConversationService) -> None:
        await conversations.delete(conversation_id)

    @post("/{conversation_id:int}/messages", status_code=200, summary="Say something")
    async def send(
        self, conversation_id: RowId, data: MessageCreate, conversations: ConversationService
    ) -> Exchange:
        return await conversations.post(conversation_id, data)


@post("/api/v1/agent/plan", status_code=200, tags=["agent"],
      summary="What the agent would do with a message, without running it")  # fmt: skip
async def plan(data: PlanRequest, conversations: ConversationService) -> PlanView:
    return await conversations.plan(data.dataset, data.message, data.conversation_id)
