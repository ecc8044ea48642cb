"""Slack's rate limits, kept by the sender rather than learnt from refusals: about one message
a second per channel, and per workspace at most 50 `chat.update` a minute (its tier 3).

One `SlackLimiter` serves every run a process follows, so two runs in one channel share that
channel's second. A `ratelimited` answer's Retry-After pauses the method for the workspace, for
every run at once: Slack counts a method's calls per workspace, not per message.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

CHANNEL_INTERVAL_S = 1.0
"""Slack's guidance: about one message (post or update) per second in a channel."""
PER_MINUTE = {"chat.update": 50, "chat.postMessage": 50}
"""Calls a minute a workspace may make of these methods (tier 3, with room for the others)."""
WINDOW_S = 60.0
IN_FLIGHT_POLL_S = 0.05
"""How often a call waiting for its channel looks whether the call in flight there ended."""


class SlackLimiter:
    """Waits until a call may go out without breaking a limit, and books it."""

    def __init__(
        self,
        channel_interval_s: float = CHANNEL_INTERVAL_S,
        per_minute: dict[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.channel_interval_s = channel_interval_s
        self.per_minute = dict(PER_MINUTE if per_minute is None else per_minute)
        self.clock = clock
        self.sleep = sleep
        self._channel_next: dict[tuple[str, str], float] = {}
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._paused_until: dict[tuple[str, str], float] = {}
        self._in_flight: set[tuple[str, str]] = set()

    def _wait_s(self, workspace: str, channel: str, method: str, now: float) -> float:
        if (workspace, channel) in self._in_flight:
            return IN_FLIGHT_POLL_S
        waits = [self._channel_next.get((workspace, channel), now) - now,
                 self._paused_until.get((workspace, method), now) - now]  # fmt: skip
        limit = self.per_minute.get(method)
        calls = self._calls.get((workspace, method))
        if limit is not None and calls:
            while calls and calls[0] <= now - WINDOW_S:
                calls.popleft()
            if len(calls) >= limit:
                waits.append(calls[0] + WINDOW_S - now)
        return max(0.0, *waits)

    @asynccontextmanager
    async def slot(self, workspace: str, channel: str, method: str) -> AsyncIterator[None]:
        """Holds the channel for one call of `method`, once it keeps within the limits.

        The channel's next call may go a second after this one *ended*: Slack counts calls as
        they arrive, which is somewhere before the answer, so spacing from the answer keeps
        arrivals a second apart however long a call took to get there. No lock: the check and
        the booking run without an await between them, so of two runs woken together one books
        and the other finds the channel taken (a lock would also tie the process-wide limiter to
        one event loop).
        """
        key = (workspace, channel)
        while (wait := self._wait_s(workspace, channel, method, self.clock())) > 0:
            await self.sleep(wait)
        self._in_flight.add(key)
        if method in self.per_minute:
            self._calls.setdefault((workspace, method), deque()).append(self.clock())
        try:
            yield
        finally:
            self._in_flight.discard(key)
            self._channel_next[key] = self.clock() + self.channel_interval_s

    def pause(self, workspace: str, method: str, seconds: float) -> None:
        """Slack said `ratelimited`: no call of `method` in the workspace for `seconds`."""
        until = self.clock() + max(0.0, seconds)
        key = (workspace, method)
        self._paused_until[key] = max(until, self._paused_until.get(key, 0.0))


_shared: SlackLimiter | None = None


def shared_limiter() -> SlackLimiter:
    """The process's limiter, which every followed run goes through."""
    global _shared
    if _shared is None:
        _shared = SlackLimiter()
    return _shared
