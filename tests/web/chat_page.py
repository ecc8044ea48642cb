"""What a person does on the chat page, as steps the browser tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
from playwright.sync_api import Locator, Page, expect
from websockets.sync.client import connect

from tests.service.stack import Stack

# The cap on waiting for a run to end. Waits follow the card's status; the cap only stops one
# that would never end, and a loaded 2-core machine ran a 10 s run for over a minute.
RUN_ENDS_MS = 600_000

# Records every value a run card's progress bar takes, so a test can tell it moved.
WATCH_PROGRESS = """() => {
  window.progressSeen = {};
  new MutationObserver((changes) => {
    for (const change of changes) {
      const card = change.target.closest && change.target.closest('.run-card');
      if (!card || change.target.tagName !== 'PROGRESS') continue;
      (window.progressSeen[card.dataset.runId] ||= []).push(Number(change.target.value));
    }
  }).observe(document.getElementById('messages'),
             {subtree: true, attributes: true, attributeFilter: ['value']});
}"""


def open_chat(page: Page, stack: Stack) -> None:
    """Open the page in a fresh conversation, connected live."""
    page.goto(stack.base_url + "/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    before = page.locator("#conversation-list li").count()
    page.get_by_role("button", name="New", exact=True).click()
    expect(page.locator("#conversation-list li")).to_have_count(before + 1)
    expect(page.locator(".welcome")).to_be_visible()
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")


def pick_dataset(page: Page, name: str) -> None:
    label = page.locator("#dataset-picker option", has_text=f"{name} (").first.inner_text()
    page.select_option("#dataset-picker", label=label)


def say(page: Page, text: str) -> Locator:
    """Type and send `text` with Enter; returns the agent's reply to it."""
    replies = page.locator(".message.assistant[data-message-id]")
    before = replies.count()
    box = page.get_by_label("Message")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".message.user .body").last).to_have_text(text)
    expect(replies).to_have_count(before + 1)
    # `.last` would follow later replies; pin this one by its id.
    message_id = replies.last.get_attribute("data-message-id")
    return page.locator(f".message[data-message-id='{message_id}']")


def approve(reply: Locator) -> int:
    """Press Run on the plan card in `reply`; returns the id of the run it started."""
    cards = reply.page.locator(".run-card")
    before = cards.count()
    reply.locator(".plan-card").get_by_role("button", name="Run").click()
    expect(cards).to_have_count(before + 1)
    return int(cards.last.get_attribute("data-run-id") or 0)


def plot_data(page: Page, selector: str) -> list[dict[str, Any]]:
    """The traces Plotly drew in the chart under `selector`."""
    data: list[dict[str, Any]] = page.eval_on_selector(
        selector, "node => (node.querySelector('.js-plotly-plot') || node).data"
    )
    return data


def metric_cells(card: Locator) -> dict[str, dict[str, str]]:
    """The run card's metrics table as {split: {metric: text}} (not the table of how its model
    was chosen)."""
    table: dict[str, dict[str, str]] = card.locator("table.metrics:not(.selection)").evaluate(
        """table => {
          const splits = [...table.tHead.rows[0].cells].slice(1).map(c => c.textContent);
          const out = Object.fromEntries(splits.map(s => [s, {}]));
          for (const row of table.tBodies[0].rows) {
            const name = row.cells[0].textContent;
            splits.forEach((s, i) => { out[s][name] = row.cells[i + 1].textContent; });
          }
          return out;
        }"""
    )
    return table


def upload_wide_table(stack: Stack, tmp_path: Path) -> None:
    """20,000 rows of twelve features: deep boosting on it takes long enough to cancel."""
    rng = np.random.default_rng(7)
    features = rng.normal(size=(20_000, 12))
    frame = pd.DataFrame(features, columns=[f"x{i}" for i in range(12)])
    frame["y"] = features @ rng.normal(size=12) + rng.normal(size=20_000)
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False, float_format="%.4f")
    with path.open("rb") as file:
        response = httpx.post(f"{stack.base_url}/api/v1/datasets",
                              files={"file": file}, data={"name": "wide"}, timeout=120)  # fmt: skip
    assert response.status_code in {200, 201, 409}, response.text  # 409: an earlier test made it


def progress_steps(stack: Stack, run_id: int) -> list[int]:
    """The steps of the run's progress events that carry metrics, read from its socket."""
    steps = []
    with connect(f"{stack.ws_url}/ws/runs/{run_id}", open_timeout=60) as socket:
        for raw in socket:
            event = json.loads(raw)
            if event["type"] == "progress" and event.get("metrics"):
                steps.append(event["step"])
    return steps
