"""The summary's text in Slack's mrkdwn: the agent's Markdown converted (bold, italics, links,
code kept as it is), the metrics per split as an aligned table."""

from __future__ import annotations

from service.integrations.slack.blocks import mrkdwn
from service.integrations.slack.summary import metrics_table, run_link, to_mrkdwn
from service.settings import Settings


def test_markdown_becomes_mrkdwn_and_code_is_left_alone() -> None:
    said = "**Run 3 failed**: see [the docs](https://x.example/a?b=1) and *why*; `a**b**`"
    assert to_mrkdwn(said) == (
        "*Run 3 failed*: see <https://x.example/a?b=1|the docs> and _why_; `a**b**`"
    )
    assert to_mrkdwn("x < y & z") == "x &lt; y &amp; z"


def test_metrics_are_a_table_of_metric_by_split() -> None:
    table = metrics_table({"train": {"accuracy": 1.0, "f1": 0.99}, "test": {"accuracy": 0.9561}})
    assert table is not None
    lines = table.strip("`\n").splitlines()
    assert lines[0].split() == ["metric", "train", "test"]
    assert lines[1].split() == ["accuracy", "1.000", "0.956"]
    assert lines[2].split() == ["f1", "0.990", "n/a"]
    assert metrics_table({}) is None


def test_the_run_link_opens_the_web_ui_at_its_public_address() -> None:
    assert run_link(Settings(public_url="https://ml.example.org/"), 12) == (
        "https://ml.example.org/#/runs/12"
    )
    # Unset: the server's own address, a reachable one when it listens on all interfaces.
    assert run_link(Settings(public_url=None, host="0.0.0.0", port=8123), 12) == (
        "http://127.0.0.1:8123/#/runs/12"
    )


def test_a_link_to_a_page_of_mlchat_opens_it_at_the_public_address() -> None:
    said = "[Train run 6](#/runs/6)'s data came from [**churn v2**](#/lineage/dataset/2)."
    assert mrkdwn(said, "https://ml.example.org/") == (
        "<https://ml.example.org/#/runs/6|Train run 6>'s data came from "
        "<https://ml.example.org/#/lineage/dataset/2|*churn v2*>."
    )
    assert mrkdwn(said) == "Train run 6's data came from *churn v2*."  # no address: the text
