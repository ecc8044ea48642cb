"""The Slack app: a thread is a conversation with the same agent the browser talks to.

`app.SlackIntegration` is opened by the API's lifespan when the settings turn it on; the
HTTP routes (`routes.py`) and Socket Mode (`socket_mode.py`) hand it Slack's requests, and
the listeners (`handlers.py`) do the work after the ack, on its tracked tasks.
"""
