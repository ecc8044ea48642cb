"""Answers to the planner's questions: a short answer or a sentence, in any language with a
pack, fills the slot the question asked about and is planned as the request it came from.

The inputs are generated: the evaluation tables and panels of several shapes, each slot kind,
answers built from the language packs' own words (the phrases a pack reads as 'each', 'all',
'total', 'predict', ...) around the tables' own names. None restates one phrase.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from agents.builtin_model import BuiltinPlannerModel
from agents.context import DatasetContext, SchemaContext
from agents.languages import ENGLISH_NO, fold, packs
from agents.loop import Agent, Turn, history_from
from agents.planner import plan_message
from agents.planner.build import likely_targets
from agents.planner.plan import PlannedAction, plan_answer
from agents.planner.registry import current_registry
from agents.planner.text import name_words
from agents.validation import check_action
from ml_backend.datasets import write_sample
from ml_backend.datasets.profile import profile_parquet
from ml_backend.schema import ColumnKind, DatasetProfile

LANGUAGES = ("en", "es", "fr", "de", "pt")
# (key column, its values, time column, target): panels of different shapes and names.
PANELS = [
    ("store", [f"S{n}" for n in range(1, 6)], "date", "sales"),
    ("shop", ["berlin", "munich", "hamburg"], "week", "revenue"),
    ("warehouse", ["WH-A", "WH-B", "WH-C", "WH-D"], "day", "units"),
]
FREQUENCY = {"date": "MS", "week": "W-MON", "day": "D"}
# Requests that leave the series open, per language (what is asked about is the answer).
FORECASTS = {
    "en": "forecast {target} 4 months ahead",
    "es": "pronostica {target} para los próximos 4 meses",
    "fr": "prévois {target} pour les 4 prochains mois",
    "de": "Prognose von {target} für die nächsten 4 Monate",
    "pt": "faz a previsão de {target} para os próximos 4 meses",
}


VOCABULARY = frozenset(
    {"predict", "the", "each", "all", "for each", "for", "total", "average", "forecast", "train",
     "draw", "a", "show", "histogram", "of", "box", "scatter", "use", "then", "and", "with"}
)  # fmt: skip
"""The English words `said` puts into another language; anything else is a name."""


def said(code: str, *english: str, rng: random.Random) -> str:
    """The English words said in language `code` with its pack's own phrases for them; names
    (columns, values, algorithms) stay as they are written."""
    if code == "en":
        return " ".join(english)
    phrases: dict[str, list[str]] = {}
    for foreign, meaning in packs()[code].phrases.items():
        phrases.setdefault(meaning, []).append(foreign)
    words = []
    for word in english:
        found = phrases.get(word, []) if word in VOCABULARY else []
        choices = sorted(f for f in found if " " not in f or " " in word)
        words.append(rng.choice(choices) if choices else word)
    return " ".join(words)


def _panel(key: str, values: list[str], time: str, target: str, directory: Path) -> DatasetProfile:
    rng = np.random.default_rng(len(values))
    times = pd.date_range("2020-01-06", periods=160, freq=FREQUENCY[time])
    rows = [
        {time: moment, key: value, target: float(50 * (i + 1) + step + rng.normal(0, 3))}
        for i, value in enumerate(values)
        for step, moment in enumerate(times)
    ]
    path = directory / f"{key}.parquet"
    pd.DataFrame(rows).sample(frac=1.0, random_state=1).to_parquet(path, index=False)
    return profile_parquet(path)


@pytest.fixture(scope="module")
def panels(tmp_path_factory: pytest.TempPathFactory) -> list[DatasetProfile]:
    folder = tmp_path_factory.mktemp("panels")
    return [_panel(*panel, folder) for panel in PANELS]


def _asked(message: str, profile: DatasetProfile, kind: str) -> PlannedAction:
    asked = plan_message(message, profile, {"name": "t"})
    assert asked.config is None and asked.slot is not None, (message, asked.message)
    assert asked.slot.kind == kind, (message, asked.slot)
    return asked


def _answered(asked: PlannedAction, answer: str, profile: DatasetProfile) -> PlannedAction:
    assert asked.slot is not None
    planned = plan_answer(asked.slot, answer, profile, {"name": "t"})
    assert planned is not None, f"{answer!r} was read as a request of its own"
    return planned


def _series_answers(key: str, values: list[str], target: str) -> Iterator[tuple[list[str], str]]:
    """(English words of an answer, the words the question offers for the same choice):
    short answers and sentences."""
    each = f"for each {key}"
    yield ["each"], each
    yield ["all"], each
    yield ["for each", key], each
    yield ["each", key], each
    yield ["forecast", "for each", key], each
    yield ["total"], f"total {target}"
    yield ["the", "total", "of", target], f"total {target}"
    yield ["average"], f"average {target}"
    for value in values[:2]:
        yield [value], f"for {key} {value}"
        yield ["for", "the", key, value], f"for {key} {value}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_an_answer_to_which_series_completes_the_forecast(
    code: str, panels: list[DatasetProfile]
) -> None:
    rng = random.Random(code)
    failures = []
    for (key, values, _time, target), profile in zip(PANELS, panels, strict=True):
        request = FORECASTS[code].format(target=target)
        asked = _asked(request, profile, "series")
        for english, offered in _series_answers(key, values, target):
            answer = said(code, *english, rng=rng)
            planned = _answered(asked, answer, profile)
            # Answering is saying it in the request, in the words the question offers.
            at_once = plan_message(f"{request} {offered}", profile, {"name": "t"})
            assert at_once.config is not None and "series" in at_once.config, offered
            if (planned.action, planned.config) != ("forecast", at_once.config):
                failures.append((answer, planned.action, planned.message[:120]))
            else:
                check_action("forecast", at_once.config, profile)
    assert failures == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_an_answer_naming_no_series_is_asked_again(code: str, panels: list[DatasetProfile]) -> None:
    rng = random.Random(code)
    for (key, _values, _time, target), profile in zip(PANELS, panels, strict=True):
        asked = _asked(FORECASTS[code].format(target=target), profile, "series")
        for answer in ("X-9", "zorblax", said(code, "for", "the", key, "Q77", rng=rng)):
            again = _answered(asked, answer, profile)
            assert again.config is None and asked.slot is not None
            assert asked.slot.same_as(again.slot), (answer, again.message)
            assert f"`{key}`" in again.message and answer in again.message


def _columns(profile: DatasetProfile, kinds: set[ColumnKind]) -> list[str]:
    return [c.name for c in profile.columns if c.kind in kinds and c.distinct > 1]


def _target_answers(column: str, rng: random.Random, code: str) -> list[str]:
    words = " ".join(name_words(column))
    return [
        column,
        words,
        said(code, "the", column, rng=rng),
        said(code, "predict", "the", words, rng=rng),
    ]


@pytest.mark.parametrize("code", LANGUAGES)
def test_an_answer_to_which_column_to_predict_trains_on_it(
    code: str, eval_tables: dict[str, DatasetProfile]
) -> None:
    rng = random.Random(f"target-{code}")
    failures = []
    for table, profile in sorted(eval_tables.items()):
        algorithm = rng.choice(["xgboost", "lightgbm", "random forest"])
        asked = _asked(said(code, "train", algorithm, rng=rng), profile, "target")
        for column, _what in likely_targets(profile, limit=4):
            for answer in _target_answers(column, rng, code):
                planned = _answered(asked, answer, profile)
                config = planned.config or {}
                got = (planned.action, config.get("target_column"), config.get("algorithm"))
                if got != ("train", column, algorithm.replace(" ", "_")):
                    failures.append((table, answer, got, planned.message[:100]))
    assert failures == []


def test_an_answer_naming_no_column_gets_did_you_mean_never_a_column(
    eval_tables: dict[str, DatasetProfile],
) -> None:
    rng = random.Random(7)
    for table, profile in sorted(eval_tables.items()):
        asked = _asked("train lightgbm", profile, "target")
        for answer in ("zorblax", "the wingspan", "hat size"):
            again = _answered(asked, answer, profile)
            assert asked.slot is not None and asked.slot.same_as(again.slot), (table, answer)
            assert again.config is None and f"'{answer}'" in again.message
            # asked once more, the answer is still read
            column = rng.choice([name for name, _ in likely_targets(profile)])
            planned = _answered(again, column, profile)
            assert planned.config is not None and planned.config["target_column"] == column


def test_an_answer_to_which_series_to_forecast_takes_a_numeric_column(
    eval_tables: dict[str, DatasetProfile],
) -> None:
    asked_any = False
    for table, profile in sorted(eval_tables.items()):
        asked = plan_message("forecast 6 steps ahead", profile, {"name": table})
        if asked.slot is None or asked.slot.kind != "target":
            continue
        asked_any = True
        numeric = _columns(profile, {ColumnKind.NUMERIC})
        for column in numeric[:3]:
            planned = _answered(asked, " ".join(name_words(column)), profile)
            if planned.slot is not None and planned.slot.kind == "series":
                continue  # filled, and the next question is which of its series
            assert planned.config is not None, (table, column, planned.message)
            assert planned.config["target_column"] == column
            assert planned.config["horizon"] == 6
        text = [c for c in _columns(profile, {ColumnKind.CATEGORICAL}) if c not in numeric]
        if text:
            again = _answered(asked, text[0], profile)
            assert again.config is None and asked.slot is not None
            assert asked.slot.same_as(again.slot)
    assert asked_any


CHARTS = ("histogram", "box", "scatter")


@pytest.mark.parametrize("code", LANGUAGES)
def test_an_answer_to_which_columns_draws_the_chart_asked_for(
    code: str, eval_tables: dict[str, DatasetProfile]
) -> None:
    rng = random.Random(f"chart-{code}")
    failures = []
    for (table, profile), chart in itertools.product(sorted(eval_tables.items()), CHARTS):
        asked = plan_message(said(code, "draw", "a", chart, rng=rng), profile, {"name": table})
        if asked.slot is None:
            failures.append((table, chart, asked.action, asked.message[:80]))
            continue
        assert asked.slot.kind == "columns" and asked.slot.intent == "explore"
        numeric = [c for c in _columns(profile, {ColumnKind.NUMERIC}) if "year" not in c.lower()]
        wanted = numeric[:2] if chart == "scatter" else numeric[:1]
        named = [" ".join(name_words(c)) for c in wanted]
        joined = said(code, *" and ".join(named).split(" "), rng=rng)
        for answer in (joined, said(code, "the", *" and the ".join(named).split(" "), rng=rng)):
            planned = plan_answer(asked.slot, answer, profile, {"name": table})
            config = (planned.config if planned is not None else None) or {}
            if config.get("explorer") != chart or not set(wanted) <= set(config["columns"]):
                failures.append((table, chart, answer, planned and planned.message[:90]))
    assert failures == []


def _ambiguous_words(profile: DatasetProfile) -> Iterator[tuple[str, list[str]]]:
    """Words each of which is part of the names of two or more columns."""
    by_word: dict[str, list[str]] = {}
    for column in profile.column_names:
        for word in set(name_words(column)):
            by_word.setdefault(word, []).append(column)
    for word, columns in sorted(by_word.items()):
        if len(columns) >= 2 and len(word) > 3:
            yield word, columns


def test_an_answer_to_which_column_a_word_means_takes_that_one(
    eval_tables: dict[str, DatasetProfile], tmp_path: Path
) -> None:
    tables = {**eval_tables, "penguins": write_sample("penguins", tmp_path).profile}
    tried = 0
    for table, profile in sorted(tables.items()):
        for word, _columns_with_word in _ambiguous_words(profile):
            asked = plan_message(f"predict {word} with lightgbm", profile, {"name": table})
            if asked.slot is None or asked.slot.kind != "column":
                continue
            tried += 1
            assert asked.slot.said == word and len(asked.slot.options) >= 2
            for option in asked.slot.options:
                planned = _answered(asked, f"the {' '.join(name_words(option))}", profile)
                assert planned.config is not None, (table, word, option, planned.message)
                assert planned.config["target_column"] == option
                assert planned.config["algorithm"] == "lightgbm"
            again = _answered(asked, "neither", profile)
            assert again.config is None and asked.slot.same_as(again.slot)
    assert tried >= 3


def test_an_answer_to_which_algorithm_replaces_the_one_mlchat_lacks(
    eval_tables: dict[str, DatasetProfile],
) -> None:
    registry = current_registry()
    rng = random.Random(3)
    for table, profile in sorted(eval_tables.items()):
        target = likely_targets(profile)[0][0]
        asked = _asked(f"train catboost to predict {target}", profile, "algorithm")
        for algorithm in registry.algorithms:
            aliases = [a for name, said in registry.aliases if name == algorithm for a in said]
            for answer in (algorithm, f"use {rng.choice(aliases or [algorithm])} then"):
                planned = _answered(asked, answer, profile)
                assert planned.config is not None, (table, answer, planned.message)
                assert planned.config["algorithm"] == algorithm
                assert planned.config["target_column"] == target
        again = _answered(asked, "the fastest one", profile)
        assert again.config is None and asked.slot is not None and asked.slot.same_as(again.slot)


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_request_of_its_own_is_planned_as_new(
    code: str, eval_tables: dict[str, DatasetProfile]
) -> None:
    rng = random.Random(f"new-{code}")
    for table, profile in sorted(eval_tables.items()):
        asked = _asked(said(code, "train", "xgboost", rng=rng), profile, "target")
        assert asked.slot is not None
        column = _columns(profile, {ColumnKind.NUMERIC})[0]
        chart = said(code, "show", "a", "histogram", "of", column, rng=rng)
        assert plan_answer(asked.slot, chart, profile, {"name": table}) is None, chart
        runs = plan_answer(asked.slot, "how did it do?", profile, {"name": table}, runs=True)
        assert runs is None


# Through the agent: questions and answers stored as the service stores them, and read back.


class _Conversation:
    """Turns with the builtin agent, the history kept as the service keeps it (JSON)."""

    def __init__(self, datasets: list[DatasetContext], focus: DatasetContext | None) -> None:
        context = SchemaContext(datasets=datasets, focus=focus)
        self.agent = Agent(BuiltinPlannerModel(context=context), context)
        self.records: list[dict[str, Any]] = []

    async def say(self, text: str) -> Turn:
        history = history_from(json.loads(json.dumps(self.records)))
        turn = await self.agent.turn(history, text)
        self.records.append({"role": "user", "content": text, "parts": []})
        self.records.append({"role": "assistant", "content": turn.reply, "parts": turn.parts})
        return turn


@pytest.fixture(scope="module")
def contexts(
    eval_tables: dict[str, DatasetProfile], panels: list[DatasetProfile]
) -> list[DatasetContext]:
    tables = [*sorted(eval_tables.items()), *((f"panel_{k}", p) for (k, *_), p in zip(
        PANELS, panels, strict=True))]  # fmt: skip
    return [DatasetContext(id=i, name=n, profile=p) for i, (n, p) in enumerate(tables, 1)]


@pytest.mark.parametrize("code", LANGUAGES)
async def test_which_dataset_then_which_column_then_the_plan(
    code: str, contexts: list[DatasetContext]
) -> None:
    rng = random.Random(f"dataset-{code}")
    for dataset in contexts[:7]:
        conversation = _Conversation(contexts, None)
        first = await conversation.say(said(code, "train", "lightgbm", rng=rng))
        assert "Which dataset" in first.reply and first.parts[0]["question"]["kind"] == "dataset"
        second = await conversation.say(dataset.name)
        assert second.parts[0]["question"]["kind"] == "target", second.reply
        target = likely_targets(dataset.profile)[0][0]
        third = await conversation.say(said(code, "predict", "the", target, rng=rng))
        assert third.pending is not None and third.pending.config is not None, third.reply
        config = third.pending.config
        assert (config["dataset"], config["target_column"], config["algorithm"]) == (
            dataset.ref, target, "lightgbm")  # fmt: skip


async def test_a_dataset_name_that_names_none_is_asked_again(
    contexts: list[DatasetContext],
) -> None:
    conversation = _Conversation(contexts, None)
    await conversation.say("train xgboost")
    again = await conversation.say(contexts[0].name[:-1] + "z")
    assert "Which dataset" in again.reply and f"`{contexts[0].name}`" in again.reply
    assert again.parts[0]["question"]["kind"] == "dataset"
    answered = await conversation.say(contexts[0].name)
    assert answered.parts[0]["question"]["kind"] == "target"


@pytest.mark.parametrize("code", LANGUAGES)
async def test_no_drops_the_question_and_the_next_message_is_new(
    code: str, contexts: list[DatasetContext]
) -> None:
    panel = contexts[-3]
    noes = [*ENGLISH_NO] if code == "en" else list(packs()[code].no)
    for no in noes[:6]:
        conversation = _Conversation(contexts, panel)
        asked = await conversation.say(FORECASTS[code].format(target="sales"))
        assert asked.parts[0]["question"]["kind"] == "series"
        dropped = await conversation.say(no)
        assert dropped.pending is None and dropped.parts == [], (fold(no), dropped.reply)
        after = await conversation.say("S3")
        assert after.pending is None and not any(p.get("type") == "run" for p in after.parts)


async def test_an_api_style_forecast_of_each_store_through_the_agent(
    contexts: list[DatasetContext],
) -> None:
    panel = contexts[-3]
    for answer in ("for each store", "todas", "jede Filiale", "chaque magasin", "cada loja"):
        conversation = _Conversation(contexts, panel)
        await conversation.say("forecast sales 4 months ahead")
        turn = await conversation.say(answer)
        assert turn.pending is not None and turn.pending.config is not None, turn.reply
        assert turn.pending.config["series"] == {"column": "store", "mode": "each"}
        assert turn.pending.config["horizon"] == 4


async def test_a_request_of_its_own_answering_which_dataset_is_planned_as_new(
    contexts: list[DatasetContext],
) -> None:
    for dataset in contexts[:7]:
        conversation = _Conversation(contexts, None)
        await conversation.say("train xgboost")
        column = _columns(dataset.profile, {ColumnKind.NUMERIC})[0]
        chart = f"show a histogram of {column} in the {dataset.name} dataset"
        turn = await conversation.say(chart)
        assert turn.plan is not None and turn.plan.config is not None, turn.reply
        assert (turn.plan.action, turn.plan.config["columns"]) == ("explore", [column])
