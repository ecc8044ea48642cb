"""What the conversations API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ml_backend.configs import MAX_ID, DatasetRef
from service.db.models import Conversation, Message
from service.markdown import to_html


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConversationCreate(_Strict):
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    dataset: DatasetRef | None = Field(default=None, description="The dataset to talk about.")


class ConversationUpdate(_Strict):
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    dataset: DatasetRef | None = None


class MessageCreate(_Strict):
    text: Annotated[str, Field(min_length=1, max_length=4000)]
    dataset: DatasetRef | None = Field(
        default=None, description="Switch the conversation to this dataset first."
    )
    auto_approve: bool | None = Field(
        default=None, description="Run a plan at once instead of waiting for a yes."
    )


class MessageView(BaseModel):
    id: int
    role: str
    content: str
    html: str = Field(default="", description="`content` rendered from Markdown, HTML escaped.")
    parts: list[dict[str, Any]]
    created_at: datetime

    @classmethod
    def of(cls, message: Message) -> MessageView:
        view = cls.model_validate(message, from_attributes=True)
        view.html = to_html(message.content)
        return view


class ConversationSummary(BaseModel):
    """A conversation as the list shows it: no messages, no plans."""

    id: int
    title: str
    dataset_id: int | None
    created_at: datetime
    updated_at: datetime
    """When it was last active: the list's order, most recent first."""


class ConversationView(ConversationSummary):
    pending_plan: dict[str, Any] | None
    messages: list[MessageView] = Field(default_factory=list)

    @classmethod
    def of(
        cls, conversation: Conversation, messages: list[Message] | None = None
    ) -> ConversationView:
        view = cls.model_validate(conversation, from_attributes=True)
        view.messages = [MessageView.of(m) for m in messages or []]
        return view


class Exchange(BaseModel):
    """A message and the agent's reply to it."""

    conversation_id: int
    message: MessageView
    reply: MessageView
    pending_plan: dict[str, Any] | None
    plan: dict[str, Any] | None = None
    """What the agent made of the message (action, tool, config); null when nothing."""


class PlanRequest(_Strict):
    dataset: DatasetRef
    message: Annotated[str, Field(min_length=1, max_length=4000)]
    conversation_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class PlanView(BaseModel):
    action: str
    config: dict[str, Any] | None
    message: str
