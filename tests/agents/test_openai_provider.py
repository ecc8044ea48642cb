"""The openai provider against a real OpenAI-compatible server on loopback: llama.cpp's
server (through xllamacpp) serving SmolLM2-135M, driven by langchain-openai's client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import xllamacpp
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_openai import ChatOpenAI
from pydantic import Field

from agents.context import SchemaContext
from agents.loop import Agent, history_from
from agents.providers import chat_model
from agents.tools import TOOLS
from agents.validation import ToolArgumentError, validate_call
from tests.agents.recording import Recorder, Wire, assert_every_bad_call_went_back_as_its_error

TEMPLATE = Path(__file__).with_name("chatml_tools.jinja")
# langchain-openai keeps one async HTTP client per process; it must outlive each test's loop.
pytestmark = pytest.mark.asyncio(loop_scope="session")
CALL_START = "<tool_call>\n"  # what the template writes before a call's JSON


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
    # Loading from SQL is offered only where the tenant has a connection; this one has none.
    assert recorder.tools[0] == [name for name in TOOLS if name != "load_sql"]
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
    model = ChatOpenAI(model="smollm2", base_url=server_url, api_key="local",
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
    assert "- train(name, experiment, algorithm, task_type, dataset, target_column" in rendered
    await client.aclose()


class ToolCallFirst(ChatOpenAI):
    """ChatOpenAI that gets a tool call from llama.cpp's server from the reply's first token.

    tool_choice "required" alone does not: this build (xllamacpp 2026.10) has no "generic"
    JSON tool format; the differential autoparser finds the template's `<tool_call>` and its
    grammar, required or not, lets free text come before the call, which SmolLM2-135M writes
    until max_tokens. The server continues a trailing assistant message (prefill_assistant):
    its text ends the prompt and is fed to the grammar as already generated, so the model's
    first token is inside the call's JSON and the server parses prefill + output into
    OpenAI `tool_calls`. `prefills` replace CALL_START for the first requests, one each.
    """

    prefills: list[str] = Field(default_factory=list)

    def _get_request_payload(
        self, input_: LanguageModelInput, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        payload: dict[str, Any] = super()._get_request_payload(input_, stop=stop, **kwargs)
        prefill = self.prefills.pop(0) if self.prefills else CALL_START
        payload["messages"].append({"role": "assistant", "content": prefill})
        payload |= {"tool_choice": "required", "max_tokens": 64}
        return payload


@pytest_asyncio.fixture(loop_scope="session")
async def wire() -> AsyncIterator[Wire]:
    wire = Wire()
    yield wire
    await wire.client.aclose()


def _forcing(server_url: str, wire: Wire, recorder: Recorder, *prefills: str) -> ToolCallFirst:
    """The openai provider's client settings, talking through `wire`."""
    return ToolCallFirst(model="smollm2", base_url=server_url, api_key="local",
                         temperature=0, max_retries=1, http_async_client=wire.client,
                         callbacks=[recorder], prefills=list(prefills))  # fmt: skip


def _server_calls(wire: Wire, index: int) -> list[dict[str, Any]]:
    message = wire.received[index]["choices"][0]["message"]
    assert not message.get("content")
    calls: list[dict[str, Any]] = message["tool_calls"]
    return calls


def _as_made(calls: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    """OpenAI-format tool calls as (id, name, parsed arguments)."""
    return [(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls]


async def test_a_required_call_comes_back_as_openai_tool_calls_langchain_parses(
    server_url: str, penguins_context: SchemaContext, wire: Wire
) -> None:
    recorder = Recorder()
    agent = Agent(_forcing(server_url, wire, recorder), penguins_context, max_repairs=1)
    plan = await agent.plan([], "list my datasets")
    sent = wire.sent[0]
    assert sent["tool_choice"] == "required" and len(sent["tools"]) == len(TOOLS) - 1  # no SQL
    assert sent["messages"][-1] == {"role": "assistant", "content": CALL_START}
    calls = _server_calls(wire, 0)
    parsed = recorder.answers[0].tool_calls
    assert [(c["id"], c["name"], c["args"]) for c in parsed] == _as_made(calls)
    assert parsed[0]["name"] in TOOLS
    repairs = assert_every_bad_call_went_back_as_its_error(recorder, penguins_context)
    if repairs == 0:
        valid = validate_call(parsed[0]["name"], parsed[0]["args"], penguins_context)
        assert (plan.tool, plan.config) == (valid.tool.name, valid.config)
    else:
        assert len(wire.sent) == 2 and wire.sent[1]["tool_choice"] == "required"


async def test_a_valid_call_from_the_server_becomes_a_plan(
    server_url: str, penguins_context: SchemaContext, wire: Wire
) -> None:
    recorder = Recorder()
    prefill = CALL_START + '{"name": "list_datasets"'  # its arguments can only be {}
    agent = Agent(_forcing(server_url, wire, recorder, prefill), penguins_context)
    plan = await agent.plan([], "which datasets do I have?")
    assert [c["function"]["name"] for c in _server_calls(wire, 0)][:1] == ["list_datasets"]
    assert recorder.answers[0].tool_calls[0]["args"] == {}
    assert (plan.action, plan.tool, plan.config) == ("list_datasets", "list_datasets", {})
    assert len(wire.sent) == 1


async def test_an_invalid_call_goes_back_to_the_server_as_its_validation_error(
    server_url: str, penguins_context: SchemaContext, wire: Wire
) -> None:
    recorder = Recorder()
    # Names that exist (the schemas allow no other), but a regression metric to rank a
    # classification by: only validation knows. goal_metric is the schema's last property,
    # so the grammar can only close the call after it.
    pinned = ('{"name": "leaderboard", "arguments": {"dataset": {"name": "penguins"}, '
              '"target_column": "species", "goal_metric": "rmse"')  # fmt: skip
    prefill = CALL_START + pinned
    agent = Agent(_forcing(server_url, wire, recorder, prefill), penguins_context, max_repairs=1)
    plan = await agent.plan([], "rank the algorithms on species")
    call = _server_calls(wire, 0)[0]
    args = json.loads(call["function"]["arguments"])
    assert call["function"]["name"] == "leaderboard"
    assert args == {"dataset": {"name": "penguins"}, "target_column": "species",
                    "goal_metric": "rmse"}  # fmt: skip
    with pytest.raises(ToolArgumentError) as error:
        validate_call("leaderboard", args, penguins_context)
    assert "'rmse'" in str(error.value) and "accuracy" in str(error.value)
    # The repair request, as the server received it: the first call as the server made it
    # (its parser may add more, whatever parallel_tool_calls says; only the one acted on goes
    # back, so none is left unanswered), then our validation message as that call's result;
    # again forced to answer with a call.
    assert len(wire.sent) == 2
    *_, proposed, result, prefilled = wire.sent[1]["messages"]
    assert proposed["role"] == "assistant"
    assert _as_made(proposed["tool_calls"]) == _as_made(_server_calls(wire, 0)[:1])
    assert result == {
        "role": "tool",
        "tool_call_id": call["id"],
        "content": f"error: {error.value}. Correct the arguments and call the tool again, "
        "or ask the person a question.",
    }
    assert prefilled == {"role": "assistant", "content": CALL_START}
    assert wire.sent[1]["tool_choice"] == "required"
    _check_plan(plan, recorder, penguins_context)
