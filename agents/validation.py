"""Checking a tool call against the data before anything runs, with errors a model can act on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ValidationError

from agents.context import DatasetContext, SchemaContext
from agents.tools import ACTION_TOOLS, TOOLS, LoadSqlArgs, Tool
from ml_backend.datasets.sql_guard import check_query
from ml_backend.errors import MLInputError, SqlRefusedError, describe_validation_errors
from ml_backend.jobs.budget import BudgetError, check_budget
from ml_backend.jobs.registry import Resolution, resolve, tool_job
from ml_backend.schema import DatasetProfile
from ml_backend.suggestions import did_you_mean


class ToolArgumentError(Exception):
    """A tool call that cannot run as given; the message says what to change."""


class DoesNotFitError(ToolArgumentError):
    """A tool call valid in itself that the tenant's limits do not allow; the message names
    the limit."""


@dataclass(frozen=True)
class ValidatedCall:
    """A tool call whose config passed every check against its dataset."""

    tool: Tool
    config: dict[str, Any]
    dataset: DatasetContext | None
    resolution: Resolution | None = None
    """A job tool's config resolved against `dataset`, for the run to reuse."""


def validate_call(name: str, args: dict[str, Any], context: SchemaContext) -> ValidatedCall:
    """`args` of tool `name` parsed and checked against the dataset; ToolArgumentError if not."""
    tool = TOOLS.get(name)
    if tool is None:
        raise ToolArgumentError(
            f"there is no tool '{name}'{did_you_mean(name, TOOLS)} Tools: {', '.join(TOOLS)}"
        )
    try:
        parsed = tool.args.model_validate(args)
    except ValidationError as error:
        raise ToolArgumentError(f"{name}: {describe_validation_errors(error.errors())}") from None
    if isinstance(parsed, LoadSqlArgs):
        return _checked_load(tool, parsed, context)
    dataset_ref = getattr(parsed, "dataset", None)
    dataset = resolution = None
    if dataset_ref is not None:
        try:
            dataset = context.dataset(dataset_ref.model_dump())
        except LookupError as error:
            raise ToolArgumentError(str(error)) from None
        try:
            resolution = check_parsed(tool, parsed, dataset.profile)
        except MLInputError as error:
            raise ToolArgumentError(error.detail) from None
        if resolution is not None:
            resolution = replace(resolution, dataset_id=dataset.id)
            if context.budget is not None:
                try:
                    check_budget(parsed, dataset.size_bytes, context.budget)
                except BudgetError as error:
                    raise DoesNotFitError(error.detail) from None
    config = parsed.model_dump(mode="json", exclude_none=True)
    return ValidatedCall(tool=tool, config=config, dataset=dataset, resolution=resolution)


def _checked_load(tool: Tool, parsed: LoadSqlArgs, context: SchemaContext) -> ValidatedCall:
    """A load names a connection there is, and one query the guard accepts for its backend."""
    try:
        connection = context.connection(parsed.connection)
    except LookupError as error:
        raise ToolArgumentError(str(error)) from None
    try:
        check_query(parsed.query, connection.backend)
    except SqlRefusedError as error:
        raise ToolArgumentError(error.detail) from None
    config = parsed.model_dump(mode="json", exclude_none=True)
    return ValidatedCall(tool=tool, config=config, dataset=None)


def check_parsed(tool: Tool, parsed: BaseModel, profile: DatasetProfile) -> Resolution | None:
    """Resolve a parsed config of a job's tool as the service would; MLInputError says what
    is wrong. Tools that start no job have nothing to check against the data."""
    spec = tool_job(tool.name)
    return resolve(spec.route, parsed, profile) if spec is not None else None


def check_action(action: str, config: dict[str, Any], profile: DatasetProfile) -> None:
    """Parse `config` as the config of plan `action` and validate it against `profile`.

    Raises pydantic's ValidationError for a malformed config, MLInputError for one that does
    not fit the data.
    """
    tool = ACTION_TOOLS.get(action)
    if tool is not None:
        check_parsed(tool, tool.args.model_validate(config), profile)
