"""What sign-in takes and returns; the session token itself travels only in its cookie."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(min_length=1, max_length=200, description="An API key.")]


class SessionView(BaseModel):
    """Who the page acts as, and what its state-changing requests must carry."""

    tenant: str
    scope: str
    via: Literal["key", "session", "local"] = Field(
        description="key: this request's bearer key; session: the page's sign-in cookie; "
        "local: a request from this machine, which needs no key (MLCHAT_AUTH=local)."
    )
    csrf_token: str | None = Field(
        default=None,
        description="Send as the X-CSRF-Token header on every POST, PATCH, PUT and DELETE "
        "the page makes with its session cookie.",
    )
    auth: Literal["local", "required"]


class Ticket(BaseModel):
    ticket: str = Field(
        description='Send {"type": "auth", "ticket": "..."} as a WebSocket\'s first message.'
    )
    expires_in_s: int
