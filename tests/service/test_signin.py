"""Signing in without putting a key where it leaks: the page's session cookie and its CSRF
token, a WebSocket proven by its first message (a key, or a one-use ticket), and the Host
check that keeps a rebound domain away from the keyless local server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.service.keyed import as_key, make_key, mlchat, problem
from tests.service.stack import Stack

pytestmark = pytest.mark.integration


@contextmanager
def signed_in(stack: Stack, key: str) -> Iterator[tuple[httpx.Client, str]]:
    """A client holding the page's session cookie, and the session's CSRF token."""
    with httpx.Client(base_url=stack.base_url, timeout=60) as browser:
        yield browser, _sign_in(browser, key)


def _sign_in(browser: httpx.Client, key: str) -> str:
    answer = browser.post("/api/v1/session", json={"key": key})
    assert answer.status_code == 200, answer.text
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert key not in answer.headers["set-cookie"], "the cookie holds a session, not the key"
    token: str = answer.json()["csrf_token"]
    assert token and answer.json()["via"] == "session"
    return token


def test_a_signed_in_page_changes_things_only_with_its_csrf_token(secured: Stack) -> None:
    key = make_key(secured, "page-tenant", "run")
    with signed_in(secured, key) as (browser, token):
        me = browser.get("/api/v1/session").raise_for_status().json()
        assert (me["tenant"], me["scope"], me["csrf_token"]) == ("page-tenant", "run", token)
        assert browser.get("/api/v1/datasets").status_code == 200

        # What a forged form or fetch from elsewhere would send: the cookie, no token.
        body = problem(browser.post("/api/v1/conversations", json={}), 403)
        assert "CSRF" in body["detail"]
        wrong = {"x-csrf-token": token[::-1]}
        problem(browser.post("/api/v1/conversations", json={}, headers=wrong), 403)
        made = browser.post("/api/v1/conversations", json={}, headers={"x-csrf-token": token})
        assert made.status_code == 201, made.text

        browser.delete("/api/v1/session", headers={"x-csrf-token": token}).raise_for_status()
        problem(browser.get("/api/v1/datasets"), 401)
        problem(browser.get("/api/v1/session"), 401)


def test_revoking_the_key_ends_its_sessions(secured: Stack) -> None:
    key = make_key(secured, "revoked-tenant", "read")
    with signed_in(secured, key) as (browser, _):
        assert browser.get("/api/v1/runs").status_code == 200
        assert mlchat(secured, "keys", "revoke", key[:12]).returncode == 0
        problem(browser.get("/api/v1/runs"), 401)
    with httpx.Client(base_url=secured.base_url, timeout=60) as anyone:
        assert (
            "revoked" in problem(anyone.post("/api/v1/session", json={"key": key}), 401)["detail"]
        )
        problem(anyone.post("/api/v1/session", json={"key": "mlc_made-up"}), 401)


def _first_reply(socket: ClientConnection) -> dict[str, object]:
    reply: dict[str, object] = json.loads(socket.recv(timeout=30))
    return reply


def _closed_with(socket: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=30)
    return closed.value.rcvd.code if closed.value.rcvd else None


def test_a_websocket_proves_itself_in_its_first_message(secured: Stack) -> None:
    key = make_key(secured, "socket-tenant", "read")
    with connect(f"{secured.ws_url}/ws/feed", open_timeout=10) as socket:
        socket.send(json.dumps({"type": "auth", "key": key}))
        assert _first_reply(socket) == {"type": "auth", "tenant": "socket-tenant", "scope": "read"}
    for proof in [{"type": "auth", "key": "mlc_forged"}, {"type": "hello"}, "not json"]:
        with connect(f"{secured.ws_url}/ws/feed", open_timeout=10) as socket:
            socket.send(proof if isinstance(proof, str) else json.dumps(proof))
            assert _closed_with(socket) == 4401


def test_a_ticket_proves_one_websocket_once(secured: Stack) -> None:
    with as_key(secured, make_key(secured, "ticket-tenant", "run")) as runner:
        made = runner.post("/api/v1/ws-tickets")
        assert made.status_code == 201, made.text
        ticket = made.json()["ticket"]
    with connect(f"{secured.ws_url}/ws/feed", open_timeout=10) as socket:
        socket.send(json.dumps({"type": "auth", "ticket": ticket}))
        assert _first_reply(socket)["tenant"] == "ticket-tenant"
    with connect(f"{secured.ws_url}/ws/feed", open_timeout=10) as socket:
        socket.send(json.dumps({"type": "auth", "ticket": ticket}))
        assert _closed_with(socket) == 4401


def test_a_read_key_may_watch_a_conversation_but_not_speak_in_it(secured: Stack) -> None:
    with as_key(secured, make_key(secured, "talkers", "run")) as runner:
        conversation = runner.post("/api/v1/conversations", json={}).raise_for_status().json()
    reader = make_key(secured, "talkers", "read")
    url = f"{secured.ws_url}/ws/chat/{conversation['id']}"
    with connect(url, open_timeout=10,
                 additional_headers={"authorization": f"Bearer {reader}"}) as socket:  # fmt: skip
        socket.send(json.dumps({"type": "message", "text": "train a model"}))
        reply = _first_reply(socket)
        assert reply["type"] == "error" and "run key" in str(reply["detail"])


def test_the_keyless_local_server_answers_only_to_its_own_names(stack: Stack) -> None:
    with httpx.Client(base_url=stack.base_url, timeout=60) as local:
        assert local.get("/api/v1/datasets").status_code == 200
        rebound = local.get("/api/v1/datasets", headers={"host": "evil.example:8000"})
        assert "evil.example" in problem(rebound, 403)["detail"]
        me = local.get("/api/v1/session").raise_for_status().json()
        assert me["via"] == "local" and me["auth"] == "local"
    # The browser of a rebound page connects to this server's address under the page's name.
    port = httpx.URL(stack.base_url).port
    assert port is not None
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://evil.example:{port}/ws/feed", open_timeout=10,
                sock=socket.create_connection(("127.0.0.1", port))).close()  # fmt: skip
    assert refused.value.response.status_code == 403


def test_the_servers_own_page_under_a_teams_name_may_call_it(secured: Stack) -> None:
    # A team reaches the server as http://mlchat.team.lan:<port>, a name it was never told.
    port = httpx.URL(secured.base_url).port
    name = f"mlchat.team.lan:{port}"
    with as_key(secured, make_key(secured, "lan-team", "run")) as client:
        own = {"host": name, "origin": f"http://{name}"}
        assert client.post("/api/v1/conversations", json={}, headers=own).status_code == 201
        foreign = {"host": name, "origin": "http://evil.example"}
        problem(client.post("/api/v1/conversations", json={}, headers=foreign), 403)
