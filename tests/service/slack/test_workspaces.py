"""Which workspace is which tenant, read from the settings; the secrets never printed."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from service.integrations.slack.workspaces import bot_token_for, find_workspace, not_connected
from service.settings import Settings


def test_unmapped_every_workspace_is_the_local_tenant_with_the_apps_token() -> None:
    settings = Settings(slack_bot_token="xoxb-app", tenant="team")
    workspace = find_workspace(settings, "T1")
    assert workspace is not None
    assert (workspace.tenant, workspace.bot_token, workspace.anyone_may_run) == (
        "team", "xoxb-app", False)  # fmt: skip
    assert find_workspace(Settings(), "T1") is None  # no token: the app is off


def test_mapped_only_the_named_workspaces_are_served_each_as_its_tenant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mapping = {"T1": "acme", "T2": {"tenant": "beta", "bot_token": "xoxb-beta",
                                    "anyone_may_run": True}}  # fmt: skip
    monkeypatch.setenv("MLCHAT_SLACK_WORKSPACES", json.dumps(mapping))
    monkeypatch.setenv("MLCHAT_SLACK_BOT_TOKEN", "xoxb-app")
    settings = Settings()
    acme, beta = find_workspace(settings, "T1"), find_workspace(settings, "T2")
    assert acme is not None and (acme.tenant, acme.bot_token) == ("acme", "xoxb-app")
    assert beta is not None and (beta.tenant, beta.bot_token, beta.anyone_may_run) == (
        "beta", "xoxb-beta", True)  # fmt: skip
    assert find_workspace(settings, "T3") is None
    assert bot_token_for(settings, "T3") == "xoxb-app"  # to tell it that it is not connected
    assert "MLCHAT_SLACK_WORKSPACES" in not_connected("T3")
    shown = f"{settings!r} {settings} {beta!r} {settings.model_dump()}"
    assert "xoxb-beta" not in shown and "xoxb-app" not in shown


def test_a_bad_tenant_name_or_socket_mode_without_its_token_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="tenant"):
        Settings(slack_workspaces={"T1": "no spaces allowed"})
    with pytest.raises(ValidationError, match="MLCHAT_SLACK_APP_TOKEN") as refused:
        Settings(slack_socket_mode=True, slack_bot_token="xoxb-app")
    assert "xoxb-app" not in str(refused.value)
