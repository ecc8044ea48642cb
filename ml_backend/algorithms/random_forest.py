"""Random forests grown in chunks of trees, so that progress is real."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Self

import numpy as np
from numpy.typing import NDArray
from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution
from pydantic import BaseModel, ConfigDict, Field
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted

from ml_backend.algorithms.base import (
    AlgorithmSpec,
    Estimator,
    EvalPart,
    Labels,
    Matrix,
    ProgressHook,
    Threads,
    no_progress,
    threads,
)
from ml_backend.configs import TaskType

# Progress granularity: about this many reports however many trees are asked for.
_CHUNKS = 20

MaxFeatures = Literal["sqrt", "log2"] | Annotated[float, Field(gt=0.0, le=1.0)] | None


class RandomForestParams(BaseModel):
    """Random forest hyperparameters."""

    model_config = ConfigDict(extra="forbid")

    n_estimators: Annotated[int, Field(ge=1, le=5000, description="Trees in the forest.")] = 100
    max_depth: Annotated[
        int | None, Field(ge=1, le=100, description="Deepest a tree may grow; null for no limit.")
    ] = None
    min_samples_split: Annotated[
        int, Field(ge=2, le=10_000, description="Fewest rows a node needs to be split.")
    ] = 2
    min_samples_leaf: Annotated[
        int, Field(ge=1, le=10_000, description="Fewest rows a leaf may hold.")
    ] = 1
    max_features: Annotated[
        MaxFeatures,
        Field(
            description="Features tried at each split: 'sqrt', 'log2', a share in (0, 1], "
            "or null for all."
        ),
    ] = "sqrt"
    n_jobs: Threads = None


def chunk_sizes(n_estimators: int, chunks: int = _CHUNKS) -> list[int]:
    """How many trees each growing step adds: equal chunks that sum to `n_estimators`."""
    size = math.ceil(n_estimators / chunks)
    full, rest = divmod(n_estimators, size)
    return [size] * full + ([rest] if rest else [])


class _ChunkedForest(BaseEstimator):  # type: ignore[misc]
    """A scikit-learn random forest fitted a chunk of trees at a time (warm start)."""

    _forest_class: type[Any]

    def __init__(
        self,
        *,
        n_estimators: int = 100,
        max_depth: int | None = None,
        min_samples_split: int = 2,
        min_samples_leaf: int = 1,
        max_features: str | float | None = "sqrt",
        n_jobs: int | None = None,
        random_state: int | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        # The wrapped forest accepts sparse input and missing values: so does the wrapper.
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Matrix, y: Labels, progress: ProgressHook = no_progress) -> Self:
        """Grow the forest chunk by chunk, calling `progress(trees_built, n_estimators, {})`."""
        forest = self._forest_class(
            n_estimators=0,
            max_depth=self.max_depth,
            min_samples_split=self.min_samples_split,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
            warm_start=True,
        )
        for size in chunk_sizes(self.n_estimators):
            forest.set_params(n_estimators=forest.n_estimators + size)
            forest.fit(X, y)
            progress(forest.n_estimators, self.n_estimators, {})
        self.forest_ = forest
        self.n_features_in_ = forest.n_features_in_
        return self

    def predict(self, X: Matrix) -> NDArray[Any]:
        """The forest's prediction for each row."""
        check_is_fitted(self)
        return np.asarray(self.forest_.predict(X))

    @property
    def feature_importances_(self) -> NDArray[np.float64]:
        """Mean decrease in impurity per input feature."""
        check_is_fitted(self)
        return np.asarray(self.forest_.feature_importances_, dtype=np.float64)


class ChunkedRandomForestClassifier(ClassifierMixin, _ChunkedForest):  # type: ignore[misc]
    """Random forest classifier with per-chunk progress."""

    _forest_class = RandomForestClassifier

    def fit(self, X: Matrix, y: Labels, progress: ProgressHook = no_progress) -> Self:
        """Grow the forest; learn the classes."""
        super().fit(X, y, progress)
        self.classes_ = self.forest_.classes_
        return self

    def predict_proba(self, X: Matrix) -> NDArray[np.float64]:
        """Class probabilities: the share of trees' votes, averaged."""
        check_is_fitted(self)
        return np.asarray(self.forest_.predict_proba(X), dtype=np.float64)


class ChunkedRandomForestRegressor(RegressorMixin, _ChunkedForest):  # type: ignore[misc]
    """Random forest regressor with per-chunk progress."""

    _forest_class = RandomForestRegressor


class RandomForestSpec(AlgorithmSpec[RandomForestParams]):
    """Random forest for classification and regression."""

    name = "random_forest"
    progress_unit = "tree"
    description = "Random forest: many decorrelated decision trees, robust with little tuning."
    hyperparameters = RandomForestParams
    aliases = ("random forest", "randomforest", "rf", "forest", "bagged trees")

    def build(
        self,
        task: TaskType,
        params: RandomForestParams,
        *,
        n_classes: int | None,
        random_state: int,
    ) -> Estimator:
        """A chunked random forest classifier or regressor."""
        model_class = (
            ChunkedRandomForestClassifier
            if task is TaskType.CLASSIFICATION
            else ChunkedRandomForestRegressor
        )
        return model_class(
            n_estimators=params.n_estimators,
            max_depth=params.max_depth,
            min_samples_split=params.min_samples_split,
            min_samples_leaf=params.min_samples_leaf,
            max_features=params.max_features,
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
        """Grow the forest on the training part; forests need no validation part."""
        return estimator.fit(x_train, y_train, progress=progress)

    def search_space(self, task: TaskType) -> dict[str, BaseDistribution]:
        """Trees, depth, leaf size and features per split."""
        return {
            "n_estimators": IntDistribution(50, 500, log=True),
            "max_depth": IntDistribution(3, 30),
            "min_samples_split": IntDistribution(2, 20, log=True),
            "min_samples_leaf": IntDistribution(1, 10),
            "max_features": CategoricalDistribution(["sqrt", "log2", 0.5, 1.0]),
        }
