"""The Slack app's part of the API's lifespan: opened when the settings turn it on, its
Socket Mode connection too where asked, and its unfinished work cancelled at shutdown."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from service.resources import Resources

log = logging.getLogger(__name__)


@asynccontextmanager
async def slack_running(app: Litestar, resources: Resources) -> AsyncIterator[None]:
    """While the block runs, `app.state.slack` serves Slack (None where it is off)."""
    settings = resources.settings
    app.state.slack = None
    if settings.slack_bot_token is None:
        yield
        return
    from service.integrations.slack.app import SlackIntegration
    from service.integrations.slack.render import close_renderers
    from service.integrations.slack.socket_mode import connect_when_possible, socket_handler

    slack = SlackIntegration(resources)
    app.state.slack = slack
    handler = socket_handler(slack) if settings.slack_socket_mode else None
    try:
        if handler is not None:
            slack.spawn(connect_when_possible(handler), "slack-socket-mode")
        yield
    finally:
        app.state.slack = None
        await slack.aclose()  # a connection still being tried is given up
        close_renderers()  # the Chromium that drew plots as PNG
        if handler is not None:
            await handler.close_async()  # type: ignore[no-untyped-call]
