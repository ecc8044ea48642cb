"""The openai provider against a real OpenAI-compatible server on loopback: llama.cpp's
server (through xllamacpp) serving SmolLM2-135M, driven by langchain-openai's client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import xllamacpp
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI

from agents.context import SchemaContext
from agents.loop import Agent, history_from
from agents.providers import chat_model
from agents.tools import TOOLS
from agents.validation import validate_call
from tests.agents.recording import Recorder, assert_every_bad_call_went_back_as_its_error

TEMPLATE = Path(__file__).with_name("chatml_tools.jinja")
# langchain-openai keeps one async HTTP client per process; it must outlive each test's loop.
pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
def server_url(smollm2_gguf: Path) -> Iterator[str]:
    params = xllamacpp.CommonParams()
    params.model.path = str(smollm2_gguf)
    params.chat_template = TEMPLATE.read_text()
    params.n_ctx = 4096
    params.n_predict = 48  # the server's own cap: the client sends no max_tokens
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 1
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    params.verbosity = 0
    server = xllamacpp.Server(params)
    yield f"{server.listening_address}/v1"
    del server


@pytest.fixture
def model(server_url: str, penguins_context: SchemaContext, monkeypatch: pytest.MonkeyPatch,
          ) -> BaseChatModel:  # fmt: skip
    monkeypatch.setenv("OPENAI_BASE_URL", server_url)
    monkeypatch.setenv("OPENAI_API_KEY", "any-key-for-a-local-server")
    return chat_model("openai", penguins_context, model_name="smollm2")


def _check_plan(plan: Any, recorder: Recorder, context: SchemaContext) -> None:
    assert_every_bad_call_went_back_as_its_error(recorder, context)
    if plan.config is not None:
        assert validate_call(plan.tool, plan.config, context).config == plan.config
    else:
        assert plan.action in {"clarify", "error"} and plan.message


async def test_the_loop_runs_through_the_server_with_every_tool_bound(
    model: BaseChatModel, penguins_context: SchemaContext
) -> None:
    recorder = Recorder()
    agent = Agent(model.model_copy(update={"callbacks": [recorder]}), penguins_context)
    plan = await agent.plan([], "what can you do with the penguins data?")
    assert recorder.tools[0] == list(TOOLS)
    assert isinstance(model, ChatOpenAI) and recorder.answers
    _check_plan(plan, recorder, penguins_context)


async def test_the_reply_streams_from_the_server_as_it_forms(
    model: BaseChatModel, penguins_context: SchemaContext
) -> None:
    deltas: list[str] = []

    async def on_delta(text: str) -> None:
        deltas.append(text)

    recorder = Recorder()
    agent = Agent(model.model_copy(update={"callbacks": [recorder]}), penguins_context)
    plan = await agent.plan([], "hello! who are you?", on_delta)
    if plan.config is None and plan.action == "clarify":
        assert len(deltas) > 1 and "".join(deltas) == plan.message
    _check_plan(plan, recorder, penguins_context)


async def test_tool_calls_and_results_reach_the_server_in_its_format(
    server_url: str, penguins_context: SchemaContext
) -> None:
    """A stored plan goes back to the model as the tool call it was, with its result; the
    server must parse both from the client's OpenAI-format request and render them."""
    sent: list[dict[str, Any]] = []

    async def keep(request: httpx.Request) -> None:
        sent.append(json.loads(request.content))

    client = httpx.AsyncClient(event_hooks={"request": [keep]})
    model = ChatOpenAI(model="smollm2", base_url=server_url, api_key="local",  # type: ignore[arg-type]
                       temperature=0, http_async_client=client)  # fmt: skip
    config = {"algorithm": "xgboost", "dataset": {"name": "penguins"}, "target_column": "species"}
    history = history_from([
        {"role": "user", "content": "train xgboost on species", "parts": []},
        {"role": "assistant", "content": "Train xgboost on species. Shall I run it?",
         "parts": [{"type": "plan", "tool": "train", "config": config}]},
    ])  # fmt: skip
    plan = await Agent(model, penguins_context).plan(history, "never mind, what columns are there?")
    assert plan.message
    body = sent[0]
    call = body["messages"][2]["tool_calls"][0]
    assert call["function"]["name"] == "train"
    assert json.loads(call["function"]["arguments"]) == config
    rendered = httpx.post(
        server_url.removesuffix("/v1") + "/apply-template",
        json={"messages": body["messages"], "tools": body["tools"]}, timeout=60,
    ).json()["prompt"]  # fmt: skip
    assert '<tool_call>\n{"name": "train", "arguments": {"algorithm": "xgboost"' in rendered
    assert "<tool_response>Train xgboost on species. Shall I run it?</tool_response>" in rendered
    assert "- train(name, algorithm, task_type, dataset, target_column" in rendered
    await client.aclose()
