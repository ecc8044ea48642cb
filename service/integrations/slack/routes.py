"""Slack's HTTP requests (Events API, interactivity, the /mlchat command) into the bolt app,
which checks their signature (401 if bad or stale) and answers within Slack's 3 seconds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, Response, post
from slack_bolt.request.async_request import AsyncBoltRequest

from service.errors import NotFoundError
from service.integrations.slack.app import SlackIntegration
from service.integrations.slack.paths import COMMANDS_PATH, EVENTS_PATH, INTERACTIVITY_PATH

NOT_ON = (
    "the Slack app is off on this server: set MLCHAT_SLACK_SIGNING_SECRET and "
    "MLCHAT_SLACK_BOT_TOKEN (from the app's Basic Information and OAuth & Permissions pages) "
    "and restart it"
)


async def _dispatch(request: Request[Any, Any, Any]) -> Response[bytes]:
    slack: SlackIntegration | None = getattr(request.app.state, "slack", None)
    if slack is None or slack.settings.slack_signing_secret is None:
        raise NotFoundError(NOT_ON)
    body = (await request.body()).decode("utf-8", errors="replace")
    headers: dict[str, str | Sequence[str]] = dict(request.headers.items())
    answer = await slack.bolt.async_dispatch(
        AsyncBoltRequest(body=body, query=request.url.query, headers=headers)
    )
    return Response(
        content=answer.body.encode() if isinstance(answer.body, str) else answer.body,
        status_code=answer.status,
        headers=answer.first_headers_without_set_cookie(),
    )


@post(EVENTS_PATH, include_in_schema=False, status_code=200)
async def slack_events(request: Request[Any, Any, Any]) -> Response[bytes]:
    return await _dispatch(request)


@post(INTERACTIVITY_PATH, include_in_schema=False, status_code=200)
async def slack_interactivity(request: Request[Any, Any, Any]) -> Response[bytes]:
    return await _dispatch(request)


@post(COMMANDS_PATH, include_in_schema=False, status_code=200)
async def slack_commands(request: Request[Any, Any, Any]) -> Response[bytes]:
    return await _dispatch(request)


SLACK_ROUTES = [slack_events, slack_interactivity, slack_commands]
