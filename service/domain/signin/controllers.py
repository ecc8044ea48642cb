"""Signing the page in and out, and tickets for WebSockets that cannot send a key header."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie

from service.auth import HOW_TO_GET_A_KEY, SIGN_IN_PATH, Identity, identity_of_key
from service.domain.signin.schemas import SessionView, SignIn, Ticket
from service.errors import InvalidInputError, UnauthorizedError
from service.resources import Resources
from service.sessions import (
    SESSION_COOKIE,
    TICKET_TTL_S,
    Grant,
    close_session,
    issue_ticket,
    open_session,
    session_cookie,
)
from service.settings import Settings


def _view(identity: Identity, settings: Settings) -> SessionView:
    return SessionView(tenant=identity.tenant, scope=identity.scope.value, via=identity.via,
                       csrf_token=identity.csrf, auth=settings.auth)  # fmt: skip


def _cookie(request: Request[Any, Any, Any], value: str, max_age: int) -> Cookie:
    # HttpOnly: no script on the page can read it; Strict: no other site's page sends it.
    return Cookie(key=SESSION_COOKIE, value=value, path="/", max_age=max_age, httponly=True,
                  samesite="strict", secure=request.url.scheme == "https")  # fmt: skip


class SignInController(Controller):
    path = SIGN_IN_PATH
    tags = ("sign-in",)

    @get("/", summary="Who this request acts as; 401 when it must sign in first")
    async def who(self, request: Request[Any, Any, Any], settings: Settings) -> SessionView:
        identity: Identity | None = request.scope.get("auth")
        if identity is None:
            raise UnauthorizedError(f"sign in with an API key: {HOW_TO_GET_A_KEY}")
        return _view(identity, settings)

    @post("/", status_code=200, summary="Sign the page in with a key; answers a session cookie")
    async def sign_in(
        self,
        data: SignIn,
        request: Request[Any, Any, Any],
        resources: Resources,
        settings: Settings,
    ) -> Response[SessionView]:
        identity = await identity_of_key(resources, data.key.strip())
        if identity is None or identity.key_id is None:
            raise UnauthorizedError(f"that API key is unknown or revoked: {HOW_TO_GET_A_KEY}")
        ttl_s = settings.session_hours * 3600
        token, grant = await open_session(
            resources.redis, Grant(identity.key_id, identity.tenant, identity.scope.value), ttl_s
        )
        signed_in = Identity(identity.tenant, identity.scope, identity.key_id, "session",
                             grant.csrf)  # fmt: skip
        return Response(_view(signed_in, settings), cookies=[_cookie(request, token, ttl_s)])

    @delete("/", status_code=204, summary="Sign the page out: its session ends here and now")
    async def sign_out(
        self, request: Request[Any, Any, Any], resources: Resources
    ) -> Response[None]:
        token = session_cookie(request.scope["headers"])
        if token is not None:
            await close_session(resources.redis, token)
        return Response(None, status_code=204, cookies=[_cookie(request, "", 0)])


@post("/api/v1/ws-tickets", status_code=201, tags=["sign-in"],
      summary="A one-use ticket that proves a WebSocket in its first message")  # fmt: skip
async def ws_ticket(request: Request[Any, Any, Any], resources: Resources) -> Ticket:
    identity: Identity = request.scope["auth"]
    if identity.key_id is None:
        raise InvalidInputError(
            "a socket from this machine needs no ticket (MLCHAT_AUTH=local): open it as it is"
        )
    grant = Grant(identity.key_id, identity.tenant, identity.scope.value)
    return Ticket(ticket=await issue_ticket(resources.redis, grant), expires_in_s=TICKET_TTL_S)
