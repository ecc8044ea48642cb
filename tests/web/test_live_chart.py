"""The run card's live chart: it draws the curve as the points arrive, and every point once the
run has ended, live and after a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.service.stack import Stack
from tests.web.chat_page import (
    RUN_ENDS_MS,
    approve,
    open_chat,
    pick_dataset,
    progress_steps,
    say,
    upload_wide_table,
)
from tests.web.conftest import screenshot

pytestmark = pytest.mark.integration

# Each time the page redraws a card's chart, what Plotly drew (its calcdata, the points it
# computed at draw time, not the arrays it was handed) and the card's status then.
WATCH_CHARTS = """() => {
  window.chartDraws = {};
  new MutationObserver(() => {
    for (const chart of document.querySelectorAll('.run-card .live-chart.js-plotly-plot')) {
      const card = chart.closest('.run-card');
      const drawn = (chart.calcdata || []).map((trace) => trace.length);
      const draws = (window.chartDraws[card.dataset.runId] ||= []);
      const last = draws.at(-1);
      if (!last || String(last.drawn) !== String(drawn)) {
        draws.push({drawn, status: card.dataset.status});
      }
    }
  }).observe(document.getElementById('messages'),
             {subtree: true, childList: true, attributes: true});
}"""

# What the chart shows: per trace, the points Plotly computed, the x values it holds, and how
# many straight pieces its SVG line has.
CHART_NOW = """chart => ({
  drawn: (chart.calcdata || []).map((trace) => trace.length),
  x: (chart.data || []).map((trace) => [...trace.x]),
  segments: [...chart.querySelectorAll('.scatterlayer path.js-line')]
    .map((path) => (path.getAttribute('d').match(/L/g) || []).length),
})"""


def _chart(page: Page, run_id: int) -> dict[str, Any]:
    shown: dict[str, Any] = page.eval_on_selector(
        f".run-card[data-run-id='{run_id}'] .live-chart", CHART_NOW
    )
    return shown


def _assert_every_point_drawn(shown: dict[str, Any], steps: list[int]) -> None:
    assert len(steps) >= 20, f"too short a run to tell a curve from a dot: {steps}"
    assert shown["drawn"] and all(n == len(steps) for n in shown["drawn"]), shown["drawn"]
    assert all(x == steps for x in shown["x"])
    # A curve, not a dot: Plotly merges points that fall on one straight piece, so a smooth
    # curve of a hundred points is a few dozen pieces.
    assert shown["segments"] and all(n >= 10 for n in shown["segments"]), shown["segments"]


def test_the_live_chart_draws_its_curve_live_and_after_a_reload(
    page: Page, web_stack: Stack, tmp_path: Path
) -> None:
    upload_wide_table(web_stack, tmp_path)
    open_chat(page, web_stack)
    pick_dataset(page, "wide")
    page.evaluate(WATCH_CHARTS)
    run_id = approve(say(page, "train xgboost on y with 800 trees and max depth 9"))
    card = page.locator(f".run-card[data-run-id='{run_id}']").last
    expect(card.locator(".status")).to_have_text("finished", timeout=RUN_ENDS_MS)
    steps = progress_steps(web_stack, run_id)

    draws = page.evaluate(f"window.chartDraws['{run_id}'] || []")
    while_training = [d["drawn"][0] for d in draws if d["status"] == "training"]
    assert len(set(while_training)) >= 3, f"the curve did not grow while it trained: {draws}"
    assert while_training == sorted(while_training)
    _assert_every_point_drawn(_chart(page, run_id), steps)
    card.scroll_into_view_if_needed()
    screenshot(page, "live-chart")

    page.reload()
    card = page.locator(f".run-card[data-run-id='{run_id}']").last
    expect(card.locator(".status")).to_have_text("finished")
    _assert_every_point_drawn(_chart(page, run_id), steps)
