"""A tuning's iterations from its run's stream when trials on two workers end at once: one
iteration per trial, in the order they ended, and a best so far that never gets worse."""

from __future__ import annotations

from typing import Any

from service.domain.experiments.parts import merged_iterations


def _trial(step: int, value: float, best: float) -> dict[str, Any]:
    return {"type": "progress", "unit": "trial", "step": step,
            "metrics": {"trial/f1": value, "best/f1": best}}  # fmt: skip


def test_trials_that_ended_together_are_each_an_iteration_with_the_true_best() -> None:
    streamed = [
        _trial(1, 0.80, 0.80),
        # two workers end trials at once: each counts 2 done and misses the other's score
        _trial(2, 0.90, 0.90),
        _trial(2, 0.85, 0.85),
        {"type": "progress", "unit": "trial", "step": 3},  # a bare count: no iteration
        _trial(4, 0.70, 0.90),
    ]
    reported = [{"step": 2, "unit": "trial", "metrics": {"trial/f1": 0.90, "best/f1": 0.90}}]
    merged = merged_iterations(reported, streamed)
    assert [(i["step"], i["metrics"]["trial/f1"], i["metrics"]["best/f1"]) for i in merged] == [
        (1, 0.80, 0.80), (2, 0.90, 0.90), (3, 0.85, 0.90), (4, 0.70, 0.90),
    ]  # fmt: skip


def test_a_minimised_goal_keeps_its_lowest_and_rounds_keep_their_own_steps() -> None:
    streamed = [
        {"type": "progress", "unit": "round", "step": 5, "metrics": {"validation/loss": 0.4}},
        {**_trial(1, 0.5, 0.5), "metrics": {"trial/rmse": 0.5, "best/rmse": 0.5}},
        {**_trial(2, 0.3, 0.3), "metrics": {"trial/rmse": 0.3, "best/rmse": 0.3}},
        # ended with the trial above, and missed its 0.3
        {**_trial(2, 0.4, 0.4), "metrics": {"trial/rmse": 0.4, "best/rmse": 0.4}},
        {**_trial(4, 0.6, 0.3), "metrics": {"trial/rmse": 0.6, "best/rmse": 0.3}},
    ]
    merged = merged_iterations([], streamed)
    assert [(i["unit"], i["step"]) for i in merged] == [
        ("round", 5), ("trial", 1), ("trial", 2), ("trial", 3), ("trial", 4),
    ]  # fmt: skip
    assert [i["metrics"]["best/rmse"] for i in merged[1:]] == [0.5, 0.3, 0.3, 0.3]
