"""The lineage page (#/lineage/{kind}/{id}) draws the graph of a model and of a dataset: a
run's node opens the run's page, a dataset's re-centres the graph; it reads in both schemes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.service.helpers import csv_bytes, wait_for
from tests.service.stack import Stack
from tests.web.conftest import WAIT_CAP_MS, screenshot
from tests.web.test_dark_mode import AA_TEXT, _contrast

pytestmark = pytest.mark.integration


def _frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=160), rng.normal(size=160)
    return pd.DataFrame({"x1": x1, "x2": x2, "label": np.where(x1 + x2 > 0, "yes", "no")})


def _finished(client: httpx.Client, accepted: httpx.Response) -> int:
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, "train", accepted.json()["job_id"], {"finished", "failed"})
    assert job["run_status"] == "finished", job
    return int(job["run_id"])


@pytest.fixture(scope="module")
def story(web_stack: Stack) -> dict[str, Any]:
    """Version 1 trained on, version 2 uploaded under the same name and the run retrained."""
    name = f"lineage-{uuid.uuid4().hex[:6]}"
    with httpx.Client(base_url=web_stack.base_url, timeout=60) as client:

        def put(seed: int) -> dict[str, Any]:
            made = client.post(
                "/api/v1/datasets",
                data={"name": name, "new_version": "true"},
                files={"file": (f"{name}.csv", csv_bytes(_frame(seed)))},
            )
            assert made.status_code == 201, made.text
            return dict(made.json())

        v1 = put(1)
        config = {
            "algorithm": "random_forest",
            "dataset": {"id": v1["id"]},
            "target_column": "label",
            "hyperparameters": {"n_estimators": 5, "n_jobs": 1},
        }
        first = _finished(client, client.post("/api/v1/ml/train", json=config))
        v2 = put(2)
        second = _finished(
            client, client.post(f"/api/v1/runs/{first}/retrain", json={"data": "latest"})
        )
    return {"name": name, "v1": v1, "v2": v2, "first": first, "second": second}


def _node(page: Page, kind: str, node_id: int) -> Any:
    return page.locator(
        f"svg.lineage-graph a.lineage-node[data-kind='{kind}'][data-id='{node_id}']"
    )


def test_a_models_graph_shows_its_data_and_a_click_opens_the_run(
    page: Page, web_stack: Stack, story: dict[str, Any]
) -> None:
    page.goto(f"{web_stack.base_url}/#/lineage/model/{story['second']}")
    expect(page.locator("#lineage-page h2")).to_have_text(
        f"Lineage of model of run {story['second']}"
    )
    for kind, node_id in (
        ("dataset", story["v2"]["id"]),
        ("run", story["second"]),
        ("run", story["first"]),
        ("model", story["second"]),
    ):
        expect(_node(page, kind, node_id)).to_be_visible()
    expect(_node(page, "dataset", story["v2"]["id"])).to_contain_text(f"{story['name']} v2")
    assert page.locator("svg.lineage-graph path.lineage-edge[data-relation='input']").count() >= 1
    screenshot(page, "lineage-model")

    _node(page, "run", story["first"]).click()
    expect(page).to_have_url(f"{web_stack.base_url}/#/runs/{story['first']}")
    expect(page.locator("#run-page h2")).to_contain_text(f"Run {story['first']}")
    page.locator("#run-page a.to-lineage").click()
    expect(page.locator("#lineage-page h2")).to_have_text(
        f"Lineage of train run {story['first']} (random_forest)"
    )


def test_a_datasets_graph_shows_both_versions_and_recentres(
    page: Page, web_stack: Stack, story: dict[str, Any]
) -> None:
    v1, v2 = story["v1"], story["v2"]
    page.goto(f"{web_stack.base_url}/#/lineage/dataset/{v1['id']}")
    expect(page.locator("#lineage-page h2")).to_have_text(f"Lineage of {story['name']} v1")
    for kind, node_id in (("dataset", v2["id"]), ("run", story["first"]), ("run", story["second"])):
        expect(_node(page, kind, node_id)).to_be_visible()
    screenshot(page, "lineage-dataset")
    _node(page, "dataset", v2["id"]).click()
    expect(page.locator("#lineage-page h2")).to_have_text(f"Lineage of {story['name']} v2")
    expect(_node(page, "dataset", v2["id"])).to_have_attribute("aria-current", "true")


FILLS = """link => {
  const rgb = (text) => text.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const style = (selector) => getComputedStyle(link.querySelector(selector)).fill;
  return {box: rgb(style("rect")), label: rgb(style(".lineage-label")),
          kind: rgb(style(".lineage-kind"))};
}"""


@pytest.fixture(params=["light", "dark"])
def scheme_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[str, Page]]:
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, color_scheme=request.param
    )
    page = context.new_page()
    page.set_default_timeout(WAIT_CAP_MS)  # a busy machine: as long as the other pages wait
    yield request.param, page
    context.close()


def test_the_graph_reads_in_both_schemes(
    scheme_page: tuple[str, Page], web_stack: Stack, story: dict[str, Any]
) -> None:
    scheme, page = scheme_page
    page.goto(f"{web_stack.base_url}/#/lineage/run/{story['second']}")
    node = _node(page, "run", story["first"])
    expect(node).to_be_visible()
    low = {}
    for shown in (node, _node(page, "run", story["second"])):  # a plain node and the centre
        fills = shown.evaluate(FILLS)
        for part in ("label", "kind"):
            ratio = _contrast(fills[part], fills["box"])
            if ratio < AA_TEXT:
                low[part] = (round(ratio, 2), fills)
    assert not low, f"below {AA_TEXT}:1 in {scheme} mode: {low}"
    screenshot(page, f"lineage-run-{scheme}")
