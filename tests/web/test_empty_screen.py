"""The empty chat suggests what to ask about the dataset actually picked, from its columns, and
a suggestion sent as it is does what it says."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.service.stack import Stack
from tests.web.chat_page import open_chat, pick_dataset
from tests.web.conftest import screenshot

pytestmark = pytest.mark.integration


def _suggested(stack: Stack, name: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The suggestions the API makes for dataset `name`, and the dataset's column names."""
    listed = httpx.get(f"{stack.base_url}/api/v1/datasets").json()
    dataset_id = next(d["id"] for d in listed if d["name"] == name)
    base = f"{stack.base_url}/api/v1/datasets/{dataset_id}"
    suggestions = httpx.get(f"{base}/suggestions").json()["suggestions"]
    columns = [c["name"] for c in httpx.get(base).json()["profile"]["columns"]]
    return suggestions, columns


def test_suggestions_follow_the_picked_dataset_and_work(page: Page, web_stack: Stack) -> None:
    open_chat(page, web_stack)
    buttons = page.locator(".welcome .examples button")

    pick_dataset(page, "penguins")
    penguins, penguin_columns = _suggested(web_stack, "penguins")
    expect(buttons).to_have_text([s["text"] for s in penguins])
    expect(page.locator(".welcome")).to_contain_text("About penguins")
    chart = next(s["text"] for s in penguins if s["action"] == "explore")
    named = [word for word in chart.split() if word in penguin_columns]
    assert len(named) >= 2, f"the chart names no two real columns: {chart}"
    screenshot(page, "empty-screen-suggestions")

    pick_dataset(page, "diabetes")
    diabetes, diabetes_columns = _suggested(web_stack, "diabetes")
    expect(buttons).to_have_text([s["text"] for s in diabetes])
    target = next(s["text"] for s in diabetes if s["action"] == "train").split()[3].strip(",")
    assert target in diabetes_columns

    pick_dataset(page, "penguins")
    expect(buttons).to_have_text([s["text"] for s in penguins])
    buttons.filter(has_text=chart).click()
    box = page.get_by_label("Message")
    expect(box).to_have_value(chart)
    box.press("Enter")
    figure = page.locator(".message.result .plot").first
    expect(figure.locator(".js-plotly-plot")).to_be_visible()
    axes = figure.locator(".js-plotly-plot").evaluate(
        "node => [node.layout.xaxis.title.text, node.layout.yaxis.title.text]"
    )
    # The chart drawn is of the columns the suggestion named.
    assert all(any(name in str(axis) for axis in axes) for name in named[:2]), (axes, named)
