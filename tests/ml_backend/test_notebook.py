"""The exported notebook, executed headless: it retrains without mlchat and reproduces the
stored test metrics."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from nbclient import NotebookClient

from ml_backend.datasets import IngestedDataset, ingest_table, read_frame
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.jobs.train.run import train
from ml_backend.notebook import code_of, notebook_json, run_notebook
from ml_backend.reporting import NullReporter
from tests.ml_backend.training_data import config, penguins

ONE_THREAD = {"n_jobs": 1}
MLCHAT_PACKAGES = ("ml_backend", "service", "agents", "mlchat")

# Run last in the notebook by the test, not by the reader: what the kernel computed and loaded.
_REPORT_CELL = """
import json, sys
print("REPORT " + json.dumps({
    "metrics": REPRODUCED_TEST_METRICS,
    "mlchat_modules": sorted(m for m in sys.modules if m.split(".")[0] in %r),
}))
"""


def executed(notebook: nbformat.NotebookNode, directory: Path) -> tuple[dict[str, Any], str]:
    """Run every cell in a fresh kernel in `directory`; what the report cell printed, and all
    that the cells printed."""
    notebook = nbformat.reads(notebook_json(notebook), as_version=4)  # as a reader opens the file
    notebook.cells.append(nbformat.v4.new_code_cell(_REPORT_CELL % (MLCHAT_PACKAGES,)))
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": directory}}
    ).execute()
    printed = "\n".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    )
    report = next(line for line in printed.splitlines() if line.startswith("REPORT "))
    return json.loads(report.removeprefix("REPORT ")), printed


def imported_packages(source: str) -> set[str]:
    """The top-level packages `source` imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _stored(frame: pd.DataFrame, directory: Path) -> IngestedDataset:
    return ingest_table(pa.Table.from_pandas(frame, preserve_index=False), directory / "store")


def _check_reproduced(frame: pd.DataFrame, tmp_path: Path, **fields: Any) -> dict[str, Any]:
    """Train as a worker does, export, execute; the stored test metrics."""
    stored = _stored(frame, tmp_path)
    resolved = resolve_training(config(**fields), stored.profile)
    result = train(resolved, read_frame(stored.path), reporter=NullReporter())
    expected = result.metrics["test"]
    notebook = run_notebook(
        resolved, run_id=7, dataset_file="dataset.parquet",
        dataset_url="http://127.0.0.1:8000/api/v1/datasets/3/file",
        expected_test_metrics=expected,
    )  # fmt: skip
    (tmp_path / "dataset.parquet").write_bytes(stored.path.read_bytes())
    assert not imported_packages(code_of(notebook)) & set(MLCHAT_PACKAGES)

    report, printed = executed(notebook, tmp_path)
    assert report["mlchat_modules"] == []
    assert set(report["metrics"]) == set(expected)
    for name, value in expected.items():
        if value is None:
            assert report["metrics"][name] is None, name
        else:
            assert report["metrics"][name] == pytest.approx(value, abs=1e-9), name
    assert f"all {len(expected)} test metrics reproduced within 1e-06" in printed
    return expected


@pytest.mark.parametrize(
    ("algorithm", "target", "split"),
    [
        ("xgboost", "species", {"strategy": "stratified", "test_size": 0.25}),
        ("random_forest", "sex", {"test_size": 0.3, "random_state": 7}),
        ("linear", "body_mass_g", {"test_size": 0.2}),
    ],
)
def test_a_notebook_reproduces_classifiers_and_regressors(
    algorithm: str, target: str, split: dict[str, Any], tmp_path: Path
) -> None:
    expected = _check_reproduced(
        penguins(), tmp_path, algorithm=algorithm, target_column=target, split=split,
        hyperparameters=ONE_THREAD if algorithm != "linear" else {},
    )  # fmt: skip
    assert all(value is not None for value in expected.values())


def _dated_sales(rows: int = 400) -> pd.DataFrame:
    """Dates as ISO text, a category with gaps, a flag and a number: every encoding."""
    rng = np.random.default_rng(3)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.permutation(rows), unit="D")
    store = rng.choice(["north", "south", "east", None], size=rows)
    promo = rng.random(rows) < 0.3
    price = np.where(rng.random(rows) < 0.05, np.nan, rng.uniform(5, 20, rows))
    units = 50 + 20 * promo - 2 * np.nan_to_num(price, nan=12) + rng.normal(0, 5, rows)
    return pd.DataFrame({"day": day.strftime("%Y-%m-%d"), "store": store, "promo": promo,
                         "price": price, "units": units})  # fmt: skip


def test_a_time_split_with_validation_and_early_stopping_reproduces(tmp_path: Path) -> None:
    _check_reproduced(
        _dated_sales(), tmp_path, algorithm="lightgbm", target_column="units",
        time_column="day", split={"strategy": "time", "test_size": 0.2, "validation_size": 0.2},
        hyperparameters={"n_estimators": 300, "early_stopping_rounds": 10, "n_jobs": 1},
    )  # fmt: skip


def test_the_notebook_explains_each_step_and_refuses_what_it_cannot_retrain(
    tmp_path: Path,
) -> None:
    stored = _stored(penguins(), tmp_path)
    resolved = resolve_training(
        config(algorithm="xgboost", target_column="species"), stored.profile
    )
    notebook = run_notebook(
        resolved, run_id=12, dataset_file="penguins.parquet",
        dataset_url="http://server:8000/api/v1/datasets/4/file",
        expected_test_metrics={"accuracy": 0.5},
    )  # fmt: skip
    words = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert words.startswith("# mlchat run 12: xgboost, classification")
    for heading in ("The run's configuration", "The dataset", "The split", "Preprocessing",
                    "Training xgboost", "Test metrics", "Stored and reproduced"):  # fmt: skip
        assert f"## {heading}" in words
    assert "curl -o penguins.parquet http://server:8000/api/v1/datasets/4/file" in words
    assert "DATASET = 'penguins.parquet'" in code_of(notebook)
    # Only the run's own library is imported, beside the common ones.
    assert imported_packages(code_of(notebook)) == {
        "json", "math", "os", "sys", "urllib", "io", "typing", "numpy", "pandas", "pyarrow",
        "sklearn", "xgboost",
    }  # fmt: skip

    network = resolve_training(
        config(algorithm="neural_network", target_column="species"), stored.profile
    )
    with pytest.raises(ConfigValidationError, match="reproduce"):
        run_notebook(network, run_id=1, dataset_file="d.parquet", dataset_url="u",
                     expected_test_metrics={})  # fmt: skip
