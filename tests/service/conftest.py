"""Session fixtures: one running mlchat per database backend (SQLite; PostgreSQL if given)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.stack import Stack, running_stack

POSTGRES_URL = os.environ.get("MLCHAT_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture(scope="session", params=BACKENDS)
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    home: Path = tmp_path_factory.mktemp(f"mlchat-{request.param}")
    postgres_url = POSTGRES_URL if request.param == "postgresql" else None
    with running_stack(home, postgres_url, n_workers=2) as started:
        yield started


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    stack.replace_dead_workers()
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        yield http
