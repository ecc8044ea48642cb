"""The fake Slack answers the SDK as Slack does: the tests of the app stand on it."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.service.slack.fake_slack import Bot, fake_slack

BOTS = {"xoxb-one": Bot("T1", "UBOT", "B1")}


def test_it_answers_records_and_rate_limits_like_slack() -> None:
    with fake_slack(BOTS) as fake:

        async def talk() -> None:
            web = AsyncWebClient(token="xoxb-one", base_url=fake.api_url)
            assert (await web.auth_test())["user_id"] == "UBOT"
            posted = await web.chat_postMessage(channel="C1", text="hi", thread_ts="1.000001")
            fake.ratelimit("chat.update", times=1, retry_after_s=1)
            with pytest.raises(SlackApiError) as limited:
                await web.chat_update(channel="C1", ts=posted["ts"], text="again")
            assert limited.value.response.status_code == 429
            assert limited.value.response.headers["retry-after"] == "1"
            waits: list[AsyncRetryHandler] = [AsyncRateLimitErrorRetryHandler(max_retry_count=1)]
            patient = AsyncWebClient(token="xoxb-one", base_url=fake.api_url, retry_handlers=waits)
            fake.ratelimit("chat.update", times=1, retry_after_s=1)
            assert (await patient.chat_update(channel="C1", ts=posted["ts"], text="x"))["ok"]
            with pytest.raises(SlackApiError) as refused:
                await AsyncWebClient(token="xoxb-forged", base_url=fake.api_url).auth_test()
            assert refused.value.response["error"] == "invalid_auth"
            uploaded = await web.files_upload_v2(
                channel="C1", thread_ts=posted["ts"], content=b"\x89PNG...", filename="plot.png"
            )
            assert uploaded["ok"]

        asyncio.run(talk())
        methods = [call.method for call in fake.calls]
        assert methods.count("chat.update") == 3  # the two refused, and the one answered
        assert "upload" in methods and "files.completeUploadExternal" in methods
        assert all(call.token == "xoxb-one" for call in fake.calls_of("chat.postMessage"))
