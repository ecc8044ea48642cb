"""↑ and ↓ in the message box bring back what the person typed, never what a button sent."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.service.stack import Stack
from tests.web.chat_page import approve, open_chat, pick_dataset, say

pytestmark = pytest.mark.integration


def test_arrows_recall_typed_messages_not_the_run_buttons_yes(page: Page, web_stack: Stack) -> None:
    open_chat(page, web_stack)
    pick_dataset(page, "penguins")
    say(page, "what columns are there?")
    approve(say(page, "train a random forest on species"))
    # The Run button said "yes" for the person: it is in the chat, and not theirs to recall.
    expect(page.locator(".message.user .body").last).to_have_text("yes")

    box = page.get_by_label("Message")
    box.press("ArrowUp")
    expect(box).to_have_value("train a random forest on species")
    box.press("ArrowUp")
    expect(box).to_have_value("what columns are there?")
    box.press("ArrowDown")
    expect(box).to_have_value("train a random forest on species")
    box.press("ArrowDown")
    expect(box).to_have_value("")

    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    expect(page.locator(".message.user .body").last).to_have_text("yes")
    box.press("ArrowUp")
    expect(box).to_have_value("train a random forest on species")
