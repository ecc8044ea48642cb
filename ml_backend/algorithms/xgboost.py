"""XGBoost gradient-boosted trees (histogram method), with per-round progress."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from pydantic import BaseModel, ConfigDict, Field
from xgboost import XGBClassifier, XGBRegressor
from xgboost.callback import TrainingCallback

from ml_backend.algorithms.base import (
    AlgorithmSpec,
    Estimator,
    EvalPart,
    Labels,
    Matrix,
    ProgressHook,
    Threads,
    scored_part,
    threads,
)
from ml_backend.configs import TaskType

Share = Annotated[float, Field(gt=0.0, le=1.0)]


class XGBoostParams(BaseModel):
    """XGBoost hyperparameters."""

    model_config = ConfigDict(extra="forbid")

    n_estimators: Annotated[int, Field(ge=1, le=5000, description="Boosting rounds (trees).")] = 200
    max_depth: Annotated[int, Field(ge=1, le=20, description="Deepest a tree may grow.")] = 6
    learning_rate: Annotated[
        float, Field(gt=0.0, le=1.0, description="Shrinkage applied to each new tree.")
    ] = 0.1
    subsample: Annotated[Share, Field(description="Share of rows sampled for each tree.")] = 1.0
    colsample_bytree: Annotated[
        Share, Field(description="Share of features sampled for each tree.")
    ] = 1.0
    min_child_weight: Annotated[
        float, Field(ge=0.0, le=1000.0, description="Least hessian weight a leaf may hold.")
    ] = 1.0
    reg_lambda: Annotated[float, Field(ge=0.0, le=1000.0, description="L2 penalty on leaves.")] = (
        1.0
    )
    reg_alpha: Annotated[float, Field(ge=0.0, le=1000.0, description="L1 penalty on leaves.")] = 0.0
    early_stopping_rounds: Annotated[
        int | None,
        Field(
            ge=1,
            le=1000,
            description="Stop after this many rounds without gain on the validation part "
            "(needs validation_size > 0).",
        ),
    ] = None
    categorical_encoding: Annotated[
        Literal["onehot", "native"],
        Field(
            description="How categorical columns reach the trees: one-hot columns (rare "
            "levels pooled), or one code per level that XGBoost splits on natively (better on "
            "columns of many levels)."
        ),
    ] = "onehot"
    n_jobs: Threads = None


class _RoundReporter(TrainingCallback):
    """Reports each boosting round with the last value of every evaluated metric."""

    def __init__(self, progress: ProgressHook, total: int, part: str) -> None:
        super().__init__()
        self.progress = progress
        self.total = total
        self.part = part
        self.rounds_done = 0

    def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
        live = {
            f"{self.part}/{metric}": float(values[-1])
            for history in evals_log.values()
            for metric, values in history.items()
        }
        self.rounds_done = epoch + 1
        self.progress(self.rounds_done, self.total, live)
        return False


class XGBoostSpec(AlgorithmSpec[XGBoostParams]):
    """XGBoost for classification and regression."""

    name = "xgboost"
    progress_unit = "round"
    description = "Gradient-boosted decision trees (XGBoost): strong on tabular data."
    hyperparameters = XGBoostParams
    aliases = ("xgb", "xg boost", "extreme gradient boosting")

    def build(
        self, task: TaskType, params: XGBoostParams, *, n_classes: int | None, random_state: int
    ) -> Estimator:
        """An XGBClassifier or XGBRegressor with the histogram tree method."""
        model_class = XGBClassifier if task is TaskType.CLASSIFICATION else XGBRegressor
        return model_class(
            n_estimators=params.n_estimators,
            max_depth=params.max_depth,
            learning_rate=params.learning_rate,
            subsample=params.subsample,
            colsample_bytree=params.colsample_bytree,
            min_child_weight=params.min_child_weight,
            reg_lambda=params.reg_lambda,
            reg_alpha=params.reg_alpha,
            early_stopping_rounds=params.early_stopping_rounds,
            tree_method="hist",
            n_jobs=threads(params.n_jobs),
            random_state=random_state,
        )

    def fit(
        self,
        estimator: Estimator,
        x_train: Matrix,
        y_train: Labels,
        *,
        validation: EvalPart | None,
        progress: ProgressHook,
    ) -> Estimator:
        """Fit with an eval set (validation part, else train) reported after each round."""
        part, eval_set = scored_part(x_train, y_train, validation)
        total = int(estimator.n_estimators)
        reporter = _RoundReporter(progress, total, part)
        stopping = estimator.early_stopping_rounds if validation is not None else None
        # The callback holds the job's reporter: it is attached for the fit only, so the
        # saved model never drags it along.
        estimator.set_params(callbacks=[reporter], early_stopping_rounds=stopping)
        try:
            estimator.fit(x_train, y_train, eval_set=[eval_set], verbose=False)
        finally:
            estimator.set_params(callbacks=None)
        if reporter.rounds_done < total:
            progress(total, total, {})
        return estimator

    def native_categories(self, params: XGBoostParams) -> bool:
        return params.categorical_encoding == "native"

    def use_categories(self, estimator: Estimator, categorical: Sequence[bool]) -> None:
        types = ["c" if code else "q" for code in categorical]
        estimator.set_params(enable_categorical=True, feature_types=types)

    def search_space(self, task: TaskType) -> dict[str, BaseDistribution]:
        """Rounds, depth, shrinkage, sampling, penalties and how categories are encoded."""
        return {
            "categorical_encoding": CategoricalDistribution(["onehot", "native"]),
            "n_estimators": IntDistribution(50, 600, log=True),
            "max_depth": IntDistribution(2, 10),
            "learning_rate": FloatDistribution(0.01, 0.3, log=True),
            "subsample": FloatDistribution(0.6, 1.0),
            "colsample_bytree": FloatDistribution(0.6, 1.0),
            "min_child_weight": FloatDistribution(0.5, 10.0, log=True),
            "reg_lambda": FloatDistribution(1e-3, 10.0, log=True),
        }

    def save_native(self, estimator: Estimator, directory: Path) -> Path:
        """The booster as Universal Binary JSON (`model.ubj`)."""
        path = directory / "model.ubj"
        estimator.get_booster().save_model(str(path))
        return path
