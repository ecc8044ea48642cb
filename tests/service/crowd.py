"""Many WebSocket clients in one asyncio process, each keeping what one run sent it and when.

Shared by the fan-out tests and `bench/fanout.py`.
"""

from __future__ import annotations

import asyncio
import json
import resource
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from service.events import FINAL_EVENT_TYPES, append_event_async

OPEN_CONCURRENCY = 50
"""Handshakes in flight at once: a thousand at once would only queue in the server's backlog."""


def allow_open_files(needed: int) -> None:
    """Raise this process's soft limit on open files to `needed` (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise RuntimeError(f"{needed} open files needed; the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


@dataclass
class Client:
    """One socket and the events of the followed run it received: (seq, type, delay in s from
    the event's `ts` to its receipt)."""

    socket: ClientConnection
    events: list[tuple[int, str, float]] = field(default_factory=list)

    @property
    def seqs(self) -> list[int]:
        return [seq for seq, _, _ in self.events]


def _age_s(event: dict[str, Any], now: float) -> float:
    sent = datetime.fromisoformat(str(event["ts"]).replace("Z", "+00:00")).timestamp()
    return now - sent


async def _read_run(client: Client, run_id: int) -> None:
    """Until the run's final event."""
    async for raw in client.socket:
        now = time.time()
        event = json.loads(raw)
        if event.get("run_id") != run_id:
            continue
        client.events.append((event["seq"], event["type"], _age_s(event, now)))
        if event["type"] in FINAL_EVENT_TYPES:
            return


class Crowd:
    """`n` clients of one WebSocket URL, opened a few dozen at a time."""

    def __init__(self, url: str, n: int) -> None:
        self.url = url
        self.n = n
        self.clients: list[Client] = []

    async def __aenter__(self) -> Crowd:
        gate = asyncio.Semaphore(OPEN_CONCURRENCY)

        async def open_one() -> Client:
            async with gate:
                return Client(await connect(self.url, open_timeout=60, max_size=2**20))

        self.clients = list(await asyncio.gather(*(open_one() for _ in range(self.n))))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(c.socket.close() for c in self.clients), return_exceptions=True)

    async def follow(self, run_id: int, timeout_s: float) -> None:
        """Every client reads until the run's final event (or the cap runs out)."""
        readers = [_read_run(client, run_id) for client in self.clients]
        await asyncio.wait_for(asyncio.gather(*readers), timeout_s)


class StalledClient:
    """A client that reads nothing after its handshake until asked to (`drain`), with a small
    kernel receive buffer, so what the server sends it backs up into the server soon."""

    def __init__(self, url: str, receive_buffer: int = 4096) -> None:
        self.protocol = ClientProtocol(parse_uri(url))
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Set before connecting: the window the client advertises follows it from the start.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.socket.setblocking(False)
        self.texts: list[str] = []
        self.closed_with: tuple[int, str] | None = None

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        uri = self.protocol.uri
        await loop.sock_connect(self.socket, (uri.host, uri.port))
        self.protocol.send_request(self.protocol.connect())
        await loop.sock_sendall(self.socket, b"".join(self.protocol.data_to_send()))
        while self.protocol.handshake_exc is None and self.protocol.state is State.CONNECTING:
            await self._read_some()
        if self.protocol.state is not State.OPEN:
            raise RuntimeError(f"the handshake failed: {self.protocol.handshake_exc}")

    async def drain(self) -> None:
        """Read everything the server sent, until it closes the connection."""
        while self.closed_with is None and await self._read_some():
            pass

    async def _read_some(self) -> bool:
        data = await asyncio.get_running_loop().sock_recv(self.socket, 65536)
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
        for event in self.protocol.events_received():
            if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self.texts.append(bytes(event.data).decode())
            elif isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
                close = self.protocol.close_rcvd
                self.closed_with = (close.code, close.reason) if close else (1005, "")
        return bool(data)

    def close(self) -> None:
        self.socket.close()


async def append_run(
    redis_url: str,
    run_id: int,
    tenant: str,
    events: int,
    *,
    interval_s: float = 0.0,
    message_bytes: int = 0,
) -> None:
    """Append a made-up run's events, as its worker would: `events - 1` progress events (with a
    message of `message_bytes`, if any) and a final one, `interval_s` apart."""
    client = aioredis.Redis.from_url(redis_url)
    message = "x" * message_bytes or None
    try:
        for step in range(1, events):
            await append_event_async(client, "progress", run_id=run_id, job_id=f"crowd-{run_id}",
                                     tenant=tenant, step=step, total=events,
                                     progress=step / events, message=message)  # fmt: skip
            if interval_s:
                await asyncio.sleep(interval_s)
        await append_event_async(client, "finished", run_id=run_id, job_id=f"crowd-{run_id}",
                                 tenant=tenant)  # fmt: skip
    finally:
        await client.aclose()
