"""The local provider: SmolLM2-135M run in-process, its answers constrained by a JSON schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from agents.context import SchemaContext
from agents.local_model import LocalChatModel, answer_schema, partial_json_string
from agents.loop import Agent, tool_schemas
from agents.providers import ProviderError, chat_model
from agents.tools import TOOLS
from agents.validation import ToolArgumentError, validate_call
from tests.agents.recording import Recorder, assert_every_bad_call_went_back_as_its_error

# One thread: on a shared two-core machine llama.cpp's spinning threads slow each other down
# tenfold; short answers keep each test to seconds.
SETTINGS = {"n_ctx": 2048, "max_tokens": 160, "n_threads": 1}


@pytest.fixture(scope="module")
def model(smollm2_gguf: Path) -> LocalChatModel:
    return LocalChatModel(model_path=smollm2_gguf, **SETTINGS)


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_the_answer_schema_has_a_branch_per_tool_and_one_for_words() -> None:
    schema = answer_schema(tool_schemas())
    names = [b["properties"]["name"]["const"] for b in schema["anyOf"] if "name" in b["properties"]]
    assert names == list(TOOLS)
    assert schema["anyOf"][-1]["required"] == ["reply"]
    # Every reference inside a branch still points at a definition the schema holds.
    for ref in _refs(schema):
        assert ref.removeprefix("#/$defs/") in schema["$defs"]
    only_train = answer_schema(tool_schemas(), tool_choice="train")["anyOf"]
    assert [b["properties"]["name"]["const"] for b in only_train] == ["train"]


def test_partial_json_strings_decode_only_what_is_complete() -> None:
    assert partial_json_string(r"Hello,\nwor") == "Hello,\nwor"
    assert partial_json_string('done" }') == "done"
    assert partial_json_string("caf\\u00e9 and \\u00") == "café and "
    assert partial_json_string("ends in \\") == "ends in "


def test_a_forced_call_names_the_tool_with_arguments_of_its_schema(
    model: LocalChatModel, penguins_context: SchemaContext
) -> None:
    bound = model.bind_tools(tool_schemas(), tool_choice="job_status")
    answer = bound.invoke([
        SystemMessage(penguins_context.prompt()), HumanMessage("what is the status of run 3?")
    ])  # fmt: skip
    assert len(answer.tool_calls) == 1
    call = answer.tool_calls[0]
    assert call["name"] == "job_status"
    # The grammar allows only arguments that parse: an integer run id of at least 1.
    assert validate_call(call["name"], call["args"], penguins_context).config["run_id"] >= 1


async def test_the_agent_loop_runs_on_the_local_model_and_checks_its_calls(
    model: LocalChatModel, penguins_context: SchemaContext
) -> None:
    recorder = Recorder()
    agent = Agent(model.model_copy(update={"callbacks": [recorder]}), penguins_context)
    plan = await agent.plan([], "train a model on the penguins data set to predict species")
    assert recorder.answers, "the model was never asked"
    for answer in recorder.answers:
        # Constrained decoding: only real tools, or words; never free text posing as a call.
        assert all(call["name"] in TOOLS for call in answer.tool_calls)
    assert_every_bad_call_went_back_as_its_error(recorder, penguins_context)
    if plan.config is not None:
        assert plan.tool is not None
        assert validate_call(plan.tool, plan.config, penguins_context).config == plan.config
    elif plan.action == "clarify" and recorder.answers[-1].tool_calls:
        assert plan.message.startswith("I could not make a valid plan of that: ")
        with pytest.raises(ToolArgumentError):
            last = recorder.answers[-1].tool_calls[0]
            validate_call(last["name"], last["args"], penguins_context)
    else:
        assert plan.message


async def test_words_stream_as_they_form(model: LocalChatModel) -> None:
    chunks = [c async for c in model.astream([HumanMessage("Say hello to a new user.")])]
    text = "".join(str(chunk.content) for chunk in chunks)
    assert len([c for c in chunks if c.content]) > 1
    assert text.strip() and not text.lstrip().startswith("{")


async def test_the_loop_streams_a_local_reply_into_the_chat(
    model: LocalChatModel, penguins_context: SchemaContext
) -> None:
    deltas: list[str] = []

    async def on_delta(text: str) -> None:
        deltas.append(text)

    plan = await Agent(model, penguins_context).plan([], "hello! who are you?", on_delta)
    if plan.config is None and plan.action == "clarify":
        assert len(deltas) > 1 and "".join(deltas) == plan.message
    else:
        assert plan.tool in TOOLS


def test_the_provider_loads_the_named_file_or_says_what_is_wrong(
    smollm2_gguf: Path, penguins_context: SchemaContext, tmp_path: Path
) -> None:
    model = chat_model("local", penguins_context, model_path=smollm2_gguf)
    assert isinstance(model, LocalChatModel) and model.model_path == smollm2_gguf
    with pytest.raises(ProviderError, match="MLCHAT_LLM_MODEL_PATH"):
        chat_model("local", penguins_context, model_path=tmp_path / "missing.gguf")
    not_a_model = tmp_path / "notes.gguf"
    not_a_model.write_text("not a model")
    with pytest.raises(ProviderError, match="cannot load the GGUF model"):
        chat_model("local", penguins_context, model_path=not_a_model)
