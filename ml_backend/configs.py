"""The configs: the contract between the agent, the API and the workers."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


class TaskType(StrEnum):
    CLASSIFICATION = "classification"
    REGRESSION = "regression"
    FORECASTING = "forecasting"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


MAX_ID = 2**31 - 1


def _visible(name: str) -> str:
    # MLflow, where experiments are exported, refuses a name that is blank once stripped.
    if not name.strip():
        raise ValueError("a name needs at least one visible character")
    return name


ExperimentName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_visible)]
"""The largest id a stored row can have (the database's integer keys): a larger names nothing."""


class DatasetById(_Strict):
    id: int = Field(
        ge=1, le=MAX_ID, description="A dataset's id, as GET /api/v1/datasets lists it."
    )


class DatasetByName(_Strict):
    name: str = Field(min_length=1, description="A dataset's name, e.g. 'penguins'.")


class SqlDataset(_Strict):
    source: Literal["sql"]
    connection: str = Field(min_length=1)
    query: str = Field(min_length=1)


DatasetRef = DatasetById | DatasetByName | SqlDataset


class SplitStrategy(StrEnum):
    RANDOM = "random"
    STRATIFIED = "stratified"
    TIME = "time"


MAX_FOLDS = 20
"""The most folds a cross-validation may have: beyond it each fold's score is noise and the
run costs that many fits."""


class SplitConfig(_Strict):
    """How rows are divided into train, validation and test parts."""

    strategy: SplitStrategy = SplitStrategy.RANDOM
    test_size: Annotated[float, Field(gt=0.0, lt=1.0, description="Share of rows held out.")] = 0.2
    validation_size: Annotated[
        float, Field(ge=0.0, lt=1.0, description="Share of rows for validation (0 for none).")
    ] = 0.0
    random_state: Annotated[int, Field(ge=0, le=2**32 - 1)] = 42
    folds: (
        Annotated[
            int,
            Field(
                ge=2,
                le=MAX_FOLDS,
                description="Cross-validate on this many folds of the training part (e.g. 5); "
                "the final model still trains on all of it and the test part judges it once.",
            ),
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _parts_fit(self) -> SplitConfig:
        if self.test_size + self.validation_size >= 0.9:
            raise ValueError(
                "test_size + validation_size must leave at least 10% of rows for training"
            )
        if self.folds is not None and self.validation_size > 0:
            raise ValueError(
                "folds and validation_size are two ways to score a model before the test: "
                "give one of them (folds cross-validates the whole training part)"
            )
        return self


class SeriesMode(StrEnum):
    """What to do with a table holding several series, one per value of a key column."""

    ONE = "one"
    EACH = "each"
    SUM = "sum"
    MEAN = "mean"


MAX_SERIES_GROUPS = 20
"""The most series one forecast fits a model for each of: beyond it, a chart and a table of
them stop being readable and the run takes minutes per series."""


class SeriesChoice(_Strict):
    """Which series of a panel (several rows per time stamp, one per value of a key column)
    a forecast is about: one of them, each of them, or their total or mean per time stamp."""

    column: str = Field(min_length=1, description="The series key column, e.g. 'store'.")
    value: str | int | float | None = Field(
        default=None, description="The one series to forecast (mode 'one'), e.g. 'S3'."
    )
    mode: SeriesMode | None = Field(
        default=None,
        description=(
            "'one': the series whose key is `value`; 'each': a model per series "
            f"(at most {MAX_SERIES_GROUPS}); 'sum' or 'mean': the values at each time "
            "stamp added up or averaged into one series. Left out: 'one' when `value` is given."
        ),
    )

    @model_validator(mode="after")
    def _one_way(self) -> SeriesChoice:
        if self.mode is None:
            if self.value is None:
                raise ValueError(
                    "series needs a value (the one series to forecast) or a mode: "
                    "'each', 'sum' or 'mean'"
                )
            self.mode = SeriesMode.ONE
        elif self.mode is SeriesMode.ONE and self.value is None:
            raise ValueError("series mode 'one' needs the value of the series to forecast")
        elif self.mode is not SeriesMode.ONE and self.value is not None:
            raise ValueError(
                f"series mode '{self.mode}' takes every series; leave value out "
                "(or use mode 'one' for that series alone)"
            )
        return self


class TrainingConfig(_Strict):
    """One training run: which data, which target, which algorithm and how."""

    name: str | None = Field(default=None, max_length=200)
    experiment: ExperimentName | None = Field(
        default=None,
        description="The experiment its model joins, e.g. 'churn'; null: one per dataset "
        "and target.",
    )
    algorithm: str = Field(min_length=1, description="A registered algorithm, e.g. 'xgboost'.")
    task_type: TaskType | None = Field(default=None, description="Inferred from the target.")
    dataset: DatasetRef
    target_column: str = Field(min_length=1)
    feature_columns: list[str] | None = Field(
        default=None, description="Columns to learn from; null means all others."
    )
    split: SplitConfig = Field(default_factory=SplitConfig)
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    metrics: list[str] | None = Field(default=None, description="Null means the task's defaults.")
    time_column: str | None = None
    horizon: Annotated[int, Field(ge=1, le=100_000)] | None = None
    series: SeriesChoice | None = Field(
        default=None,
        description="For a forecast of a table with several series per time stamp: which.",
    )


class Direction(StrEnum):
    MAXIMIZE = "maximize"
    MINIMIZE = "minimize"


MAX_TRIALS = 1_000
"""The most trials one tuning may ask for: beyond it the search has long stopped improving."""
MAX_TUNING_S = 30 * 24 * 3600
"""The longest any tuning may search (the highest duration limit a tenant may be given); the
tenant's own duration limit, checked when the job is submitted, is usually far lower."""

TrialCount = Annotated[
    int, Field(ge=1, le=MAX_TRIALS, description=f"Trials to run, at most {MAX_TRIALS}.")
]
SearchSeconds = Annotated[
    float,
    Field(
        gt=0,
        le=MAX_TUNING_S,
        description="Seconds to search: at most the tenant's duration limit (4 h by default).",
    ),
]


class TuningConfig(TrainingConfig):
    """A training run searched over hyperparameters with Optuna."""

    n_trials: TrialCount | None = 20
    timeout_s: SearchSeconds | None = None
    goal_metric: str | None = None
    direction: Direction | None = None
    search_space: dict[str, Any] | None = None


class ExplorerName(StrEnum):
    SCATTER = "scatter"
    HISTOGRAM = "histogram"
    BOX = "box"
    BAR = "bar"
    LINE = "line"
    CORRELATION = "correlation"
    SCATTER_MATRIX = "scatter_matrix"
    DESCRIBE = "describe"
    MISSING = "missing"


class ExplorationConfig(_Strict):
    """One exploration: an explorer over some columns of a dataset."""

    explorer: ExplorerName
    dataset: DatasetRef
    columns: list[str] = Field(default_factory=list)
    parameters: dict[str, Any] = Field(default_factory=dict)


class LeaderboardConfig(_Strict):
    """Several algorithms trained on the same data and split, ranked by one metric on the
    training data (folds or a validation part), each then judged once on the test part.

    The fields of a TrainingConfig, less `algorithm` and `hyperparameters` (each algorithm
    trains with its defaults), plus the algorithms to compare and the metric to rank by.
    """

    name: str | None = Field(default=None, max_length=200)
    experiment: ExperimentName | None = Field(
        default=None,
        description="The experiment its model joins, e.g. 'churn'; null: one per dataset "
        "and target.",
    )
    algorithms: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Registered algorithms to compare; null means every tabular algorithm.",
    )
    task_type: TaskType | None = Field(default=None, description="Inferred from the target.")
    dataset: DatasetRef
    target_column: str = Field(min_length=1)
    feature_columns: list[str] | None = Field(
        default=None, description="Columns to learn from; null means all others."
    )
    split: SplitConfig = Field(default_factory=SplitConfig)
    metrics: list[str] | None = Field(default=None, description="Null means the task's defaults.")
    time_column: str | None = None
    horizon: Annotated[int, Field(ge=1, le=100_000)] | None = None
    goal_metric: str | None = Field(
        default=None,
        description="The metric to rank by; null means accuracy (classification) or r2 "
        "(regression), or the first of `metrics` when those are not among them.",
    )


MIN_AUTOML_S = 5.0
"""The shortest budget an AutoML may have: time for a few default models of a small table."""
DEFAULT_AUTOML_S = 300.0


class AutoMLConfig(LeaderboardConfig):
    """The best model mlchat can find in a wall-clock budget: every applicable algorithm with
    its defaults, the promising ones tuned, and a weighted ensemble of what it tried, chosen on
    the training data alone and judged once on the test part."""

    time_budget_s: float = Field(
        default=DEFAULT_AUTOML_S,
        ge=MIN_AUTOML_S,
        le=MAX_TUNING_S,
        description="Seconds for the whole search, the final fit included: at most the "
        "tenant's duration limit (4 h by default).",
    )
