"""What a real chat model was asked and answered during one agent turn, for assertions."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import httpx
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from agents.context import SchemaContext
from agents.validation import ToolArgumentError, validate_call


class Recorder(BaseCallbackHandler):
    """Keeps each request's messages and tools, and each answer, in order."""

    def __init__(self) -> None:
        self.requests: list[list[BaseMessage]] = []
        self.tools: list[list[str]] = []
        self.answers: list[AIMessage] = []

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], *, run_id: UUID,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        self.requests.append(list(messages[0]))
        tools = (kwargs.get("invocation_params") or {}).get("tools") or []
        self.tools.append([tool["function"]["name"] for tool in tools])

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        generation = response.generations[0][0]
        assert isinstance(generation, ChatGeneration)
        message = generation.message
        assert isinstance(message, AIMessage)
        self.answers.append(message)


def assert_every_bad_call_went_back_as_its_error(recorder: Recorder, context: SchemaContext) -> int:
    """Each proposed tool call that fails validation reached the model again as the exact
    validation message; the number of such repairs."""
    repairs = 0
    for index, answer in enumerate(recorder.answers):
        for call in answer.tool_calls[:1]:
            try:
                validate_call(call["name"], call["args"], context)
            except ToolArgumentError as error:
                repairs += 1
                if index + 1 < len(recorder.requests):
                    sent = recorder.requests[index + 1][-1]
                    assert isinstance(sent, ToolMessage) and sent.status == "error"
                    assert str(error) in str(sent.content)
    return repairs


class Wire:
    """The JSON bodies an OpenAI-compatible client sent to its server and got back, in order
    (through an httpx client of its own; non-streaming requests)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.client = httpx.AsyncClient(
            event_hooks={"request": [self._keep_request], "response": [self._keep_response]}
        )

    async def _keep_request(self, request: httpx.Request) -> None:
        self.sent.append(json.loads(request.content))

    async def _keep_response(self, response: httpx.Response) -> None:
        await response.aread()
        self.received.append(response.json())
