"""The Slack limiter on a virtual clock: a second between calls in a channel (counted from the
end of the last), none between channels, 50 chat.update a minute per workspace, and a
ratelimited method paused for its Retry-After."""

from __future__ import annotations

import pytest

from service.integrations.slack.throttle import SlackLimiter


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


async def _times(limiter: SlackLimiter, clock: VirtualClock, calls: list[tuple[str, str]],
                 workspace: str = "W1", took_s: float = 0.0) -> list[float]:  # fmt: skip
    started = []
    for channel, method in calls:
        async with limiter.slot(workspace, channel, method):
            started.append(clock.now)
            clock.now += took_s
    return started


async def test_a_channel_gets_one_call_a_second_from_the_end_of_the_last(
    clock: VirtualClock,
) -> None:
    limiter = SlackLimiter(clock=clock, sleep=clock.sleep)
    calls = [("C1", "chat.update")] * 3
    assert await _times(limiter, clock, calls, took_s=0.25) == [0.0, 1.25, 2.5]
    # Another channel, or the same channel in another workspace, does not wait on it.
    assert await _times(limiter, clock, [("C2", "chat.update")]) == [clock.now]
    assert await _times(limiter, clock, [("C1", "chat.update")], workspace="W2") == [clock.now]


async def test_chat_update_is_held_to_50_a_minute_per_workspace(clock: VirtualClock) -> None:
    limiter = SlackLimiter(channel_interval_s=0.0, clock=clock, sleep=clock.sleep)
    calls = [(f"C{i}", "chat.update") for i in range(51)]
    started = await _times(limiter, clock, calls)
    assert started[:50] == [0.0] * 50 and started[50] == 60.0
    assert await _times(limiter, clock, [("C1", "chat.update")], workspace="W2") == [60.0]


async def test_a_ratelimited_method_waits_out_its_retry_after(clock: VirtualClock) -> None:
    limiter = SlackLimiter(clock=clock, sleep=clock.sleep)
    limiter.pause("W1", "chat.update", 30)
    assert await _times(limiter, clock, [("C1", "chat.postMessage")]) == [0.0]
    assert await _times(limiter, clock, [("C2", "chat.update")]) == [30.0]
