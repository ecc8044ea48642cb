"""A run's Plotly figures as PNG images, for a Slack thread that cannot draw Plotly JSON.

kaleido 1.x drives a Chromium over the DevTools protocol. It is pointed at the system's Chromium
(`MLCHAT_CHROMIUM_PATH`) and at plotly.py's own plotly.js, with MathJax off, so drawing needs no
download and no network. Its browser is kept open across figures and runs: opening one costs
seconds, a figure in an open one a fraction of a second.

kaleido is asyncio code that owns its browser's pipes, so it lives on its own event loop in a
thread of its own: the web process's loop never waits on it, and a figure that hangs is given
up after its timeout (and the browser reopened for the next) without holding anything else.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import plotly

from service.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
WIDTH, HEIGHT, SCALE = 900, 560, 1.5
"""Slack shows an image at most about 360 points high in a thread; 1.5x keeps text sharp."""
CLOSE_TIMEOUT_S = 15.0
"""How long closing the browser may take (it is killed by choreographer past that)."""


class RenderError(Exception):
    """A figure could not be drawn (no browser, a timeout, a figure Plotly refuses)."""


def plotly_js() -> Path:
    """The plotly.js that ships inside plotly.py (never the CDN kaleido falls back to)."""
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    try:
        loop.run_forever()
    finally:
        loop.close()


class PlotRenderer:
    """Draws figures as PNG in one long-lived Chromium, off the caller's event loop."""

    def __init__(self, chromium: Path | None, timeout_s: float) -> None:
        self.chromium = chromium
        self.timeout_s = timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: Any = None
        self._start_lock = threading.Lock()
        self.timings: list[float] = []
        """Seconds each figure took to draw, browser start excluded (for the report)."""
        self.starts = 0
        """How many times a browser was started: once, unless one hung or broke."""

    @property
    def missing(self) -> str | None:
        """Why no figure can be drawn here, or None when a browser is there to draw them."""
        if self.chromium is None:
            return "no Chromium was found on this server (set MLCHAT_CHROMIUM_PATH)"
        if not os.access(self.chromium, os.X_OK):
            return f"no Chromium at {self.chromium} (MLCHAT_CHROMIUM_PATH)"
        return None

    def _thread_loop(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=_serve, args=(loop,), name="plot-renderer",
                                 daemon=True).start()  # fmt: skip
                self._loop = loop
            return self._loop

    async def _on_thread(self, work: Coroutine[Any, Any, T], timeout_s: float) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(work, self._thread_loop())
        # On a timeout wait_for cancels the wrapper, which cancels the work on its loop too.
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout_s)

    async def _open(self) -> Any:
        if self._kaleido is None:
            import kaleido  # here: its import starts nothing, but takes a while

            started = time.monotonic()
            browser = kaleido.Kaleido(path=str(self.chromium), plotlyjs=plotly_js(),
                                      mathjax=False, timeout=self.timeout_s)  # fmt: skip
            await browser.open()
            self._kaleido = browser
            self.starts += 1
            log.info("plot renderer started", extra={"seconds": time.monotonic() - started})
        return self._kaleido

    async def _draw(self, figure: dict[str, Any]) -> bytes:
        browser = await self._open()
        started = time.monotonic()
        opts = {"format": "png", "width": WIDTH, "height": HEIGHT, "scale": SCALE}
        image: bytes = await browser.calc_fig(figure, opts=opts)
        self.timings.append(time.monotonic() - started)
        return image

    async def _reset(self) -> None:
        browser, self._kaleido = self._kaleido, None
        if browser is not None:
            await browser.close()

    async def png(self, figure: dict[str, Any]) -> bytes:
        """`figure` (Plotly JSON, as a run stores it) as PNG bytes; RenderError if it cannot be.

        The first figure also waits for the browser to start, so it gets twice the timeout.
        """
        if (why := self.missing) is not None:
            raise RenderError(why)
        timeout_s = self.timeout_s * (1 if self._kaleido is not None else 2)
        try:
            return await self._on_thread(self._draw(figure), timeout_s)
        except TimeoutError:
            await self._reopen()
            raise RenderError(f"the figure was not drawn within {timeout_s:.0f} s") from None
        except Exception as error:  # kaleido's and Chromium's own errors, of many kinds
            await self._reopen()
            raise RenderError(f"the figure could not be drawn: {error}") from error

    async def _reopen(self) -> None:
        """Closes the browser (a hung or broken one); the next figure opens a fresh one."""
        try:
            await self._on_thread(self._reset(), CLOSE_TIMEOUT_S)
        except Exception:
            log.warning("the plot renderer's browser did not close cleanly", exc_info=True)
            self._kaleido = None

    def close(self) -> None:
        """Closes the browser and stops the thread's loop (at shutdown)."""
        loop = self._loop
        if loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._reset(), loop).result(CLOSE_TIMEOUT_S)
        except Exception:
            log.warning("the plot renderer's browser did not close cleanly", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        self._loop = None


_renderers: dict[tuple[Path | None, float], PlotRenderer] = {}


def renderer_for(settings: Settings) -> PlotRenderer:
    """The process's renderer for these settings: one browser, kept warm across runs."""
    key = (settings.chromium_path, settings.plot_render_timeout_s)
    if key not in _renderers:
        _renderers[key] = PlotRenderer(*key)
    return _renderers[key]


def close_renderers() -> None:
    """Closes every renderer's browser (at the process's shutdown: Chromium is a child)."""
    while _renderers:
        _, renderer = _renderers.popitem()
        renderer.close()
