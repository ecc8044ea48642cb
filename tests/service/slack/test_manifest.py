"""The app manifest in the repository names the routes the server serves and the scopes and
events the app's listeners need."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml

from service.integrations.slack.paths import COMMANDS_PATH, EVENTS_PATH, INTERACTIVITY_PATH

MANIFEST = Path(__file__).resolve().parents[3] / "deploy" / "slack-app-manifest.yaml"


def test_the_manifest_points_at_the_routes_with_the_scopes_they_need() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    settings = manifest["settings"]
    assert urlsplit(settings["event_subscriptions"]["request_url"]).path == EVENTS_PATH
    assert urlsplit(settings["interactivity"]["request_url"]).path == INTERACTIVITY_PATH
    (command,) = manifest["features"]["slash_commands"]
    assert (command["command"], urlsplit(command["url"]).path) == ("/mlchat", COMMANDS_PATH)
    events = set(settings["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "message.channels"} <= events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {"app_mentions:read", "chat:write", "commands", "files:read", "files:write",
              "im:history", "channels:history"}  # fmt: skip
    assert needed <= scopes
