"""Which tenant a Slack workspace is, with which bot token, and who may press Run there."""

from __future__ import annotations

from dataclasses import dataclass

from service.settings import Settings


@dataclass(frozen=True)
class Workspace:
    """A workspace the app serves: its team id, the tenant it acts as, its bot token."""

    team_id: str
    tenant: str
    bot_token: str
    anyone_may_run: bool

    def __repr__(self) -> str:  # the token stays out of every log line and traceback
        return f"Workspace(team_id={self.team_id!r}, tenant={self.tenant!r})"


def find_workspace(settings: Settings, team_id: str | None) -> Workspace | None:
    """The workspace of `team_id`, or None where it is not connected to a tenant.

    With MLCHAT_SLACK_WORKSPACES unset every workspace is MLCHAT_TENANT's (one team, one
    install); with it set, only the workspaces it names are served."""
    default_token = settings.slack_bot_token
    if not team_id or default_token is None:
        return None
    if not settings.slack_workspaces:
        return Workspace(team_id, settings.tenant, default_token.get_secret_value(),
                         settings.slack_anyone_may_run)  # fmt: skip
    mapped = settings.slack_workspaces.get(team_id)
    if mapped is None:
        return None
    token = mapped.bot_token or default_token
    anyone = mapped.anyone_may_run
    if anyone is None:
        anyone = settings.slack_anyone_may_run
    return Workspace(team_id, mapped.tenant, token.get_secret_value(), anyone)


def bot_token_for(settings: Settings, team_id: str | None) -> str | None:
    """The token to answer `team_id` with: its own, or the app's (an unconnected workspace is
    still told, with the app's token, that it is not connected)."""
    workspace = find_workspace(settings, team_id)
    if workspace is not None:
        return workspace.bot_token
    default = settings.slack_bot_token
    return None if default is None else default.get_secret_value()


def not_connected(team_id: str | None) -> str:
    """What an unconnected workspace is told: nothing runs until an administrator maps it."""
    return (
        f"This Slack workspace ({team_id or 'unknown'}) is not connected to an mlchat tenant, so "
        "nothing was run. An mlchat administrator connects it by adding it to "
        'MLCHAT_SLACK_WORKSPACES, e.g. {"' + (team_id or "T0123") + '": "<tenant>"}.'
    )
