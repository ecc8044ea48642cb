"""Linear models: logistic regression for classes, ridge regression for numbers."""

from __future__ import annotations

import logging
import warnings
from typing import Annotated, Literal

import numpy as np
from numpy.typing import NDArray
from optuna.distributions import BaseDistribution, FloatDistribution
from pydantic import BaseModel, ConfigDict, Field
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge

from ml_backend.algorithms.base import (
    AlgorithmSpec,
    Estimator,
    EvalPart,
    Labels,
    Matrix,
    ProgressHook,
)
from ml_backend.configs import TaskType

logger = logging.getLogger(__name__)


class LinearParams(BaseModel):
    """Linear model hyperparameters (C, penalty, max_iter: classification; alpha: regression)."""

    model_config = ConfigDict(extra="forbid")

    C: Annotated[
        float,
        Field(
            gt=0.0,
            le=1e6,
            description="Classification: inverse regularisation strength (smaller = simpler).",
        ),
    ] = 1.0
    penalty: Annotated[
        Literal["l2", "none"],
        Field(description="Classification: 'l2' to regularise, 'none' for plain likelihood."),
    ] = "l2"
    max_iter: Annotated[
        int, Field(ge=10, le=100_000, description="Classification: most solver iterations.")
    ] = 1000
    alpha: Annotated[
        float, Field(ge=0.0, le=1e6, description="Regression: L2 regularisation strength.")
    ] = 1.0


class LinearSpec(AlgorithmSpec[LinearParams]):
    """Logistic regression or ridge regression on standardised features."""

    name = "linear"
    description = "Linear model: logistic regression (classes) or ridge regression (numbers)."
    hyperparameters = LinearParams
    aliases = (
        "linear regression", "logistic regression", "logistic", "logit", "linear model",
        "ridge", "ridge regression", "glm", "ols", "least squares", "linear classifier", "logreg",
    )  # fmt: skip
    needs_scaling = True

    def build(
        self, task: TaskType, params: LinearParams, *, n_classes: int | None, random_state: int
    ) -> Estimator:
        """LogisticRegression (lbfgs) for classification, Ridge for regression."""
        if task is TaskType.REGRESSION:
            return Ridge(alpha=params.alpha)
        # scikit-learn spells "no penalty" as an infinite C.
        strength = np.inf if params.penalty == "none" else params.C
        return LogisticRegression(C=strength, max_iter=params.max_iter, random_state=random_state)

    def fit(
        self,
        estimator: Estimator,
        x_train: Matrix,
        y_train: Labels,
        *,
        validation: EvalPart | None,
        progress: ProgressHook,
    ) -> Estimator:
        """Fit in one go, reporting the start and the end."""
        progress(0, 1, {})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            estimator.fit(x_train, y_train)
        for warning in caught:
            if issubclass(warning.category, ConvergenceWarning):
                # A usable model all the same: say what to change instead of failing the job.
                logger.warning("linear model did not converge; raise max_iter or lower C")
            else:
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
        progress(1, 1, {})
        return estimator

    def feature_weights(self, estimator: Estimator) -> NDArray[np.float64]:
        """Mean absolute coefficient per (standardised) feature, over classes."""
        coefficients = np.atleast_2d(np.asarray(estimator.coef_, dtype=np.float64))
        return np.asarray(np.abs(coefficients).mean(axis=0), dtype=np.float64)

    def search_space(self, task: TaskType) -> dict[str, BaseDistribution]:
        """Regularisation strength: C for classification, alpha for regression."""
        if task is TaskType.CLASSIFICATION:
            return {"C": FloatDistribution(1e-3, 100.0, log=True)}
        return {"alpha": FloatDistribution(1e-3, 100.0, log=True)}
