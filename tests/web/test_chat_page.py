"""The browser chat against a running mlchat: what a person sees and can do."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from ml_backend.numbers import format_metric
from tests.service.helpers import wait_for
from tests.service.stack import Stack
from tests.web.chat_page import (
    RUN_ENDS_MS,
    WATCH_PROGRESS,
    approve,
    metric_cells,
    open_chat,
    pick_dataset,
    plot_data,
    progress_steps,
    say,
    upload_wide_table,
)
from tests.web.conftest import screenshot

pytestmark = pytest.mark.integration


def _run(stack: Stack, run_id: int) -> dict[str, object]:
    run: dict[str, object] = httpx.get(f"{stack.base_url}/api/v1/runs/{run_id}").json()
    return run


def test_scatter_then_train_approve_watch_and_read_the_summary(
    page: Page, web_stack: Stack
) -> None:
    frames: list[dict[str, object]] = []
    page.on("websocket", lambda socket: socket.on(
        "framereceived", lambda payload: frames.append(json.loads(payload))))  # fmt: skip
    open_chat(page, web_stack)
    pick_dataset(page, "penguins")

    say(page, "scatter bill length against bill depth by species")
    # The reply streamed in before it was stored.
    assert any(frame.get("type") == "delta" for frame in frames)
    chart = ".message.result .plot[data-plot='scatter']"
    expect(page.locator(f"{chart} .js-plotly-plot").first).to_be_visible()
    traces = plot_data(page, chart)
    # One trace per species, every penguin with both bill measurements drawn once.
    assert sorted(t["name"] for t in traces) == ["Adelie", "Chinstrap", "Gentoo"]
    assert sum(len(t["x"]) for t in traces) == 342
    screenshot(page, "01-scatter")

    plan = say(page, "train xgboost on species with 400 trees")
    expect(plan.locator(".plan-card dd", has_text="n_estimators = 400")).to_be_visible()
    plan.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Message")).to_be_focused()
    revised = say(page, "make it 3000 trees")
    expect(revised.locator(".plan-card dd", has_text="n_estimators = 3000")).to_be_visible()
    expect(plan.get_by_role("button", name="Run")).to_be_disabled()
    screenshot(page, "02-plan")

    page.evaluate(WATCH_PROGRESS)
    run_id = approve(revised)
    card = page.locator(f".run-card[data-run-id='{run_id}']").last
    expect(card.locator(".status")).to_have_text("training")
    expect(card.locator(".step")).to_contain_text("of 3000")
    screenshot(page, "03-training")
    expect(card.locator(".status")).to_have_text("finished", timeout=RUN_ENDS_MS)

    seen = page.evaluate(f"window.progressSeen['{run_id}'] || []")
    moving = [v for v in seen if 0 < v < 1]
    assert len(set(moving)) >= 2, f"the progress bar did not move: {seen}"
    assert moving == sorted(moving) and seen[-1] == 1

    stored = _run(web_stack, run_id)["result"]
    assert isinstance(stored, dict)
    shown = metric_cells(card)
    for name in ("accuracy", "f1", "log_loss"):
        assert shown["test"][name] == format_metric(name, stored["metrics"]["test"][name]), name
    expect(card.get_by_role("link", name="Download model")).to_have_attribute(
        "href", f"/api/v1/runs/{run_id}/model"
    )

    summary = page.locator(".message.result", has_text=f"Run {run_id} finished")
    accuracy = format_metric("accuracy", stored["metrics"]["test"]["accuracy"])
    expect(summary).to_contain_text(accuracy)
    expect(summary.locator(".plot[data-plot='confusion_matrix'] .js-plotly-plot")).to_be_visible()
    summary_id = summary.get_attribute("data-message-id")
    drawn = plot_data(
        page, f".message[data-message-id='{summary_id}'] .plot[data-plot='confusion_matrix']"
    )
    assert drawn[0]["z"] == stored["confusion_matrix"]["matrix"]
    summary.evaluate("node => node.scrollIntoView({block: 'start'})")
    screenshot(page, "04-summary")

    second = say(page, "now try lightgbm")
    other_id = approve(second)
    other = page.locator(f".run-card[data-run-id='{other_id}']").last
    expect(other.locator(".status")).to_have_text("finished", timeout=RUN_ENDS_MS)

    runs = page.locator("#run-list")
    expect(runs.locator(f"li[data-run-id='{run_id}'] .status")).to_have_text("finished")
    runs.get_by_label(f"Select run {run_id} to compare").check()
    runs.get_by_label(f"Select run {other_id} to compare").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    dialog = page.locator("#compare-dialog")
    expect(dialog.locator("tbody tr")).to_have_count(2)
    expect(dialog.locator(".compare-chart.js-plotly-plot")).to_be_visible()
    bars = plot_data(page, "#compare-dialog .compare-chart")
    other_stored = _run(web_stack, other_id)["result"]
    assert isinstance(other_stored, dict)
    assert bars[0]["y"] == [
        stored["metrics"]["test"]["accuracy"],
        other_stored["metrics"]["test"]["accuracy"],
    ]
    screenshot(page, "05-compare")


def test_cancel_a_running_job_from_its_card(page: Page, web_stack: Stack, tmp_path: Path) -> None:
    upload_wide_table(web_stack, tmp_path)
    open_chat(page, web_stack)
    pick_dataset(page, "wide")
    plan = say(page, "train xgboost on y with 5000 trees and max depth 12")
    run_id = approve(plan)
    card = page.locator(f".run-card[data-run-id='{run_id}']").last
    expect(card.locator(".step")).to_contain_text("of 5000")
    # The time left shows only once the run's own pace is measurable, which a busy machine may
    # delay past the cancel: either the estimate or the honest "estimating…" is on the card.
    expect(card.locator(".elapsed")).to_contain_text(re.compile(r"left|estimating…"))
    screenshot(page, "06-running")
    card.get_by_role("button", name="Cancel").click()
    expect(card.locator(".status")).to_have_text("cancelled")
    expect(card.get_by_role("button", name="Cancel")).to_be_hidden()
    assert _run(web_stack, run_id)["status"] == "cancelled"
    # The agent said it would write when the run ends: it does, however it ends.
    said = page.locator(".message.assistant.result", has_text=f"Run {run_id} was cancelled")
    expect(said).to_be_visible()
    expect(said).to_have_attribute("data-run-status", "cancelled")
    screenshot(page, "07-cancelled")


DROP_FILE = """name => {
  const transfer = new DataTransfer();
  transfer.items.add(new File(["a,b\\n1,2\\n3,4\\n5,6\\n7,8\\n9,10\\n"], name, {type: "text/csv"}));
  window.dispatchEvent(new DragEvent("dragenter", {dataTransfer: transfer}));
  if (document.getElementById("drop-zone").hidden) throw new Error("no drop zone shown");
  window.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, cancelable: true}));
}"""


def test_upload_by_file_input_and_view_the_profile(
    page: Page, web_stack: Stack, tmp_path: Path
) -> None:
    open_chat(page, web_stack)
    csv = tmp_path / "plants.csv"
    csv.write_text("height_cm,leaf_count,kind\n" + "".join(
        f"{10 + i * 0.5},{i % 7},{'fern' if i % 3 else 'moss'}\n" for i in range(60)
    ))  # fmt: skip
    page.set_input_files("#upload-input", str(csv))
    expect(page.locator("#upload-label")).to_contain_text("Uploaded plants: 60 rows, 3 columns")
    listed = httpx.get(f"{web_stack.base_url}/api/v1/datasets").json()
    plants = next(d for d in listed if d["name"] == "plants")
    expect(page.locator("#dataset-picker")).to_have_value(str(plants["id"]))

    page.get_by_role("button", name="View", exact=True).click()
    dialog = page.locator("#dataset-dialog")
    expect(dialog.locator("table.profile tbody tr")).to_have_count(3)
    expect(dialog.locator("table.profile tbody tr", has_text="height_cm")).to_contain_text(
        "10 \u2013 39.5"  # the page writes ranges with an en dash
    )
    expect(dialog.locator("table.rows tbody tr")).to_have_count(20)
    screenshot(page, "08-dataset")
    dialog.get_by_role("button", name="Close").click()

    page.evaluate(DROP_FILE, "dropped.csv")
    expect(page.locator("#upload-label")).to_contain_text("Uploaded dropped: 5 rows, 2 columns")

    empty = tmp_path / "empty.csv"
    empty.write_text("")
    page.set_input_files("#upload-input", str(empty))
    expect(page.locator("#upload-status")).to_have_class(re.compile("failed"))
    expect(page.locator("#upload-label")).to_contain_text("empty")
    names = [d["name"] for d in httpx.get(f"{web_stack.base_url}/api/v1/datasets").json()]
    assert "empty" not in names


def test_reload_keeps_the_conversation_and_keys_work(page: Page, web_stack: Stack) -> None:
    open_chat(page, web_stack)
    pick_dataset(page, "iris")
    described = say(page, "what columns are there?")
    expect(described).to_contain_text("petal_length_cm")
    box = page.get_by_label("Message")
    box.press("ArrowUp")
    expect(box).to_have_value("what columns are there?")
    box.fill("")
    box.type("first line")
    box.press("Shift+Enter")
    box.type("second")
    expect(box).to_have_value("first line\nsecond")
    box.fill("")
    unclear = say(page, "build me something")
    expect(unclear).to_have_class(re.compile("clarify"))
    plan = say(page, "train a random forest on species")
    plan.locator(".plan-card").get_by_role("button", name="Cancel").click()
    expect(page.locator(".message.assistant[data-message-id]").last).to_contain_text("dropped")
    expect(plan.locator(".run-card")).to_have_count(0)
    say(page, "histogram of sepal width")
    expect(page.locator(".message.result .plot .js-plotly-plot")).to_be_visible()
    texts = page.locator(".message[data-message-id]").all_inner_texts()
    url = page.url

    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    assert page.url == url
    expect(page.locator(".message[data-message-id]")).to_have_count(len(texts))
    assert page.locator(".message[data-message-id]").all_inner_texts() == texts
    expect(page.locator(".message.result .plot .js-plotly-plot")).to_be_visible()
    expect(page.locator("#dataset-picker option:checked")).to_contain_text("iris")
    current = page.locator("#conversation-list [aria-current='true']")
    expect(current).to_have_text("what columns are there?")


def test_rename_a_conversation(page: Page, web_stack: Stack) -> None:
    open_chat(page, web_stack)
    say(page, "list the datasets")
    current = page.locator("#conversation-list [aria-current='true']")
    expect(current).to_have_text("list the datasets")  # the title the first message gave it
    item = page.locator("#conversation-list li").filter(has=page.locator("[aria-current='true']"))
    item.get_by_role("button", name=re.compile("Rename")).click()
    title = page.get_by_label("New title")
    title.fill("Not this one")
    title.press("Escape")  # gives up the rename: nothing is saved
    expect(current).to_have_text("list the datasets")
    item.get_by_role("button", name=re.compile("Rename")).click()
    title.fill("Penguin questions")
    title.press("Enter")
    expect(page.locator("#conversation-list [aria-current='true']")).to_have_text(
        "Penguin questions"
    )
    titles = [c["title"] for c in httpx.get(f"{web_stack.base_url}/api/v1/conversations").json()]
    assert "Penguin questions" in titles


def test_narrow_screen_and_labels(browser_narrow: Page, web_stack: Stack) -> None:
    page = browser_narrow
    page.goto(web_stack.base_url + "/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    expect(page.locator("#conversations")).to_be_hidden()
    expect(page.get_by_label("Message")).to_be_visible()
    page.get_by_role("button", name="Conversations").click()
    expect(page.locator("#conversations")).to_be_visible()
    screenshot(page, "10-narrow")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, textarea')]
          .filter(el => el.type !== 'file' && !el.closest('[hidden]'))
          .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                        && !el.textContent.trim())
          .map(el => el.outerHTML)"""
    )
    assert unlabelled == []


def test_tuning_and_forecast_plots_in_run_details(page: Page, web_stack: Stack) -> None:
    tune = {"algorithm": "xgboost", "dataset": {"name": "iris"}, "target_column": "species",
            "n_trials": 6, "goal_metric": "f1"}  # fmt: skip
    forecast = {"algorithm": "arima", "task_type": "forecasting", "dataset": {"name": "sunspots"},
                "target_column": "sunspots", "time_column": "year", "horizon": 10}  # fmt: skip
    with httpx.Client(base_url=web_stack.base_url, timeout=60) as client:
        tuned = client.post("/api/v1/ml/tune", json=tune).json()
        forecasted = client.post("/api/v1/ml/train", json=forecast).json()
        for kind, job in (("tune", tuned), ("train", forecasted)):
            done = wait_for(client, kind, job["job_id"], {"finished", "failed"})
            assert done.get("run_status", done["status"]) == "finished"  # train says run_status
    page.goto(web_stack.base_url + "/")
    runs = page.locator("#run-list")
    dialog = page.locator("#run-dialog")

    runs.locator(f"li[data-run-id='{tuned['run_id']}'] button.link").click()
    expect(dialog.locator(".plot[data-plot='history'] .js-plotly-plot")).to_be_visible()
    history = plot_data(page, "#run-dialog .plot[data-plot='history']")
    stored = httpx.get(f"{web_stack.base_url}/api/v1/runs/{tuned['run_id']}/plots/history")
    assert [trace["y"] for trace in history] == [trace["y"] for trace in stored.json()["data"]]
    expect(dialog.locator("table.metrics:not(.selection)")).to_contain_text("f1")
    # The tuning's trials were scored on folds of the training rows, shown apart from the test.
    expect(dialog.locator("table.selection caption")).to_contain_text("5-fold cross-validation")
    expect(dialog.get_by_role("link", name="Reproduce script")).to_be_visible()
    screenshot(page, "11-tuning")
    dialog.get_by_role("button", name="Close").click()

    runs.locator(f"li[data-run-id='{forecasted['run_id']}'] button.link").click()
    expect(dialog.locator(".plot[data-plot='forecast'] .js-plotly-plot")).to_be_visible()
    expect(dialog.locator("dl.config")).to_contain_text("10 steps")
    screenshot(page, "12-forecast")


def test_scatter_matrix_draws_with_webgl_under_the_policy(page: Page, web_stack: Stack) -> None:
    # The one chart that needs the policy's 'unsafe-eval': Plotly's WebGL traces compile their
    # shaders with Function; blocked, it draws "WebGL is not supported" instead.
    open_chat(page, web_stack)
    pick_dataset(page, "penguins")
    say(page, "scatter matrix of bill length, bill depth and flipper length by species")
    selector = ".message.result .plot[data-plot='scatter_matrix']"
    chart = page.locator(selector).last
    expect(chart.locator(".js-plotly-plot")).to_be_visible()
    expect(chart.locator("canvas").first).to_be_attached()
    expect(chart).not_to_contain_text("WebGL is not supported")
    assert sorted(trace["name"] for trace in plot_data(page, selector)) == [
        "Adelie", "Chinstrap", "Gentoo"]  # fmt: skip


def test_markup_in_data_is_shown_never_run(page: Page, web_stack: Stack, tmp_path: Path) -> None:
    hostile = "<img src=x onerror=window.pwned=1>"
    csv = tmp_path / "hostile.csv"
    csv.write_text(f'"{hostile}",score\n' + "".join(f"a{i % 3},{i}\n" for i in range(30)))
    with csv.open("rb") as file:
        response = httpx.post(f"{web_stack.base_url}/api/v1/datasets",
                              files={"file": file}, data={"name": "hostile"})  # fmt: skip
    assert response.status_code == 201, response.text
    open_chat(page, web_stack)
    pick_dataset(page, "hostile")
    reply = say(page, "what columns are there?")
    expect(reply).to_contain_text(hostile)
    assert reply.locator("img").count() == 0
    assert page.evaluate("window.pwned") is None


# Last: it restarts the API under the other tests' feet.
def test_says_offline_while_the_server_is_down_and_reconnects(
    page: Page, web_stack: Stack, tmp_path: Path
) -> None:
    upload_wide_table(web_stack, tmp_path)
    open_chat(page, web_stack)
    pick_dataset(page, "wide")
    run_id = approve(say(page, "train xgboost on y with 400 trees and max depth 8"))
    card = page.locator(f".run-card[data-run-id='{run_id}']").last
    expect(card.locator(".step")).to_contain_text("of 400")

    assert web_stack.api is not None
    web_stack.api.send_signal(signal.SIGTERM)
    web_stack.api.wait(timeout=120)
    expect(page.locator("#connection")).to_have_text("Offline \u2014 reconnecting\u2026")
    screenshot(page, "09-offline")
    web_stack.api = web_stack.spawn("api")
    web_stack.wait_healthy(len(web_stack.workers))
    expect(page.locator("#connection")).to_have_text("Live")

    # The card picked up where it left off: every point of the run's stream drawn once.
    expect(card.locator(".status")).to_have_text("finished", timeout=RUN_ENDS_MS)
    drawn = plot_data(page, f".run-card[data-run-id='{run_id}'] .live-chart")
    steps = progress_steps(web_stack, run_id)
    assert drawn[0]["x"] == steps
    expect(say(page, "what columns are there?")).to_contain_text("x11")
