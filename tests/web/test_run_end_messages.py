"""The agent writes in the chat when a run ends however it ends: here, when its worker process
dies under it (a cancel is in test_chat_page's cancel test)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.service.helpers import children_of, worker_of
from tests.service.stack import Stack
from tests.web.chat_page import (
    RUN_ENDS_MS,
    approve,
    open_chat,
    pick_dataset,
    say,
    upload_wide_table,
)

pytestmark = pytest.mark.integration


def test_a_run_whose_worker_died_is_told_in_the_chat(
    page: Page, web_stack: Stack, tmp_path: Path
) -> None:
    upload_wide_table(web_stack, tmp_path)
    open_chat(page, web_stack)
    pick_dataset(page, "wide")
    run_id = approve(say(page, "train xgboost on y with 5000 trees and max depth 12"))
    card = page.locator(f".run-card[data-run-id='{run_id}']").last
    expect(card.locator(".status")).to_have_text("training")
    job_id = httpx.get(f"{web_stack.base_url}/api/v1/runs/{run_id}").json()["job_id"]
    for pid in children_of(int(worker_of(web_stack, job_id).pid or 0)):
        os.kill(pid, signal.SIGKILL)  # what the kernel's OOM killer would do

    expect(card.locator(".status")).to_have_text("failed", timeout=RUN_ENDS_MS)
    said = page.locator(".message.assistant.result", has_text=f"Run {run_id} failed")
    expect(said).to_contain_text("died")
    expect(said).to_have_attribute("data-run-status", "failed")
    page.reload()
    expect(
        page.locator(".message.assistant.result", has_text=f"Run {run_id} failed")
    ).to_be_visible()
    web_stack.replace_dead_workers()
