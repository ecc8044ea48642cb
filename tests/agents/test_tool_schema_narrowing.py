"""The tools' schemas narrowed to a conversation: only names that exist, in bounded answers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from agents.context import DatasetContext, SchemaContext
from agents.local_model import REPLY_CHARS_PER_TOKEN, LocalChatModel, answer_schema, local_server
from agents.loop import SYSTEM_PROMPT, Agent
from agents.schemas import narrowed_tool_schemas, tool_schemas
from agents.validation import validate_call
from ml_backend.datasets import write_sample
from tests.agents.schema_check import violations

PENGUINS = {"name": "penguins"}
VALID = {
    "train": {"algorithm": "xgboost", "dataset": PENGUINS, "target_column": "species",
              "feature_columns": ["bill_length_mm", "island"], "metrics": ["accuracy", "f1"],
              "hyperparameters": {"n_estimators": 50}, "name": "species by bill"},
    "explore": {"explorer": "bar", "dataset": PENGUINS, "columns": ["island"],
                "parameters": {"value": "body_mass_g", "agg": "mean"}},
    "leaderboard": {"dataset": PENGUINS, "target_column": "species",
                    "algorithms": ["xgboost", "linear"], "goal_metric": "f1"},
    "tune": {"algorithm": "lightgbm", "dataset": PENGUINS, "target_column": "body_mass_g",
             "n_trials": 5, "search_space": {"num_leaves": {"low": 8, "high": 64}}},
    "describe_dataset": {"dataset": PENGUINS},
    "compare_runs": {"run_ids": [1, 2]},
    "job_status": {"run_id": 3},
    "forecast": {"algorithm": "arima", "dataset": PENGUINS, "target_column": "body_mass_g",
                 "time_column": "year", "horizon": 5},
}  # fmt: skip
INVENTED = [  # a valid config with one field changed to a name that does not exist
    ("train", "target_column", "wingspan"),
    ("train", "dataset", {"name": "titanic"}),
    ("train", "algorithm", "gpt_boost"),
    ("train", "feature_columns", ["bill_length_mm", "wingspan"]),
    ("train", "metrics", ["speed"]),
    ("train", "hyperparameters", {"n_trees": 50}),
    ("explore", "columns", ["wingspan"]),
    ("explore", "parameters", {"value": "wingspan"}),
    ("explore", "parameters", {"colour": "species"}),
    ("leaderboard", "algorithms", ["xgboost", "prophecy"]),
    ("leaderboard", "goal_metric", "speed"),
    ("tune", "search_space", {"num_trees": {"low": 8, "high": 64}}),
    ("train", "name", "a name repeated " * 6),
    ("train", "time_column", "species"),  # a column, but not one that orders rows
    ("job_status", "run_id", 33333333333333333),
]
# One thread: on a shared two-core machine llama.cpp's spinning threads slow each other down.
SETTINGS = {"n_ctx": 2048, "max_tokens": 160, "n_threads": 1}


def _parameters(schemas: Any, tool: str) -> dict[str, Any]:
    parameters: dict[str, Any] = next(
        s["function"]["parameters"] for s in schemas if s["function"]["name"] == tool
    )
    return parameters


@pytest.fixture(scope="module")
def narrowed(penguins_context: SchemaContext) -> list[dict[str, Any]]:
    return narrowed_tool_schemas(penguins_context)


def test_a_column_field_is_an_enum_of_the_columns_of_the_dataset_in_focus(
    narrowed: list[dict[str, Any]], penguins_context: SchemaContext
) -> None:
    assert penguins_context.focus is not None
    columns = penguins_context.focus.profile.column_names
    train = _parameters(narrowed, "train")
    target = train["properties"]["target_column"]
    assert train["$defs"][target["$ref"].removeprefix("#/$defs/")]["enum"] == columns
    dataset = train["properties"]["dataset"]["properties"]["name"]
    assert dataset["enum"] == ["penguins"]


@pytest.mark.parametrize("tool", sorted(VALID))
def test_configs_that_pass_validation_fit_the_narrowed_schema(
    tool: str, narrowed: list[dict[str, Any]], penguins_context: SchemaContext
) -> None:
    validate_call(tool, VALID[tool], penguins_context)  # valid against the data
    assert violations(VALID[tool], _parameters(narrowed, tool)) == []


@pytest.mark.parametrize(("tool", "field", "invented"), INVENTED)
def test_an_invented_name_fits_the_generic_schema_but_not_the_narrowed_one(
    tool: str, field: str, invented: Any, narrowed: list[dict[str, Any]]
) -> None:
    config = {**VALID[tool], field: invented}
    assert violations(config, _parameters(tool_schemas(), tool)) == []
    assert violations(config, _parameters(narrowed, tool)) != []


def test_a_forecast_names_its_time_column_and_no_features(
    narrowed: list[dict[str, Any]],
) -> None:
    without = {k: v for k, v in VALID["forecast"].items() if k != "time_column"}
    assert violations(without, _parameters(tool_schemas(), "forecast")) == []
    assert violations(without, _parameters(narrowed, "forecast")) == ["missing 'time_column'"]
    features = {**VALID["forecast"], "feature_columns": ["year"]}
    assert violations(features, _parameters(tool_schemas(), "forecast")) == []
    assert violations(features, _parameters(narrowed, "forecast")) != []


def test_a_features_list_is_at_most_the_other_columns_each_once(
    narrowed: list[dict[str, Any]], penguins_context: SchemaContext
) -> None:
    assert penguins_context.focus is not None
    others = [c for c in penguins_context.focus.profile.column_names if c != "species"]
    train = _parameters(narrowed, "train")
    assert violations({**VALID["train"], "feature_columns": others}, train) == []
    too_many = [*others, "species"]
    assert violations({**VALID["train"], "feature_columns": too_many}, train) != []
    assert violations({**VALID["train"], "feature_columns": []}, train) != []
    repeated = ["island"] * len(others)
    assert violations({**VALID["train"], "feature_columns": repeated}, train) != []
    explore = _parameters(narrowed, "explore")
    every_column = [*others, "species"]
    assert violations({**VALID["explore"], "columns": every_column}, explore) == []
    assert violations({**VALID["explore"], "columns": [*every_column, "island"]}, explore) != []


def test_every_reference_resolves_once_the_tools_are_one_answer(
    narrowed: list[dict[str, Any]],
) -> None:
    schema = answer_schema(narrowed)
    refs = re.findall(r'"\$ref": "#/\$defs/([^"]+)"', json.dumps(schema))
    assert refs and all(ref in schema["$defs"] for ref in refs)
    call = {"name": "train", "arguments": VALID["train"]}
    assert violations(call, schema) == []
    assert violations({**call, "arguments": {**VALID["train"], "target_column": "x"}}, schema)


def test_without_a_focus_columns_come_from_every_dataset_and_without_data_no_tool_needs_one(
    penguins_context: SchemaContext, tmp_path: Path
) -> None:
    iris = DatasetContext(id=2, name="iris", profile=write_sample("iris", tmp_path).profile)
    both = SchemaContext(datasets=[*penguins_context.datasets, iris])
    train = _parameters(narrowed_tool_schemas(both), "train")
    column = train["$defs"]["ColumnName"]["enum"]
    assert "species" in column and "bill_length_mm" in column and "petal_length_cm" in column
    assert train["properties"]["dataset"]["properties"]["name"]["enum"] == ["penguins", "iris"]
    empty = {s["function"]["name"] for s in narrowed_tool_schemas(SchemaContext(datasets=[]))}
    assert empty == {"list_datasets", "job_status", "cancel_job", "compare_runs", "explain_run"}


def test_the_agent_binds_the_narrowed_schemas(
    smollm2_gguf: Path, penguins_context: SchemaContext, narrowed: list[dict[str, Any]]
) -> None:
    agent = Agent(LocalChatModel(model_path=smollm2_gguf, **SETTINGS), penguins_context)
    bound = getattr(agent.bound, "kwargs", {}).get("tools")
    assert bound == narrowed


def test_a_local_model_bound_to_the_narrowed_schemas_names_only_real_columns(
    smollm2_gguf: Path, penguins_context: SchemaContext, narrowed: list[dict[str, Any]]
) -> None:
    """Asked for a column the data lacks, the model still writes one it has: the grammar
    allows nothing else. Read from the raw answer, which shows the target even if the token
    limit cuts the optional fields after it."""
    assert penguins_context.focus is not None
    model = LocalChatModel(model_path=smollm2_gguf, **SETTINGS)
    system = SystemMessage(f"{SYSTEM_PROMPT}\n\n{penguins_context.prompt()}")
    body = model.request([system, HumanMessage("predict the wingspan")], narrowed, "train")
    result = local_server(smollm2_gguf, model.n_ctx, model.n_threads).handle_chat_completions(body)
    content = result["choices"][0]["message"]["content"]
    target = re.search(r'"target_column": "([^"]*)"', content)
    assert target is not None, content
    assert target.group(1) in penguins_context.focus.profile.column_names


async def test_a_long_reply_ends_before_the_token_limit(smollm2_gguf: Path) -> None:
    model = LocalChatModel(model_path=smollm2_gguf, **SETTINGS)
    answer = await model.ainvoke([HumanMessage("Tell me a very long story about penguins.")])
    assert answer.response_metadata.get("mlchat_action") != "error", answer.content
    assert 0 < len(str(answer.content)) <= (SETTINGS["max_tokens"] - 8) * REPLY_CHARS_PER_TOKEN
