"""Tests of the Slack bot: its app, and following a run in a thread."""
