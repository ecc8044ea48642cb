"""The builtin model: the schema-grounded planner as a langchain chat model emitting tool calls.

It needs no key and no network and answers in milliseconds, and it drives the very same
agent loop as a language model would: it reads the conversation, plans the last message
with `agents.planner.plan_message` against the dataset in focus, and answers with a tool
call (or, for a question or a refusal, with words).
"""

from __future__ import annotations

import difflib
import itertools
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import ConfigDict, ValidationError

from agents.context import DatasetContext, SchemaContext
from agents.languages import to_english
from agents.loop import QUESTION_KEY, open_question
from agents.planner import PlannedAction, plan_message
from agents.planner.datasets import dataset_meant
from agents.planner.intent_model import RESULT_INTENTS
from agents.planner.plan import PLANNED_INTENTS, asks_for_something, plan_answer
from agents.planner.provenance import Focus, read_history
from agents.planner.questions import Slot
from agents.planner.results import RunRef, askable, follow_up_run, results_call
from agents.planner.sql_load import read_load
from agents.planner.text import name_words
from agents.tools import ACTION_TOOLS, TOOLS
from ml_backend.schema import DatasetProfile

_NO_COLUMNS = DatasetProfile(row_count=0, columns=[])


class BuiltinPlannerModel(BaseChatModel):
    """A chat model whose every answer comes from the builtin planner."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    context: SchemaContext

    @property
    def _llm_type(self) -> str:
        return "mlchat-builtin"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """The planner knows mlchat's tools already; binding changes nothing."""
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.respond(messages))])

    def _focus(self, text: str) -> DatasetContext | None:
        """The dataset the message is about: one it names, else the conversation's, else
        the only one whose columns it names."""
        datasets = self.context.datasets
        current = self.context.focus.name if self.context.focus is not None else None
        meant = dataset_meant(text, [(d.name, d.profile) for d in datasets], current)
        return next((d for d in datasets if d.name == meant), self.context.focus)

    def respond(self, messages: Sequence[BaseMessage]) -> AIMessage:
        """The answer to the conversation so far."""
        last = messages[-1] if messages else None
        if isinstance(last, ToolMessage):
            # Its plans are validated before they are sent, so a tool error is rare: say it.
            return _words(f"I could not do that: {last.content}", "error")
        if not isinstance(last, HumanMessage) or not isinstance(last.content, str):
            return _words("What would you like to do with the data?", "clarify")
        asked = _slot(open_question(messages[:-1]))
        if asked is not None:
            answered = self._answer(asked, last.content, messages)
            if answered is not None:
                return answered
        return self._respond_to(last.content, self._focus(last.content), messages)

    def _respond_to(
        self, text: str, focus: DatasetContext | None, messages: Sequence[BaseMessage]
    ) -> AIMessage:
        """The answer to `text`, the conversation's last message, about `focus`."""
        protected = focus.profile.column_names if focus is not None else []
        english, _language = to_english(text, protected=_words_of(protected))
        if self.context.connections:
            load = read_load(text, english, self.context.connections, date.today())
            if load is not None and load.call is not None:
                call = {"name": "load_sql", "args": load.call,
                        "id": f"call_{uuid.uuid4().hex[:12]}"}  # fmt: skip
                return AIMessage("", tool_calls=[call])
            if load is not None and load.question is not None:
                return _words(load.question, "clarify")
        runs = _runs(messages[:-1])
        names = [d.name for d in self.context.datasets]
        current = focus.name if focus is not None else None
        latest = max((d.version for d in self.context.datasets if d.name == current), default=1)
        history = read_history(english, runs, Focus(names, current, latest))
        if history is not None and history.call is not None:
            name, args = history.call
            call = {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}"}
            return AIMessage("", tool_calls=[call])
        if history is not None and history.question is not None:
            return _words(history.question, "clarify")
        run_call = run_request(english) or _asked_again(english, runs, messages[:-1])
        if run_call is None:
            # Without a dataset in focus the message is still read, against no columns: it
            # may ask which datasets there are, or about the runs.
            profile = focus.profile if focus is not None else _NO_COLUMNS
            ref = focus.ref if focus is not None else {"name": ""}
            previous = _previous(messages[:-1])
            plan = plan_message(english, profile, ref, previous, runs=askable(english, runs))
            if plan.action == "list_datasets":
                run_call = "list_datasets", {}
            elif plan.action in RESULT_INTENTS:
                discussed = _discussed(messages[:-1])
                run_call = results_call(plan.action, english, runs, plan.about, discussed)
        if run_call is not None:
            name, args = run_call
            call = {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}"}
            return AIMessage("", tool_calls=[call])
        if focus is None:
            intent = plan.action if plan.action in PLANNED_INTENTS else ""
            slot = Slot(kind="dataset", intent=intent, request=english)
            return _words(self._which_dataset(), "clarify", slot)
        return _message_of(plan)

    def _which_dataset(self, opening: str = "") -> str:
        names = ", ".join(d.name for d in self.context.datasets) or "none yet"
        return f"{opening}Which dataset should I use? Available: {names}."

    def _answer(self, slot: Slot, text: str, messages: Sequence[BaseMessage]) -> AIMessage | None:
        """The request `slot` was asked about, with `text` answering it; None when `text` is
        a request of its own (see `agents.planner.questions`)."""
        if slot.kind == "dataset":
            return self._answer_dataset(slot, text, messages)
        focus = next((d for d in self.context.datasets if d.name == slot.dataset), None)
        if focus is None:
            return None  # the dataset asked about is gone: read the message afresh
        runs = _runs(messages[:-1])
        previous = _previous(messages[:-1])
        plan = plan_answer(slot, text, focus.profile, focus.ref, previous,
                           runs=askable(text, runs))  # fmt: skip
        return _message_of(plan) if plan is not None else None

    def _answer_dataset(
        self, slot: Slot, text: str, messages: Sequence[BaseMessage]
    ) -> AIMessage | None:
        datasets = [(d.name, d.profile) for d in self.context.datasets]
        named = dataset_meant(text, datasets, None)
        focus = next((d for d in self.context.datasets if d.name == named), None)
        if focus is not None:
            alone = self._respond_to(text, focus, messages)
            tool = TOOLS.get(alone.tool_calls[0]["name"]) if alone.tool_calls else None
            asks = asks_for_something(text, focus.profile, focus.ref)
            if tool is not None and tool.action != slot.intent and asks:
                return None  # 'a histogram of body mass in penguins': a request of its own
            # 'penguins, with 300 trees': what the answer says besides the name counts too
            protected = _words_of(focus.profile.column_names)
            english, _language = to_english(text, protected=protected)
            # without the name itself, which is no column ('energy' is not `kwh` here)
            named_words = set(name_words(focus.name))
            rest = [w for w in english.split() if not set(name_words(w)) <= named_words]
            return self._respond_to(" ".join([slot.request, *rest]), focus, messages)
        alone = self._respond_to(text, None, messages)
        asked = alone.response_metadata.get(QUESTION_KEY)
        if alone.tool_calls or not isinstance(asked, dict) or asked.get("kind") != "dataset":
            return None  # a request of its own: about the runs, the datasets, a connection
        near = difflib.get_close_matches(text.strip().lower(), [n for n, _ in datasets], n=3)
        hint = f" Did you mean {' or '.join(f'`{n}`' for n in near)}?" if near else ""
        opening = f"No dataset is called '{text.strip()}'.{hint} "
        return _words(self._which_dataset(opening), "clarify", slot)


def _slot(stored: dict[str, Any] | None) -> Slot | None:
    """The slot a stored question asked about; None for none, or one this model cannot read."""
    try:
        return Slot.model_validate(stored) if stored is not None else None
    except ValidationError:
        return None


def _message_of(plan: PlannedAction) -> AIMessage:
    """A plan as the model's answer: the tool call it makes, or its words."""
    tool = ACTION_TOOLS.get(plan.action)
    if plan.config is None or tool is None:
        return _words(plan.message, plan.action, plan.slot)
    call = {"name": tool.name, "args": plan.config, "id": f"call_{uuid.uuid4().hex[:12]}"}
    return AIMessage(plan.message, tool_calls=[call])


_RUNS = re.compile(
    r"\bruns?\s*#?\s*(\d+(?:\s*(?:,|and|&|vs\.?|versus|with|to)\s*(?:run\s*)?#?\s*\d+)*)",
    re.IGNORECASE,
)


def run_request(text: str) -> tuple[str, dict[str, Any]] | None:
    """A message about runs by number ("compare runs 3 and 4", "cancel run 7", "explain run
    2", "status of run 5") as the tool call it asks for; None for anything else."""
    found = _RUNS.search(text)
    if found is None:
        return None
    ids = [int(number) for number in re.findall(r"\d+", found.group(1))]
    lowered = text.lower()
    if len(ids) >= 2 or "compare" in lowered:
        return ("compare_runs", {"run_ids": ids}) if len(ids) >= 2 else None
    if any(word in lowered for word in ("cancel", "stop", "abort", "kill")):
        return "cancel_job", {"run_id": ids[0]}
    if any(word in lowered for word in ("explain", "summar", "result", "how did", "what did")):
        return "explain_run", {"run_id": ids[0]}
    return "job_status", {"run_id": ids[0]}


def _words(text: str, action: str, slot: Slot | None = None) -> AIMessage:
    metadata: dict[str, Any] = {"mlchat_action": action}
    if slot is not None:
        # The question's slot goes with it: the next message may be its answer.
        metadata[QUESTION_KEY] = slot.model_dump()
    return AIMessage(text, response_metadata=metadata)


def _words_of(names: Sequence[str]) -> set[str]:
    return {word for name in names for word in name_words(name)}


def _runs(messages: Sequence[BaseMessage]) -> list[RunRef]:
    """The runs the conversation started, oldest first, with the calls that started them."""
    runs = []
    for call_message, result in itertools.pairwise(messages):
        if not isinstance(call_message, AIMessage) or not call_message.tool_calls:
            continue
        if isinstance(result, ToolMessage) and isinstance(result.artifact, dict):
            call = call_message.tool_calls[-1]
            runs.append(RunRef(int(result.artifact["run_id"]), call["name"], call["args"]))
    return runs


_ANSWERING = frozenset({"explain_run", "job_status", "compare_runs", "cancel_job"})


def _asked_again(
    text: str, runs: list[RunRef], history: Sequence[BaseMessage]
) -> tuple[str, dict[str, Any]] | None:
    """'and the other one?' right after an answer about a run: the same question (the same
    tool, about the same thing) of the run it points to; None for anything else."""
    last = next((m for m in reversed(history) if isinstance(m, AIMessage)), None)
    if last is None or not last.tool_calls:
        return None
    call = last.tool_calls[-1]
    if call["name"] not in {"explain_run", "job_status"}:
        return None
    run = follow_up_run(text, runs, _discussed(history))
    return None if run is None else (call["name"], {**call["args"], "run_id": run.run_id})


def _discussed(messages: Sequence[BaseMessage]) -> list[int]:
    """The runs the conversation's last answer about runs was about ('and the other one?')."""
    for message in reversed(messages):
        if isinstance(message, AIMessage) and message.tool_calls:
            call = message.tool_calls[-1]
            if call["name"] in _ANSWERING:
                args = call["args"]
                return [int(i) for i in args.get("run_ids") or [args.get("run_id", 0)]]
    return []


def _previous(messages: Sequence[BaseMessage]) -> PlannedAction | None:
    """The last plan in the conversation, for follow-ups such as 'now with 500 trees'."""
    for message in reversed(messages):
        if isinstance(message, AIMessage) and message.tool_calls:
            call = message.tool_calls[-1]
            tool = TOOLS.get(call["name"])
            if tool is not None and tool.action is not None:
                return PlannedAction(action=tool.action, config=call["args"], message="")
    return None
