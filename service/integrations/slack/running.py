"""What happens in the thread once a run starts.

`start_following` is the one place a started run is handed on to `follow.follow_run`: the
progress message updated in place, then the final summary and its plots."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from service.integrations.slack.follow import follow_run
from service.settings import Settings

log = logging.getLogger(__name__)
Spawn = Callable[[Coroutine[Any, Any, None], str], None]


def start_following(*, spawn: Spawn, web: AsyncWebClient, settings: Settings, tenant: str,
                    run_id: int, channel: str, thread_ts: str) -> None:  # fmt: skip
    """Follow run `run_id` in the thread on a tracked task (cancelled at shutdown)."""
    # A client of its own, without the retry handlers that sleep inside a call: the follower
    # paces itself by Slack's Retry-After and coalesces updates meanwhile.
    plain = AsyncWebClient(token=web.token, base_url=web.base_url)
    follow = follow_run(web=plain, settings=settings, tenant=tenant, run_id=run_id,
                        channel=channel, thread_ts=thread_ts)  # fmt: skip
    spawn(follow, f"slack-follow-run-{run_id}")
