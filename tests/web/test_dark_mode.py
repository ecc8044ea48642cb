"""Light and dark follow the system setting, and in both the page's text reads at WCAG AA
contrast (4.5:1): body text, muted text, links, buttons, the plan card, a run's status; its
charts follow the scheme too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.service.stack import Stack
from tests.web.chat_page import open_chat, pick_dataset, say
from tests.web.conftest import screenshot

pytestmark = pytest.mark.integration

AA_TEXT = 4.5

# The colour of an element's text and the background it is drawn on, as the eye gets them:
# translucent backgrounds composited over what is behind them, up to the first opaque one.
COLOURS = """element => {
  const parse = (text) => {
    const parts = text.match(/rgba?\\(([^)]+)\\)/)[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3]))
    .concat([1]);
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    if (colour[3] > 0) layers.push(colour);
    if (colour[3] >= 1) break;
  }
  let background = [255, 255, 255, 1];
  for (const layer of layers.reverse()) background = over(layer, background);
  return {text: over(parse(getComputedStyle(element).color), background), background};
}"""


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(first: list[float], second: list[float]) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture(params=["light", "dark"])
def scheme_page(
    request: pytest.FixtureRequest, browser: Browser, web_stack: Stack
) -> Iterator[tuple[str, Page]]:
    web_stack.replace_dead_workers()
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  color_scheme=request.param)  # fmt: skip
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield request.param, page
    context.close()
    assert not errors, f"the page threw: {errors}"


TEXTS = {
    "body text": ".message.assistant[data-message-id] .body",
    "your message": ".message.user .body",
    "muted hint": ".hint",
    "muted sidebar heading": "#conversations h2",
    "link": ".message.result button.link",
    "send button": "#send",
    "plain button": "#new-conversation",
    "plan card value": ".plan-card dd",
    "plan card label": ".plan-card dt",
    "plan card Run button": ".plan-card button[data-plan-action='run']",
    "run status": "#run-list .status[data-status='finished']",
    "connection": "#connection",
}


def test_both_schemes_read_at_aa_contrast_and_charts_follow(
    scheme_page: tuple[str, Page], web_stack: Stack
) -> None:
    scheme, page = scheme_page
    open_chat(page, web_stack)
    pick_dataset(page, "penguins")
    say(page, "scatter bill length against bill depth by species")
    chart = page.locator(".message.result .plot .js-plotly-plot").last
    expect(chart).to_be_visible()
    expect(page.locator("#run-list .status[data-status='finished']").first).to_be_visible()
    say(page, "train xgboost on species")
    expect(page.locator(".plan-card button[data-plan-action='run']").last).to_be_enabled()

    page_background = page.evaluate(COLOURS, page.locator("body").element_handle())["background"]
    assert (_luminance(page_background) < 0.05) == (scheme == "dark"), page_background
    low = {}
    for name, selector in TEXTS.items():
        shown = page.locator(selector).last
        expect(shown).to_be_visible()
        colours = shown.evaluate(COLOURS)
        ratio = _contrast(colours["text"], colours["background"])
        if ratio < AA_TEXT:
            low[name] = (round(ratio, 2), colours)
    assert not low, f"below {AA_TEXT}:1 in {scheme} mode: {low}"

    # The chart is drawn in the scheme's colours: its plot area as dark or light as the page,
    # and its labels readable on it.
    drawn = chart.evaluate("node => [node._fullLayout.plot_bgcolor, node._fullLayout.font.color]")
    area, ink = (
        page.evaluate(
            "text => { const probe = document.createElement('i'); probe.style.color = text; "
            "document.body.append(probe); const c = getComputedStyle(probe).color; "
            "probe.remove(); return c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number); }",
            colour,
        )
        for colour in drawn
    )
    assert (_luminance(area) < 0.2) == (scheme == "dark"), drawn
    assert _contrast(ink, area) >= AA_TEXT, drawn
    if scheme == "dark":
        chart.scroll_into_view_if_needed()
        screenshot(page, "dark-mode")
