"""What one job may take: how long it may run and how much data it may read.

The service fills a budget from the tenant's limits; the API and the agent both check a config
against it before anything is queued, so a job that cannot fit is refused in the same words
wherever it comes from, instead of failing hours later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from ml_backend.errors import MLInputError
from ml_backend.jobs.words import duration_words, size_words

SEARCH_SHARE = 0.9
"""The share of the duration limit a search may take; the rest is for the final refit."""

TIME_BOUNDS = ("timeout_s", "time_budget_s")
"""The fields in which a kind bounds its own running time."""

ResolvedT = TypeVar("ResolvedT", bound=BaseModel)


@dataclass(frozen=True)
class JobBudget:
    """The limits one job runs under that a config can be checked against."""

    duration_s: int
    dataset_bytes: int


class BudgetError(MLInputError):
    """A config that cannot run within its budget; `detail` names the limit it exceeds."""


def check_budget(config: BaseModel, dataset_bytes: int | None, budget: JobBudget) -> None:
    """BudgetError if the job's data or its own time bound exceeds the budget."""
    if dataset_bytes is not None and dataset_bytes > budget.dataset_bytes:
        raise BudgetError(
            f"the dataset is {size_words(dataset_bytes)}, over the "
            f"{size_words(budget.dataset_bytes)} dataset limit of your jobs: use a sample of "
            "it, or ask an admin to raise the limit",
            field="dataset",
        )
    # A kind that bounds its own running time names it `timeout_s` (a tuning's search) or
    # `time_budget_s` (an AutoML, its final fit included).
    for field in TIME_BOUNDS:
        seconds = getattr(config, field, None)
        if seconds is not None and seconds > budget.duration_s:
            raise BudgetError(
                f"a search of {duration_words(seconds)} does not fit the "
                f"{duration_words(budget.duration_s)} duration limit of your jobs: ask for at "
                f"most {budget.duration_s} seconds ({field}), or ask an admin to raise the limit",
                field=field,
            )


def fit_budget(resolved: ResolvedT, budget: JobBudget) -> ResolvedT:
    """`resolved` with its search, if it has one, ending in time for the refit: a tuning bound
    only by its trials would otherwise be stopped by the duration limit with nothing saved."""
    cap = SEARCH_SHARE * budget.duration_s
    for field in TIME_BOUNDS:
        if field not in type(resolved).model_fields:
            continue
        seconds = getattr(resolved, field, None)
        if seconds is not None and seconds <= cap:
            return resolved
        return resolved.model_copy(update={field: cap})
    return resolved
