"""Plans in words: what a config will do, in one sentence a person can check."""

from __future__ import annotations

from typing import Any

from ml_backend.jobs.registry import tool_job


def describe_plan(action: str, config: dict[str, Any]) -> str:
    """One sentence saying what running `config` as `action` (a tool's action) does."""
    spec = tool_job(action)
    if spec is not None:
        described = spec.describe(spec.config.model_validate(config))
        if config.get("experiment"):
            described += f" Its model joins the experiment '{config['experiment']}'."
        return described
    if action == "describe":
        ref = config.get("dataset") or {}
        name = ref.get("name") or f"dataset {ref.get('id')}"
        return f"Describe the columns of {name}."
    if action == "load_sql":
        into = f" into a dataset named '{config['name']}'" if config.get("name") else ""
        return (f"Load from the connection '{config.get('connection')}'{into}, read-only:\n"
                f"```sql\n{config.get('query')}\n```")  # fmt: skip
    if action == "retrain":
        data = config.get("data", "latest")
        on = {"latest": "the latest version of its dataset",
              "same": "the very version of its dataset it read"}.get(
            str(data), f"version {data} of its dataset")  # fmt: skip
        return f"Retrain run {config.get('run_id')} with its own settings on {on}."
    if action == "restore":
        ref = config.get("dataset") or {}
        name = ref.get("name") or f"dataset {ref.get('id')}"
        return (f"Restore version {config.get('version')} of {name}: its content becomes the "
                "latest version again, as a new version (nothing is overwritten).")  # fmt: skip
    return f"{action} with {config}."
