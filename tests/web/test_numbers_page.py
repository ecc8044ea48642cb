"""One way to read a number: the page's formatter and the summaries' agree, case for case."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from ml_backend.numbers import format_metric, format_number, format_param
from tests.ml_backend.number_cases import METRIC_CASES, NUMBER_CASES, PARAM_CASES
from tests.service.stack import Stack
from tests.web.chat_page import approve, metric_cells, open_chat, pick_dataset, say
from tests.web.conftest import screenshot

pytestmark = pytest.mark.integration

FORMAT_IN_THE_PAGE = """async (cases) => {
  const numbers = await import('/static/js/numbers.js');
  return {
    metrics: cases.metrics.map(([name, value]) => numbers.formatMetric(name, value)),
    numbers: cases.numbers.map((value) => numbers.formatNumber(value)),
    params: cases.params.map((value) => numbers.formatParam(value)),
  };
}"""


def test_the_page_formats_every_case_as_the_summaries_do(page: Page, web_stack: Stack) -> None:
    page.goto(web_stack.base_url + "/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    cases = {"metrics": METRIC_CASES, "numbers": NUMBER_CASES, "params": PARAM_CASES}
    shown: dict[str, list[str]] = page.evaluate(FORMAT_IN_THE_PAGE, cases)
    expected = {
        "metrics": [format_metric(name, value) for name, value in METRIC_CASES],
        "numbers": [format_number(value) for value in NUMBER_CASES],
        "params": [format_param(value) for value in PARAM_CASES],
    }
    for part, values in expected.items():
        disagree = [
            (case, python, js)
            for case, python, js in zip(cases[part], values, shown[part], strict=True)
            if python != js
        ]
        assert not disagree, f"{part}: (case, Python, page) differ: {disagree}"


def test_the_page_reads_metric_kinds_from_the_server(web_stack: Stack) -> None:
    kinds = httpx.get(f"{web_stack.base_url}/static/js/metric-kinds.json").json()
    catalogue = httpx.get(f"{web_stack.base_url}/api/v1/components?type=metric").json()
    assert kinds == {metric["name"]: metric["kind"] for metric in catalogue}
    assert kinds["accuracy"] == "share" and kinds["mape"] == "percent"


def _run(stack: Stack, run_id: int) -> dict[str, Any]:
    run: dict[str, Any] = httpx.get(f"{stack.base_url}/api/v1/runs/{run_id}").json()
    return run


def test_a_finished_classifier_reads_the_same_accuracy_everywhere(
    page: Page, web_stack: Stack
) -> None:
    open_chat(page, web_stack)
    pick_dataset(page, "penguins")
    run_id = approve(say(page, "train a random forest on species"))
    card = page.locator(f".run-card[data-run-id='{run_id}']").last
    expect(card.locator(".status")).to_have_text("finished", timeout=120_000)
    accuracy = _run(web_stack, run_id)["result"]["metrics"]["test"]["accuracy"]
    expected = format_metric("accuracy", accuracy)
    assert re.fullmatch(r"\d\.\d{3}", expected)

    summary = page.locator(".message.result", has_text=f"Run {run_id} finished")
    expect(summary).to_contain_text(f"accuracy is {expected}")
    row = page.locator(f"#run-list li[data-run-id='{run_id}']")
    expect(row.locator(".headline")).to_have_text(f"accuracy {expected}")
    expect(card.locator("table.metrics:not(.selection)")).to_be_visible()
    assert metric_cells(card)["test"]["accuracy"] == expected
    screenshot(page, "numbers-classifier")
