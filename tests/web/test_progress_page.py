"""A run's card counts what the run counts and says the time left only once it can know it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.service.helpers import run_events
from tests.service.stack import Stack
from tests.web.chat_page import approve, open_chat, pick_dataset, say
from tests.web.conftest import screenshot

pytestmark = pytest.mark.integration

ESTIMATE = """async (sequences) => {
  const { EtaEstimator } = await import('/static/js/progress.js');
  return sequences.map(({ points, now }) => {
    const eta = new EtaEstimator();
    for (const [seconds, share, units] of points) eta.add(seconds, share, units ?? null);
    return eta.remaining(now);
  });
}"""


def _estimates(page: Page, sequences: list[dict[str, Any]]) -> list[float | None]:
    estimates: list[float | None] = page.evaluate(ESTIMATE, sequences)
    return estimates


def test_no_time_left_is_guessed_from_the_first_sliver(page: Page, web_stack: Stack) -> None:
    page.goto(web_stack.base_url + "/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    steady = [[t / 2, t / 80] for t in range(21)]  # 1/40 of the run a second, for 10 s
    twenty_trials = [[3 * k, k / 21, k] for k in range(4)]  # 20 trials and a refit, 3 s each
    slow = [[t, t / 100] for t in range(31)]
    slow_then_fast = slow + [[30 + t, 0.3 + 0.03 * t] for t in range(1, 11)]
    sequences = [
        # Step 3 of 200 a second and a half in: the card once said "about 9 min 45 s left".
        {"points": [[0, 0], [0.5, 0.005], [1.5, 0.015]], "now": 1.5},
        # A fifth done, but in 2 s: too short a time to tell a pace.
        {"points": [[0, 0], [1, 0.1], [2, 0.2]], "now": 2},
        {"points": steady, "now": 10},
        {"points": steady, "now": 12},
        {"points": twenty_trials[:3], "now": 6},
        {"points": twenty_trials, "now": 9},
        {"points": slow_then_fast, "now": 40},
    ]
    early, brief, at_ten, two_later, two_trials, three_trials, sped_up = _estimates(page, sequences)
    assert early is None and brief is None and two_trials is None
    assert at_ten == pytest.approx(30.0)  # a quarter done at a fortieth a second
    assert two_later == pytest.approx(28.0)  # and it counts down between reports
    assert three_trials == pytest.approx(54.0)  # 18 of 21 parts left at 3 s each
    assert sped_up == pytest.approx(0.4 / 0.03)  # the later half's pace, not the whole run's


COUNTED = """async (cases) => {
  const { stepText } = await import('/static/js/progress.js');
  return cases.map((event) => stepText(event));
}"""


def test_the_card_names_what_it_counts(page: Page, web_stack: Stack) -> None:
    page.goto(web_stack.base_url + "/")
    cases = [
        {"step": 26, "total": 1000, "unit": "round"},
        {"step": 2, "total": 20, "unit": "trial"},
        {"step": 20, "total": 20, "unit": "trial"},
        {"step": 3, "unit": "trial"},
        {"step": 1, "total": 4, "unit": "algorithm"},
        {"step": 3, "total": 200},
        {"step": 45, "total": 300, "unit": "second"},
    ]
    assert page.evaluate(COUNTED, cases) == [
        "round 26 of 1000",
        "trial 3 of 20",
        "20 of 20 trials done",
        "trial 4 (time-boxed)",
        "algorithm 2 of 4",
        "step 3 of 200",
        "45 s of 300 s budget",
    ]


# Every text the run card's step and time lines take, in order.
WATCH_CARD_TEXT = """(runId) => {
  window.cardText = { step: [], time: [] };
  const card = document.querySelector(`.run-card[data-run-id="${runId}"]`);
  const follow = (node, into) => new MutationObserver(() => {
    if (into.at(-1) !== node.textContent) into.push(node.textContent);
  }).observe(node, { childList: true, characterData: true, subtree: true });
  follow(card.querySelector('.step'), window.cardText.step);
  follow(card.querySelector('.elapsed'), window.cardText.time);
}"""


def test_a_tuning_card_counts_trials_then_the_refit_rounds(page: Page, web_stack: Stack) -> None:
    open_chat(page, web_stack)
    pick_dataset(page, "penguins")
    plan = say(page, "tune xgboost on species with 6 trials")
    expect(plan.locator(".plan-card dd", has_text="6")).to_be_visible()
    run_id = approve(plan)
    page.evaluate(WATCH_CARD_TEXT, run_id)
    card = page.locator(f".run-card[data-run-id='{run_id}']").last
    expect(card.locator(".step")).to_contain_text("of 6")
    screenshot(page, "progress-tuning-trials")
    expect(card.locator(".status")).to_have_text("finished", timeout=180_000)

    seen: dict[str, list[str]] = page.evaluate("window.cardText")
    trials = [text for text in seen["step"] if text.startswith("trial ")]
    assert trials and all(text.endswith(" of 6") for text in trials), seen["step"]
    assert not any("of 1000" in text for text in seen["step"]), seen["step"]
    # The refit that follows the search counts its own boosting rounds.
    assert any(text.startswith("round ") for text in seen["step"][seen["step"].index(trials[-1]) :])

    events = run_events(web_stack, run_id)
    search = [e for e in events if e["type"] == "progress" and e.get("unit") == "trial"]
    assert search and {e["total"] for e in search} == {6}
    assert max(e["step"] for e in search) == 6
