"""A Jupyter notebook that retrains a run with nothing but the ML libraries and checks its
test metrics: the reproduce script's inputs (reproduce.py), notebook_code.py's cells, and
markdown between them saying what each step does."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from ml_backend.algorithms import get_algorithm
from ml_backend.configs import SplitStrategy, TaskType
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.reproduce import TOLERANCE, config_json, library_versions, metrics_json

CODE_FILE = Path(__file__).with_name("notebook_code.py")
NOTEBOOK_ALGORITHMS = ("xgboost", "lightgbm", "random_forest", "linear")
"""The algorithms notebook_code.py retrains; others are reproduced by the reproduce script."""

# nbformat has no type hints: its builders are used through these names.
_V4: Any = nbformat.v4
_writes: Any = nbformat.writes

_LIBRARY = {
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
    "random_forest": "scikit-learn",
    "linear": "scikit-learn",
}


@cache
def code_sections() -> dict[str, str]:
    """notebook_code.py's `# %% name` sections by name, each its source."""
    sections: dict[str, str] = {}
    name: str | None = None
    lines: list[str] = []
    for line in [*CODE_FILE.read_text().splitlines(), "# %% end"]:
        marker = re.fullmatch(r"# %% (\w+)", line)
        if marker is None:
            lines.append(line)
            continue
        if name is not None:
            sections[name] = "\n".join(lines).strip() + "\n"
        name, lines = marker.group(1), []
    return sections


def run_notebook(
    resolved: ResolvedTraining,
    *,
    run_id: int,
    dataset_file: str,
    dataset_url: str,
    expected_test_metrics: dict[str, float | None],
) -> NotebookNode:
    """The notebook of run `run_id`: reads `dataset_file` (the run's Parquet file, next to the
    notebook, or a path or URL the reader fills in), retrains `resolved` and compares the test
    metrics with `expected_test_metrics`."""
    algorithm = resolved.algorithm
    if resolved.ensemble:
        members = ", ".join(member.algorithm for member in resolved.ensemble)
        raise ConfigValidationError(
            f"a notebook retrains one model, and this run's is an ensemble ({members}); it is "
            "reproduced by its script, GET /api/v1/runs/{id}/reproduce",
            field="algorithm",
        )
    if resolved.hyperparameters.get("categorical_encoding") == "native":
        raise ConfigValidationError(
            f"a notebook retrains one-hot encoded models, and this {algorithm} splits on "
            "categories natively; it is reproduced by its script, GET /api/v1/runs/{id}/reproduce",
            field="hyperparameters",
        )
    if algorithm not in NOTEBOOK_ALGORITHMS:
        raise ConfigValidationError(
            f"a notebook retrains {', '.join(NOTEBOOK_ALGORITHMS)} runs; a {algorithm} run is "
            "reproduced by its script, GET /api/v1/runs/{id}/reproduce",
            field="algorithm",
        )
    code = code_sections()
    scaling = get_algorithm(algorithm).needs_scaling
    cells = [
        _markdown(_introduction(resolved, run_id)),
        _code(code["imports"]),
        _markdown(_config_words(resolved)),
        _code(_config_cell(resolved, expected_test_metrics, scaling)),
        _markdown(_dataset_words(dataset_file, dataset_url)),
        _code(f"DATASET = {dataset_file!r}\n\n" + code["read"] + _READ_CALL),
        _markdown(_split_words(resolved)),
        _code(code["split"] + _SPLIT_CALL),
        _markdown(_PREPROCESSING_WORDS),
        _code(code["preprocessing"] + _PREPROCESSING_CALL),
        _markdown(_estimator_words(algorithm)),
        _code(code["threads"] + "\n\n" + code[algorithm] + _fit_call(algorithm)),
        _markdown(_METRICS_WORDS),
        _code(code["metrics"] + _METRICS_CALL),
        _markdown(_COMPARE_WORDS.format(tolerance=TOLERANCE)),
        _code(code["compare"] + _COMPARE_CALL),
    ]
    notebook: NotebookNode = _V4.new_notebook(cells=cells)
    notebook.metadata.update(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "mlchat": {"run_id": run_id, "algorithm": algorithm},
        }
    )
    nbformat.validate(notebook)
    return notebook


def _markdown(text: str) -> NotebookNode:
    cell: NotebookNode = _V4.new_markdown_cell(text.strip())
    return cell


def _code(source: str) -> NotebookNode:
    cell: NotebookNode = _V4.new_code_cell(source.strip())
    return cell


def _introduction(resolved: ResolvedTraining, run_id: int) -> str:
    name = f" ({resolved.name})" if resolved.name else ""
    return f"""
# mlchat run {run_id}{name}: {resolved.algorithm}, {resolved.task_type.value}

This notebook trains the model of run {run_id} again, from the dataset file, and checks that its
test metrics come out as mlchat stored them. It uses nothing of mlchat: only pandas, pyarrow,
scikit-learn and {_LIBRARY[resolved.algorithm]}, with the run's resolved configuration (every
default spelled out), the same split and seed and the same preprocessing.

Run all cells. The last one shows the stored and the reproduced test metrics side by side.
"""


def _config_words(resolved: ResolvedTraining) -> str:
    kinds = ", ".join(f"`{c}` ({k.value})" for c, k in resolved.feature_kinds.items())
    dropped = "".join(
        f"\n- `{d.column}` was left out: {d.reason}" for d in resolved.dropped_columns
    )
    parameters = ", ".join(f"`{k}={v!r}`" for k, v in resolved.hyperparameters.items())
    return f"""
## The run's configuration

- **target**: `{resolved.target_column}`, a {resolved.task_type.value} task
- **features** and how each is encoded: {kinds}{dropped}
- **hyperparameters** of {resolved.algorithm}: {parameters}
- **metrics**: {", ".join(resolved.metrics)}

`RUN_CONFIG` below is the run's resolved configuration as mlchat stored it;
`EXPECTED_TEST_METRICS` the test metrics the run reported (null: no value on the test part);
`TRAINED_WITH` the library versions it was trained with.
"""


def _config_cell(
    resolved: ResolvedTraining, expected: dict[str, float | None], scaling: bool
) -> str:
    return f'''
RUN_CONFIG = json.loads(
    r"""
{config_json(resolved)}
"""
)

EXPECTED_TEST_METRICS = json.loads(
    r"""
{metrics_json(expected)}
"""
)

TOLERANCE = {TOLERANCE!r}
TRAINED_WITH = {json.dumps(library_versions())}
# Whether numbers are standardised before fitting, as {resolved.algorithm} needs or not.
NEEDS_SCALING = {scaling!r}
'''


def _dataset_words(dataset_file: str, dataset_url: str) -> str:
    return f"""
## The dataset

The run read the dataset's stored Parquet file. Download it next to this notebook:

```
curl -o {dataset_file} {dataset_url}
```

(add `-H "Authorization: Bearer $MLCHAT_API_KEY"` where the server asks for a key), or set
`DATASET` below to another path, or to the URL itself (the key is then read from the
`MLCHAT_API_KEY` environment variable). The columns are converted as mlchat converts them for
training.
"""


_READ_CALL = """

COLUMNS = list(dict.fromkeys([
    *RUN_CONFIG["feature_columns"],
    RUN_CONFIG["target_column"],
    *([RUN_CONFIG["time_column"]] if RUN_CONFIG["time_column"] else []),
]))
frame = read_dataset(DATASET, COLUMNS)
print(f"{len(frame)} rows and {len(frame.columns)} columns read from {DATASET}")
"""


def _split_words(resolved: ResolvedTraining) -> str:
    split = resolved.split
    if split.strategy is SplitStrategy.TIME:
        how = (
            f"by time: the rows are ordered by `{resolved.time_column}` and the latest "
            f"{split.test_size:.0%} are the test part"
        )
    else:
        kept = (
            " keeping each class's share in every part"
            if split.strategy is SplitStrategy.STRATIFIED
            else ""
        )
        how = (
            f"at random with seed {split.random_state}{kept}: {split.test_size:.0%} of the "
            "rows are the test part"
        )
    validation = (
        f", {split.validation_size:.0%} the validation part the estimator is scored on as it trains"
        if split.validation_size
        else ""
    )
    encoded = (
        " The classes are numbered 0..k-1 in sorted order, as the boosters need."
        if resolved.task_type is TaskType.CLASSIFICATION
        else ""
    )
    return f"""
## The split

Rows without a value in `{resolved.target_column}` are left out. The rest are split {how}
{validation}. The test part is used once, at the end, to judge the model.{encoded}
"""


_SPLIT_CALL = """

rows = usable_rows(frame, RUN_CONFIG)
train, validation, test = split_positions(rows, RUN_CONFIG)
target, encoded, encoder, labels = encode_target(
    rows[RUN_CONFIG["target_column"]].to_numpy(), RUN_CONFIG["task_type"]
)
print(
    f"{len(rows)} rows with a target: {len(train)} train, "
    f"{len(validation)} validation, {len(test)} test"
)
"""

_PREPROCESSING_WORDS = """
## Preprocessing

Fitted on the training part only, then applied to the other parts: numbers get the training
median where they are missing (and are standardised where `NEEDS_SCALING` says so),
categories the most frequent value and one column per category (at most 30, rarer ones
sharing an "infrequent" column), dates their year, month, day and day of week.
"""

_PREPROCESSING_CALL = """

features = rows[RUN_CONFIG["feature_columns"]]
preprocessor = build_preprocessor(RUN_CONFIG["feature_kinds"], scale=NEEDS_SCALING)
x_train = np.asarray(preprocessor.fit_transform(features.iloc[train]), dtype=np.float64)
x_validation = (
    np.asarray(preprocessor.transform(features.iloc[validation]), dtype=np.float64)
    if len(validation)
    else None
)
x_test = np.asarray(preprocessor.transform(features.iloc[test]), dtype=np.float64)
print(f"{x_train.shape[1]} encoded features")
"""


def _estimator_words(algorithm: str) -> str:
    return f"""
## Training {algorithm}

The estimator is built with the run's hyperparameters and its split's seed, and fitted on the
training part. Where the run named no thread count, this machine's cores are used (at most 8);
a different count can move the last digits of some models.
"""


def _fit_call(algorithm: str) -> str:
    return f"""

params = RUN_CONFIG["hyperparameters"]
estimator = build_{algorithm}(RUN_CONFIG["task_type"], params, RUN_CONFIG["split"]["random_state"])
validation_part = None if x_validation is None else (x_validation, encoded[validation])
fit_{algorithm}(estimator, params, x_train, encoded[train], validation_part)
"""


_METRICS_WORDS = """
## Test metrics

The model predicts the test part; each metric follows mlchat's conventions: for two classes,
precision, recall and F1 are the second sorted class's and AUC uses its probability; for more,
they are macro averages and AUC is one-vs-rest; MAPE is a share and has no value when a true
value is 0.
"""

_METRICS_CALL = """

raw = np.asarray(estimator.predict(x_test))
if encoder is None:
    predicted, probabilities = raw.astype(np.float64), None
else:
    predicted = np.asarray(encoder.inverse_transform(raw.astype(np.intp)))
    probabilities = np.asarray(estimator.predict_proba(x_test), dtype=np.float64)
    # Boosters compute in float32: rows are made to sum to 1 at float64, as mlchat does.
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
REPRODUCED_TEST_METRICS = {
    name: metric(name, target[test], predicted, probabilities, labels)
    for name in RUN_CONFIG["metrics"]
}
show_json(REPRODUCED_TEST_METRICS)
"""

_COMPARE_WORDS = """
## Stored and reproduced

Each test metric the run reported beside the one computed here: `ok` when they agree within
{tolerance:g}. Other library versions can shift the last digits of some models; a note names
each library whose version differs from the run's.
"""

_COMPARE_CALL = """

for note in version_notes(TRAINED_WITH):
    print(note)
comparison = compare(EXPECTED_TEST_METRICS, REPRODUCED_TEST_METRICS, TOLERANCE)
differing = int((comparison["result"] != "ok").sum())
if differing:
    print(f"{differing} test metric(s) differ by more than {TOLERANCE:g}")
else:
    print(f"all {len(comparison)} test metrics reproduced within {TOLERANCE:g}")
comparison
"""


def notebook_json(notebook: NotebookNode) -> str:
    """The notebook as the .ipynb file's text."""
    text: str = _writes(notebook)
    return text


def code_of(notebook: NotebookNode) -> str:
    """Every code cell's source, in order (what a reader would run)."""
    cells: list[Any] = notebook.cells
    return "\n\n".join(cell.source for cell in cells if cell.cell_type == "code")
