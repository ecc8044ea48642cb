"""Questions about the conversation's runs become read-only tool calls on the right runs."""

from __future__ import annotations

import itertools

import pytest

from agents.planner.results import RunRef, results_request

RUNS = [
    RunRef(3, "explore", {"explorer": "line", "columns": ["date", "kwh"]}),
    RunRef(4, "train", {"algorithm": "random_forest", "target_column": "kwh"}),
    RunRef(5, "train", {"algorithm": "lightgbm", "target_column": "kwh"}),
]
COMPARING = ["which one won?", "which is better?", "compare the last two runs",
             "why is the other one worse?", "did lightgbm beat it?"]  # fmt: skip
ASKING = ["how did it do?", "what matters most?", "explain the results",
          "how accurate is the model?", "what did it rely on?"]  # fmt: skip


@pytest.mark.parametrize("text", COMPARING)
def test_a_comparison_compares_the_last_two_model_runs(text: str) -> None:
    assert results_request(text, RUNS) == ("compare_runs", {"run_ids": [4, 5]})


@pytest.mark.parametrize("text", ASKING)
def test_a_question_about_the_result_explains_the_last_model_run(text: str) -> None:
    assert results_request(text, RUNS) == ("explain_run", {"run_id": 5})


def test_a_run_named_by_its_algorithm_is_the_one_explained() -> None:
    asked = results_request("what did the random forest one rely on most?", RUNS)
    assert asked == ("explain_run", {"run_id": 4})


def test_the_best_settings_are_those_of_the_last_tuning_run() -> None:
    runs = [*RUNS, RunRef(6, "tune", {"algorithm": "xgboost"}), RUNS[1]]
    assert results_request("what were the best hyperparameters?", runs) == (
        "explain_run", {"run_id": 6},
    )  # fmt: skip


VERBS = ["train", "predict", "plot", "tune", "fit", "draw"]
OBJECTS = ["lightgbm on kwh", "the best model for kwh", "kwh against temp_c", "it better"]


@pytest.mark.parametrize(("verb", "rest"), list(itertools.product(VERBS, OBJECTS)))
def test_a_request_for_new_work_is_never_taken_for_a_question(verb: str, rest: str) -> None:
    assert results_request(f"{verb} {rest}", RUNS) is None
    assert results_request(f"can you {verb} {rest}?", RUNS) is None


@pytest.mark.parametrize("text", COMPARING + ASKING)
def test_without_runs_nothing_is_answered_from_results(text: str) -> None:
    assert results_request(text, []) is None


def test_naming_an_algorithm_no_run_used_asks_for_new_work() -> None:
    from agents.planner.registry import current_registry

    tuned = [RunRef(8, "tune", {"algorithm": "random_forest"})]
    for name, aliases in current_registry().aliases:
        for alias in (name, *aliases):
            if name != "random_forest":
                said = alias.replace("_", " ")
                assert results_request(f"compare {said} and random forest?", tuned) is None
                assert results_request(f"which is better, {said} or it?", tuned) is None
