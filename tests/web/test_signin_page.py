"""The page on a server that needs keys (MLCHAT_AUTH=required): a person signs in once with a
key, the page then holds an HttpOnly session cookie no script can read, its own requests carry
the CSRF token, a page elsewhere cannot use the cookie, and signing out ends it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from service.embedded_redis import EmbeddedRedis
from tests.service.keyed import as_key, make_key
from tests.service.stack import Stack
from tests.web.chat_page import say
from tests.web.conftest import WAIT_CAP_MS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def keyed_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("mlchat-web-keys")
    stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                  database_url=f"sqlite:///{home / 'mlchat.db'}",
                  settings={"MLCHAT_AUTH": "required", "MLCHAT_HOST": "0.0.0.0"})  # fmt: skip
    try:
        stack.start(n_workers=1)
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def keyed_page(browser: Browser, keyed_stack: Stack) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(WAIT_CAP_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"the page threw: {errors}"


def sign_in(page: Page, key: str) -> None:
    dialog = page.get_by_role("dialog", name="Sign in to mlchat")
    expect(dialog).to_be_visible()
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_work_and_sign_out(keyed_page: Page, keyed_stack: Stack, tmp_path: Path) -> None:
    page = keyed_page
    key = make_key(keyed_stack, "team-a", "run")
    # As a teammate reaches it: by an address of the machine the server was never told of.
    team_url = keyed_stack.base_url.replace("127.0.0.1", "127.0.1.1")
    page.goto(team_url + "/")
    sign_in(page, "mlc_not-a-real-key")
    expect(page.locator("#signin-error")).to_contain_text("unknown or revoked")

    sign_in(page, key)
    expect(page.get_by_role("dialog", name="Sign in to mlchat")).to_be_hidden()
    expect(page.locator("#who")).to_have_text("team-a · run")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    cookie = next(c for c in page.context.cookies() if c["name"] == "mlchat_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "mlchat_session" not in page.evaluate("document.cookie"), "no script can read it"

    # Uploading and talking change things: they only work because the page sends its token.
    data = tmp_path / "signals.csv"
    data.write_text("x,y\n" + "".join(f"{i},{i % 3}\n" for i in range(40)))
    page.set_input_files("#upload-input", str(data))
    expect(page.locator("#dataset-picker")).to_contain_text("signals")
    reply = say(page, "show a histogram of x")
    expect(reply).not_to_have_class("error")
    with as_key(keyed_stack, key) as api:
        assert [d["name"] for d in api.get("/api/v1/datasets").json()] == ["signals"]

    page.reload()  # the cookie keeps the page signed in
    expect(page.locator("#who")).to_have_text("team-a · run")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("dialog", name="Sign in to mlchat")).to_be_visible()
    with httpx.Client(base_url=team_url, cookies=_cookies(page)) as stale:
        assert stale.get("/api/v1/datasets").status_code == 401, "the session ended"


@contextmanager
def another_site() -> Iterator[str]:
    """A blank page served from another port: another origin, though the same site."""

    class Blank(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><p>another site</p>"
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Blank)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _cookies(page: Page) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies()}


def test_a_page_elsewhere_cannot_use_the_signed_in_cookie(
    keyed_page: Page, keyed_stack: Stack
) -> None:
    page = keyed_page
    key = make_key(keyed_stack, "team-b", "run")
    page.goto(keyed_stack.base_url + "/")
    sign_in(page, key)
    expect(page.locator("#who")).to_have_text("team-b · run")
    # The page opens a first conversation of its own; count from there.
    expect(page.locator("#conversation-list li")).to_have_count(1)
    with as_key(keyed_stack, key) as api:
        before = (api.get("/api/v1/conversations").json(), api.get("/api/v1/datasets").json())

    # Another site on the same machine (same site, other port: the Strict cookie still goes
    # along) tries what a forged form or fetch would.
    with another_site() as elsewhere:
        page.goto(elsewhere)
        statuses = page.evaluate(
            """async (base) => {
              // What a form can send without asking: text, and a multipart upload.
              const form = new FormData();
              form.append('file', new Blob(['a,b\\n1,2\\n']), 'planted.csv');
              const tries = [
                ['/api/v1/conversations', {body: '{}', headers: {'content-type': 'text/plain'}}],
                ['/api/v1/datasets', {body: form}],
              ];
              const out = [];
              for (const [path, init] of tries) {
                try {
                  const r = await fetch(base + path, {...init, method: 'POST',
                                                      credentials: 'include', mode: 'no-cors'});
                  out.push(r.type);
                } catch (e) { out.push('blocked: ' + e); }
              }
              return out;
            }""",
            keyed_stack.base_url,
        )
    assert statuses == ["opaque", "opaque"], "the requests reached the server"
    with as_key(keyed_stack, key) as api:
        after = (api.get("/api/v1/conversations").json(), api.get("/api/v1/datasets").json())
    assert after == before, "nothing was made"
