"""What happens in the thread once a run starts.

`start_following` is the one place a started run is handed on: the progress message, the
final summary and its plots (`follow.follow_run`) hook in here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from service.integrations.slack.blocks import running_text
from service.integrations.slack.posting import say
from service.settings import Settings

log = logging.getLogger(__name__)
Spawn = Callable[[Coroutine[Any, Any, None], str], None]


def start_following(*, spawn: Spawn, web: AsyncWebClient, settings: Settings, tenant: str,
                    run_id: int, channel: str, thread_ts: str) -> None:  # fmt: skip
    """Follow run `run_id` in the thread on a tracked task (cancelled at shutdown)."""
    # THE CALL SITE of the progress follower: at merge this becomes
    #   follow_run(web=web, settings=settings, tenant=tenant, run_id=run_id,
    #              channel=channel, thread_ts=thread_ts)
    spawn(_announce(web, settings, run_id, channel, thread_ts), f"slack-follow-run-{run_id}")


async def _announce(web: AsyncWebClient, settings: Settings, run_id: int, channel: str,
                    thread_ts: str) -> None:  # fmt: skip
    await say(web, channel, thread_ts, running_text(settings, run_id))
