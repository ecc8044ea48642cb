"""The dataset view: what is stored, exactly, a page of rows at a time, readable on a phone."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.service.stack import Stack
from tests.web.chat_page import open_chat, pick_dataset
from tests.web.conftest import screenshot

pytestmark = pytest.mark.integration

# Every cell of both tables, scrolled to as a person would: each must end up on screen.
CELLS_OFF_SCREEN = """dialog => [...dialog.querySelectorAll('table th, table td')].filter(cell => {
  cell.scrollIntoView({block: 'nearest', inline: 'nearest'});
  const box = cell.getBoundingClientRect();
  return box.width > 0 && (box.left < -1 || box.right > window.innerWidth + 1);
}).map(cell => cell.textContent)"""


def _upload_sales(stack: Stack, tmp_path: Path) -> str:
    """45 sales with amounts in cents (207.08 among them) and a note often missing."""
    name = f"sales_{uuid.uuid4().hex[:6]}"
    lines = ["sale,amount,note,a_rather_long_column_name_for_a_region"]
    notes = ["gift" if i % 4 == 0 else "" for i in range(1, 46)]
    lines += [f"{i},{200 + i}.08,{notes[i - 1]},north-north-west" for i in range(1, 46)]
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n")
    with path.open("rb") as file:
        response = httpx.post(f"{stack.base_url}/api/v1/datasets",
                              files={"file": file}, data={"name": name}, timeout=60)  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["description"] is None
    return name


def test_the_dataset_view_shows_exact_values_a_page_at_a_time(
    page: Page, web_stack: Stack, tmp_path: Path
) -> None:
    name = _upload_sales(web_stack, tmp_path)
    open_chat(page, web_stack)
    pick_dataset(page, name)
    page.get_by_role("button", name="View", exact=True).click()
    dialog = page.locator("#dataset-dialog")
    rows = dialog.locator("table.rows tbody tr")
    expect(rows).to_have_count(20)
    expect(dialog.locator(".row-range")).to_have_text("rows 1\u201320 of 45")
    # No description was given: nothing is said of it, least of all "null".
    assert "null" not in dialog.inner_text()
    expect(rows.nth(6)).to_contain_text("207.08")
    expect(dialog.locator("table.profile tr", has_text="amount")).to_contain_text(
        "201.08 \u2013 245.08"
    )
    expect(dialog.get_by_role("button", name="← Previous rows")).to_be_disabled()
    screenshot(page, "dataset-rows")

    dialog.get_by_role("button", name="Next rows →").click()
    expect(dialog.locator(".row-range")).to_have_text("rows 21\u201340 of 45")
    expect(rows.first.locator("td").first).to_have_text("21")
    expect(rows.first).to_contain_text("221.08")
    dialog.get_by_role("button", name="Next rows →").click()
    expect(dialog.locator(".row-range")).to_have_text("rows 41\u201345 of 45")
    expect(rows).to_have_count(5)
    expect(dialog.get_by_role("button", name="Next rows →")).to_be_disabled()
    dialog.get_by_role("button", name="← Previous rows").click()
    expect(dialog.locator(".row-range")).to_have_text("rows 21\u201340 of 45")


def test_the_dataset_view_on_a_phone_keeps_every_cell_reachable(
    browser_narrow: Page, web_stack: Stack, tmp_path: Path
) -> None:
    page = browser_narrow
    name = _upload_sales(web_stack, tmp_path)
    page.goto(web_stack.base_url + "/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    pick_dataset(page, name)
    page.get_by_role("button", name="View", exact=True).click()
    dialog = page.locator("#dataset-dialog")
    expect(dialog.locator("table.rows tbody tr")).to_have_count(20)
    expect(dialog.locator("table.profile tbody tr")).to_have_count(4)
    assert dialog.evaluate(CELLS_OFF_SCREEN) == []
    # Each table scrolls in a frame of its own: the text around them never slides off screen.
    body = dialog.locator("#dataset-body")
    wide, shown = body.evaluate("node => [node.scrollWidth, node.clientWidth]")
    assert wide <= shown, f"the whole view scrolls sideways ({wide} px in {shown} px)"
    line = body.get_by_text("45 rows · 4 columns").bounding_box()
    assert line is not None and line["x"] >= 0 and line["x"] + line["width"] <= 390, line
    dialog.locator("table.profile").scroll_into_view_if_needed()
    screenshot(page, "dataset-narrow")
