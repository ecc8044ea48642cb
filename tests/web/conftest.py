"""A running mlchat (real Redis, real workers, SQLite) and Debian's Chromium under Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from service.embedded_redis import EmbeddedRedis
from tests.service.stack import Stack

# Every wait follows an element; the cap only ends a wait that would never end. A first
# message waits for the planner's model to be fitted, and a busy machine is slow: 5 s, the
# default, failed there, and so did 90 s for a run to finish on a 2-core machine at load 10.
WAIT_CAP_MS = 120_000
expect.set_options(timeout=WAIT_CAP_MS)
# A browser test runs a stack, a browser and real jobs: on a loaded machine that is minutes.
WEB_TEST_CAP_S = 1200


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give the browser tests a cap for a loaded machine (the suite's 300 s is for others)."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.timeout(WEB_TEST_CAP_S))


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
# Without these, Chromium keeps reaching for Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("mlchat-web")
    stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                  database_url=f"sqlite:///{home / 'mlchat.db'}")  # fmt: skip
    try:
        stack.start(n_workers=2)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("the browser tests need Debian's chromium: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


# Chromium reports what the page's Content-Security-Policy blocked as an event, not an error.
REPORT_CSP_VIOLATIONS = """document.addEventListener('securitypolicyviolation', (event) =>
  window.reportCspViolation(`${event.violatedDirective} ${event.blockedURI} at ` +
                            `${event.sourceFile}:${event.lineNumber}`));"""


@pytest.fixture
def page(browser: Browser, web_stack: Stack) -> Iterator[Page]:
    web_stack.replace_dead_workers()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []
    context.expose_function("reportCspViolation", lambda violation: blocked.append(violation))
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.set_default_timeout(WAIT_CAP_MS)
    yield opened
    context.close()
    assert not errors, f"the page threw: {errors}"
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


def screenshot(page: Page, name: str) -> None:
    """Keep a picture of a state worth seeing under test-output/screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture
def browser_narrow(browser: Browser, web_stack: Stack) -> Iterator[Page]:
    """A phone-sized window."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    opened = context.new_page()
    opened.set_default_timeout(WAIT_CAP_MS)
    yield opened
    context.close()
