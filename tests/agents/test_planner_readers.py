"""Readers that generalise, tried on generated inputs: ranges of a setting, numbers bound to
their own nouns, misspelt planner words, exact names glossing loose words, and adjectives put
back before their noun in languages that write them after it."""

from __future__ import annotations

import datetime
import random

import numpy as np
import pyarrow as pa
import pytest

from agents.languages import POSTPOSED_ADJECTIVES, fold, packs, to_english
from agents.planner import plan_message
from agents.planner.registry import current_registry
from agents.planner.spelling import respell
from ml_backend.datasets import ingest_table
from ml_backend.schema import DatasetProfile
from tests.agents.planner_data import Profiles

CHURN = {"name": "churn"}
RANGED = [  # (words for the setting, field, low bound, high bound, whole numbers)
    ("max depth", "max_depth", 2, 16, True),
    ("max_depth", "max_depth", 2, 16, True),
    ("learning rate", "learning_rate", 0.005, 0.5, False),
    ("number of trees", "n_estimators", 50, 900, True),
]
RANGE_FORMS = ["between {a} and {b}", "from {a} to {b}", "{a} to {b}", "{a}-{b}", "in {a}-{b}"]


def _ends(rng: random.Random, low: float, high: float, whole: bool) -> tuple[float, float]:
    if whole:
        a = rng.randint(int(low), int(high) - 1)
        return a, rng.randint(a + 1, int(high))
    a = round(rng.uniform(low, high / 2), 3)
    return a, round(rng.uniform(a * 1.5, high), 3)


@pytest.mark.parametrize("seed", range(30))
def test_a_range_said_for_a_setting_is_the_search_space_of_a_tuning(
    profiles: Profiles, seed: int
) -> None:
    rng = random.Random(seed)
    words, field, low, high, whole = rng.choice(RANGED)
    a, b = _ends(rng, low, high, whole)
    form = rng.choice(RANGE_FORMS).format(a=a, b=b)
    message = f"tune xgboost on churned, {rng.randint(10, 60)} trials, {words} {form}"
    plan = plan_message(message, profiles["churn"], CHURN)
    config = plan.config or {}
    assert plan.action == "tune", (message, plan.message)
    assert config["search_space"][field] == {"low": a, "high": b}, message
    assert field not in (config.get("hyperparameters") or {}), message
    assert f"{field} from {a} to {b}" in plan.message, plan.message


@pytest.mark.parametrize("seed", range(20))
def test_two_settings_joined_by_and_are_never_a_range(profiles: Profiles, seed: int) -> None:
    rng = random.Random(seed)
    depth, trees = rng.randint(2, 12), rng.randint(13, 900)
    verb = rng.choice(["train", "tune"])
    message = f"{verb} xgboost on churned with max depth {depth} and {trees} trees"
    config = plan_message(message, profiles["churn"], CHURN).config or {}
    assert "search_space" not in config, message
    assert config["hyperparameters"] == {"max_depth": depth, "n_estimators": trees}, message


def test_a_range_outside_a_tuning_is_named_as_not_used(profiles: Profiles) -> None:
    plan = plan_message("train xgboost on churned with max depth from 3 to 9", profiles["churn"],
                        CHURN)  # fmt: skip
    assert plan.action == "train" and "max_depth" not in (plan.config or {}).get(
        "hyperparameters", {}
    )
    assert "max_depth from 3 to 9" in plan.message and "tune" in plan.message


@pytest.mark.parametrize("seed", range(25))
def test_a_count_after_the_widths_belongs_to_its_own_noun(profiles: Profiles, seed: int) -> None:
    rng = random.Random(seed)
    widths = [rng.choice([8, 16, 32, 64, 128, 256]) for _ in range(rng.randint(2, 4))]
    said = ", ".join(str(w) for w in widths[:-1]) + f" and {widths[-1]}"
    epochs = rng.randint(2, 300)
    noun = rng.choice(["epochs", "training epochs"])
    message = rng.choice([
        f"neural network on churned, hidden layers of {said}, {epochs} {noun}",
        f"train an mlp for churned with layers {said}, {epochs} {noun}",
        f"hidden layers of {said} and {epochs} {noun}, predict churned",
    ])  # fmt: skip
    config = plan_message(message, profiles["churn"], CHURN).config or {}
    assert config.get("algorithm") == "neural_network", message
    assert config["hyperparameters"]["hidden_layers"] == widths, message
    assert config["hyperparameters"]["epochs"] == epochs, message


def _slip(word: str, rng: random.Random) -> str:
    """One typing slip past the first letter: two letters swapped, one dropped or doubled."""
    i = rng.randint(1, len(word) - 2)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


@pytest.mark.parametrize("seed", range(40))
def test_a_slip_in_a_planner_word_reads_as_the_word(profiles: Profiles, seed: int) -> None:
    rng = random.Random(seed)
    algorithm, words = rng.choice([("xgboost", "xgboost"), ("lightgbm", "lightgbm"),
                                   ("random_forest", "random forest")])  # fmt: skip
    clean = f"train {words} on churned with learning rate 0.05 and 300 estimators"
    if algorithm == "random_forest":
        clean = f"train {words} on churned with 300 estimators"
    parts = clean.split()
    slipped = [rng.randrange(len(parts)) for _ in range(2)]
    message = " ".join(
        _slip(w, rng) if i in slipped and len(w) >= 7 and w.isalpha() else w
        for i, w in enumerate(parts)
    )
    expected = plan_message(clean, profiles["churn"], CHURN).config
    assert plan_message(message, profiles["churn"], CHURN).config == expected, message


@pytest.mark.parametrize("seed", range(20))
def test_a_columns_words_are_never_respelt(seed: int) -> None:
    """A slip that would be respelt stays as written where it is a word of a column's name."""
    rng = random.Random(seed)
    registry = current_registry()
    words = ["predict", "forecast", "histogram", "estimators", "learning", "scatter", "xgboost"]
    while True:
        word = _slip(rng.choice(words), rng)
        text = f"train xgboost on {word} please"
        if respell(text, registry) != text:
            break
    assert respell(text, registry, protected={word}) == text


@pytest.mark.parametrize("seed", range(30))
def test_an_exact_name_in_brackets_is_what_its_loose_words_mean(
    profiles: Profiles, seed: int
) -> None:
    rng = random.Random(seed)
    profile = profiles["churn"]
    target = rng.choice(["churned", "monthly_charges_usd", "total_charges_usd", "tenure_months"])
    # the gloss may even hold words of another column ('pay', 'month'): the name decides
    gloss = rng.choice([
        "whether a customer leaves", "the amount billed", "how long they stayed",
        "the number of users", "the customers who cancel",
    ])  # fmt: skip
    message = f"{rng.choice(['predict', 'estimate', 'forecast'])} {gloss} ({target}) with lightgbm"
    config = plan_message(message, profile, CHURN).config or {}
    assert config.get("target_column") == target, message


@pytest.mark.parametrize("code", ["es", "fr", "pt"])
def test_an_adjective_written_after_its_noun_reads_before_it(code: str) -> None:
    pack = packs()[code]
    assert pack.adjectives_follow
    elsewhere = {k for other in packs().values() if other.code != code for k in other.phrases}
    own = {
        k: v
        for k, v in pack.phrases.items()
        if " " not in k and k not in elsewhere and fold(v) != k and k not in pack.numbers
    }
    nouns = [(k, v) for k, v in own.items()
             if len(k) >= 5 and v.isalpha() and v not in POSTPOSED_ADJECTIVES]  # fmt: skip
    adjectives = [(k, v) for k, v in own.items() if v in POSTPOSED_ADJECTIVES]
    rng = random.Random(code)
    for _ in range(60):
        (noun, english_noun), (adjective, english_adjective) = (
            rng.choice(nouns),
            rng.choice(adjectives),
        )
        english, _ = to_english(f"{noun} {adjective}")
        assert f"{english_adjective} {english_noun}" in english, (noun, adjective, english)


def _odd_names(profiles: Profiles) -> DatasetProfile:
    """A daily series whose names hold marks, units and symbols."""
    rng = np.random.default_rng(7)
    days = 200
    start = datetime.datetime(2024, 1, 1)
    table = pa.table({
        "Date": pa.array([start + datetime.timedelta(days=i) for i in range(days)],
                         pa.timestamp("ms")),
        "PM2.5": rng.gamma(3, 5, days).round(1), "PM10": rng.gamma(4, 6, days).round(1),
        "NO2 (µg/m³)": rng.gamma(5, 4, days).round(1), "Temp (°C)": rng.normal(12, 8, days),
        "order.value": rng.gamma(3, 30, days).round(2), "Station": rng.choice(["A", "B"], days),
    })  # fmt: skip
    return ingest_table(table, profiles.directory / "odd").profile


@pytest.mark.parametrize("seed", range(20))
def test_a_name_written_out_with_its_marks_names_its_column(profiles: Profiles, seed: int) -> None:
    rng = random.Random(seed)
    profile = _odd_names(profiles)
    numeric = ["PM2.5", "PM10", "NO2 (µg/m³)", "Temp (°C)", "order.value"]
    first, second = rng.sample(numeric, 2)
    message, columns = rng.choice([
        (f"does {'the ' * rng.randint(0, 1)}{first} differ by Station?", [first, "Station"]),
        (f"scatter {first} against {second}", [first, second]),
        (f"histogram of {first}", [first]),
    ])  # fmt: skip
    config = plan_message(message, profile, {"name": "odd"}).config or {}
    assert config.get("columns") == columns, message


SPANS = {"a fortnight": 14, "the next fortnight": 14, "the coming week": 7, "tomorrow": 1,
         "the upcoming month": 30, "next week": 7, "3 fortnights": 42,
         "the following quarter": 91}  # fmt: skip


@pytest.mark.parametrize("span", SPANS)
def test_a_calendar_span_in_words_is_the_forecasts_horizon(profiles: Profiles, span: str) -> None:
    profile = _odd_names(profiles)
    plan = plan_message(f"forecast PM10 for {span}", profile, {"name": "odd"})
    assert plan.action == "forecast" and (plan.config or {}).get("horizon") == SPANS[span], span


@pytest.mark.parametrize(("column", "task"), [("tenure_months", "regression"),
                                              ("senior_citizen", "classification")])  # fmt: skip
def test_whole_numbers_of_an_amount_are_a_regression(
    profiles: Profiles, column: str, task: str
) -> None:
    """tenure_months holds 71 whole numbers of months: an amount, though they are few."""
    config = plan_message(f"predict {column}", profiles["churn"], CHURN).config or {}
    assert config.get("task_type") == task
