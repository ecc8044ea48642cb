"""A run's plots stay inside the message that shows them, however wide the figure was made
(Optuna draws a slice plot 300 px wide per hyperparameter)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.service.stack import Stack
from tests.web.chat_page import RUN_ENDS_MS, approve, open_chat, pick_dataset, say
from tests.web.conftest import screenshot

pytestmark = pytest.mark.integration

# Every drawn layer of each chart (its SVG and canvas layers, not only its holder), against the
# box of the message it is in.
SPILLS = """message => {
  const box = message.getBoundingClientRect();
  const out = [];
  for (const layer of message.querySelectorAll('.js-plotly-plot, .main-svg, canvas')) {
    const r = layer.getBoundingClientRect();
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5) {
      const name = layer.closest('.plot').dataset.plot;
      out.push(`${name}: ${Math.round(r.left)}-${Math.round(r.right)} outside ` +
               `${Math.round(box.left)}-${Math.round(box.right)}`);
    }
  }
  return out;
}"""


def test_tuning_plots_stay_inside_their_message(page: Page, web_stack: Stack) -> None:
    open_chat(page, web_stack)
    pick_dataset(page, "penguins")
    run_id = approve(say(page, "tune xgboost on species with 4 trials"))
    summary = page.locator(".message.result", has_text=f"Run {run_id} finished")
    expect(summary).to_be_visible(timeout=RUN_ENDS_MS)
    expect(summary.locator(".plot[data-plot='slice'] .js-plotly-plot")).to_be_visible()
    # Made wider than a column, it takes the message's whole row of plots, not one column.
    slice_width, row_width = summary.locator(".plot[data-plot='slice'] .main-svg").first.evaluate(
        "svg => [svg.getBoundingClientRect().width, "
        "svg.closest('.plots').getBoundingClientRect().width]"
    )
    assert slice_width > 0.9 * row_width, (slice_width, row_width)
    for plot in summary.locator(".plot .js-plotly-plot").all():
        expect(plot).to_be_visible()
    assert summary.evaluate(SPILLS) == []
    summary.locator(".plot[data-plot='slice']").scroll_into_view_if_needed()
    screenshot(page, "tuning-plots")
