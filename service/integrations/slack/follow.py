"""Following a run in a Slack thread, from the Run press to its summary.

One progress message per run, posted once and then edited in place (`chat.update`) as the run's
events arrive from its Redis stream. Slack's limits are kept by a limiter every followed run
shares (`throttle.py`); the message always shows the newest state when its turn comes, so the
states in between are skipped rather than queued, and the final one always lands.

When Slack refuses (`ratelimited`) its Retry-After is waited out, for every run of that
workspace. When Slack is down or slow (connection errors, timeouts, 5xx) the run goes on, since
it never waits on Slack; the thread is brought up to date with backoff, and after the run has
ended for at most `GIVE_UP_S`, after which the thread is given up on (logged). slack_sdk's
RateLimitErrorRetryHandler is not used: it sleeps inside the call, holding a stale text, and
knows nothing of the other runs in the channel, where this code re-renders the newest state for
each try and pauses the whole workspace's method.

Nothing here raises for Slack's errors: it logs them (never the token) and carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

import aiohttp
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from service.db.engines import async_engine, async_session_factory
from service.db.models import Run
from service.events import read_events
from service.integrations.slack.progress import ProgressState, progress_text
from service.integrations.slack.render import RenderError, renderer_for
from service.integrations.slack.summary import RunSummary, load_summary, summary_message
from service.integrations.slack.throttle import SlackLimiter, shared_limiter
from service.settings import Settings

log = logging.getLogger(__name__)

POLL_S = 0.5
"""How often the run's stream is read for new events (the message changes at most every second)."""
ROW_CHECK_S = 3.0
"""How often, in a quiet spell, the run's row is asked whether it ended without a final event."""
REFRESH_S = 15.0
"""A quiet run's message is still refreshed this often, for its elapsed time and time left."""
GIVE_UP_S = 3600.0
"""How long after the run ended the thread keeps being retried while Slack is away."""
BACKOFF_FIRST_S, BACKOFF_MAX_S = 1.0, 30.0
REPLAY_PAGE = 1000
TRANSIENT_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable",
                              "request_timeout", "ratelimited"})  # fmt: skip
"""Slack's error codes that say "not now" rather than "never"."""
_FOREVER = float("inf")


def _final_event_from(run: Run) -> dict[str, Any]:
    """The closing event of a run whose stream expired or lost it, from its row."""
    ended = run.finished_at
    if ended is not None and ended.tzinfo is None:  # SQLite gives back naive UTC times
        ended = ended.replace(tzinfo=UTC)
    return {"type": str(run.status), "run_id": run.id, "message": run.error,
            "ts": ended.isoformat() if ended else None}  # fmt: skip


class _Refused(Exception):
    """Slack refused a call for good (no such channel, a revoked token, …)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _retry_after_s(error: SlackApiError) -> float:
    headers = error.response.headers or {}
    value = next((v for k, v in headers.items() if str(k).lower() == "retry-after"), None)
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0


def _workspace_of(web: AsyncWebClient) -> str:
    """A name for the token's workspace in the limiter: a digest, never the token itself."""
    return hashlib.sha256((web.token or "").encode()).hexdigest()[:16]


class SlackThread:
    """Calls Slack in one thread: through the limiter, waiting out `ratelimited`, retrying what
    failed for now with backoff until `until()` (a monotonic time, moved by the caller)."""

    def __init__(self, web: AsyncWebClient, limiter: SlackLimiter, channel: str,
                 thread_ts: str, run_id: int) -> None:  # fmt: skip
        self.web = web
        self.limiter = limiter
        self.workspace = _workspace_of(web)
        self.channel = channel
        self.thread_ts = thread_ts
        self.run_id = run_id

    async def call(self, method: str, make_kwargs: Callable[[], dict[str, Any]],
                   until: Callable[[], float]) -> dict[str, Any] | None:  # fmt: skip
        """The answer's data, or None once `until` has passed. `make_kwargs` is called for each
        try, just as it goes out, so a retry carries the newest state. Raises `_Refused`."""
        failures = 0
        while True:
            try:
                async with self.limiter.slot(self.workspace, self.channel, method):
                    function = getattr(self.web, method.replace(".", "_"))
                    response = await function(**make_kwargs())
                return dict(response.data) if isinstance(response.data, dict) else {}
            except SlackApiError as error:
                code = str(error.response.get("error") or "")
                status = int(error.response.status_code or 0)
                if status == 429 or code == "ratelimited":
                    wait_s = _retry_after_s(error)
                    self.limiter.pause(self.workspace, method, wait_s)
                    self._note("slack rate-limited a call", method, retry_after_s=wait_s)
                    if time.monotonic() + wait_s > until():
                        return self._given_up(method)
                    continue
                if status < 500 and code not in TRANSIENT_ERRORS:
                    self._note("slack refused a call", method, error=code, status=status)
                    raise _Refused(code) from None
                reason = f"{status} {code}".strip()
            except (aiohttp.ClientError, TimeoutError, OSError, SlackClientError) as error:
                # SlackClientError: files_upload_v2's upload step failing, among others
                reason = f"{type(error).__name__}: {error}"
            delay = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2**failures)
            failures += 1
            self._note("slack did not answer; trying again", method, reason=reason,
                       delay_s=delay, failures=failures)  # fmt: skip
            if time.monotonic() + delay > until():
                return self._given_up(method)
            await asyncio.sleep(delay)

    def _note(self, what: str, method: str, **fields: Any) -> None:
        log.warning(what, extra={"run_id": self.run_id, "channel": self.channel,
                                 "method": method, **fields})  # fmt: skip

    def _given_up(self, method: str) -> dict[str, Any] | None:
        where = {"run_id": self.run_id, "channel": self.channel, "method": method}
        log.error("slack unreachable for too long; the thread is no longer updated", extra=where)
        return None


class RunFollower:
    """Keeps one run's progress message up to date, then says how the run ended."""

    def __init__(self, web: AsyncWebClient, settings: Settings, tenant: str, run_id: int,
                 channel: str, thread_ts: str, limiter: SlackLimiter) -> None:  # fmt: skip
        self.settings = settings
        self.tenant = tenant
        self.run_id = run_id
        self.thread = SlackThread(web, limiter, channel, thread_ts, run_id)
        self.state = ProgressState(run_id)
        self.changed = asyncio.Event()
        self.ended_at: float | None = None
        """Monotonic time the run's end was seen: the retry budget counts from it."""
        self.message_ts: str | None = None
        self._sending = ""
        """The progress text of the call going out."""
        self.shown: str | None = None
        self.renderer = renderer_for(settings)
        self.reader: asyncio.Task[None] | None = None

    def until(self) -> float:
        return _FOREVER if self.ended_at is None else self.ended_at + GIVE_UP_S

    async def follow(self) -> None:
        engine = async_engine(self.settings.resolved_database_url)
        sessions = async_session_factory(engine)
        streams = aioredis.Redis.from_url(self.settings.resolved_redis_url)
        try:
            run = await self._load(sessions)
            if run is None or run.tenant != self.tenant:
                log.warning("no such run to follow in slack",
                            extra={"run_id": self.run_id, "tenant": self.tenant})  # fmt: skip
                return
            self.reader = asyncio.create_task(self._read(streams, sessions))
            try:
                if not await self._show_progress():
                    return
                await self.reader
                await self._say_summary(sessions)
            finally:
                self.reader.cancel()
        finally:
            await streams.aclose()
            await engine.dispose()

    async def _load(self, sessions: Any) -> Run | None:
        # A short session per look: a long-lived one would pin an old SQLite snapshot.
        try:
            async with sessions() as session:
                run: Run | None = await session.get(Run, self.run_id)
                return run
        except SQLAlchemyError:
            log.warning("a followed run could not be read", extra={"run_id": self.run_id},
                        exc_info=True)  # fmt: skip
            return None

    def _seen(self, event: dict[str, Any]) -> None:
        self.state.apply(event)
        if self.state.final and self.ended_at is None:
            self.ended_at = time.monotonic()
        self.changed.set()

    async def _read(self, streams: aioredis.Redis, sessions: Any) -> None:
        """The run's events, in order, into `state`, until its final one."""
        try:
            await self._read_until_final(streams, sessions)
        finally:
            self.changed.set()  # wakes the sender, to show the end or to see this task fail

    async def _read_until_final(self, streams: aioredis.Redis, sessions: Any) -> None:
        after, last_row_check, row_said_final, redis_away = "0-0", time.monotonic(), False, False
        while not self.state.final:
            try:
                page = await read_events(streams, self.run_id, after=after, count=REPLAY_PAGE)
                redis_away = False
            except RedisError as error:
                if not redis_away:  # said once per spell, not twice a second
                    log.warning("a followed run's stream could not be read",
                                extra={"run_id": self.run_id, "error": str(error)})  # fmt: skip
                redis_away, page = True, []
            for stream_id, event in page:
                after = stream_id
                self._seen(event)
            if self.state.final or len(page) == REPLAY_PAGE:
                continue
            if not page and time.monotonic() - last_row_check >= ROW_CHECK_S:
                last_row_check = time.monotonic()
                run = await self._load(sessions)
                # The final event follows the row's change closely; only a second quiet look
                # takes it as lost (an expired stream) and makes it up from the row.
                if run is not None and run.status.is_final and row_said_final:
                    self._seen(_final_event_from(run))
                    continue
                row_said_final = run is not None and run.status.is_final
            await asyncio.sleep(POLL_S)

    def _progress_kwargs(self) -> dict[str, Any]:
        self._sending = progress_text(self.state, time.time())
        kwargs: dict[str, Any] = {"channel": self.thread.channel, "text": self._sending}
        if self.message_ts is None:
            kwargs["thread_ts"] = self.thread.thread_ts
        else:
            kwargs["ts"] = self.message_ts
        return kwargs

    async def _show_progress(self) -> bool:
        """Keeps the progress message at the newest state until the final one is shown; False
        when Slack refused the thread or stayed away too long."""
        while True:
            final = self.state.final
            if not final and self.reader is not None and self.reader.done():
                self.reader.result()  # the reader failed: its error, rather than a wait forever
                return False
            if not final:
                self.changed.clear()
            text = progress_text(self.state, time.time())
            if text != self.shown or self.message_ts is None:
                method = "chat.postMessage" if self.message_ts is None else "chat.update"
                try:
                    answer = await self.thread.call(method, self._progress_kwargs, self.until)
                except _Refused as refused:
                    if refused.code == "message_not_found":  # deleted: post a new one
                        self.message_ts = None
                        continue
                    return False
                if answer is None:
                    return False
                self.message_ts = self.message_ts or str(answer.get("ts"))
                self.shown = self._sending
            if self.state.final and self.shown == progress_text(self.state, time.time()):
                return True
            if not final:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), REFRESH_S)

    async def _ended_run(self, sessions: Any) -> Run | None:
        """The run's row once it says the run ended (it is written before the final event)."""
        for _ in range(20):
            run = await self._load(sessions)
            if run is not None and run.status.is_final:
                return run
            await asyncio.sleep(POLL_S)
        return None

    async def _images(self, summary: RunSummary) -> tuple[list[dict[str, Any]], str | None]:
        if not summary.plots:
            return [], None
        if (missing := self.renderer.missing) is not None:
            return [], f"plots not attached: {missing}"
        uploads, failed = [], []
        for name, figure in summary.plots:
            try:
                image = await self.renderer.png(figure)
            except RenderError as error:
                where = {"run_id": self.run_id, "plot": name, "error": str(error)}
                log.warning("a plot could not be drawn for slack", extra=where)
                failed.append(name)
                continue
            uploads.append({"content": image, "filename": f"run-{self.run_id}-{name}.png",
                            "title": name.replace("_", " ")})  # fmt: skip
        note = f"{len(failed)} plot(s) could not be drawn: {', '.join(failed)}" if failed else None
        return uploads, note

    async def _say_summary(self, sessions: Any) -> None:
        run = await self._ended_run(sessions)
        if run is None:
            return
        summary = await asyncio.to_thread(load_summary, run, self.settings)
        uploads, note = await self._images(summary)
        text, blocks = summary_message(summary, note)
        said = {"channel": self.thread.channel, "thread_ts": self.thread.thread_ts,
                "text": text, "blocks": blocks}  # fmt: skip
        try:
            if await self.thread.call("chat.postMessage", lambda: said, self.until) is None:
                return
            if uploads:
                shared = {"channel": self.thread.channel, "thread_ts": self.thread.thread_ts,
                          "file_uploads": uploads}  # fmt: skip
                await self.thread.call("files.upload_v2", lambda: shared, self.until)
        except _Refused:
            return


async def follow_run(*, web: AsyncWebClient, settings: Settings, tenant: str, run_id: int,
                     channel: str, thread_ts: str) -> None:  # fmt: skip
    """Shows run `run_id`'s progress in the thread as one message edited in place, then posts
    its summary (the agent's words, the metrics, the plots as PNG, a link to the run's page).
    Returns when the thread has been told, or Slack refused it or stayed away too long."""
    follower = RunFollower(web, settings, tenant, run_id, channel, thread_ts, shared_limiter())
    await follower.follow()
