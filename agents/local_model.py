"""The local provider: a GGUF model run in-process by llama.cpp (the xllamacpp binding).

Small local models rarely follow a tool-calling format by themselves, so the answer is
constrained instead of asked for: every reply is one JSON object that must match a schema
with one branch per bound tool, `{"name": <that tool>, "arguments": <its args schema>}`, and
one for words, `{"reply": "..."}`. The model can therefore only name real tools with
well-formed arguments; whether those arguments fit the data is still the loop's to check.
"""

from __future__ import annotations

import copy
import json
import queue
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

ANSWER_FORMAT = (
    'Answer with one JSON object: {"name": "<tool>", "arguments": {...}} to call a tool, '
    'or {"reply": "<your words>"} to answer the person.'
)
REPLY_CHARS_PER_TOKEN = 1.5
"""Characters of reply allowed per token of `max_tokens`, so that a reply closes its JSON
before the token limit cuts it off: SmolLM2's English takes about 5 characters a token, but
the lists of numbers it falls into take under 2."""
COMPACT_JSON = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": ",
                "lenient": True}  # fmt: skip
"""llguidance's layout of an answer: `json.dumps`'s, as the model's past answers are written."""
_REPLY_START = re.compile(r'^\s*\{\s*"reply"\s*:\s*"')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}

_servers: dict[tuple[str, int, int | None], Any] = {}
_servers_lock = threading.Lock()


class LocalModelError(RuntimeError):
    """The local model could not be loaded or could not answer."""


def local_server(model_path: Path, n_ctx: int, n_threads: int | None) -> Any:
    """The llama.cpp server for a model file, loaded once per process and kept.

    The agent is built anew for each message; loading the weights each time would cost
    seconds, so one engine per (file, context, threads) serves them all.
    """
    key = (str(model_path), n_ctx, n_threads)
    with _servers_lock:
        server = _servers.get(key)
        if server is None:
            server = _servers[key] = _start_server(model_path, n_ctx, n_threads)
        return server


def _start_server(model_path: Path, n_ctx: int, n_threads: int | None) -> Any:
    try:
        import xllamacpp
    except ImportError:
        raise LocalModelError(
            "MLCHAT_LLM=local needs the local-llm extra: pip install 'mlchat[local-llm]'"
        ) from None
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.verbosity = 0
    if n_threads is not None:
        params.cpuparams.n_threads = n_threads
        params.cpuparams_batch.n_threads = n_threads
    # The binding always opens an HTTP listener beside the in-process API; on loopback, on a
    # free port, behind a key nobody is told, it serves no one but this process.
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    params.api_keys = [secrets.token_urlsafe(24)]
    try:
        return xllamacpp.Server(params)
    except Exception as error:  # the binding raises bare exceptions for unreadable files
        raise LocalModelError(f"cannot load the GGUF model {model_path}: {error}") from error


def answer_schema(
    tools: Sequence[dict[str, Any]],
    tool_choice: str | None = None,
    reply_max_chars: int | None = None,
) -> dict[str, Any]:
    """The JSON Schema of one answer: a call of one of `tools`, or words.

    `tool_choice` "required"/"any" leaves out the words; a tool's name allows only that tool.
    `reply_max_chars` bounds the words, so that they end before the token limit does.
    Each tool's `$defs` move to the root under the tool's name, so its `$ref`s still resolve
    once its schema sits inside a branch.
    """
    branches: list[dict[str, Any]] = []
    definitions: dict[str, Any] = {}
    for tool in tools:
        function = tool["function"]
        name = function["name"]
        if tool_choice not in (None, "auto", "required", "any") and name != tool_choice:
            continue
        arguments = _hoisted(copy.deepcopy(function.get("parameters") or {}), name, definitions)
        branches.append({
            "type": "object",
            "properties": {"name": {"const": name}, "arguments": arguments},
            "required": ["name", "arguments"],
            "additionalProperties": False,
        })  # fmt: skip
    if tool_choice in (None, "auto") or not branches:
        reply: dict[str, Any] = {"type": "string"}
        if reply_max_chars is not None:
            reply["maxLength"] = reply_max_chars
        branches.append({
            "type": "object",
            "properties": {"reply": reply},
            "required": ["reply"],
            "additionalProperties": False,
        })  # fmt: skip
    schema: dict[str, Any] = {"anyOf": branches}
    if definitions:
        schema["$defs"] = definitions
    return schema


def _hoisted(schema: dict[str, Any], prefix: str, definitions: dict[str, Any]) -> dict[str, Any]:
    for name, definition in (schema.pop("$defs", None) or {}).items():
        definitions[f"{prefix}.{name}"] = definition

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                node["$ref"] = f"#/$defs/{prefix}.{ref.removeprefix('#/$defs/')}"
            for value in node.values():
                rewrite(value)
        elif isinstance(node, list):
            for value in node:
                rewrite(value)
        return node

    for name in [key for key in definitions if key.startswith(f"{prefix}.")]:
        rewrite(definitions[name])
    return dict(rewrite(schema))


def answer_grammar(schema: dict[str, Any]) -> str:
    """The answer's schema as a grammar for the llguidance engine the binding carries.

    Given the schema as `json_schema`, the server converts it with llama.cpp's GBNF converter,
    which allows a newline and indentation wherever JSON allows whitespace; a small model
    takes them, and every field of a call costs a token or two of layout (a quarter of the
    answer). Through llguidance the answer is laid out as `json.dumps` does, and bounds on
    non-integer numbers (a test share below 1) are enforced too, which GBNF ignores;
    `lenient` skips the keywords llguidance does not implement (`uniqueItems`) instead of
    refusing the schema.
    """
    return "%llguidance {}\nstart: %json " + json.dumps({"x-guidance": COMPACT_JSON, **schema})


def tools_prompt(tools: Sequence[dict[str, Any]]) -> str:
    """The tools as one line each, required arguments starred.

    The full argument schemas are enforced by the grammar, not read by the model: listing
    them would cost thousands of prompt tokens a small model cannot use anyway.
    """
    lines = ["Tools:"]
    for tool in tools:
        function = tool["function"]
        parameters = function.get("parameters") or {}
        required = set(parameters.get("required") or [])
        names = [f"{arg}*" if arg in required else arg for arg in parameters.get("properties", {})]
        lines.append(f"- {function['name']}({', '.join(names)}): {function.get('description', '')}")
    return "\n".join(lines)


class LocalChatModel(BaseChatModel):
    """A GGUF model run in-process whose every answer is a schema-checked JSON object."""

    model_path: Path
    n_ctx: int = Field(default=4096, ge=256)
    max_tokens: int = Field(default=512, ge=1)
    reply_max_chars: int | None = Field(default=None, ge=1)
    """The longest reply, in characters; by default what fits in `max_tokens`."""
    n_threads: int | None = Field(default=None, ge=1)
    temperature: float = Field(default=0.0, ge=0.0)
    seed: int = 42

    @property
    def _llm_type(self) -> str:
        return "mlchat-local-gguf"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools: each becomes a branch of the answer's schema and a line of the prompt."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        return super().bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def request(
        self,
        messages: Sequence[BaseMessage],
        tools: Sequence[dict[str, Any]] = (),
        tool_choice: str | None = None,
    ) -> dict[str, Any]:
        """The chat-completion request for `messages`, its answer constrained by the schema."""
        system = [str(m.content) for m in messages if isinstance(m, SystemMessage)]
        system += [tools_prompt(tools)] if tools else []
        system.append(ANSWER_FORMAT)
        chat: list[dict[str, str]] = [{"role": "system", "content": "\n\n".join(system)}]
        for message in messages:
            if isinstance(message, HumanMessage):
                chat.append({"role": "user", "content": _plain(message)})
            elif isinstance(message, AIMessage):
                chat.append({"role": "assistant", "content": _as_answer(message)})
            elif isinstance(message, ToolMessage):
                chat.append({"role": "user", "content": f"Tool result: {_plain(message)}"})
        return {
            "messages": chat,
            "grammar": answer_grammar(answer_schema(tools, tool_choice, self._reply_max_chars())),
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
        }

    def _reply_max_chars(self) -> int:
        if self.reply_max_chars is not None:
            return self.reply_max_chars
        # The tokens of `{"reply": "` and `"}` come off the budget first.
        return max(int((self.max_tokens - 8) * REPLY_CHARS_PER_TOKEN), 1)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        body = self.request(messages, kwargs.get("tools") or (), kwargs.get("tool_choice"))
        server = local_server(self.model_path, self.n_ctx, self.n_threads)
        result = server.handle_chat_completions(body)
        if "choices" not in result:
            raise LocalModelError(f"the local model refused the request: {result}")
        choice = result["choices"][0]
        message = parse_answer(choice["message"].get("content") or "", choice.get("finish_reason"))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Words stream as they form; a tool call arrives whole, once its JSON is complete."""
        body = self.request(messages, kwargs.get("tools") or (), kwargs.get("tool_choice"))
        body["stream"] = True
        server = local_server(self.model_path, self.n_ctx, self.n_threads)
        pieces: queue.Queue[tuple[str, str | None] | None] = queue.Queue()

        def on_chunk(chunk: dict[str, Any]) -> None:
            for choice in chunk.get("choices") or []:
                delta = (choice.get("delta") or {}).get("content") or ""
                pieces.put((delta, choice.get("finish_reason")))

        def generate() -> None:
            try:
                server.handle_chat_completions(body, on_chunk)
            finally:
                pieces.put(None)

        # The binding blocks until the answer is done, calling back per token; a thread lets
        # this generator hand each token on while it is still generating.
        worker = threading.Thread(target=generate, name="mlchat-local-llm", daemon=True)
        worker.start()
        raw, said, finish = "", "", None
        while (item := pieces.get()) is not None:
            delta, finish = item[0], item[1] or finish
            raw += delta
            opened = _REPLY_START.match(raw)
            if opened is not None:
                words = partial_json_string(raw[opened.end() :])
                if len(words) > len(said):
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=words[len(said) :]))
                    said = words
                    if run_manager is not None:
                        run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
        worker.join()
        final = parse_answer(raw, finish)
        if final.tool_calls:
            call = final.tool_calls[0]
            args = json.dumps(call["args"])
            part = {"name": call["name"], "args": args, "id": call["id"], "index": 0}
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=[part]))
            return
        text = str(final.content)
        rest = text[len(said) :] if text.startswith(said) else ""
        yield ChatGenerationChunk(
            message=AIMessageChunk(content=rest, response_metadata=dict(final.response_metadata))
        )


def parse_answer(content: str, finish_reason: str | None = None) -> AIMessage:
    """The constrained JSON answer as a langchain message: a tool call, or words."""
    try:
        answer = json.loads(content)
    except json.JSONDecodeError:
        cut = " (it was cut off at the token limit)" if finish_reason == "length" else ""
        return AIMessage(
            f"The local model did not finish its answer{cut}; please try again in fewer words.",
            response_metadata={"mlchat_action": "error", "finish_reason": finish_reason},
        )
    if "name" in answer:
        call = {"name": answer["name"], "args": answer.get("arguments") or {},
                "id": f"call_{uuid.uuid4().hex[:12]}"}  # fmt: skip
        return AIMessage("", tool_calls=[call])
    return AIMessage(str(answer.get("reply", "")))


def partial_json_string(body: str) -> str:
    """The text of a JSON string literal's body decoded as far as it is complete."""
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == '"':
            break
        if char != "\\":
            out.append(char)
            index += 1
            continue
        if index + 1 >= len(body):
            break
        escape = body[index + 1]
        if escape == "u":
            digits = body[index + 2 : index + 6]
            if len(digits) < 4:
                break
            out.append(chr(int(digits, 16)))
            index += 6
            continue
        out.append(_ESCAPES.get(escape, escape))
        index += 2
    return "".join(out)


def _plain(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content)


def _as_answer(message: AIMessage) -> str:
    """A past answer in the shape the model is made to answer in, so it sees itself."""
    if message.tool_calls:
        call = message.tool_calls[-1]
        return json.dumps({"name": call["name"], "arguments": call["args"]})
    return json.dumps({"reply": _plain(message)})
