"""The action a message asks for, chosen by a scored decision rather than the first rule that
fires: a linear classifier over the message's words (columns, algorithms and numbers masked,
so it learns the phrasing, not the table) and the structure the readers found in it.

It is trained on `intent_corpus.jsonl`, messages about the built-in samples kept in the
repository as data, once per process on first use (about a second), and kept.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import OSA
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.svm import LinearSVC

from agents.planner.cues import VOCABULARY
from agents.planner.explore import time_like
from agents.planner.registry import Registry
from agents.planner.request import Request
from agents.planner.roles import Roles
from agents.planner.text import STOPWORDS, stem, words
from ml_backend.schema import DatasetProfile

CORPUS = Path(__file__).with_name("intent_corpus.jsonl")
PLAN_INTENTS = frozenset(
    {
        "train",
        "tune",
        "forecast",
        "explore",
        "describe",
        "leaderboard",
        "automl",
        "clarify",
        "continue",
    }
)
RESULT_INTENTS = frozenset({"explain_run", "compare_runs", "job_status"})
INTENTS = PLAN_INTENTS | RESULT_INTENTS | {"list_datasets"}
_DATA_NOUNS = frozenset(stem(w) for w in words("dataset datasets data table tables file files"))
_COLUMN_NOUNS = frozenset(
    stem(w) for w in words("column columns field fields variable variables attribute attributes")
)
_INPUT_NOUNS = _COLUMN_NOUNS | frozenset(
    stem(w) for w in words("feature features input inputs predictor predictors factor factors")
)
_COMPARATIVES = frozenset(
    stem(w)
    for w in words(
        "better worse best worst won win wins winner beat beats compare comparison versus vs "
        "than difference"
    )
)

_OPENERS = frozenset(
    words(
        "what whats which who whose why how hows when where is isnt are arent was wasnt were did "
        "didnt does doesnt do has hasnt have had should any"
    )
)
"""Words a question about something already there starts with (after fillers); not 'can
you', 'could you', 'would you', which ask for something to be done."""
_FILLERS = frozenset(words("so and but ok okay hm hmm well oh right alright wait then uh um hey"))
_SUPERLATIVES = frozenset(
    words(
        "most least best worst top biggest largest highest lowest strongest weakest main "
        "mostly greatest"
    )
)


def asks(request: Request) -> bool:
    """Whether the message is worded as a question: its first word (fillers aside) is one a
    question starts with ('so how did it go', 'was it worth it'), question mark or not;
    'can you plot it better?' asks for something to be done."""
    said = [t.text for t in request.tokens if t.kind == "word" and t.text not in _FILLERS]
    return bool(said) and said[0] in _OPENERS


@dataclass(frozen=True)
class Situation:
    """What the conversation holds besides the message: its last plan, whether it ran jobs."""

    previous: str | None = None
    runs: bool = False


@dataclass(frozen=True)
class Scores:
    """Each intent's score for one message (its margin: above 0 is for, below against), best
    first."""

    ranked: tuple[tuple[str, float], ...]
    unfamiliar: float = 0.0
    """The share of the message's own words (columns, algorithms and numbers aside) that no
    message of the corpus holds: near one for 'asdkjh qwe purple monkey'."""

    @property
    def best(self) -> str:
        return self.ranked[0][0]

    def of(self, intent: str) -> float:
        return dict(self.ranked).get(intent, 0.0)

    def best_of(self, allowed: frozenset[str] | set[str]) -> str:
        return next(intent for intent, _ in self.ranked if intent in allowed)


_MASKS = frozenset({"COL", "COLS", "ALGO", "NUM"})
_RESPELL_MIN = 4


def masked_words(request: Request) -> str:
    """The message's words with every column, algorithm and number replaced by its kind."""
    starts = {m.start: m for m in request.mentions}
    covered = {i for m in request.mentions for i in range(m.start, m.end)}
    out: list[str] = []
    for i, token in enumerate(request.tokens):
        if i in starts:
            out.append("COLS" if starts[i].group else "COL")
        elif i in covered:
            continue
        elif i in request.algorithm_tokens:
            if not out or out[-1] != "ALGO":
                out.append("ALGO")
        elif token.kind == "number":
            out.append("NUM")
        elif token.kind == "word" or token.text in {"?", "%"}:
            out.append(token.text)
    return " ".join(out)


def signals(
    request: Request,
    roles: Roles,
    profile: DatasetProfile,
    registry: Registry,
    situation: Situation,
) -> list[str]:
    """What the readers found, as named facts the classifier weighs beside the words."""
    found = [f"cue_{cue}" for cue in sorted(request.cues)]
    found += [f"chart_{name}" for name in dict.fromkeys(request.explorers)]
    found.append(f"columns_{min(len(request.mentions), 3)}")
    found.append(f"algorithms_{min(len(request.algorithms), 2)}")
    if any(registry.is_forecaster(a) for a in request.algorithms):
        found.append("forecaster")
    if time_like(profile):
        found.append("time_table")
    if roles.target is not None:
        found.append("target")
    if roles.features:
        found.append("features")
    if roles.excluded:
        found.append("excluded")
    if request.durations:
        found.append("duration")
    if request.n_trials is not None:
        found.append("trials")
    if request.settings:
        found.append("settings")
    if request.metrics:
        found.append("metric")
    split = request.split
    if split.test_size is not None or split.validation_size is not None or request.strategy:
        found.append("split")
    if request.explore.groups:
        found.append("groups")
    if request.explore.agg:
        found.append("aggregate")
    if request.explore.over_time:
        found.append("over_time")
    if request.explore.color or request.explore.trendline or request.explore.bins:
        found.append("chart_option")
    said = {t.stem for t in request.tokens}
    if names_data(request):
        found.append("data_noun")
    if said & _COLUMN_NOUNS:
        found.append("column_noun")
    if said & _COMPARATIVES:
        found.append("comparative")
    if request.message.rstrip().endswith("?"):
        found.append("question")
    if asks(request):
        found.append("asks")
    if said & _SUPERLATIVES:
        found.append("superlative")
        if said & _INPUT_NOUNS:
            found.append("ranks_columns")
    if not any(t.kind != "punct" for t in request.tokens):
        found.append("empty")
    unknown = unknown_share(request)
    if unknown > 0.5:
        found.append("unknown_most")
    elif unknown > 0:
        found.append("unknown_some")
    found.append(f"previous_{situation.previous or 'none'}")
    if situation.runs:
        found.append("runs")
    return found


def unknown_share(request: Request) -> float:
    """The share of the message's words that are none of mlchat's words, no column and no
    algorithm: near one for 'asdkjh qwe', whatever the classifier makes of its letters."""
    named = {i for m in request.mentions for i in range(m.start, m.end)}
    named |= request.algorithm_tokens
    said = [t for i, t in enumerate(request.tokens) if t.kind == "word" and i not in named]
    if not said:
        return 0.0
    unknown = [t for t in said if t.stem not in VOCABULARY and t.text not in STOPWORDS]
    return len(unknown) / len(said)


def names_data(request: Request) -> bool:
    """Whether the message speaks of datasets or tables at all: a question about which there
    are must."""
    return any(t.stem in _DATA_NOUNS for t in request.tokens)


class IntentModel:
    """Word and character n-grams of the masked message, plus the readers' signals, into a
    linear support vector machine (one against the rest): on the corpus's 5-fold
    cross-validation it scores as well as a logistic regression, and fits in a hundredth of
    the time, which matters as it is trained when first needed."""

    def __init__(self) -> None:
        self.words = TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"\S+", sublinear_tf=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.facts = CountVectorizer(tokenizer=str.split, token_pattern=None, binary=True)
        self.classifier = LinearSVC(C=0.5, class_weight="balanced")

    def _matrix(self, texts: Sequence[str], facts: Sequence[str], fit: bool) -> csr_matrix:
        parts = (
            (self.words, texts),
            (self.chars, texts),
            (self.facts, facts),
        )
        if fit:
            return hstack([part.fit_transform(data) for part, data in parts]).tocsr()
        return hstack([part.transform(data) for part, data in parts]).tocsr()

    def fit(self, texts: Sequence[str], facts: Sequence[str], labels: Sequence[str]) -> None:
        self.classifier.fit(self._matrix(texts, facts, fit=True), list(labels))
        # How common each known word is, to respell a mistyped one as the likeliest
        idf = self.words.idf_
        self.known_ = {
            word: float(idf[column])
            for word, column in self.words.vocabulary_.items()
            if " " not in word and word.isalpha()
        }

    def respelled(self, text: str) -> str:
        """`text` with each word the corpus lacks replaced by the commonest word it has one
        letter away (same first letter, four letters or more): 'whcih one won' is read as
        'which one won'. Columns, algorithms and numbers are masked already."""
        out = []
        for word in text.split():
            if (
                word in self.known_
                or word in _MASKS
                or len(word) < _RESPELL_MIN
                or not word.isalpha()
            ):
                out.append(word)
                continue
            near = [
                known for known in self.known_
                if known[:1] == word[:1] and len(known) >= _RESPELL_MIN
                and abs(len(known) - len(word)) <= 1
                and OSA.distance(word, known, score_cutoff=1) <= 1
            ]  # fmt: skip
            out.append(min(near, key=self.known_.__getitem__) if near else word)
        return " ".join(out)

    def scores(self, text: str, facts: Sequence[str]) -> Scores:
        text = self.respelled(text)
        margins = self.classifier.decision_function(self._matrix([text], [" ".join(facts)], False))
        order = np.argsort(-margins[0])
        classes = self.classifier.classes_
        ranked = tuple((str(classes[i]), float(margins[0][i])) for i in order)
        return Scores(ranked, self.unfamiliar(text))

    def unfamiliar(self, text: str) -> float:
        said = [w for w in text.split() if w.isalpha() and w not in _MASKS]
        if not said:
            return 0.0
        return sum(w not in self.words.vocabulary_ for w in said) / len(said)


def corpus() -> list[dict[str, Any]]:
    """The labelled messages the model learns from."""
    with CORPUS.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@cache
def _sample_profile(name: str) -> DatasetProfile:
    from ml_backend.datasets.samples import write_sample

    with tempfile.TemporaryDirectory() as folder:
        return write_sample(name, Path(folder)).profile


_lock = threading.Lock()
_model: IntentModel | None = None


def intent_model() -> IntentModel:
    """The model, trained on first use and kept for the process."""
    global _model
    with _lock:
        if _model is None:
            _model = train(corpus())
        return _model


def warm_up() -> threading.Thread:
    """Train the models now, in a thread of their own (returned, to join), so that the first
    message need not wait: the action's, then that of what a question about a run asks."""
    from agents.planner.aspects import aspect_model

    def train_both() -> None:
        intent_model()
        aspect_model()

    thread = threading.Thread(target=train_both, name="intent-model", daemon=True)
    thread.start()
    return thread


def train(records: Sequence[dict[str, Any]]) -> IntentModel:
    """A model fitted on `records` (each a corpus line)."""
    examples = [example for example in map(featurize, records) if example is not None]
    model = IntentModel()
    model.fit([e[0] for e in examples], [e[1] for e in examples], [e[2] for e in examples])
    return model


def featurize(record: dict[str, Any]) -> tuple[str, str, str] | None:
    """A corpus line as the model sees it: masked words, signals and its label; None for a
    line in a language there is no pack for."""
    from agents.planner.plan import read_message

    profile = _sample_profile(record["dataset"])
    reading = read_message(record["message"], profile, {"name": record["dataset"]})
    if reading.request is None:
        return None
    situation = Situation(record.get("previous"), bool(record.get("runs")))
    facts = " ".join(reading.signals(situation))
    return masked_words(reading.request), facts, record["intent"]
