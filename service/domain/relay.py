"""Relaying a channel of the process's hub to a WebSocket, for as long as the client stays."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect

from service.fanout import RESYNC, Hub, Listener

Socket = WebSocket[Any, Any, Any]

SLOW_READER_CODE = 1013
"""RFC 6455 'Try Again Later': the client fell too far behind; it may reconnect at once (the
page's socket does: it gives up only on 44xx refusals)."""
CLOSE_WAIT_S = 30.0
"""How long the close of a dropped socket may wait for the client to read what is ahead of it:
a reader that is slow rather than gone then learns why; one that is gone is let go."""


async def _forward(socket: Socket, listener: Listener) -> None:
    while True:
        message = await listener.get()
        if message is not RESYNC:
            await socket.send_text(message)


async def until_closed(socket: Socket) -> None:
    """Return never; raise WebSocketDisconnect once the client leaves."""
    # A client that says nothing: a receive is how its leaving is noticed.
    while True:
        await socket.receive_text()


async def close_dropped(socket: Socket, listener: Listener) -> None:
    """Close a socket whose listener overflowed, saying why, without waiting for ever."""
    # A close reason has room for 123 bytes.
    reason = f"too slow: {listener.size} events waited unsent; reconnect (the list API has it all)"
    with anyio.move_on_after(CLOSE_WAIT_S):
        await socket.close(code=SLOW_READER_CODE, reason=reason)


async def until_dropped(listener: Listener, scope: anyio.CancelScope) -> None:
    """Cancel `scope` once the hub drops the listener: its sender may be stuck in a send."""
    await listener.dropped.wait()
    scope.cancel()


async def relay(
    socket: Socket,
    hub: Hub,
    channel: str,
    receive: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Accept `socket` once subscribed to `channel`, then send what the channel carries while
    `receive` handles what the client says (by default: nothing), until the client leaves or
    falls too far behind."""
    async with hub.listen(channel) as listener:
        await socket.accept()
        left = False
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_forward, socket, listener)
                tasks.start_soon(until_dropped, listener, tasks.cancel_scope)
                await (receive() if receive is not None else until_closed(socket))
                tasks.cancel_scope.cancel()
        except* (WebSocketDisconnect, OSError):
            left = True  # a send to a client that is gone raises OSError
    if listener.dropped.is_set() and not left:
        await close_dropped(socket, listener)
