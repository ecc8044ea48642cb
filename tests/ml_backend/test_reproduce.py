"""The reproduce script: run on its own, it retrains a run and checks its test metrics."""

from __future__ import annotations

import ast
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from ml_backend.datasets import IngestedDataset, ingest_file, ingest_table, read_frame
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.jobs.train.run import TrainingResult, train
from ml_backend.reporting import NullReporter
from ml_backend.reproduce import reproduce_script
from tests.ml_backend.training_data import config, penguins

ONE_THREAD = {"n_jobs": 1}


def _stored_and_trained(stored: IngestedDataset, **fields: Any) -> tuple[str, TrainingResult]:
    """Train as a worker does (on the stored Parquet); the reproduce script and the result."""
    resolved = resolve_training(config(**fields), stored.profile)
    result = train(resolved, read_frame(stored.path), reporter=NullReporter())
    script = reproduce_script(
        resolved, dataset_file="dataset.parquet", expected_test_metrics=result.metrics["test"]
    )
    return script, result


def _as_parquet(frame: pd.DataFrame, directory: Path) -> IngestedDataset:
    return ingest_table(pa.Table.from_pandas(frame, preserve_index=False), directory / "store")


def _printed_metrics(output: str) -> dict[str, tuple[str, str, str]]:
    lines = output.splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("metric"))) + 1 :]
    rows = [line.split() for line in table if len(line.split()) == 4]
    return {name: (expected, reproduced, verdict) for name, expected, reproduced, verdict in rows}


def _assert_reproduced(output: str, expected: dict[str, float | None]) -> None:
    printed = _printed_metrics(output)
    assert set(printed) == set(expected)
    for name, value in expected.items():
        _, reproduced, verdict = printed[name]
        assert verdict == "ok"
        if value is None:
            assert reproduced == "None"
        else:
            assert float(reproduced) == pytest.approx(value, abs=1e-6)


def test_the_script_reproduces_a_run_in_a_fresh_interpreter(tmp_path: Path) -> None:
    stored = _as_parquet(penguins(), tmp_path)
    script, result = _stored_and_trained(
        stored, algorithm="xgboost", target_column="species", hyperparameters=ONE_THREAD
    )
    (tmp_path / "dataset.parquet").write_bytes(stored.path.read_bytes())
    (tmp_path / "reproduce.py").write_text(script)
    # Started elsewhere and given no path, it finds the dataset next to itself.
    done = subprocess.run(
        [sys.executable, str(tmp_path / "reproduce.py")],
        capture_output=True,
        text=True,
        cwd=Path(sys.executable).parent,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    _assert_reproduced(done.stdout, result.metrics["test"])
    assert "all 6 test metrics reproduced within 1e-06" in done.stdout


def test_a_tampered_expectation_makes_it_fail(tmp_path: Path) -> None:
    frame = penguins().rename(columns={"bill_length_mm": 'bill """length" \\ mm'})
    frame.to_csv(tmp_path / "penguins.csv", index=False)
    stored = ingest_file(tmp_path / "penguins.csv", "penguins.csv", tmp_path / "store")
    resolved = resolve_training(
        config(algorithm="linear", target_column="body_mass_g"), stored.profile
    )
    assert 'bill """length" \\ mm' in resolved.feature_columns
    result = train(resolved, read_frame(stored.path), reporter=NullReporter())
    expected = dict(result.metrics["test"])
    expected["rmse"] = (expected["rmse"] or 0.0) + 1e-3
    script = tmp_path / "reproduce.py"
    script.write_text(
        reproduce_script(resolved, dataset_file="penguins.csv", expected_test_metrics=expected)
    )
    # The original CSV serves as well as the stored Parquet file.
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "penguins.csv")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    printed = _printed_metrics(done.stdout)
    assert printed["rmse"][2] == "DIFFERS"
    assert float(printed["rmse"][1]) == pytest.approx(result.metrics["test"]["rmse"], abs=1e-6)
    assert {name for name, row in printed.items() if row[2] == "ok"} == set(expected) - {"rmse"}
    assert "1 test metric(s) differ by more than 1e-06" in done.stdout


@pytest.mark.parametrize(
    ("algorithm", "target"), [("lightgbm", "body_mass_g"), ("random_forest", "sex")]
)
def test_other_algorithms_reproduce_too(
    algorithm: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = _as_parquet(penguins(), tmp_path)
    script, result = _stored_and_trained(
        stored, algorithm=algorithm, target_column=target, hyperparameters=ONE_THREAD
    )
    (tmp_path / "reproduce.py").write_text(script)
    # In this interpreter, to stay quick: the script's main() with the dataset's path.
    namespace = runpy.run_path(str(tmp_path / "reproduce.py"), run_name="reproduce")
    assert namespace["main"]([str(stored.path)]) == 0
    _assert_reproduced(capsys.readouterr().out, result.metrics["test"])


def test_the_script_is_documented_python_holding_the_resolved_config(tmp_path: Path) -> None:
    stored = _as_parquet(penguins(), tmp_path)
    resolved = resolve_training(
        config(algorithm="linear", target_column="species", name="first\nrun"), stored.profile
    )
    script = reproduce_script(
        resolved, dataset_file="data.csv", expected_test_metrics={"accuracy": 0.5, "auc_roc": None}
    )
    module = ast.parse(script)
    assert script.startswith("#!/usr/bin/env python\n# Reproduce the mlchat run 'first\\nrun'.")
    assert "python reproduce.py [path/to/dataset]" in script
    namespace = runpy.run_path(_write(tmp_path, script), run_name="reproduce")
    assert namespace["RESOLVED_CONFIG"] == resolved.model_dump(mode="json")
    assert namespace["EXPECTED_TEST_METRICS"] == {"accuracy": 0.5, "auc_roc": None}
    assert namespace["DATASET_FILE"] == "data.csv"
    assert any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in module.body)


def _write(directory: Path, script: str) -> str:
    path = directory / "reproduce.py"
    path.write_text(script)
    return str(path)
