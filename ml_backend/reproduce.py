"""A standalone script that retrains a run and checks that its test metrics come out the same."""

from __future__ import annotations

import ast
import json
import sys

from ml_backend.jobs.train.resolve import ResolvedTraining

TOLERANCE = 1e-6
# Libraries whose version can shift a model's numbers; the script notes when one differs.
_LIBRARIES = ("numpy", "pandas", "sklearn", "xgboost", "lightgbm", "torch")

_TEMPLATE = '''\
#!/usr/bin/env python
# Reproduce the mlchat run {title}.
#
# What it does: reads the dataset, trains {algorithm} again with the run's resolved config
# (below: the same columns, split, seed and hyperparameters, every default spelled out) and
# prints the test metrics next to the ones the run reported. It exits with status 1 when any
# of them differs by more than {tolerance:g}, with 0 when all agree.
#
# How to run it, where the mlchat package is installed (`pip install mlchat`):
#
#     python reproduce.py [path/to/dataset]
#
# Without a path it reads {dataset_file!r}, next to this script. The dataset may be the
# run's Parquet file or the original CSV, TSV, JSON lines or Arrow file.
# Other library versions or thread counts can shift the last digits of some models.

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

from ml_backend.datasets import DataFormat, convert_to_parquet, detect_format, read_frame
from ml_backend.reporting import NullReporter
from ml_backend.jobs.train.run import train
from ml_backend.jobs.train.resolve import ResolvedTraining

DATASET_FILE = {dataset_file!r}
TOLERANCE = {tolerance!r}

# The run's resolved config: ml_backend.jobs.train.resolve.ResolvedTraining as JSON.
RESOLVED_CONFIG = json.loads(
    r"""
{config_json}
"""
)

# The test metrics the run reported (null: the metric had no value on the test part).
EXPECTED_TEST_METRICS = json.loads(
    r"""
{expected_json}
"""
)

# Library versions the run was trained with.
TRAINED_WITH = {libraries!r}


def load_frame(path: Path, columns: list[str]) -> pd.DataFrame:
    """The dataset's `columns`, converted as mlchat converts an upload."""
    with path.open("rb") as stream:
        head = stream.read(64 * 1024)
    data_format = detect_format(path.name, head)
    if data_format is DataFormat.PARQUET:
        return read_frame(path, columns)
    with tempfile.TemporaryDirectory() as scratch:
        parquet = Path(scratch) / "dataset.parquet"
        convert_to_parquet(path, data_format, parquet)
        return read_frame(parquet, columns)


def warn_about_versions() -> None:
    """Say which libraries differ from the ones the run used: they may explain a difference."""
    for module_name, version in TRAINED_WITH.items():
        here = getattr(sys.modules.get(module_name), "__version__", version)
        if here != version:
            print(f"note: {{module_name}} {{here}} here, {{version}} in the run")


def agrees(expected: float | None, reproduced: float | None) -> bool:
    """Both missing, or both numbers within TOLERANCE."""
    if expected is None or reproduced is None:
        return expected is None and reproduced is None
    return abs(expected - reproduced) <= TOLERANCE


def main(arguments: list[str]) -> int:
    """Retrain, print expected and reproduced test metrics; 0 when they agree, else 1."""
    default = Path(__file__).resolve().parent / DATASET_FILE
    path = Path(arguments[0]) if arguments else default
    resolved = ResolvedTraining.model_validate(RESOLVED_CONFIG)
    columns = [*resolved.feature_columns, resolved.target_column]
    if resolved.time_column is not None:
        columns.append(resolved.time_column)
    frame = load_frame(path, list(dict.fromkeys(columns)))
    members = [member.algorithm for member in resolved.ensemble or []]
    model = f"an ensemble of {{', '.join(members)}}" if members else resolved.algorithm
    print(f"training {{model}} on {{path}} ...")
    result = train(resolved, frame, reporter=NullReporter(), explanations=False)
    warn_about_versions()
    reproduced = result.metrics["test"]
    print(f"{{'metric':<12}} {{'expected':>22}} {{'reproduced':>22}}  result")
    mismatches = 0
    for name, expected in EXPECTED_TEST_METRICS.items():
        value = reproduced.get(name)
        same = name in reproduced and agrees(expected, value)
        mismatches += not same
        print(f"{{name:<12}} {{expected!r:>22}} {{value!r:>22}}  {{'ok' if same else 'DIFFERS'}}")
    if mismatches:
        print(f"{{mismatches}} test metric(s) differ by more than {{TOLERANCE:g}}")
        return 1
    print(f"all {{len(EXPECTED_TEST_METRICS)}} test metrics reproduced within {{TOLERANCE:g}}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
'''


def reproduce_script(
    resolved: ResolvedTraining,
    *,
    dataset_file: str,
    expected_test_metrics: dict[str, float | None],
) -> str:
    """Python source of a script that retrains `resolved` on `dataset_file` and checks the
    test metrics against `expected_test_metrics`, exiting 1 when one differs by > 1e-6."""
    members = [member.algorithm for member in resolved.ensemble or []]
    model = f"an ensemble of {', '.join(members)}" if members else resolved.algorithm
    title = repr(resolved.name) if resolved.name else f"training {model}"
    script = _TEMPLATE.format(
        title=title,
        algorithm=model,
        tolerance=TOLERANCE,
        dataset_file=dataset_file,
        config_json=config_json(resolved),
        expected_json=metrics_json(expected_test_metrics),
        libraries=library_versions(),
    )
    # JSON in a raw triple-quoted string cannot close it early (its quotes inside strings
    # are escaped), but a script that does not parse must never be handed out.
    ast.parse(script)
    return script


def config_json(resolved: ResolvedTraining) -> str:
    """The resolved config as the script and the notebook spell it out."""
    return json.dumps(resolved.model_dump(mode="json"), indent=4)


def metrics_json(metrics: dict[str, float | None]) -> str:
    """Stored metrics as JSON: null where a metric had no value (never NaN)."""
    return json.dumps(metrics, indent=4, allow_nan=False)


def library_versions() -> dict[str, str]:
    """Versions of the libraries loaded here (a run has loaded those it trained with)."""
    loaded = {name: sys.modules.get(name) for name in _LIBRARIES}
    return {
        name: str(module.__version__)
        for name, module in loaded.items()
        if module is not None and hasattr(module, "__version__")
    }
