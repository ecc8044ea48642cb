"""The Slack bot: a thread is a conversation; a run is followed there to its summary."""
