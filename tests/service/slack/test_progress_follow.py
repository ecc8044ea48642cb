"""A run followed in a Slack thread, on a real worker, against a local Slack that records every
call: one progress message edited in place within Slack's limits, its final state landing
through `ratelimited` answers and through Slack being down, then the agent's summary with the
metrics, the plots as real PNG images and a link to the run's page; a failed run says why."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from agents.summaries import summarize
from service.integrations.slack import follow
from service.integrations.slack.follow import follow_run
from service.integrations.slack.render import renderer_for
from service.integrations.slack.summary import to_mrkdwn
from service.settings import Settings
from tests.service.helpers import SLOW_XGBOOST, slow_training_csv, wait_for
from tests.service.slack.png import png_colours, png_size
from tests.service.slack.slack_recorder import Call, Message, SlackRecorder
from tests.service.stack import Stack

# The follower reads a run's Redis stream and its row; the row is the same on either database,
# and these runs take half a minute each: SQLite only, to keep CI within its time.
pytestmark = [pytest.mark.integration, pytest.mark.parametrize("stack", ["sqlite"], indirect=True)]

PUBLIC_URL = "https://mlchat.example.com"
CHANNEL, THREAD = "C0PROGRESS", "1700000000.000100"
CONFIG = {"algorithm": "random_forest", "dataset": {"name": "breast_cancer"},
          "target_column": "diagnosis", "hyperparameters": {"n_estimators": 600}}  # fmt: skip
"""A run long enough that its progress is shown while it trains, edits a second apart."""
SMALL = {**CONFIG, "hyperparameters": {"n_estimators": 20}}
"""A run for the tests that need its end, not its progress: seconds, not half a minute."""
FOLLOW_CAP_S = 600.0
"""A cap for a follow that never ends; each ends as soon as the thread has been told."""


@pytest.fixture
def slack() -> Iterator[SlackRecorder]:
    recorder = SlackRecorder().start()
    yield recorder
    recorder.stop()


def _settings(stack: Stack) -> Settings:
    return Settings(home=stack.home, redis_url=stack.redis.url, database_url=stack.database_url,
                    public_url=PUBLIC_URL)  # fmt: skip


async def _follow(stack: Stack, slack: SlackRecorder, run_id: int, tenant: str = "default") -> None:
    web = AsyncWebClient(token="xoxb-not-a-real-token", base_url=slack.base_url)
    following = follow_run(web=web, settings=_settings(stack), tenant=tenant, run_id=run_id,
                           channel=CHANNEL, thread_ts=THREAD)  # fmt: skip
    await asyncio.wait_for(following, FOLLOW_CAP_S)


def _in_channel(slack: SlackRecorder) -> list[Call]:
    """The calls that put a message in the channel, answered or not, in order."""
    return sorted((c for c in slack.calls if c.method in {"chat.postMessage", "chat.update"}
                   and c.status != 0), key=lambda c: c.at)  # fmt: skip


def _assert_within_limits(slack: SlackRecorder) -> None:
    calls = _in_channel(slack)
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(calls)]
    assert min(gaps, default=1.0) >= 0.99, gaps
    updates = [c.at for c in calls if c.method == "chat.update"]
    assert all(sum(1 for t in updates if start <= t < start + 60) <= 50 for start in updates)


def _progress_and_summary(slack: SlackRecorder) -> tuple[Message, Call]:
    posts = slack.of("chat.postMessage")
    assert len(posts) == 2, [p.params.get("text") for p in posts]  # the progress, the summary
    assert all(p.params["thread_ts"] == THREAD and p.params["channel"] == CHANNEL for p in posts)
    return slack.messages[posts[0].answer["ts"]], posts[1]


async def test_a_run_is_followed_in_one_message_to_its_summary_through_ratelimits(
    client: httpx.Client, stack: Stack, slack: SlackRecorder
) -> None:
    # After the first edit, Slack refuses the next two: each Retry-After must be waited out.
    slack.rate_limit("chat.update", times=2, retry_after_s=2, after=1)
    job = (await asyncio.to_thread(client.post, "/api/v1/ml/train", json=CONFIG)).json()
    run_id = job["run_id"]
    await _follow(stack, slack, run_id)

    progress, summary = _progress_and_summary(slack)
    edits = slack.of("chat.update", status=None)
    assert {e.params["ts"] for e in edits} == {progress.ts}  # edited in place, never reposted
    assert progress.text.startswith(f":white_check_mark: *Run {run_id} finished*"), progress.text
    assert "100%" in progress.text and "600 of 600" in progress.text
    # It showed the run under way, not only its end.
    assert any("is training" in e.params["text"] and "tree" in e.params["text"] for e in edits)
    refused = [e for e in edits if e.status == 429]
    assert len(refused) == 2
    after_refusals = [e for e in edits if e.at > refused[-1].at]
    assert after_refusals and after_refusals[0].status == 200  # the final state landed
    assert refused[1].at - refused[0].at >= 1.9 and after_refusals[0].at - refused[1].at >= 1.9
    _assert_within_limits(slack)

    # The summary: the agent's words about the result, the metrics table, the run's page.
    run = (await asyncio.to_thread(client.get, f"/api/v1/runs/{run_id}")).json()
    blocks = summary.params["blocks"]
    assert blocks[0]["text"]["text"] == to_mrkdwn(summarize("train", run_id, run["result"]))
    table = blocks[1]["text"]["text"]
    assert "accuracy" in table and "test" in table
    assert f"<{PUBLIC_URL}/#/runs/{run_id}|" in blocks[-1]["elements"][0]["text"]

    # The plots, as PNG images shared into the thread.
    shared = [f for f in slack.files.values() if f.thread_ts == THREAD and f.channel == CHANNEL]
    assert len(shared) == len(run["result"]["plots"]) >= 1
    for image in shared:
        width, height = png_size(image.content)
        assert width >= 600 and height >= 400
        assert len(png_colours(image.content)) > 20  # not a blank page
    timings = renderer_for(_settings(stack)).timings
    print(f"\nrender per figure (s): {', '.join(f'{t:.2f}' for t in timings)}")


@pytest.mark.parametrize("answer", [None, 503], ids=["unreachable", "503"])
async def test_slack_down_during_the_run_gets_the_final_message_when_back(
    client: httpx.Client,
    stack: Stack,
    slack: SlackRecorder,
    monkeypatch: pytest.MonkeyPatch,
    answer: int | None,
) -> None:
    monkeypatch.setattr(follow, "BACKOFF_MAX_S", 2.0)  # the test need not wait 30 s per try
    slack.down(answer)
    job = (await asyncio.to_thread(client.post, "/api/v1/ml/train", json=SMALL)).json()
    following = asyncio.create_task(_follow(stack, slack, job["run_id"]))
    # Slack is tried while down; the run goes on without it, however short it is.
    assert await asyncio.to_thread(slack.wait_until, lambda s: s.calls, FOLLOW_CAP_S)
    done = await asyncio.to_thread(wait_for, client, "train", job["job_id"], {"finished", "failed"})
    assert done.get("run_status", done["status"]) == "finished", (
        done
    )  # the run went on with Slack away
    assert slack.calls and all(c.status == 0 for c in slack.calls)  # tried, and dropped
    assert not following.done()
    slack.up()
    await following

    progress, summary = _progress_and_summary(slack)
    assert progress.text.startswith(f":white_check_mark: *Run {job['run_id']} finished*")
    assert "Metrics" in summary.params["blocks"][1]["text"]["text"]
    _assert_within_limits(slack)


async def test_a_failed_run_says_why(stack: Stack, slack: SlackRecorder) -> None:
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=60,
                                 params={"tenant_id": "slack-brief"}) as brief:  # fmt: skip
        limited = await brief.patch("/api/v1/admin/limits", json={"duration_s": 2})
        assert limited.status_code == 200, limited.text
        response = await brief.post("/api/v1/datasets", data={"name": "slow"},
                                    files={"file": ("slow.csv", slow_training_csv())})  # fmt: skip
        assert response.status_code in (200, 201, 409), response.text
        config = {"algorithm": "xgboost", "dataset": {"name": "slow"}, "target_column": "y",
                  "hyperparameters": SLOW_XGBOOST}  # fmt: skip
        job = (await brief.post("/api/v1/ml/train", json=config)).json()
        await _follow(stack, slack, job["run_id"], tenant="slack-brief")
        error = (await brief.get(f"/api/v1/ml/train/{job['job_id']}")).json()["error"]

    assert error.startswith("exceeded the 2 s limit"), error
    progress, summary = _progress_and_summary(slack)
    assert progress.text.startswith(f":x: *Run {job['run_id']} failed*: {error}"), progress.text
    assert f"*Run {job['run_id']} failed*: {error}" in summary.params["blocks"][0]["text"]["text"]
    assert not slack.files  # no plots for a run with no result

    # Another tenant's thread hears nothing of it.
    calls = len(slack.calls)
    await _follow(stack, slack, job["run_id"], tenant="default")
    assert len(slack.calls) == calls


async def test_two_runs_in_one_channel_share_its_second(
    client: httpx.Client, stack: Stack, slack: SlackRecorder
) -> None:
    jobs = [(await asyncio.to_thread(client.post, "/api/v1/ml/train", json=CONFIG)).json()
            for _ in range(2)]  # fmt: skip
    await asyncio.gather(*(_follow(stack, slack, job["run_id"]) for job in jobs))

    posts = slack.of("chat.postMessage")
    assert len(posts) == 4  # a progress message and a summary each
    progress = {slack.messages[p.answer["ts"]].ts for p in posts if "blocks" not in p.params}
    assert len(progress) == 2
    assert {e.params["ts"] for e in slack.of("chat.update")} <= progress
    _assert_within_limits(slack)  # both runs' calls together, 1 s apart


async def test_without_chromium_the_summary_says_its_plots_are_missing(
    client: httpx.Client, stack: Stack, slack: SlackRecorder
) -> None:
    job = (await asyncio.to_thread(client.post, "/api/v1/ml/train", json=SMALL)).json()
    settings = _settings(stack).model_copy(update={"chromium_path": stack.home / "no-chromium"})
    web = AsyncWebClient(token="xoxb-not-a-real-token", base_url=slack.base_url)
    await asyncio.wait_for(follow_run(web=web, settings=settings, tenant="default",
                                      run_id=job["run_id"], channel=CHANNEL, thread_ts=THREAD),
                           FOLLOW_CAP_S)  # fmt: skip

    _, summary = _progress_and_summary(slack)
    footer = summary.params["blocks"][-1]["elements"][0]["text"]
    assert footer.count("plots not attached") == 1 and "MLCHAT_CHROMIUM_PATH" in footer
    assert not slack.files and not slack.of("files.getUploadURLExternal")
