"""Answers about one run say what was asked first, every number from the stored run: what
mattered most, the settings, why it failed, where a cancelled run stopped, how long is left."""

from __future__ import annotations

import random
import re
import string
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agents.answers import compare_text
from agents.run_answers import MIN_PROGRESS, run_answer
from ml_backend.numbers import format_param

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
SUMMARY = "**Run 7 finished** (xgboost, classification)."


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 10)))


def _finished(result: dict[str, Any], **view: Any) -> dict[str, Any]:
    return {"run_id": 7, "status": "finished", "summary": SUMMARY, "result": result,
            "config": {}, **view}  # fmt: skip


@pytest.mark.parametrize("seed", range(20))
def test_what_mattered_most_lists_the_stored_importance_largest_first(seed: int) -> None:
    rng = random.Random(seed)
    names = list(dict.fromkeys(_word(rng) for _ in range(rng.randint(1, 9))))
    shares = [{"feature": n, "importance": rng.random()} for n in names]
    answer = run_answer(_finished({"feature_importance": shares}), "features")
    lead = answer.split("\n\n")[0]
    listed = re.findall(r"`([a-z]+)` \((\d+)%\)", lead)
    ranked = sorted(shares, key=lambda s: -s["importance"])[:5]
    assert [n for n, _ in listed] == [s["feature"] for s in ranked]
    assert [p for _, p in listed] == [f"{100 * s['importance']:.0f}" for s in ranked]
    assert answer.endswith(SUMMARY)


@pytest.mark.parametrize("seed", range(20))
def test_the_best_settings_of_a_search_are_each_said_with_their_value(seed: int) -> None:
    rng = random.Random(seed)
    best = {_word(rng): rng.choice([rng.randint(1, 999), rng.random(), _word(rng)])
            for _ in range(rng.randint(1, 6))}  # fmt: skip
    result = {"best_params": best, "best_value": 0.91, "goal_metric": "accuracy",
              "best_trial": 3, "trials": [{}] * 10}  # fmt: skip
    lead = run_answer(_finished(result), "settings").split("\n\n")[0]
    for name, value in best.items():
        assert f"{name}={format_param(value)}" in lead
    assert "trial 3 of 10" in lead and "0.910" in lead


def test_a_model_trained_without_settings_is_said_to_use_the_defaults() -> None:
    run = _finished({"algorithm": "lightgbm", "hyperparameters": {}})
    assert "default settings" in run_answer(run, "settings")


@pytest.mark.parametrize("about", [None, "overview", "features", "progress", "failure"])
def test_a_failed_run_is_answered_with_its_error_whatever_was_asked(about: str | None) -> None:
    error = "class(es) ['Platinum'] have no rows in the training part"
    answer = run_answer({"run_id": 4, "status": "failed", "error": error}, about)
    assert answer.startswith("Run 4 failed") and error in answer


def test_a_cancelled_run_says_where_it_stopped() -> None:
    run = {"run_id": 5, "status": "cancelled", "progress": 0.4, "step": 80, "total": 200,
           "unit": "trial", "started_at": NOW.isoformat(),
           "finished_at": (NOW + timedelta(seconds=30)).isoformat()}  # fmt: skip
    answer = run_answer(run, "progress")
    assert "cancelled" in answer and "80 of 200 trials" in answer and "30 seconds" in answer


@pytest.mark.parametrize("seed", range(30))
def test_the_time_left_follows_the_pace_so_far(seed: int) -> None:
    rng = random.Random(seed)
    progress = rng.uniform(MIN_PROGRESS, 0.95)
    elapsed = rng.uniform(5, 3000)
    started = (NOW - timedelta(seconds=elapsed)).replace(tzinfo=None)  # as SQLite gives it
    run = {"run_id": 9, "status": "training", "progress": progress,
           "started_at": started.isoformat()}  # fmt: skip
    answer = run_answer(run, "progress", now=NOW)
    left = elapsed * (1 - progress) / progress
    said = re.search(r"about (\d+) (second|minute|hour)s?(?: (\d+) minutes)? left", answer)
    assert said is not None, answer
    seconds = {"second": 1, "minute": 60, "hour": 3600}[said.group(2)] * int(said.group(1))
    seconds += 60 * int(said.group(3) or 0)
    assert abs(seconds - left) <= max(1.0, 0.02 * left) + 30


def test_too_little_progress_gives_no_estimate_and_a_queued_run_none_either() -> None:
    started = (NOW - timedelta(seconds=3)).isoformat()
    early = run_answer({"run_id": 2, "status": "training", "progress": MIN_PROGRESS / 2,
                        "started_at": started}, now=NOW)  # fmt: skip
    assert "too early to estimate how long is left" in early
    queued = run_answer({"run_id": 3, "status": "queued", "message": "queued, 2 ahead of you"})
    assert "queued, 2 ahead of you" in queued and "left" in queued


def test_a_finished_run_asked_whether_it_failed_says_it_did_not() -> None:
    run = _finished({}, started_at=NOW.isoformat(),
                    finished_at=(NOW + timedelta(minutes=3)).isoformat())  # fmt: skip
    assert run_answer(run, "failure").startswith("Run 7 did not fail: it finished after 3")


def test_a_search_and_a_plain_model_are_compared_on_the_refit_models_test_split() -> None:
    tuned = {"run_id": 1, "status": "finished", "config": {"target_column": "y"},
             "result": {"best_params": {"max_depth": 4}, "trials": [],
                        "training": {"task_type": "classification"},
                        "metrics": {"test": {"accuracy": 0.9}}}}  # fmt: skip
    plain = {"run_id": 2, "status": "finished", "config": {"target_column": "y"},
             "result": {"algorithm": "xgboost", "task_type": "classification",
                        "metrics": {"test": {"accuracy": 0.8}}}}  # fmt: skip
    cancelled = {"run_id": 3, "status": "cancelled", "config": {}}
    text = compare_text([tuned, plain, cancelled])
    assert text.startswith("**Run 1 (tuned model) is better**: accuracy 0.900 against 0.800")
    assert "run 3 was cancelled" in text
    assert "the settings (the best of a search: max_depth=4 against the defaults)" in text
