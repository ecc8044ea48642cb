"""Fixtures for the agent tests."""

from __future__ import annotations

import pytest

from tests.agents.planner_data import Profiles


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Profiles:
    """Dataset profiles by name, built once per test module."""
    return Profiles(tmp_path_factory.mktemp("planner-datasets"))
