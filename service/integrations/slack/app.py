"""The Slack integration of one API process: the bolt app, its tracked tasks, its locks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from service.integrations.slack.posting import web_client
from service.integrations.slack.workspaces import bot_token_for
from service.resources import Resources

log = logging.getLogger(__name__)
SEEN_EVENTS = 10_000
"""Event ids remembered to drop Slack's redeliveries (it retries for up to an hour)."""


class SlackIntegration:
    """Slack's requests come in through `bolt` (HTTP or Socket Mode); the listeners ack them
    and leave the work (the agent, a dispatch, a download) to `spawn`ed tasks, which shutdown
    cancels. A thread's turns run one at a time (`lock`): two Run presses cannot start two
    runs of one plan."""

    def __init__(self, resources: Resources) -> None:
        from service.integrations.slack.handlers import register

        self.resources = resources
        self.settings = resources.settings
        self.tasks: set[asyncio.Task[None]] = set()
        self.locks: dict[tuple[str, str, str], asyncio.Lock] = {}
        self.bots: dict[str, tuple[str | None, str | None]] = {}
        self.seen_events: dict[str, None] = {}
        secret = self.settings.slack_signing_secret

        # bolt passes what a function's parameters name: a bound method's `self` confuses it.
        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return await self.authorize(enterprise_id, team_id)

        self.bolt = AsyncApp(
            signing_secret=secret.get_secret_value() if secret else "",
            authorize=authorize,
            client=web_client(self.settings, None),
            # The listeners only ack and spawn, so waiting for them keeps each request's answer
            # after its listener, and every piece of work on a task this object tracks.
            process_before_response=True,
            logger=logging.getLogger("service.integrations.slack.bolt"),
        )
        register(self.bolt, self)

    def web(self, token: str) -> AsyncWebClient:
        return web_client(self.settings, token)

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run `work` after the ack, on a task cancelled at shutdown; a failure is logged."""
        task = asyncio.create_task(work, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("slack task failed", exc_info=error, extra={"task": task.get_name()})

    def first_delivery(self, event_id: str | None) -> bool:
        """Whether this process meets `event_id` for the first time: Slack delivers an event
        again when its ack seemed late, and a message must not be answered twice."""
        if not event_id:
            return True
        if event_id in self.seen_events:
            return False
        self.seen_events[event_id] = None
        if len(self.seen_events) > SEEN_EVENTS:
            del self.seen_events[next(iter(self.seen_events))]  # the oldest
        return True

    def lock(self, team_id: str, channel: str, thread_ts: str) -> asyncio.Lock:
        key = (team_id, channel, thread_ts)
        if key not in self.locks:
            if len(self.locks) > 10_000:  # forget idle threads' locks
                self.locks = {k: v for k, v in self.locks.items() if v.locked()}
            self.locks[key] = asyncio.Lock()
        return self.locks[key]

    async def authorize(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        """The token to answer `team_id` with, and who the bot is there (to skip its own
        messages); an unconnected workspace gets the app's token, to be told so."""
        # Without a token bolt answers the request itself, refusing it (the app is off then).
        token = bot_token_for(self.settings, team_id) or ""
        if token not in self.bots:
            try:
                found = await self.web(token).auth_test()
                self.bots[token] = (found.get("user_id"), found.get("bot_id"))
            except (SlackApiError, SlackClientError, OSError):
                log.warning("slack auth.test failed", extra={"team_id": team_id})
                return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id,
                                       bot_token=token)  # fmt: skip
        bot_user_id, bot_id = self.bots[token]
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token,
                               bot_user_id=bot_user_id, bot_id=bot_id)  # fmt: skip

    async def aclose(self) -> None:
        """Cancel the work still running and wait for it to stop."""
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
