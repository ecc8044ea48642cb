"""A local HTTP server that plays the part of Slack's Web API that following a run uses, and
records every call with its time.

It answers as Slack does: chat.postMessage with a new `ts`, chat.update of a known message
(message_not_found otherwise), and the three steps of files_upload_v2 (files.getUploadURLExternal,
the upload to the URL it gave, files.completeUploadExternal). It can be told to answer the next
N calls of a method `ratelimited` (HTTP 429 with Retry-After), or to be down: every connection
dropped unanswered, as a Slack that cannot be reached, or answered 503.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Call:
    method: str
    at: float
    """time.monotonic() when the call arrived."""
    params: dict[str, Any]
    status: int = 200
    """What it was answered: 200, 429, or 0 when the server was down."""
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class Message:
    channel: str
    ts: str
    thread_ts: str | None
    text: str
    blocks: list[Any] | None
    updates: int = 0


@dataclass
class SharedFile:
    id: str
    title: str
    channel: str | None
    thread_ts: str | None
    content: bytes = b""


@dataclass
class _RateLimit:
    remaining: int
    retry_after_s: float
    after: int
    """Calls of the method to let through before the refusals start."""


@dataclass
class SlackRecorder:
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, Message] = field(default_factory=dict)
    files: dict[str, SharedFile] = field(default_factory=dict)
    is_down: bool = False
    down_status: int | None = None
    """While down: None drops each connection unanswered; a status (503) answers it so, with
    the HTML page a proxy in front of a failing Slack would give."""
    _limits: dict[str, _RateLimit] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def start(self) -> SlackRecorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                recorder._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def rate_limit(self, method: str, times: int, retry_after_s: float, after: int = 0) -> None:
        """Answer the next `times` calls of `method` ratelimited, once `after` have passed."""
        with self._lock:
            self._limits[method] = _RateLimit(times, retry_after_s, after)

    def down(self, status: int | None = None) -> None:
        self.is_down, self.down_status = True, status

    def up(self) -> None:
        self.is_down = False

    def of(self, method: str, status: int | None = 200) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and (status is None or c.status == status)
            ]

    def wait_until(self, predicate: Any, timeout_s: float) -> bool:
        """Until `predicate(self)` holds, or `timeout_s` (a cap; it returns as soon as it holds)."""
        deadline = time.monotonic() + timeout_s
        with self.changed:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
        return True

    # --- the server side ---

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        path = urlsplit(request.path).path
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        if self.is_down:
            with self.changed, self._lock:
                self.calls.append(Call(path.rsplit("/", 1)[-1], time.monotonic(), {}, 0))
                self.changed.notify_all()
            if self.down_status is not None:
                page = b"<html><body>Service Unavailable</body></html>"
                self._reply(request, self.down_status, page, {}, "text/html")
                return
            request.close_connection = True
            request.connection.close()  # no answer at all, as a Slack out of reach
            return
        if path.startswith("/upload/"):
            status, payload, headers = self._upload(path.rsplit("/", 1)[-1], body)
            self._reply(request, status, payload, headers, "text/plain")
            return
        method = path.removeprefix("/api/")
        params = self._params(request, body)
        status, payload, headers = self._answer(method, params)
        self._reply(request, status, json.dumps(payload).encode(), headers, "application/json")

    @staticmethod
    def _params(request: BaseHTTPRequestHandler, body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = dict(parse_qsl(urlsplit(request.path).query))
        kind = request.headers.get("Content-Type", "")
        if "json" in kind and body:
            params.update(json.loads(body))
        elif body:
            params.update(parse_qsl(body.decode()))
        for key in ("blocks", "files"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, payload: bytes,
               headers: dict[str, str], kind: str) -> None:  # fmt: skip
        request.send_response(status)
        request.send_header("Content-Type", f"{kind}; charset=utf-8")
        request.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(payload)

    def _record(self, method: str, params: dict[str, Any], status: int,
                answer: dict[str, Any] | None = None) -> None:  # fmt: skip
        self.calls.append(Call(method, time.monotonic(), params, status, answer or {}))

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self.changed, self._lock:
            limit = self._limits.get(method)
            if limit is not None and limit.after > 0:
                limit.after -= 1
            elif limit is not None and limit.remaining > 0:
                limit.remaining -= 1
                self._record(method, params, 429)
                self.changed.notify_all()
                return (
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": f"{limit.retry_after_s:g}"},
                )
            answer = self._ok(method, params)
            self._record(method, params, 200 if answer.get("ok") else 400, answer)
            self.changed.notify_all()
            return 200, answer, {}

    def _ok(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            ts = f"{time.time():.6f}"
            message = Message(params["channel"], ts, params.get("thread_ts"),
                              params.get("text", ""), params.get("blocks"))  # fmt: skip
            self.messages[ts] = message
            return {"ok": True, "channel": message.channel, "ts": ts,
                    "message": {"text": message.text, "ts": ts}}  # fmt: skip
        if method == "chat.update":
            found = self.messages.get(params.get("ts", ""))
            if found is None or found.channel != params.get("channel"):
                return {"ok": False, "error": "message_not_found"}
            found.text = params.get("text", found.text)
            found.blocks = params.get("blocks", found.blocks)
            found.updates += 1
            return {"ok": True, "channel": found.channel, "ts": found.ts, "text": found.text}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):08d}"
            self.files[file_id] = SharedFile(file_id, params.get("filename", ""), None, None)
            assert self._server is not None
            host, port = self._server.server_address[:2]
            return {"ok": True, "file_id": file_id,
                    "upload_url": f"http://{host!s}:{port}/upload/{file_id}"}  # fmt: skip
        if method == "files.completeUploadExternal":
            shared = []
            for item in params.get("files") or []:
                upload = self.files.get(item["id"])
                if upload is None or not upload.content:
                    return {"ok": False, "error": "file_not_found"}
                upload.title = item.get("title") or upload.title
                upload.channel = params.get("channel_id")
                upload.thread_ts = params.get("thread_ts")
                shared.append({"id": upload.id, "title": upload.title})
            return {"ok": True, "files": shared}
        if method == "auth.test":
            return {"ok": True, "team_id": "T0001", "user_id": "U0BOT"}
        return {"ok": False, "error": "unknown_method"}

    def _upload(self, file_id: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        with self.changed, self._lock:
            self._record("upload", {"file_id": file_id, "bytes": len(body)}, 200)
            found = self.files.get(file_id)
            if found is None:
                return 404, b"unknown upload", {}
            found.content = body
            self.changed.notify_all()
            return 200, f"OK - {len(body)}".encode(), {}
