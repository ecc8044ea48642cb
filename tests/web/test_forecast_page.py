"""A forecast of a table with several stores in the browser: the agent asks which series,
a forecast of each store shows its future values as a table, and the CSV link downloads them."""

from __future__ import annotations

import csv
import io

import httpx
from playwright.sync_api import Page, expect

from tests.ml_backend.forecast_data import store_sales
from tests.service.helpers import csv_bytes
from tests.service.stack import Stack
from tests.web.chat_page import approve, open_chat, pick_dataset, say
from tests.web.conftest import screenshot

HORIZON = 4
STORES = [f"S{n}" for n in range(1, 6)]


def _upload_stores(stack: Stack) -> None:
    response = httpx.post(f"{stack.base_url}/api/v1/datasets",
                          files={"file": ("stores.csv", csv_bytes(store_sales(5, 36)))},
                          data={"name": "stores"}, timeout=60)  # fmt: skip
    assert response.status_code in {200, 201, 409}, response.text  # 409: an earlier test made it


def test_a_forecast_of_each_store_shows_its_table_and_downloads_it(
    page: Page, web_stack: Stack
) -> None:
    _upload_stores(web_stack)
    open_chat(page, web_stack)
    pick_dataset(page, "stores")

    question = say(page, "forecast sales")
    # The question names the key column and some of its values (Markdown code in the page).
    expect(question.locator(".body")).to_contain_text("5 series, one per store (S1, S2, S3")
    expect(question.locator(".plan-card")).to_have_count(0)
    plan = say(page, f"forecast sales for each store {HORIZON} months ahead with ets")
    expect(plan.locator(".plan-card dd", has_text="each store")).to_be_visible()
    run_id = approve(plan)
    card = page.locator(f".run-card[data-run-id='{run_id}']").last
    expect(card.locator(".status")).to_have_text("finished", timeout=180_000)
    # A forecast goes through the train route, but it is called what it is.
    expect(card.locator("h3")).to_contain_text(f"Run {run_id} · forecast · ")
    panel_row = page.locator(f"#runs li[data-run-id='{run_id}']")
    expect(panel_row).to_contain_text(f"#{run_id} forecast · ")

    table = page.locator(f".message .forecast-table[data-run-id='{run_id}']")
    expect(table).to_have_attribute("data-rows", str(len(STORES) * HORIZON), timeout=60_000)
    expect(table.locator("h4")).to_contain_text(f"{HORIZON} steps of {len(STORES)} series")
    message = page.locator(f".message.assistant:has(.forecast-table[data-run-id='{run_id}'])")
    expect(message.locator(".body")).to_contain_text("a forecast for each of 5 stores")
    header = table.locator("thead th").all_inner_texts()
    assert header == ["store", "date", "forecast", "lower", "upper"]
    openers = [text for text in table.locator("tbody th").all_inner_texts() if text]
    assert openers == STORES
    # The chart draws one line per store, and the table is next to it.
    chart = message.locator(".plot[data-plot='forecast'] .js-plotly-plot")
    expect(chart).to_be_visible()
    table.scroll_into_view_if_needed()
    screenshot(page, "forecast-table")

    with page.expect_download() as download_info:
        table.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"forecast-run-{run_id}.csv"
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    stored = httpx.get(f"{web_stack.base_url}/api/v1/runs/{run_id}", timeout=30).json()["result"]
    expected = [
        (group["group"], point["time"][:10], point["value"])
        for group in stored["groups"]
        for point in group["future_forecast"]
    ]
    assert [(r["store"], r["date"], float(r["forecast"])) for r in rows] == expected
    # What the table shows is what the file holds: first store, first step.
    first = table.locator("tbody tr").first.locator("td")
    assert first.nth(0).inner_text() == rows[0]["date"]
