"""Plotly figures become PNG images in the system Chromium, with no download: real images of
the figure (its size, many colours), the browser kept warm across figures, a figure that cannot
be drawn in time given up, and a server without Chromium saying so."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest

from service.integrations.slack.render import HEIGHT, SCALE, WIDTH, PlotRenderer, RenderError
from service.settings import Settings
from tests.service.slack.png import png_colours, png_size

CHROMIUM = Settings().chromium_path
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")


def _figure(seed: int) -> dict[str, Any]:
    figure = go.Figure(go.Bar(x=["sepal", "petal", "stem", "leaf"], y=[seed, 3, 2, 5]))
    figure.update_layout(title=f"feature importance {seed}")
    result: dict[str, Any] = figure.to_plotly_json()
    return result


@needs_chromium
async def test_figures_become_real_images_in_a_warm_browser() -> None:
    renderer = PlotRenderer(CHROMIUM, timeout_s=60)
    try:
        started = time.monotonic()
        first = await renderer.png(_figure(1))
        cold_s = time.monotonic() - started
        for seed in range(2, 6):
            await renderer.png(_figure(seed))
    finally:
        renderer.close()
    assert png_size(first) == (round(WIDTH * SCALE), round(HEIGHT * SCALE))
    # A blank page has one colour; bars, axes, text and their anti-aliasing have many.
    assert len(png_colours(first)) > 20
    warm = renderer.timings[1:]
    print(f"\nrender: first figure {cold_s:.2f} s with the browser's start, "
          f"then {', '.join(f'{s:.2f}' for s in warm)} s per figure")  # fmt: skip
    assert renderer.starts == 1  # the browser stayed open: no start per figure


def test_without_chromium_nothing_is_drawn_and_it_says_why(tmp_path: Path) -> None:
    renderer = PlotRenderer(tmp_path / "chromium", timeout_s=60)
    assert renderer.missing is not None and "MLCHAT_CHROMIUM_PATH" in renderer.missing
    assert "MLCHAT_CHROMIUM_PATH" in (PlotRenderer(None, timeout_s=60).missing or "")


@needs_chromium
async def test_a_figure_that_cannot_be_drawn_in_time_is_given_up() -> None:
    renderer = PlotRenderer(CHROMIUM, timeout_s=0.001)
    try:
        with pytest.raises(RenderError, match="not drawn within"):
            await renderer.png(_figure(1))
    finally:
        renderer.close()
