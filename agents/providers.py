"""Choosing the model that drives the agent loop: builtin, openai or local."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from langchain_core.language_models import BaseChatModel

from agents.builtin_model import BuiltinPlannerModel
from agents.context import SchemaContext

Provider = Literal["builtin", "openai", "local"]


class ProviderError(Exception):
    """The chosen model provider cannot start; the message says how to fix the settings."""


def chat_model(
    provider: Provider,
    context: SchemaContext,
    *,
    model_name: str = "gpt-4o-mini",
    model_path: Path | None = None,
    threads: int | None = None,
) -> BaseChatModel:
    """The chat model for `provider`, grounded in `context`."""
    if provider == "builtin":
        return BuiltinPlannerModel(context=context)
    if provider == "openai":
        from langchain_openai import ChatOpenAI

        # The client reads OPENAI_API_KEY and OPENAI_BASE_URL itself; a local server
        # (vLLM, Ollama, llama.cpp) needs a key of any value.
        model: BaseChatModel = ChatOpenAI(
            model=model_name, temperature=0, max_retries=1, timeout=120
        )
        return model
    if provider == "local":
        if model_path is None or not model_path.is_file():
            raise ProviderError(
                "MLCHAT_LLM=local needs MLCHAT_LLM_MODEL_PATH set to a GGUF model file "
                f"(got {model_path})"
            )
        from agents.local_model import LocalChatModel, LocalModelError, local_server

        local = LocalChatModel(model_path=model_path, n_threads=threads)
        try:
            # Loaded here, once per process, so a bad file is a settings error at the first
            # message rather than a failure halfway through a conversation.
            local_server(local.model_path, local.n_ctx, local.n_threads)
        except LocalModelError as error:
            raise ProviderError(str(error)) from None
        return local
    raise ProviderError(f"unknown MLCHAT_LLM {provider!r}; use builtin, openai or local")


def model_errors(provider: Provider) -> tuple[type[Exception], ...]:
    """What the provider's model raises when it cannot answer (a server down, a timeout), as
    opposed to a bug: the agent turns these into a reply that says so."""
    if provider == "openai":
        from openai import APIError

        return (APIError,)
    if provider == "local":
        from agents.local_model import LocalModelError

        return (LocalModelError,)
    return ()
