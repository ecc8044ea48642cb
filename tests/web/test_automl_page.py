"""An AutoML run's page: how its model was chosen (each model's score and share of the
ensemble), the search drawn over its budget, and the script that reproduces its model."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.service.helpers import wait_for
from tests.service.stack import Stack
from tests.web.chat_page import plot_data
from tests.web.conftest import screenshot

pytestmark = pytest.mark.integration


def test_an_automl_run_page_shows_how_its_model_was_chosen(page: Page, web_stack: Stack) -> None:
    config = {"dataset": {"name": "penguins"}, "target_column": "species",
              "algorithms": ["linear", "lightgbm"], "time_budget_s": 10}  # fmt: skip
    with httpx.Client(base_url=web_stack.base_url, timeout=60) as client:
        accepted = client.post("/api/v1/ml/automl", json=config)
        assert accepted.status_code == 202, accepted.text
        job = wait_for(client, "automl", accepted.json()["job_id"], {"finished", "failed"})
    assert job["status"] == "finished", job
    run_id, result = job["run_id"], job["result"]
    page.goto(f"{web_stack.base_url}/#/runs/{run_id}")
    view = page.locator("#run-page")
    expect(view.locator("h2")).to_have_text(f"Run {run_id} · automl · automl → species")

    chosen = view.get_by_role("region", name="How it was chosen").locator("table")
    expect(chosen.locator("caption")).to_have_text(
        f"Chosen by accuracy on {result['selected_on']}; the test part judged the chosen model "
        "after"
    )
    ranked = [m for m in result["models"] if m["rank"]]
    expect(chosen.locator("tbody tr")).to_have_count(len(ranked))
    names = chosen.locator("tbody th").all_inner_texts()
    assert names == [m["name"] for m in ranked]
    shares = [cell for cell in chosen.locator("tbody td:last-child").all_inner_texts()]
    shown = sum(int(share.rstrip("%")) for share in shares if share.endswith("%"))
    assert 98 <= shown <= 102  # each share rounded to a whole percent

    chart = "#run-page .plot[data-plot='automl_search']"
    expect(page.locator(f"{chart} .js-plotly-plot")).to_be_visible()
    traces: list[dict[str, Any]] = plot_data(page, chart)
    best = next(trace for trace in traces if trace["name"] == "best so far")
    assert best["y"] == sorted(best["y"]) and best["y"][-1] == ranked[0]["value"]

    expect(view.locator("pre.script")).to_contain_text("reproduced within")
    screenshot(page, "automl-run-page")
