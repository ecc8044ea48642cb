"""Other workers that run trials of a tuning's study beside the tuning's own job.

The service provides them (its RQ workers, the study in Optuna's storage on their Redis); the
tuning only asks for them, shares its study and waits for their trials. Without helpers a
tuning searches alone, in memory, as it always did.
"""

from __future__ import annotations

from typing import Protocol

from optuna.storages import BaseStorage
from optuna.trial import FrozenTrial


class TrialHelpers(Protocol):
    """What a tuning job needs of the workers that may run trials of its study."""

    worker: str
    """The name of the worker this job runs on, recorded with each trial it runs."""
    job: str
    """This job's id, recorded with each trial it runs (a helper's trials carry the helper's)."""
    study_name: str
    """The name of the study the helpers open in `storage()`."""

    def available(self) -> int:
        """How many other workers could run trials now; 0 when this job tunes alone."""

    def storage(self) -> BaseStorage:
        """The storage, shared by every worker, where the study is created."""

    def invite(self, seeds: list[int]) -> None:
        """Ask one helper per seed to run trials of the study (each samples with its seed)."""

    def dismiss(self) -> None:
        """The search is over: helpers that have not started yet never need to."""

    def abandoned(self, trial: FrozenTrial) -> bool:
        """Whether `trial`, still running, belongs to a helper that is gone (killed, crashed)."""
