"""The paths Slack calls. Slack's signature is their proof, checked by the bolt app, so these
exact paths, and no others, pass the API-key and origin checks."""

from __future__ import annotations

EVENTS_PATH = "/integrations/slack/events"
INTERACTIVITY_PATH = "/integrations/slack/interactivity"
COMMANDS_PATH = "/integrations/slack/commands"
SLACK_PATHS = frozenset({EVENTS_PATH, INTERACTIVITY_PATH, COMMANDS_PATH})
