"""Saying things in Slack: a Slack error is logged (no token in it) and never raised, so a
thread that cannot be told something never stops what mlchat does."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from service.settings import Settings

log = logging.getLogger(__name__)
RATE_LIMIT_RETRIES = 3
"""`ratelimited` answers waited out (each for its Retry-After) before a call gives up."""


def web_client(settings: Settings, token: str | None) -> AsyncWebClient:
    """A Web API client for `token` at MLCHAT_SLACK_API_URL that waits out rate limits."""
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def _logged(method: str, error: Exception, channel: str | None) -> None:
    response = getattr(error, "response", None)
    slack_error = response.get("error") if response is not None else None
    reason = slack_error or type(error).__name__
    fields = {"slack_method": method, "slack_error": reason, "channel": channel}
    log.warning("slack %s failed: %s (channel %s)", method, reason, channel, extra=fields)


async def say(web: AsyncWebClient, channel: str, thread_ts: str | None, text: str,
              blocks: list[dict[str, Any]] | None = None) -> str | None:  # fmt: skip
    """Post in the thread; the message's ts, or None where Slack refused or was unreachable."""
    try:
        response = await web.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text,
                                              blocks=blocks, unfurl_links=False)  # fmt: skip
    except (SlackApiError, SlackClientError, OSError) as error:
        _logged("chat.postMessage", error, channel)
        return None
    ts = response.get("ts")
    return ts if isinstance(ts, str) else None


async def update(web: AsyncWebClient, channel: str, ts: str, text: str,
                 blocks: list[dict[str, Any]]) -> bool:  # fmt: skip
    """Rewrite a message in place; whether Slack took it."""
    try:
        await web.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except (SlackApiError, SlackClientError, OSError) as error:
        _logged("chat.update", error, channel)
        return False
    return True


async def whisper(web: AsyncWebClient, channel: str, user: str, text: str,
                  thread_ts: str | None = None) -> None:  # fmt: skip
    """A message only `user` sees."""
    try:
        await web.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
    except (SlackApiError, SlackClientError, OSError) as error:
        _logged("chat.postEphemeral", error, channel)
