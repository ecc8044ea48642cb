"""Digits that are not ASCII ('²', '٣') in ids and filters: a clear 404 or no match, never a 500
(`'²'.isdigit()` is true but `int('²')` raises)."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.integration
@pytest.mark.parametrize("path", ["/api/v1/experiments/%C2%B2", "/api/v1/experiments/%D9%A3"])
def test_an_experiment_named_by_a_non_ascii_digit_is_not_found(
    client: httpx.Client, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.integration
def test_a_history_search_for_a_non_ascii_digit_finds_nothing(client: httpx.Client) -> None:
    response = client.get("/api/v1/runs", params={"q": "²"})
    assert response.status_code == 200, response.text
