"""A running mlchat with the Slack app on, talking to a fake Slack (Web API and Socket Mode)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.embedded_redis import EmbeddedRedis
from tests.service.conftest import BACKENDS, POSTGRES_URL
from tests.service.slack.fake_slack import Bot, FakeSlack, fake_slack
from tests.service.slack.signed import SIGNING_SECRET, SlackStack
from tests.service.stack import Stack, create_postgres_database, drop_postgres_database

BOTS = {
    "xoxb-acme": Bot("T0ACME", "UBOTACME", "BACME"),
    "xoxb-beta": Bot("T0BETA", "UBOTBETA", "BBETA"),
    # The app's own token: what an unconnected workspace is answered with.
    "xoxb-app": Bot("T0STRANGER", "UBOTAPP", "BAPP"),
}
APP_TOKEN = "xapp-1-fake"
WORKSPACES = {
    "T0ACME": {"tenant": "default", "bot_token": "xoxb-acme"},
    "T0BETA": {"tenant": "beta", "bot_token": "xoxb-beta"},
}
PUBLIC_URL = "https://mlchat.example.org"


@pytest.fixture(scope="session")
def fake() -> Iterator[FakeSlack]:
    with fake_slack(BOTS, {APP_TOKEN}) as started:
        yield started


@pytest.fixture(scope="session", params=BACKENDS)
def slack_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, fake: FakeSlack
) -> Iterator[SlackStack]:
    home: Path = tmp_path_factory.mktemp(f"mlchat-slack-{request.param}")
    pg_name = None
    if request.param == "postgresql":
        assert POSTGRES_URL
        database_url, pg_name = create_postgres_database(POSTGRES_URL)
    else:
        database_url = f"sqlite:///{home / 'mlchat.db'}"
    settings = {
        "MLCHAT_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "MLCHAT_SLACK_BOT_TOKEN": "xoxb-app",
        "MLCHAT_SLACK_APP_TOKEN": APP_TOKEN,
        "MLCHAT_SLACK_API_URL": fake.api_url,
        "MLCHAT_SLACK_SOCKET_MODE": "true",
        "MLCHAT_SLACK_WORKSPACES": json.dumps(WORKSPACES),
        "MLCHAT_PUBLIC_URL": PUBLIC_URL,
    }
    stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                  database_url=database_url, settings=settings)  # fmt: skip
    try:
        stack.start(n_workers=1)
        with httpx.Client(base_url=stack.base_url, timeout=60) as http:
            yield SlackStack(stack, fake, http)
    finally:
        stack.stop()
        if pg_name and POSTGRES_URL:
            drop_postgres_database(POSTGRES_URL, pg_name)
