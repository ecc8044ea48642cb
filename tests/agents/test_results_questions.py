"""Questions about the conversation's runs become read-only tool calls on the right runs; a
request for new work, or a question with no runs to be about, never does."""

from __future__ import annotations

import itertools
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agents.builtin_model import BuiltinPlannerModel
from agents.context import DatasetContext, SchemaContext
from agents.planner.registry import current_registry
from agents.planner.results import RunRef
from bench.eval.tables import energy
from ml_backend.datasets.profile import profile_parquet

ENERGY = {"dataset": {"name": "energy"}}
RUNS = [
    RunRef(3, "explore", {"explorer": "line", "columns": ["date", "kwh"]}),
    RunRef(4, "train", {"algorithm": "random_forest", "target_column": "kwh", **ENERGY}),
    RunRef(5, "train", {"algorithm": "lightgbm", "target_column": "kwh", **ENERGY}),
]
COMPARING = ["which one won?", "which is better?", "compare the last two runs",
             "why is the other one worse?", "did lightgbm beat it?"]  # fmt: skip
ASKING = ["how did it do?", "what matters most?", "explain the results",
          "how accurate is the model?", "what did it rely on?"]  # fmt: skip


@cache
def _context() -> SchemaContext:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "energy.parquet"
        pq.write_table(energy(), path)
        table = DatasetContext(id=1, name="energy", profile=profile_parquet(path))
    return SchemaContext(datasets=[table], focus=table)


def _answer(text: str, runs: list[RunRef]) -> tuple[str, dict[str, Any]] | None:
    """The read-only call the builtin model answers `text` with, after `runs`; None when it
    plans new work or asks a question instead."""
    messages: list[BaseMessage] = []
    for run in runs:
        call = {"name": run.tool, "args": run.config, "id": f"call_{run.run_id}"}
        messages.append(AIMessage("", tool_calls=[call]))
        artifact = {"run_id": run.run_id}
        messages.append(ToolMessage("started", tool_call_id=call["id"], artifact=artifact))
    messages.append(HumanMessage(text))
    answer = BuiltinPlannerModel(context=_context()).respond(messages)
    if not answer.tool_calls:
        return None
    call = answer.tool_calls[0]
    if call["name"] not in {"explain_run", "compare_runs", "job_status", "list_datasets"}:
        return None
    return call["name"], call["args"]


@pytest.mark.parametrize("text", COMPARING)
def test_a_comparison_compares_the_last_two_model_runs(text: str) -> None:
    assert _answer(text, RUNS) == ("compare_runs", {"run_ids": [4, 5]})


def _target(text: str, runs: list[RunRef]) -> tuple[str, int] | None:
    """The tool and the run the builtin model answers `text` with, whatever it asks of it."""
    answer = _answer(text, runs)
    return None if answer is None else (answer[0], answer[1]["run_id"])


@pytest.mark.parametrize("text", ASKING)
def test_a_question_about_the_result_explains_the_last_model_run(text: str) -> None:
    assert _target(text, RUNS) == ("explain_run", 5)


def test_a_run_named_by_its_algorithm_is_the_one_explained() -> None:
    asked = _target("what did the random forest one rely on most?", RUNS)
    assert asked == ("explain_run", 4)


def test_the_best_settings_are_those_of_the_last_tuning_run() -> None:
    runs = [*RUNS, RunRef(6, "tune", {"algorithm": "xgboost"}), RUNS[1]]
    assert _target("what were the best hyperparameters?", runs) == ("explain_run", 6)


VERBS = ["train", "predict", "plot", "tune", "fit", "draw"]
OBJECTS = ["lightgbm on kwh", "the best model for kwh", "kwh against temp_c", "it better"]


@pytest.mark.parametrize(("verb", "rest"), list(itertools.product(VERBS, OBJECTS)))
def test_a_request_for_new_work_is_never_taken_for_a_question(verb: str, rest: str) -> None:
    assert _answer(f"{verb} {rest}", RUNS) is None
    assert _answer(f"can you {verb} {rest}?", RUNS) is None


@pytest.mark.parametrize("text", COMPARING + ASKING)
def test_without_runs_nothing_is_answered_from_results(text: str) -> None:
    assert _answer(text, []) is None


def test_naming_an_algorithm_no_run_used_asks_for_new_work() -> None:
    tuned = [RunRef(8, "tune", {"algorithm": "random_forest"})]
    for name, aliases in current_registry().aliases:
        for alias in (name, *aliases):
            if name != "random_forest":
                said = alias.replace("_", " ")
                assert _answer(f"compare {said} and random forest?", tuned) is None
                assert _answer(f"which is better, {said} or it?", tuned) is None


def _after_answer(runs: list[RunRef], tool: str, args: dict[str, Any]) -> list[BaseMessage]:
    """The conversation after `runs`, whose last reply answered `tool` with `args`."""
    messages: list[BaseMessage] = []
    for run in runs:
        call = {"name": run.tool, "args": run.config, "id": f"call_{run.run_id}"}
        messages.append(AIMessage("", tool_calls=[call]))
        messages.append(ToolMessage("started", tool_call_id=call["id"],
                                    artifact={"run_id": run.run_id}))  # fmt: skip
    messages.append(AIMessage("", tool_calls=[{"name": tool, "args": args, "id": "answer"}]))
    messages.append(ToolMessage("the answer", tool_call_id="answer"))
    return messages


POINTING = ["and the other one?", "the other one", "what about the other model?",
            "y el otro?", "et l'autre ?", "und das andere?", "e o outro?"]  # fmt: skip


@pytest.mark.parametrize("text", POINTING)
@pytest.mark.parametrize(("tool", "about"), [("explain_run", "features"),
                                             ("explain_run", "settings"),
                                             ("job_status", "progress")])  # fmt: skip
def test_the_other_one_asks_the_last_question_again_of_the_other_run(
    text: str, tool: str, about: str
) -> None:
    for asked, other in ((4, 5), (5, 4)):
        messages = _after_answer(RUNS, tool, {"run_id": asked, "about": about})
        messages.append(HumanMessage(text))
        answer = BuiltinPlannerModel(context=_context()).respond(messages)
        assert [(c["name"], c["args"]) for c in answer.tool_calls] == [
            (tool, {"run_id": other, "about": about})
        ]


def test_a_run_pointed_at_by_its_kind_or_algorithm_is_asked_about() -> None:
    runs = [RunRef(6, "leaderboard", {"algorithms": ["xgboost", "linear"], **ENERGY}),
            RunRef(7, "tune", {"algorithm": "lightgbm", **ENERGY}),
            RunRef(8, "train", {"algorithm": "random_forest", **ENERGY})]  # fmt: skip
    for text, run_id in (("and the leaderboard?", 6), ("what about the tuning?", 7),
                         ("and the random forest one?", 8)):  # fmt: skip
        messages = _after_answer(runs, "explain_run", {"run_id": 8 if run_id != 8 else 7})
        messages.append(HumanMessage(text))
        answer = BuiltinPlannerModel(context=_context()).respond(messages)
        assert [c["args"]["run_id"] for c in answer.tool_calls] == [run_id], text


def test_pointing_at_the_run_just_answered_about_or_saying_more_is_no_follow_up() -> None:
    messages = _after_answer(RUNS, "explain_run", {"run_id": 5})
    for text in ("and the lightgbm one?", "and the other one with 300 trees"):
        answer = BuiltinPlannerModel(context=_context()).respond([*messages, HumanMessage(text)])
        assert not answer.tool_calls or answer.tool_calls[0]["args"] != {"run_id": 4}, text
