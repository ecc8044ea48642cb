"""Socket Mode: the same app over a WebSocket the server opens to Slack, for a server that
Slack cannot reach (behind a firewall, no public address)."""

from __future__ import annotations

import asyncio
import logging
import signal

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError, SlackClientError

from service.integrations.slack.app import SlackIntegration
from service.integrations.slack.posting import web_client
from service.resources import Resources
from service.settings import Settings

log = logging.getLogger(__name__)
FIRST_RETRY_S, LAST_RETRY_S = 1.0, 60.0
NO_APP_TOKEN = (
    "Socket Mode needs an app-level token: make one with the connections:write scope (the "
    "app's Basic Information page) and set MLCHAT_SLACK_APP_TOKEN"
)
NO_BOT_TOKEN = "the Slack app needs its bot token: set MLCHAT_SLACK_BOT_TOKEN"


def socket_handler(slack: SlackIntegration) -> AsyncSocketModeHandler:
    """The Socket Mode connection of `slack`'s bolt app, through MLCHAT_SLACK_API_URL."""
    token = slack.settings.slack_app_token
    if token is None:
        raise ValueError(NO_APP_TOKEN)
    return AsyncSocketModeHandler(slack.bolt, token.get_secret_value(),
                                  web_client=web_client(slack.settings, None))  # fmt: skip


async def connect_when_possible(handler: AsyncSocketModeHandler) -> None:
    """Open the connection, trying again while Slack cannot be reached: the server runs on
    meanwhile (once open, the client reconnects by itself)."""
    wait_s = FIRST_RETRY_S
    while True:
        try:
            await handler.connect_async()  # type: ignore[no-untyped-call]
        except (SlackApiError, SlackClientError, OSError) as error:
            reason = error.response.get("error") if isinstance(error, SlackApiError) else None
            log.warning("slack socket mode could not connect (%s); trying again in %.0f s",
                        reason or type(error).__name__, wait_s)  # fmt: skip
            await asyncio.sleep(wait_s)
            wait_s = min(wait_s * 2, LAST_RETRY_S)
            continue
        log.info("slack socket mode connected")
        return


async def run_socket_mode(settings: Settings) -> None:
    """`mlchat slack`: serve Slack over Socket Mode until SIGINT or SIGTERM."""
    resources = Resources.open(settings)
    slack = SlackIntegration(resources)
    handler = socket_handler(slack)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        slack.spawn(connect_when_possible(handler), "slack-socket-mode")
        await stop.wait()
    finally:
        await slack.aclose()
        await handler.close_async()  # type: ignore[no-untyped-call]
        await resources.close()
