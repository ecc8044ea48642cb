"""A local server that plays Slack: its Web API over HTTP and Socket Mode over a WebSocket.

It answers the methods the app calls as Slack does (the same fields, `ok`, `error`), records
every call (method, params, token) and every Socket Mode ack, serves the files it is given at
a `url_private_download` that needs the bot token, and can be told to answer `ratelimited`
(HTTP 429 with Retry-After) to the next calls of a method. Waits on it follow what it records.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.sync.server import Server, ServerConnection, serve


@dataclass
class Call:
    """One request the app made: the Web API method (or `download`, `upload`), its
    parameters as Slack would read them, and the token it came with."""

    method: str
    params: dict[str, Any]
    token: str | None
    answer: dict[str, Any] | None = None
    """What the fake answered (None for a download or an upload)."""


@dataclass(frozen=True)
class Bot:
    team_id: str
    user_id: str
    bot_id: str


@dataclass
class StoredFile:
    id: str
    name: str
    content: bytes
    team_id: str
    mimetype: str = "text/csv"


@dataclass
class FakeSlack:
    bots: dict[str, Bot]
    """Bot tokens the server knows, and whose bot each is."""
    app_tokens: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    _limits: dict[str, tuple[int, int]] = field(default_factory=dict)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _sockets: list[ServerConnection] = field(default_factory=list)
    http: ThreadingHTTPServer | None = None
    ws: Server | None = None

    # -- what tests read and wait on ---------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self.http is not None
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    @property
    def api_url(self) -> str:
        """What MLCHAT_SLACK_API_URL is set to."""
        return f"{self.base_url}/api/"

    @property
    def ws_url(self) -> str:
        assert self.ws is not None
        return f"ws://127.0.0.1:{self.ws.socket.getsockname()[1]}/link"

    def calls_of(self, method: str, **params: Any) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method and
                    all(c.params.get(k) == v for k, v in params.items())]  # fmt: skip

    def wait_until(self, what: Callable[[], Any], timeout_s: float = 240.0) -> Any:
        """`what()` once it is truthy; re-checked whenever the server records something."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while not (found := what()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"not seen in {timeout_s}s; calls: {self.calls[-8:]}")
                self._changed.wait(left)
            return found

    def wait_for_call(self, method: str, timeout_s: float = 240.0,
                      where: Callable[[Call], bool] = lambda _: True) -> Call:  # fmt: skip
        """The first call of `method` that `where` holds for, once it is made."""
        found: Call = self.wait_until(
            lambda: next((c for c in self.calls if c.method == method and where(c)), None),
            timeout_s,
        )
        return found

    def ratelimit(self, method: str, times: int, retry_after_s: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 ratelimited."""
        with self._changed:
            self._limits[method] = (times, retry_after_s)

    def add_file(self, team_id: str, name: str, content: bytes, mimetype: str = "text/csv"
                 ) -> dict[str, Any]:  # fmt: skip
        """Store a file as if shared in Slack; its object as an event carries it."""
        file_id = f"F{uuid.uuid4().hex[:10].upper()}"
        self.files[file_id] = StoredFile(file_id, name, content, team_id, mimetype)
        return self._file_object(self.files[file_id])

    # -- Socket Mode -------------------------------------------------------------------------

    def wait_for_socket(self, timeout_s: float = 240.0) -> None:
        self.wait_until(lambda: self._sockets, timeout_s)

    def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Send an envelope (events_api, interactive, slash_commands) to the connected app;
        its envelope_id, which the app's ack names."""
        envelope_id = uuid.uuid4().hex
        message = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                   "accepts_response_payload": kind != "events_api",
                   "retry_attempt": 0, "retry_reason": ""}  # fmt: skip
        with self._changed:
            sockets = list(self._sockets)
        for socket in sockets:
            socket.send(json.dumps(message))
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout_s: float = 240.0) -> dict[str, Any]:
        ack: dict[str, Any] = self.wait_until(
            lambda: next((a for a in self.acks if a.get("envelope_id") == envelope_id), None),
            timeout_s,
        )
        return ack

    def _socket(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "connection_info": {"app_id": "A0FAKE"}}))  # fmt: skip
        with self._changed:
            self._sockets.append(connection)
            self._changed.notify_all()
        try:
            for raw in connection:
                with self._changed:
                    self.acks.append(json.loads(raw))
                    self._changed.notify_all()
        finally:
            with self._changed:
                self._sockets.remove(connection)

    # -- the Web API -------------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _limited(self, method: str) -> int | None:
        with self._changed:
            left, retry_after_s = self._limits.get(method, (0, 0))
            if left <= 0:
                return None
            self._limits[method] = (left - 1, retry_after_s)
            return retry_after_s

    def _file_object(self, stored: StoredFile) -> dict[str, Any]:
        url = f"{self.base_url}/files-pri/{stored.team_id}-{stored.id}/{stored.name}"
        return {"id": stored.id, "name": stored.name, "title": stored.name,
                "mimetype": stored.mimetype, "filetype": stored.name.rsplit(".", 1)[-1],
                "size": len(stored.content), "url_private": url,
                "url_private_download": f"{url}?download=1"}  # fmt: skip

    def answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        """Slack's answer to a Web API call."""
        if method == "apps.connections.open":
            if token not in self.app_tokens:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.ws_url}
        bot = self.bots.get(token or "")
        if bot is None:
            return {"ok": False, "error": "not_authed" if not token else "invalid_auth"}
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.com/", "team": bot.team_id,
                    "user": "mlchat", "team_id": bot.team_id, "user_id": bot.user_id,
                    "bot_id": bot.bot_id, "is_enterprise_install": False}  # fmt: skip
        if method in {"chat.postMessage", "chat.update", "chat.postEphemeral"}:
            if not params.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            if not params.get("text") and not params.get("blocks"):
                return {"ok": False, "error": "no_text"}
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": self._next_ts()}
            ts = params.get("ts") if method == "chat.update" else self._next_ts()
            return {"ok": True, "channel": params["channel"], "ts": ts,
                    "message": {"text": params.get("text"), "ts": ts}}  # fmt: skip
        if method == "files.info":
            stored = self.files.get(str(params.get("file")))
            if stored is None or stored.team_id != bot.team_id:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": self._file_object(stored)}
        if method == "files.getUploadURLExternal":
            file_id = f"F{uuid.uuid4().hex[:10].upper()}"
            return {"ok": True, "file_id": file_id,
                    "upload_url": f"{self.base_url}/upload/{file_id}"}  # fmt: skip
        if method == "files.completeUploadExternal":
            files = params.get("files")
            listed = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")}
                                          for f in listed]}  # fmt: skip
        return {"ok": False, "error": "unknown_method"}

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"


def _params(handler: BaseHTTPRequestHandler, body: bytes) -> dict[str, Any]:
    kind = (handler.headers.get("content-type") or "").split(";")[0].strip()
    query = {k: v[-1] for k, v in parse_qs(urlsplit(handler.path).query).items()}
    if kind == "application/json" and body:
        parsed = json.loads(body)
        return {**query, **(parsed if isinstance(parsed, dict) else {})}
    if kind == "application/x-www-form-urlencoded":
        form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
        for key in ("blocks", "attachments"):
            if isinstance(form.get(key), str):
                form[key] = json.loads(form[key])
        return {**query, **form}
    return query


def _token(handler: BaseHTTPRequestHandler, params: dict[str, Any]) -> str | None:
    header = handler.headers.get("authorization") or ""
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    token = params.pop("token", None)
    return token if isinstance(token, str) else None


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json",
                  headers: dict[str, str] | None = None) -> None:  # fmt: skip
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            token = _token(self, {})
            if path.startswith("/files-pri/"):
                fake._record(Call("download", {"path": path}, token))
                key = path.split("/")[2]
                stored = fake.files.get(key.split("-", 1)[-1])
                bot = fake.bots.get(token or "")
                if stored is None or bot is None or bot.team_id != stored.team_id:
                    # Slack answers a download without the right token with its sign-in page.
                    self._send(200 if stored else 404, b"<html>sign in</html>", "text/html")
                    return
                self._send(200, stored.content, stored.mimetype)
                return
            self.do_POST()

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            path = urlsplit(self.path).path
            if path.startswith("/upload/"):
                file_id = path.rsplit("/", 1)[-1]
                fake.uploads[file_id] = body
                fake._record(Call("upload", {"file_id": file_id, "bytes": len(body)}, None))
                self._send(200, b"OK - " + str(len(body)).encode(), "text/plain")
                return
            if not path.startswith("/api/"):
                self._send(404, b'{"ok": false, "error": "not_found"}')
                return
            method = path[len("/api/") :]
            params = _params(self, body)
            token = _token(self, params)
            retry_after_s = fake._limited(method)
            if retry_after_s is not None:
                limited = {"ok": False, "error": "ratelimited"}
                fake._record(Call(method, params, token, limited))
                self._send(429, json.dumps(limited).encode(),
                           headers={"Retry-After": str(retry_after_s)})  # fmt: skip
                return
            answer = fake.answer(method, params, token)
            fake._record(Call(method, params, token, answer))
            self._send(200, json.dumps(answer).encode())

    return Handler


@contextmanager
def fake_slack(bots: dict[str, Bot], app_tokens: set[str] | None = None) -> Iterator[FakeSlack]:
    """A started fake Slack (Web API and Socket Mode), stopped when the block ends."""
    fake = FakeSlack(bots=bots, app_tokens=app_tokens or set())
    fake.http = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    fake.http.daemon_threads = True
    fake.ws = serve(fake._socket, "127.0.0.1", 0)
    threads = [threading.Thread(target=fake.http.serve_forever, daemon=True),
               threading.Thread(target=fake.ws.serve_forever, daemon=True)]  # fmt: skip
    for thread in threads:
        thread.start()
    try:
        yield fake
    finally:
        fake.ws.shutdown()
        fake.http.shutdown()
        fake.http.server_close()
        for thread in threads:
            thread.join(timeout=10)
