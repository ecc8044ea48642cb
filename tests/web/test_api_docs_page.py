"""The API documentation pages work with no network: every script comes from mlchat itself."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.service.stack import Stack
from tests.web.conftest import screenshot


def _offline(page: Page, stack: Stack) -> list[str]:
    """Refuse every request to another host, as a machine without internet would; the list
    of what was refused."""
    refused: list[str] = []

    def only_mlchat(route: Route) -> None:
        if route.request.url.startswith(f"{stack.base_url}/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", only_mlchat)
    return refused


@pytest.mark.integration
def test_swagger_ui_lists_the_operations_offline(page: Page, web_stack: Stack) -> None:
    refused = _offline(page, web_stack)
    page.goto(f"{web_stack.base_url}/schema/swagger")
    train = page.locator(".opblock-summary", has_text="/api/v1/ml/train/{job_id}")
    expect(train.first).to_be_visible()
    expect(page.locator(".opblock-tag", has_text="runs").first).to_be_visible()
    assert page.locator(".opblock").count() > 40
    # An operation opens to its parameters and responses, as a person reads it.
    page.locator(".opblock-get .opblock-summary", has_text="/api/v1/ml/train/{job_id}").click()
    expect(page.locator(".opblock-body .parameters-container").first).to_contain_text("job_id")
    screenshot(page, "api-docs-swagger")
    assert refused == []


@pytest.mark.integration
@pytest.mark.parametrize("path", ["/schema", "/schema/redoc"])
def test_redoc_lists_the_operations_offline(page: Page, web_stack: Stack, path: str) -> None:
    refused = _offline(page, web_stack)
    page.goto(f"{web_stack.base_url}{path}")
    menu = page.locator("[role=menuitem]", has_text="List training jobs, newest first")
    expect(menu.first).to_be_attached()
    heading = page.locator("h2", has_text="A training job's status and, when completed")
    expect(heading.first).to_be_visible()
    screenshot(page, "api-docs-redoc")
    assert refused == []


@pytest.mark.integration
def test_the_openapi_document_is_at_its_documented_path(web_stack: Stack) -> None:
    document = httpx.get(f"{web_stack.base_url}/schema/openapi.json", timeout=60)
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert "/api/v1/ml/train/{job_id}" in paths and "/api/v1/runs/{run_id}/reproduce" in paths
    page_policy = httpx.get(f"{web_stack.base_url}/schema/swagger", timeout=60)
    assert "https:" not in page_policy.headers["content-security-policy"]
