"""An experiment's name as MLflow takes it: mlchat accepts any name, MLflow refuses a blank
one (found by the API fuzzer: `GET /experiments/%C2%85/mlflow` answered 500)."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest

from service.domain.experiments.mlflow_export import export_zip, mlflow_name
from service.settings import Settings
from service.storage import open_storage


@pytest.mark.parametrize("name", ["\x85", " ", "\u2003\t"])
def test_a_blank_name_exports_as_its_literal(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLCHAT_HOME", str(tmp_path))
    exported = export_zip(name, None, [], {}, open_storage(Settings()), "local")
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        archive.extract("mlflow.db", tmp_path)
    names = [row[0] for row in sqlite3.connect(tmp_path / "mlflow.db").execute(
        "select name from experiments")]  # fmt: skip
    assert repr(name) in names


def test_a_name_with_text_exports_unchanged() -> None:
    assert mlflow_name("penguins:species") == "penguins:species"
