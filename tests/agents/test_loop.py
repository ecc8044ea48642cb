"""The agent loop with a scripted chat model: validation, repair, questions, approval."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from agents.builtin_model import BuiltinPlannerModel
from agents.context import DatasetContext, SchemaContext
from agents.loop import Agent, Plan, history_from
from ml_backend.datasets import write_sample
from ml_backend.jobs.budget import JobBudget
from ml_backend.jobs.registry import Resolution
from ml_backend.jobs.train.resolve import ResolvedTraining


class ScriptedModel(BaseChatModel):
    """Answers with the next scripted message and keeps every conversation it was shown."""

    script: list[AIMessage]
    seen: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedModel:  # type: ignore[override]
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:  # fmt: skip
        self.seen.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=self.script.pop(0))])


def _call(name: str, **args: Any) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call_{len(args)}"}])


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> SchemaContext:
    stored = write_sample("penguins", tmp_path_factory.mktemp("penguins"))
    penguins = DatasetContext(id=1, name="penguins", profile=stored.profile)
    return SchemaContext(datasets=[penguins], focus=penguins)


class RecordingBackend:
    def __init__(self) -> None:
        self.started: list[tuple[str, dict[str, Any]]] = []
        self.resolutions: list[Resolution | None] = []

    async def start(
        self, tool: str, config: dict[str, Any], resolution: Resolution | None = None
    ) -> dict[str, Any]:
        self.started.append((tool, config))
        self.resolutions.append(resolution)
        return {"run_id": 7, "job_id": "j7", "status": "queued", "kind": "train"}

    async def run(self, run_id: int) -> dict[str, Any]:
        return {"run_id": run_id, "status": "running", "progress": 0.5, "kind": "train"}

    async def cancel(self, run_id: int) -> dict[str, Any]:
        return {"run_id": run_id, "status": "cancelled"}


TRAIN = {"algorithm": "xgboost", "dataset": {"name": "penguins"}}


async def test_a_bad_column_goes_back_to_the_model_which_repairs_it(
    context: SchemaContext,
) -> None:
    model = ScriptedModel(script=[
        _call("train", **TRAIN, target_column="specie"),
        _call("train", **TRAIN, target_column="species"),
    ])  # fmt: skip
    plan = await Agent(model, context).plan([], "xgboost on species please")
    assert plan.action == "train" and plan.config is not None
    assert plan.config["target_column"] == "species"
    repair = model.seen[1][-1]
    assert isinstance(repair, ToolMessage) and repair.status == "error"
    assert "did you mean 'species'" in str(repair.content)


async def test_a_model_that_cannot_repair_asks_a_question_not_a_guess(
    context: SchemaContext,
) -> None:
    bad = _call("train", **TRAIN, target_column="wingspan")
    model = ScriptedModel(script=[bad, bad, bad])
    plan = await Agent(model, context, max_repairs=2).plan([], "predict the wingspan")
    assert plan.action == "clarify" and plan.config is None
    assert "wingspan" in plan.message and plan.message.endswith("?") and len(model.seen) == 3


async def test_out_of_bounds_hyperparameter_and_unknown_tool_are_refused(
    context: SchemaContext,
) -> None:
    model = ScriptedModel(script=[
        _call("train", **TRAIN, target_column="species", hyperparameters={"max_depth": -3}),
        _call("run_python", code="import os"),
        AIMessage("Which depth would you like?"),
    ])  # fmt: skip
    plan = await Agent(model, context).plan([], "xgboost on species with depth -3")
    assert plan.action == "clarify" and plan.config is None
    messages = [str(m.content) for m in model.seen[-1] if isinstance(m, ToolMessage)]
    assert "max_depth must be >= 1" in messages[0]
    assert "there is no tool 'run_python'" in messages[1]


async def test_a_job_waits_for_yes_then_starts(context: SchemaContext) -> None:
    backend = RecordingBackend()
    model = ScriptedModel(script=[_call("train", **TRAIN, target_column="species")])
    agent = Agent(model, context, backend)
    turn = await agent.turn([], "train xgboost on species")
    assert turn.pending is not None and backend.started == []
    assert turn.parts[0]["type"] == "plan" and "Shall I run it?" in turn.reply
    started = await agent.turn([], "yes", turn.pending)
    assert backend.started == [("train", turn.pending.config)]
    assert started.parts[0]["run_id"] == 7 and "run 7" in started.reply


async def test_a_call_started_at_once_hands_on_what_it_was_resolved_to(
    context: SchemaContext,
) -> None:
    """The check resolved the config against the dataset; the run reuses that, once."""
    backend = RecordingBackend()
    model = ScriptedModel(script=[_call("train", **TRAIN, target_column="species")])
    await Agent(model, context, backend, auto_approve=True).turn([], "xgboost on species")
    (resolution,) = backend.resolutions
    assert resolution is not None and resolution.spec.kind == "train"
    assert resolution.dataset_id == 1
    assert isinstance(resolution.resolved, ResolvedTraining)
    assert resolution.resolved.task_type == "classification"
    assert "species" not in resolution.resolved.feature_columns


async def test_history_keeps_plans_as_tool_calls() -> None:
    records = [
        {"role": "user", "content": "train xgboost on species", "parts": []},
        {"role": "assistant", "content": "Shall I?", "parts": [
            {"type": "plan", "tool": "train", "config": {**TRAIN, "target_column": "species"}}]},
    ]  # fmt: skip
    history = history_from(records)
    assert isinstance(history[1], AIMessage)
    assert history[1].tool_calls[0]["args"]["target_column"] == "species"
    assert isinstance(history[2], ToolMessage)
    assert Plan("train", None, "").as_json()["action"] == "train"


@pytest.mark.parametrize(
    "text",
    ["list the datasets", "what datasets do I have?", "which data sets are available",
     "show me all datasets", "Datasets available?"],
)  # fmt: skip
async def test_asking_which_datasets_there_are_lists_them(
    context: SchemaContext, text: str
) -> None:
    from agents.builtin_model import BuiltinPlannerModel

    turn = await Agent(BuiltinPlannerModel(context=context), context).turn([], text)
    assert turn.reply.startswith("Datasets:") and "**penguins**: 344 rows, 8 columns" in turn.reply


@pytest.mark.parametrize(
    "text", ["what columns does this dataset have?", "describe the penguins dataset"]
)
async def test_a_question_about_one_dataset_is_no_listing(
    context: SchemaContext, text: str
) -> None:
    from agents.builtin_model import BuiltinPlannerModel

    turn = await Agent(BuiltinPlannerModel(context=context), context).turn([], text)
    assert not turn.reply.startswith("Datasets:")
    assert "penguins" in turn.reply and turn.plan is not None
    assert turn.plan.action in {"describe", "explore"}


async def test_an_unreachable_model_is_said_so_and_a_bug_is_not_hidden(
    context: SchemaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agents.loop import ModelUnavailableError
    from agents.providers import chat_model, model_errors
    from service.embedded_redis import free_port

    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "unused")
    agent = Agent(chat_model("openai", context), context, model_errors=model_errors("openai"))
    with pytest.raises(ModelUnavailableError, match="Connection error"):
        await agent.turn([], "train xgboost on species")

    class Broken(ScriptedModel):
        def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
            raise ValueError("a bug in the model wrapper")

    broken = Agent(Broken(script=[]), context, model_errors=model_errors("openai"))
    with pytest.raises(ValueError, match="a bug"):
        await broken.turn([], "train xgboost on species")


async def test_of_several_calls_one_is_acted_on_and_only_it_is_answered(
    context: SchemaContext,
) -> None:
    bad = {"name": "train", "args": {**TRAIN, "target_column": "specie"}, "id": "call_a"}
    other = {"name": "list_datasets", "args": {}, "id": "call_b"}
    repaired = _call("train", **TRAIN, target_column="species")
    model = ScriptedModel(script=[AIMessage("", tool_calls=[bad, other]), repaired])
    plan = await Agent(model, context).plan([], "train xgboost on specie")
    assert plan.config is not None and plan.config["target_column"] == "species"
    retry = model.seen[-1]
    sent = [m for m in retry if isinstance(m, AIMessage) and m.tool_calls]
    answers = [m for m in retry if isinstance(m, ToolMessage)]
    assert [c["id"] for c in sent[0].tool_calls] == ["call_a"]
    assert [a.tool_call_id for a in answers] == ["call_a"]


async def test_a_bare_yes_or_no_with_nothing_pending_starts_nothing(
    context: SchemaContext,
) -> None:
    from agents.builtin_model import BuiltinPlannerModel

    backend = RecordingBackend()
    agent = Agent(BuiltinPlannerModel(context=context), context, backend, auto_approve=True)
    history = history_from([
        {"role": "user", "content": "histogram of body mass", "parts": []},
        {"role": "assistant", "content": "Started explore run 7.", "parts": [
            {"type": "run", "tool": "explore", "run_id": 7,
             "config": {"explorer": "histogram", "dataset": {"name": "penguins"},
                        "columns": ["body_mass_g"]}}]},
    ])  # fmt: skip
    for text in ("yes", "ok", "no"):
        turn = await agent.turn(history, text)
        assert turn.pending is None and turn.parts == []
    assert backend.started == []


async def test_a_question_about_the_last_run_is_answered_from_it(
    context: SchemaContext,
) -> None:
    from agents.builtin_model import BuiltinPlannerModel

    class FinishedBackend(RecordingBackend):
        async def run(self, run_id: int) -> dict[str, Any]:
            return {"run_id": run_id, "status": "finished", "summary": f"Run {run_id} did well."}

    train = {"algorithm": "xgboost", "dataset": {"name": "penguins"}, "target_column": "species"}
    history = history_from([
        {"role": "user", "content": "xgboost on species", "parts": []},
        {"role": "assistant", "content": "Started train run 9.",
         "parts": [{"type": "run", "tool": "train", "run_id": 9, "config": train}]},
    ])  # fmt: skip
    agent = Agent(BuiltinPlannerModel(context=context), context, FinishedBackend())
    turn = await agent.turn(history, "how did it do?")
    assert turn.plan is not None and turn.plan.action == "explain_run"
    assert turn.reply == "Run 9 did well."


async def test_a_plan_beyond_the_tenants_limits_is_refused_saying_why(
    context: SchemaContext,
) -> None:
    limited = replace(context, budget=JobBudget(duration_s=3600, dataset_bytes=1024**3))
    model = ScriptedModel(script=[
        _call("tune", **TRAIN, target_column="species", n_trials=10, timeout_s=7200),
    ])  # fmt: skip
    backend = RecordingBackend()
    turn = await Agent(model, limited, backend, auto_approve=True).turn([], "tune it for 2 h")
    assert turn.reply.startswith("I cannot run that within your limits: ")
    assert "1 hour duration limit" in turn.reply
    assert backend.started == [] and len(model.seen) == 1, "no repair can make it fit"


async def test_what_was_answered_stays_in_the_history_for_a_follow_up(
    context: SchemaContext,
) -> None:
    """The answer about a run is kept as the read-only call it was, so 'and the other one?'
    asks the same question of the other run."""
    from agents.builtin_model import BuiltinPlannerModel

    relied_on = {11: "bill_length_mm", 12: "flipper_length_mm"}

    class FinishedBackend(RecordingBackend):
        async def run(self, run_id: int) -> dict[str, Any]:
            shares = [{"feature": relied_on[run_id], "importance": 0.7},
                      {"feature": "island", "importance": 0.3}]  # fmt: skip
            return {"run_id": run_id, "status": "finished", "summary": f"Run {run_id} ended.",
                    "result": {"feature_importance": shares}}  # fmt: skip

    records: list[dict[str, Any]] = []
    for run_id, algorithm in ((11, "xgboost"), (12, "random_forest")):
        config = {**TRAIN, "algorithm": algorithm, "target_column": "species"}
        records += [
            {"role": "user", "content": f"{algorithm} on species", "parts": []},
            {"role": "assistant", "content": f"Started train run {run_id}.",
             "parts": [{"type": "run", "tool": "train", "run_id": run_id, "config": config}]},
        ]  # fmt: skip
    agent = Agent(BuiltinPlannerModel(context=context), context, FinishedBackend())
    first = await agent.turn(history_from(records), "what mattered most?")
    assert first.reply.startswith("What run 12's model relied on most: `flipper_length_mm`")
    assert first.parts == [{"type": "answer", "tool": "explain_run",
                            "config": {"run_id": 12, "about": "features"}}]  # fmt: skip
    records += [{"role": "user", "content": "what mattered most?", "parts": []},
                {"role": "assistant", "content": first.reply, "parts": first.parts}]  # fmt: skip
    other = await agent.turn(history_from(records), "and the other one?")
    assert other.reply.startswith("What run 11's model relied on most: `bill_length_mm`")


class GoingBackend(RecordingBackend):
    """Runs that go on until cancelled, and say so."""

    def __init__(self, status: str = "training") -> None:
        super().__init__()
        self.status = status
        self.cancelled: list[int] = []

    async def run(self, run_id: int) -> dict[str, Any]:
        return {"run_id": run_id, "status": self.status, "progress": 0.3, "kind": "train"}

    async def cancel(self, run_id: int) -> dict[str, Any]:
        self.cancelled.append(run_id)
        return {"run_id": run_id, "status": "cancelled", "progress": 0.3, "kind": "train"}


def _started(run_id: int) -> list[BaseMessage]:
    train = {"algorithm": "xgboost", "dataset": {"name": "penguins"}, "target_column": "species"}
    return history_from([
        {"role": "user", "content": "xgboost on species", "parts": []},
        {"role": "assistant", "content": f"Started train run {run_id}.",
         "parts": [{"type": "run", "tool": "train", "run_id": run_id, "config": train}]},
    ])  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["cancel it", "stop the training please", "cancela el entrenamiento", "annule ça",
     "brich das Training ab", "pare o treinamento"],
)  # fmt: skip
async def test_stop_without_a_run_number_cancels_the_run_going_now(
    context: SchemaContext, text: str
) -> None:
    backend = GoingBackend()
    agent = Agent(BuiltinPlannerModel(context=context), context, backend)
    turn = await agent.turn(_started(12), text)
    assert backend.cancelled == [12]
    assert "Run 12 is cancelled" in turn.reply
    assert backend.started == []


async def test_stop_with_nothing_going_cancels_and_starts_nothing(context: SchemaContext) -> None:
    backend = GoingBackend(status="finished")
    agent = Agent(BuiltinPlannerModel(context=context), context, backend)
    turn = await agent.turn(_started(12), "stop the training")
    assert backend.cancelled == [] and backend.started == []
    assert "nothing to stop" in turn.reply


async def test_a_bare_no_after_a_run_started_does_not_cancel_it(context: SchemaContext) -> None:
    backend = GoingBackend()
    agent = Agent(BuiltinPlannerModel(context=context), context, backend)
    await agent.turn(_started(12), "no")
    assert backend.cancelled == []


async def test_a_change_that_cannot_be_made_keeps_the_plan_waiting(context: SchemaContext) -> None:
    backend = RecordingBackend()
    agent = Agent(BuiltinPlannerModel(context=context), context, backend)
    first = await agent.turn([], "train xgboost to predict species")
    assert first.pending is not None
    history = history_from([
        {"role": "user", "content": "train xgboost to predict species", "parts": []},
        {"role": "assistant", "content": first.reply, "parts": first.parts},
    ])  # fmt: skip
    changed = await agent.turn(history, "only use wingspan and bill_length_mm", first.pending)
    assert "no column 'wingspan'" in changed.reply
    assert changed.pending == first.pending and "plan is unchanged" in changed.reply
    await agent.turn(history, "yes", changed.pending)
    assert [tool for tool, _config in backend.started] == ["train"]
