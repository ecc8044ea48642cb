"""What every algorithm provides: its parameters, where it applies, how it builds and fits."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Generic, TypeAlias, TypeVar

import numpy as np
from numpy.typing import NDArray
from optuna.distributions import BaseDistribution
from pydantic import BaseModel, Field

from ml_backend.configs import TaskType
from ml_backend.reporting import ProgressUnit
from ml_backend.schema import DatasetProfile

ProgressHook: TypeAlias = Callable[[int, int, dict[str, float]], None]
"""`(step, total, live_metrics)`: called as training advances, e.g. once per boosting round."""

Estimator: TypeAlias = Any
"""A fitted or unfitted scikit-learn-compatible estimator (the libraries ship no types)."""

Matrix: TypeAlias = NDArray[np.float64]
Labels: TypeAlias = NDArray[Any]
EvalPart: TypeAlias = tuple[Matrix, Labels]

ParamsT = TypeVar("ParamsT", bound=BaseModel)

# Threads per job: machines with many cores run several workers, so one job takes a share.
_MAX_DEFAULT_THREADS = 8
MAX_THREADS = 256


Threads: TypeAlias = Annotated[
    int | None,
    Field(
        ge=1,
        le=MAX_THREADS,
        description="Threads to train with; null for the worker's cores "
        f"(at most {_MAX_DEFAULT_THREADS}).",
    ),
]
"""Thread-count hyperparameter; null is resolved on the worker, not where configs are checked."""


_core_limit: int | None = None
"""The most threads this process's jobs may use (a tenant's CPU limit); None: no limit."""


def limit_threads(cores: int | None) -> None:
    """Cap every thread count `threads` gives in this process at `cores` (None lifts the cap).

    The service calls it in the process that runs one job, before the job starts, so that a
    person's `n_jobs` or the machine's core count never exceeds what the job was granted.
    """
    global _core_limit
    _core_limit = cores


def threads(n_jobs: int | None) -> int:
    """`n_jobs`, or the worker machine's cores capped at a share, when it is None; never more
    than the process's core limit."""
    wanted = n_jobs if n_jobs is not None else min(os.cpu_count() or 1, _MAX_DEFAULT_THREADS)
    return max(1, wanted if _core_limit is None else min(wanted, _core_limit))


def scored_part(
    x_train: Matrix, y_train: Labels, validation: EvalPart | None
) -> tuple[str, EvalPart]:
    """The part boosting rounds are scored on, by name: validation if there is one, else train."""
    if validation is not None:
        return "validation", validation
    return "train", (x_train, y_train)


def no_progress(step: int, total: int, metrics: dict[str, float]) -> None:
    """A progress hook that ignores everything."""


class AlgorithmSpec(ABC, Generic[ParamsT]):
    """One algorithm: its name, its hyperparameter model, and how it builds and fits."""

    name: str
    description: str
    hyperparameters: type[ParamsT]
    aliases: tuple[str, ...] = ()
    """Other names people call it by ('rf', 'random forest'), in lower case; `name` is one too."""
    tasks: frozenset[TaskType] = frozenset({TaskType.CLASSIFICATION, TaskType.REGRESSION})
    needs_scaling: bool = False
    """Whether numeric inputs must be standardised (linear models) or may stay as they are."""
    progress_unit: ProgressUnit = "step"
    """What `fit`'s progress counts: boosting rounds, epochs, trees, or plain steps."""

    def applicable(self, profile: DatasetProfile, task: TaskType) -> str | None:
        """None when this algorithm can learn `task` on this data, else the reason in words."""
        if task not in self.tasks:
            handled = " and ".join(sorted(t.value for t in self.tasks))
            return f"{self.name} does {handled}, not {task.value}"
        return None

    @abstractmethod
    def build(
        self, task: TaskType, params: ParamsT, *, n_classes: int | None, random_state: int
    ) -> Estimator:
        """An unfitted estimator for `task`; classifiers get labels encoded as 0..n_classes-1."""

    def fit(
        self,
        estimator: Estimator,
        x_train: Matrix,
        y_train: Labels,
        *,
        validation: EvalPart | None,
        progress: ProgressHook,
    ) -> Estimator:
        """Fit `estimator`, reporting progress; `validation` serves early stopping where used."""
        progress(0, 1, {})
        estimator.fit(x_train, y_train)
        progress(1, 1, {})
        return estimator

    def native_categories(self, params: ParamsT) -> bool:
        """Whether categorical columns reach the estimator as codes it splits on itself,
        rather than one-hot encoded."""
        return False

    def use_categories(self, estimator: Estimator, categorical: Sequence[bool]) -> None:
        """Tell `estimator` which of its input columns are category codes (native only)."""
        return None

    def feature_weights(self, estimator: Estimator) -> NDArray[np.float64]:
        """One non-negative weight per input feature of the fitted estimator."""
        return np.asarray(estimator.feature_importances_, dtype=np.float64)

    def save_native(self, estimator: Estimator, directory: Path) -> Path | None:
        """Write the fitted estimator in its library's own format; None if it has none."""
        return None

    def search_space(self, task: TaskType) -> dict[str, BaseDistribution]:
        """Optuna distributions over the hyperparameters worth tuning for `task`.

        Each range lies inside the hyperparameter model's bounds; a person may narrow it.
        """
        return {}
