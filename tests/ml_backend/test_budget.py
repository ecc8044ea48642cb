"""A job's budget: configs beyond it are refused naming the limit, a search bounded only by
trials is fitted into it, and a process's core limit caps every thread count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from ml_backend.algorithms.base import limit_threads, threads
from ml_backend.jobs.budget import BudgetError, JobBudget, check_budget, fit_budget

HOUR = JobBudget(duration_s=3600, dataset_bytes=10 * 1024**2)


class Search(BaseModel):
    n_trials: int | None = None
    timeout_s: float | None = None


class Training(BaseModel):
    algorithm: str = "xgboost"


def test_a_search_longer_than_the_duration_limit_is_refused_naming_it() -> None:
    with pytest.raises(BudgetError) as refused:
        check_budget(Search(timeout_s=7200), None, HOUR)
    assert "2 hours does not fit the 1 hour duration limit" in refused.value.detail
    assert "at most 3600 seconds" in refused.value.detail
    assert refused.value.field == "timeout_s"
    check_budget(Search(timeout_s=3600), None, HOUR)


def test_a_dataset_over_the_size_limit_is_refused_naming_it() -> None:
    with pytest.raises(BudgetError) as refused:
        check_budget(Training(), 11 * 1024**2, HOUR)
    assert "the dataset is 11 MB, over the 10 MB dataset limit" in refused.value.detail
    check_budget(Training(), 10 * 1024**2, HOUR)


def test_a_search_ends_in_time_for_its_refit() -> None:
    assert fit_budget(Search(n_trials=20), HOUR).timeout_s == 3240
    assert fit_budget(Search(timeout_s=3600), HOUR).timeout_s == 3240
    assert fit_budget(Search(timeout_s=60), HOUR).timeout_s == 60
    assert fit_budget(Training(), HOUR) == Training()


@pytest.fixture
def one_core() -> Iterator[None]:
    limit_threads(1)
    yield
    limit_threads(None)


def test_the_core_limit_caps_asked_and_default_threads(one_core: None) -> None:
    assert threads(None) == 1
    assert threads(16) == 1


def test_without_a_core_limit_threads_are_as_asked() -> None:
    assert threads(16) == 16
    assert threads(None) >= 1
