"""The Slack app: a thread is a conversation with the same agent the browser talks to.

`app.SlackIntegration` is opened by the API's lifespan (`lifespan.py`) when the settings turn
it on; Slack's requests reach its bolt app through the HTTP routes (`routes.py`, `paths.py`)
or Socket Mode (`socket_mode.py`); the listeners (`handlers.py`) ack them and leave the work
to tracked tasks: a message in a thread (`talk.py`, `threads.py`), a file (`files.py`), a
button (`actions.py`), all said back through `posting.py` as `blocks.py` draws it. A started
run is followed in its thread (`running.py` -> `follow.py`): one progress message updated in
place within Slack's limits (`progress.py`, `throttle.py`), then the summary with the plots
as PNG (`summary.py`, `render.py`).
"""
