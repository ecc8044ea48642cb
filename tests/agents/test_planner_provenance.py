"""Requests about the history of models and data, in five languages: retrain a run on a data
version, restore a version, and ask where a model's data came from or what was trained on a
dataset; and requests that only look alike, which stay what they were."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from agents.builtin_model import BuiltinPlannerModel
from agents.context import DatasetContext, SchemaContext
from agents.lineage_answers import lineage_text
from agents.loop import Agent, history_from
from ml_backend.datasets import write_sample

TRAINED = {"algorithm": "xgboost", "dataset": {"name": "penguins"}, "target_column": "species"}
FOREST = {**TRAINED, "algorithm": "random_forest"}
HISTORY = history_from([
    {"role": "user", "content": "xgboost on species", "parts": []},
    {"role": "assistant", "content": "Started train run 12.",
     "parts": [{"type": "run", "tool": "train", "run_id": 12, "config": TRAINED}]},
    {"role": "user", "content": "now a random forest", "parts": []},
    {"role": "assistant", "content": "Started train run 14.",
     "parts": [{"type": "run", "tool": "train", "run_id": 14, "config": FOREST}]},
])  # fmt: skip


@pytest.fixture(scope="module")
def agent() -> Agent:
    stored = write_sample("penguins", Path(tempfile.mkdtemp()))
    penguins = DatasetContext(id=3, name="penguins", profile=stored.profile, version=3)
    loans = DatasetContext(id=9, name="loans", profile=stored.profile)
    context = SchemaContext(datasets=[penguins, loans], focus=penguins)
    return Agent(BuiltinPlannerModel(context=context), context, None)


async def _call(agent: Agent, message: str) -> tuple[str | None, dict[str, Any] | None]:
    plan = await agent.plan(HISTORY, message)
    return plan.tool, plan.config


@pytest.mark.parametrize(
    ("message", "config"),
    [
        ("retrain run 12 on the latest data", {"run_id": 12, "data": "latest"}),
        ("re-train it on the same data", {"run_id": 14, "data": "same"}),
        ("train the xgboost model again on version 2", {"run_id": 12, "data": 2}),
        ("refit run #12 with the newest upload", {"run_id": 12, "data": "latest"}),
        ("reentrena el modelo 12 con los datos más recientes", {"run_id": 12, "data": "latest"}),
        ("réentraîne le modèle 12 sur les mêmes données", {"run_id": 12, "data": "same"}),
        ("trainiere Lauf 12 erneut mit den neuesten Daten", {"run_id": 12, "data": "latest"}),
        ("retreine o modelo 12 com os dados mais recentes", {"run_id": 12, "data": "latest"}),
    ],
)
async def test_a_retrain_names_its_run_and_data(
    agent: Agent, message: str, config: dict[str, Any]
) -> None:
    assert await _call(agent, message) == ("retrain_run", config)


@pytest.mark.parametrize(
    ("message", "config"),
    [
        ("restore version 1", {"dataset": {"name": "penguins"}, "version": 1}),
        ("roll back to v2", {"dataset": {"name": "penguins"}, "version": 2}),
        ("go back to the previous version", {"dataset": {"name": "penguins"}, "version": 2}),
        ("bring back the first version of loans", {"dataset": {"name": "loans"}, "version": 1}),
        ("restaura la versión 2", {"dataset": {"name": "penguins"}, "version": 2}),
        ("restaure la version 2", {"dataset": {"name": "penguins"}, "version": 2}),
        ("stelle Version 2 wieder her", {"dataset": {"name": "penguins"}, "version": 2}),
        ("restaure a versão 2", {"dataset": {"name": "penguins"}, "version": 2}),
    ],
)
async def test_a_restore_names_its_dataset_and_version(
    agent: Agent, message: str, config: dict[str, Any]
) -> None:
    assert await _call(agent, message) == ("restore_version", config)


@pytest.mark.parametrize(
    ("message", "config"),
    [
        ("where did this model's data come from?", {"run_id": 14, "direction": "upstream"}),
        ("what data was run 12 trained on?", {"run_id": 12, "direction": "upstream"}),
        ("what's the provenance of the xgboost model?", {"run_id": 12, "direction": "upstream"}),
        ("which dataset did it use?", {"run_id": 14, "direction": "upstream"}),
        ("show me the lineage of run 12", {"run_id": 12, "direction": "both"}),
        ("what was trained on this file?",
         {"dataset": {"name": "penguins"}, "direction": "downstream"}),
        ("which models used the loans data?",
         {"dataset": {"name": "loans"}, "direction": "downstream"}),
        ("anything trained on version 2?",
         {"dataset": {"name": "penguins"}, "direction": "downstream", "version": 2}),
        ("¿de dónde vienen los datos de este modelo?", {"run_id": 14, "direction": "upstream"}),
        ("d'où viennent les données de ce modèle ?", {"run_id": 14, "direction": "upstream"}),
        ("woher kommen die Daten dieses Modells?", {"run_id": 14, "direction": "upstream"}),
        ("was wurde mit dieser Datei trainiert?",
         {"dataset": {"name": "penguins"}, "direction": "downstream"}),
        ("o que foi treinado com este arquivo?",
         {"dataset": {"name": "penguins"}, "direction": "downstream"}),
    ],
)  # fmt: skip
async def test_a_lineage_question_traces_the_thing_it_points_at(
    agent: Agent, message: str, config: dict[str, Any]
) -> None:
    assert await _call(agent, message) == ("trace_lineage", config)


@pytest.mark.parametrize(
    "message",
    [
        "run it again with 500 trees",
        "train a model on this file",
        "which model is best?",
        "what is the source column?",
        "how did it do?",
        "restore the dataset",
        "retrain with lightgbm",
    ],
)
async def test_look_alikes_are_no_history_request(agent: Agent, message: str) -> None:
    tool, _config = await _call(agent, message)
    assert tool not in {"retrain_run", "restore_version", "trace_lineage"}


@pytest.mark.parametrize(
    ("message", "said"),
    [("restore version 7", "does not exist yet"), ("restore version 3", "is the latest already")],
)
async def test_a_version_that_is_not_older_than_the_latest_is_not_planned(
    agent: Agent, message: str, said: str
) -> None:
    plan = await agent.plan(HISTORY, message)
    assert plan.tool is None and said in plan.message and "versions are 1 to 3" in plan.message


async def test_with_no_run_to_point_at_a_retrain_asks_which() -> None:
    stored = write_sample("penguins", Path(tempfile.mkdtemp()))
    penguins = DatasetContext(id=3, name="penguins", profile=stored.profile)
    context = SchemaContext(datasets=[penguins], focus=penguins)
    plan = await Agent(BuiltinPlannerModel(context=context), context, None).plan(
        [], "retrain it on the latest data"
    )
    assert plan.tool is None and "Which run should I retrain?" in plan.message


def test_a_model_s_upstream_is_told_from_the_data_it_read() -> None:
    def node(kind: str, node_id: int, label: str, **detail: Any) -> dict[str, Any]:
        link = f"#/lineage/{kind}/{node_id}" if kind == "dataset" else f"#/runs/{node_id}"
        return {"kind": kind, "id": node_id, "label": label, "link": link, "detail": detail}

    def edge(frm: dict[str, Any], to: dict[str, Any], relation: str) -> dict[str, Any]:
        return {"from_kind": frm["kind"], "from_id": frm["id"], "to_kind": to["kind"],
                "to_id": to["id"], "relation": relation}  # fmt: skip

    v1, v2 = node("dataset", 1, "churn v1"), node("dataset", 2, "churn v2")
    run1 = node("run", 5, "train run 5 (xgboost)", status="finished")
    run2 = node("run", 6, "train run 6 (xgboost)", status="finished")
    upstream = {"center": run2, "direction": "upstream", "nodes": [run2, v2, run1, v1],
                "edges": [edge(v2, run2, "input"), edge(run1, run2, "retrained"),
                          edge(v1, v2, "next_version"), edge(v1, run1, "input")]}  # fmt: skip
    told = lineage_text(upstream)
    lead = told.splitlines()[0]
    assert (
        lead
        == "[Train run 6 (xgboost)](#/runs/6)'s data came from [**churn v2**](#/lineage/dataset/2)."
    )
    assert "- [Train run 6 (xgboost)](#/runs/6) read [**churn v2**](#/lineage/dataset/2)." in told
    assert "[Train run 6 (xgboost)](#/runs/6) retrains [train run 5 (xgboost)](#/runs/5)." in told
    assert told.endswith("[Open the lineage graph](#/lineage/run/6)")

    downstream = {"center": v1, "direction": "downstream", "nodes": [v1, run1, v2],
                  "edges": [edge(v1, run1, "input"), edge(v1, v2, "next_version")]}  # fmt: skip
    lead = lineage_text(downstream).splitlines()[0]
    assert lead == ("One run was trained on [**churn v1**](#/lineage/dataset/1): "
                    "[train run 5 (xgboost)](#/runs/5), finished.")  # fmt: skip
    nothing = {"center": v2, "direction": "downstream", "nodes": [v2], "edges": []}
    assert lineage_text(nothing).startswith("Nothing has been trained on [**churn v2**]")
