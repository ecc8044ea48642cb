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
    # A kind that bounds its own running time (a tuning's search) names it `timeout_s`.
    timeout_s = getattr(config, "timeout_s", None)
    if timeout_s is not None and timeout_s > budget.duration_s:
        raise BudgetError(
            f"a search of {duration_words(timeout_s)} does not fit the "
            f"{duration_words(budget.duration_s)} duration limit of your jobs: ask for at most "
            f"{budget.duration_s} seconds (timeout_s), or ask an admin to raise the limit",
            field="timeout_s",
        )


def fit_budget(resolved: ResolvedT, budget: JobBudget) -> ResolvedT:
    """`resolved` with its search, if it has one, ending in time for the refit: a tuning bound
    only by its trials would otherwise be stopped by the duration limit with nothing saved."""
    if "timeout_s" not in type(resolved).model_fields:
        return resolved
    cap = SEARCH_SHARE * budget.duration_s
    timeout_s = getattr(resolved, "timeout_s", None)
    if timeout_s is not None and timeout_s <= cap:
        return resolved
    return resolved.model_copy(update={"timeout_s": cap})
