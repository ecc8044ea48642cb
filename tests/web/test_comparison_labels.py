"""Runs compared are named by what their model is (a forecaster, a tuned algorithm), not by
the job route they went through ("train" for a forecast, "tune")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.service.helpers import wait_for
from tests.service.stack import Stack
from tests.web.chat_page import open_chat, plot_data, say

pytestmark = pytest.mark.integration

JOBS: list[tuple[str, dict[str, Any], str]] = [
    ("tune", {"algorithm": "xgboost", "dataset": {"name": "iris"}, "target_column": "species",
              "n_trials": 3}, "tuned xgboost"),
    ("train", {"algorithm": "random_forest", "dataset": {"name": "iris"},
               "target_column": "species"}, "random_forest"),
    ("train", {"algorithm": "arima", "task_type": "forecasting", "dataset": {"name": "sunspots"},
               "target_column": "sunspots", "time_column": "year", "horizon": 5},
     "arima forecast"),
    ("train", {"algorithm": "ets", "task_type": "forecasting", "dataset": {"name": "sunspots"},
               "target_column": "sunspots", "time_column": "year", "horizon": 5},
     "ets forecast"),
]  # fmt: skip


def test_compared_runs_are_named_by_their_model(page: Page, web_stack: Stack) -> None:
    run_ids = []
    with httpx.Client(base_url=web_stack.base_url, timeout=60) as client:
        jobs = [(kind, client.post(f"/api/v1/ml/{kind}", json=config).json())
                for kind, config, _ in JOBS]  # fmt: skip
        for kind, job in jobs:
            done = wait_for(client, kind, job["job_id"], {"finished", "failed", "cancelled"})
            assert done.get("run_status", done["status"]) == "finished", done
            run_ids.append(job["run_id"])
    labels = [label for _, _, label in JOBS]

    open_chat(page, web_stack)
    runs = page.locator("#run-list")
    for run_id in run_ids:
        runs.get_by_label(f"Select run {run_id} to compare").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    dialog = page.locator("#compare-dialog")
    expect(dialog.locator("tbody tr")).to_have_count(len(JOBS))
    expect(dialog.locator("tbody tr td:first-of-type")).to_have_text(labels)
    expect(dialog.locator(".compare-chart.js-plotly-plot")).to_be_visible()
    bars = plot_data(page, "#compare-dialog .compare-chart")
    assert bars[0]["x"] == [
        f"#{run_id} {label}" for run_id, label in zip(run_ids, labels, strict=True)
    ]
    dialog.get_by_role("button", name="Close").click()

    # The agent's comparison names them alike.
    tuned, forest, arima, ets = run_ids
    reply = say(page, f"compare runs {tuned} and {forest}")
    expect(reply.locator("table")).to_contain_text("tuned xgboost")
    expect(reply.locator("table")).to_contain_text("random_forest")
    reply = say(page, f"compare runs {arima} and {ets}")
    expect(reply.locator("table")).to_contain_text("arima forecast")
    expect(reply.locator("table")).to_contain_text("ets forecast")
