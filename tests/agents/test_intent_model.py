"""The intent model: measured on its corpus, blind to which table a request is about, and
held to what the conversation allows."""

from __future__ import annotations

import itertools
import random

from sklearn.model_selection import StratifiedKFold

from agents.planner.intent_model import (
    RESULT_INTENTS,
    IntentModel,
    Situation,
    corpus,
    featurize,
)
from agents.planner.intents import decide_action
from agents.planner.plan import read_message
from agents.run_answers import ASPECTS
from ml_backend.schema import ColumnKind, DatasetProfile


def test_held_out_folds_of_the_corpus_are_mostly_read_right() -> None:
    examples = [e for e in map(featurize, corpus()) if e is not None]
    labels = [e[2] for e in examples]
    right = 0
    for train_rows, test_rows in StratifiedKFold(3, shuffle=True, random_state=1).split(
        examples, labels
    ):
        model = IntentModel()
        model.fit(*zip(*(examples[i] for i in train_rows), strict=True))
        right += sum(
            model.scores(examples[i][0], examples[i][1].split()).best == examples[i][2]
            for i in test_rows
        )
    assert right / len(examples) >= 0.85


TEMPLATES = {
    "train": ["train a model to predict {a}", "can you predict {a} from {b}?",
              "fit a {algorithm} on {a}", "I need a classifier or regressor for {a}"],
    "explore": ["scatter {a} against {b}", "histogram of {a}", "box plot of {a} by {c}",
                "how is {a} distributed?", "plot {a} vs {b}"],
    "tune": ["tune a {algorithm} to predict {a}, 30 trials",
             "find the best hyperparameters of {algorithm} for {a}"],
    "leaderboard": ["which algorithm predicts {a} best?", "compare all models on {a}"],
}  # fmt: skip
ALGORITHMS = ["random forest", "xgboost", "lightgbm", "neural network"]


def _slots(profile: DatasetProfile, rng: random.Random) -> dict[str, str]:
    numeric = [c.name for c in profile.columns if c.kind is ColumnKind.NUMERIC]
    categorical = [c.name for c in profile.columns if c.kind is ColumnKind.CATEGORICAL]
    a, b = rng.sample(numeric, 2)
    return {"a": a, "b": b, "c": rng.choice(categorical or numeric),
            "algorithm": rng.choice(ALGORITHMS)}  # fmt: skip


def test_the_same_request_means_the_same_on_every_table(
    eval_tables: dict[str, DatasetProfile],
) -> None:
    """Columns are masked before the words are weighed: the intent of a phrasing does not
    change with the table or the columns it names."""
    rng = random.Random(7)
    for (intent, phrasings), (name, profile) in itertools.product(
        TEMPLATES.items(), eval_tables.items()
    ):
        for phrasing in phrasings:
            message = phrasing.format(**_slots(profile, rng))
            reading = read_message(message, profile, {"name": name})
            assert reading.request is not None
            decided = decide_action(reading.request, reading.scores(Situation()), None)
            assert decided == intent, (name, message)


def test_what_the_conversation_lacks_is_never_chosen(
    eval_tables: dict[str, DatasetProfile],
) -> None:
    """No answer about runs in a conversation without runs, and no follow-up without a plan
    to change, whatever the message says."""
    profiles = eval_tables
    rng = random.Random(3)
    for record in rng.sample(corpus(), 300):
        name = rng.choice(sorted(profiles))
        reading = read_message(record["message"], profiles[name], {"name": name})
        if reading.request is None:
            continue
        decided = decide_action(reading.request, reading.scores(Situation()), None, runs=False)
        assert decided not in RESULT_INTENTS | {"continue"}, record["message"]


def test_what_a_question_asks_of_a_run_is_mostly_read_right_on_held_out_folds() -> None:
    """The aspect model (what mattered, the settings, why it failed, the progress, how it
    did) on folds of the corpus's questions about runs that it was not fitted on."""
    labelled = [{**r, "intent": r["about"]} for r in corpus() if r.get("about")]
    examples = [e for e in map(featurize, labelled) if e is not None]
    labels = [e[2] for e in examples]
    assert set(labels) == set(ASPECTS)
    right = 0
    for train_rows, test_rows in StratifiedKFold(3, shuffle=True, random_state=1).split(
        examples, labels
    ):
        model = IntentModel()
        model.fit(*zip(*(examples[i] for i in train_rows), strict=True))
        right += sum(
            model.scores(examples[i][0], examples[i][1].split()).best == examples[i][2]
            for i in test_rows
        )
    assert right / len(examples) >= 0.8
