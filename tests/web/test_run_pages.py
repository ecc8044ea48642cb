"""The page's addresses: #/c/{id} follows the address bar, #/runs/{id} is a run's own page,
#/runs the run history with search, filters and pages."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.service.helpers import csv_bytes, upload, wait_for, wait_for_result_message
from tests.service.stack import Stack
from tests.web.chat_page import metric_cells, plot_data
from tests.web.conftest import screenshot

pytestmark = pytest.mark.integration


def _say(client: httpx.Client, conversation_id: int, text: str) -> dict[str, Any]:
    said = client.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": text})
    assert said.status_code == 200, said.text
    reply: dict[str, Any] = said.json()["reply"]
    return reply


def _conversation(client: httpx.Client, dataset: str, *texts: str) -> dict[str, Any]:
    conversation: dict[str, Any] = client.post(
        "/api/v1/conversations", json={"dataset": {"name": dataset}}
    ).json()
    conversation["replies"] = [_say(client, conversation["id"], text) for text in texts]
    return conversation


@pytest.fixture(scope="module")
def trained(web_stack: Stack) -> dict[str, Any]:
    """A run started from a conversation (request, plan, yes), finished and summarised."""
    with httpx.Client(base_url=web_stack.base_url, timeout=60) as client:
        request = "train xgboost on species, hold out a quarter stratified, 5-fold cross validation"
        conversation = _conversation(client, "penguins", request, "yes")
        run_part = next(p for p in conversation["replies"][1]["parts"] if p["type"] == "run")
        job = wait_for(client, "train", run_part["job_id"], {"finished", "failed"})
        assert job["run_status"] == "finished", job
        wait_for_result_message(client, conversation["id"], job["run_id"])
        penguins = next(d for d in client.get("/api/v1/datasets").json() if d["name"] == "penguins")
    return {"conversation": conversation, "request": request, "run": job, "penguins": penguins}


def test_changing_the_conversation_in_the_address_shows_it(page: Page, web_stack: Stack) -> None:
    with httpx.Client(base_url=web_stack.base_url, timeout=60) as client:
        first = _conversation(client, "penguins", "list the datasets")
        second = _conversation(client, "iris", "what columns are there?")
    asked = page.locator(".message.user .body").first
    page.goto(f"{web_stack.base_url}/#/c/{first['id']}")
    expect(asked).to_have_text("list the datasets")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")

    page.evaluate("id => { location.hash = `#/c/${id}`; }", second["id"])
    expect(asked).to_have_text("what columns are there?")
    expect(page.locator(".message.assistant").last).to_contain_text("petal_length_cm")
    expect(page.locator("#conversation-list [aria-current='true']")).to_have_text(
        "what columns are there?"
    )
    expect(page.locator("#dataset-picker option:checked")).to_contain_text("iris")

    page.go_back()
    expect(asked).to_have_text("list the datasets")
    expect(page.locator("#conversation-list [aria-current='true']")).to_have_text(
        "list the datasets"
    )
    # What the newly shown conversation says arrives live: its socket is the one open.
    page.get_by_label("Message").fill("what columns are there?")
    page.get_by_label("Message").press("Enter")
    expect(page.locator(".message.assistant[data-message-id]").last).to_contain_text("species")
    assert page.locator(".message.user .body").all_inner_texts() == [
        "list the datasets", "what columns are there?"]  # fmt: skip


def test_a_run_has_a_page_of_its_own(page: Page, web_stack: Stack, trained: dict[str, Any]) -> None:
    run_id, conversation = trained["run"]["run_id"], trained["conversation"]
    stored: dict[str, Any] = httpx.get(f"{web_stack.base_url}/api/v1/runs/{run_id}").json()
    page.goto(f"{web_stack.base_url}/#/runs/{run_id}")
    view = page.locator("#run-page")
    expect(view.locator("h2")).to_have_text(f"Run {run_id} · train · xgboost → species")
    expect(page.locator(".chat")).to_be_hidden()
    expect(view.locator(".status")).to_have_text("finished")
    expect(view.locator(".facts")).to_contain_text("dataset penguins")
    expect(view.locator("dl.config")).to_contain_text("25% test, stratified")

    # How it was scored before the test part: each fold, then the mean ± spread.
    chosen = view.get_by_role("region", name="How it was chosen").locator("table")
    folds = stored["result"]["cross_validation"]
    expect(chosen.locator("caption")).to_have_text(
        f"Scored on 5-fold cross-validation of {folds['rows']} training rows, before the test part"
    )
    heads = chosen.locator("thead th").all_inner_texts()
    assert heads == ["metric", "fold 1", "fold 2", "fold 3", "fold 4", "fold 5", "mean ± spread"]
    accuracy = chosen.locator("tbody tr", has_text="accuracy").locator("td").all_inner_texts()
    expected = folds["metrics"]["accuracy"]["folds"]
    assert [float(cell) for cell in accuracy[:5]] == pytest.approx(expected, abs=1e-3)
    assert " ± " in accuracy[5]

    shown = metric_cells(view)
    assert set(shown) == set(stored["result"]["metrics"]) >= {"train", "test"}
    for split, metrics in stored["result"]["metrics"].items():
        for name, value in metrics.items():
            assert float(shown[split][name]) == pytest.approx(value, rel=1e-3), (split, name)

    chart = "#run-page .plot[data-plot='confusion_matrix']"
    expect(page.locator(f"{chart} .js-plotly-plot")).to_be_visible()
    assert plot_data(page, chart)[0]["z"] == stored["result"]["confusion_matrix"]["matrix"]
    expect(view.locator(".summary")).to_contain_text(f"Run {run_id} finished")
    expect(view.locator(".summary")).to_contain_text("accuracy")

    exchange = view.locator(".exchange .message")
    expect(exchange.first).to_contain_text(trained["request"])
    expect(exchange.last).to_contain_text(f"Started train run {run_id}")
    assert "yes" in exchange.all_inner_texts()[-2]

    expect(view.locator("pre.script")).to_contain_text("import")
    script = httpx.get(f"{web_stack.base_url}/api/v1/runs/{run_id}/reproduce").text
    assert view.locator("pre.script").inner_text().strip() == script.strip()
    base = f"/api/v1/runs/{run_id}"
    for name, href in [("Download model", f"{base}/model"),
                       ("Download predictions (CSV)", f"{base}/predictions.csv"),
                       ("Export notebook", f"{base}/notebook")]:  # fmt: skip
        expect(view.get_by_role("link", name=name)).to_have_attribute("href", href)
    view.evaluate("node => node.scrollTo(0, 0)")
    screenshot(page, "run-page")

    # Scoring a dataset posts the contract's request and says how it went.
    form = view.get_by_role("form", name=f"Score a dataset with run {run_id}")
    expect(form.get_by_label("Score a dataset")).to_have_value(str(trained["penguins"]["id"]))
    with page.expect_request(lambda r: r.method == "POST" and "/predict" in r.url) as sent:
        form.get_by_role("button", name="Download scores (CSV)").click()
    assert sent.value.url.endswith(f"{base}/predict?format=csv")
    assert sent.value.post_data_json == {"dataset_id": trained["penguins"]["id"]}
    expect(form.get_by_role("status")).to_have_text(re.compile(r"^(Downloaded|Could not score)"))

    title = httpx.get(f"{web_stack.base_url}/api/v1/conversations/{conversation['id']}").json()
    assert title["title"] == trained["request"]  # named after its first message
    view.get_by_role("link", name=f"Conversation “{title['title']}”").click()
    expect(page.locator(".chat")).to_be_visible()
    expect(page.locator(".message.user .body").first).to_have_text(trained["request"])
    assert page.url.endswith(f"#/c/{conversation['id']}")
    page.go_back()
    expect(view.locator("h2")).to_contain_text(f"Run {run_id}")


def test_the_card_and_the_runs_panel_link_to_the_run_page(
    page: Page, web_stack: Stack, trained: dict[str, Any]
) -> None:
    run_id = trained["run"]["run_id"]
    page.goto(f"{web_stack.base_url}/#/c/{trained['conversation']['id']}")
    card = page.locator(f".run-card[data-run-id='{run_id}']")
    expect(card.locator(".status")).to_have_text("finished")
    expect(card.get_by_role("link", name="Download predictions (CSV)")).to_have_attribute(
        "href", f"/api/v1/runs/{run_id}/predictions.csv"
    )
    expect(card.get_by_role("button", name="Download scores (CSV)")).to_be_visible()
    expect(page.locator(f"#run-list li[data-run-id='{run_id}'] a.permalink")).to_have_attribute(
        "href", f"#/runs/{run_id}"
    )
    card.get_by_role("link", name="Run page").click()
    expect(page.locator("#run-page h2")).to_contain_text(f"Run {run_id}")
    expect(page.locator(".chat")).to_be_hidden()
    page.go_back()
    expect(page.locator(".chat")).to_be_visible()
    page.locator(f"#run-list li[data-run-id='{run_id}'] a.permalink").click()
    expect(page.locator("#run-page h2")).to_contain_text(f"Run {run_id}")


def _ledger(rows: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(rows, 2)), columns=["price", "volume"])
    frame["revenue"] = frame["price"] * 3 + frame["volume"] + rng.normal(scale=0.1, size=rows)
    return frame


def test_run_history_searches_filters_and_pages(page: Page, web_stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6]
    name = f"ledger_{tag}"
    with httpx.Client(base_url=web_stack.base_url, timeout=60) as client:
        dataset = upload(client, csv_bytes(_ledger()), "ledger.csv", name=name).json()
        ref = {"id": dataset["id"]}
        model = {"dataset": ref, "target_column": "revenue"}
        jobs = [("explore", {"explorer": "histogram", "dataset": ref, "columns": ["price"]}),
                ("train", {**model, "algorithm": "linear"}),
                ("train", {**model, "algorithm": "random_forest",
                           "hyperparameters": {"n_estimators": 20}})]  # fmt: skip
        runs = []
        for route, config in jobs:
            job_id = client.post(f"/api/v1/ml/{route}", json=config).json()["job_id"]
            runs.append(wait_for(client, route, job_id, {"finished", "failed"}))
        assert [run.get("run_status", run["status"]) for run in runs] == ["finished"] * 3
    newest_first = [run["run_id"] for run in reversed(runs)]

    page.goto(f"{web_stack.base_url}/#/runs")
    view = page.locator("#history")
    expect(view.get_by_role("heading", name="Run history")).to_be_visible()
    expect(view.locator(".count")).to_contain_text("runs 1\u2013")
    screenshot(page, "history")

    view.get_by_label("Search").fill(tag)
    view.get_by_label("Search").press("Enter")
    rows = view.locator("tbody tr")
    expect(rows).to_have_count(3)
    assert [int(r) for r in rows.evaluate_all("rs => rs.map(r => r.dataset.runId)")] == newest_first
    assert f"q={tag}" in page.url
    linear = view.locator(f"tr[data-run-id='{runs[1]['run_id']}']")
    expect(linear).to_contain_text(name)
    expect(linear).to_contain_text("linear")
    expect(linear.locator(".headline")).to_contain_text("rmse")
    expect(linear.get_by_role("link")).to_have_attribute("href", f"#/runs/{runs[1]['run_id']}")
    expect(view.locator(f"tr[data-run-id='{runs[0]['run_id']}']")).to_contain_text("histogram")

    view.get_by_label("Kind").select_option("explore")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-run-id", str(runs[0]["run_id"]))
    view.get_by_label("Kind").select_option("")
    view.get_by_label("Algorithm").select_option("random_forest")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-run-id", str(runs[2]["run_id"]))
    view.get_by_label("Status").select_option("failed")
    expect(view.locator(".count")).to_have_text("No runs match these filters.")

    # A page of two at a time, by the address: next, then back.
    page.goto(f"{web_stack.base_url}/#/runs?dataset_id={dataset['id']}&limit=2")
    expect(view.locator(".count")).to_have_text("runs 1\u20132 of 3")
    expect(view.get_by_label("Dataset")).to_have_value(str(dataset["id"]))
    view.get_by_role("link", name="Next →").click()
    expect(view.locator(".count")).to_have_text("runs 3\u20133 of 3")
    expect(rows.first).to_have_attribute("data-run-id", str(newest_first[2]))
    view.get_by_role("link", name="← Previous").click()
    expect(view.locator(".count")).to_have_text("runs 1\u20132 of 3")

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    view.get_by_label("From").fill(tomorrow)
    expect(view.locator(".count")).to_have_text("No runs match these filters.")
    today = datetime.now(UTC).date().isoformat()
    view.get_by_label("From").fill(today)
    expect(view.locator(".count")).to_have_text("runs 1\u20132 of 3")

    rows.first.get_by_role("link").click()
    expect(page.locator("#run-page h2")).to_contain_text(f"Run {newest_first[0]}")
    expect(page.locator("#run-page")).to_contain_text("Started through the API")
