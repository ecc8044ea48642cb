"""Chat messages made from small grammars, each with what an honest plan owes it.

A message is put together from parts (a verb of intent, a target, features, exclusions,
settings with numbers, setting words mlchat does not support, nonsense), in English or in a
language with a pack, over a real table. While it is put together the message keeps a
record: which columns it names or implies, which names it invents, which values it says and
how a plan may echo them, and which unsupported setting words a plan must name. The honesty
tests hold every plan to that record.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from agents.languages import fold, packs
from agents.planner.text import name_words, stem
from ml_backend.schema import ColumnKind, DatasetProfile

LANGUAGES = ("en", "es", "fr", "de", "pt")


@dataclass(frozen=True)
class Value:
    """A value the message says, the forms a plan's words may echo it in, and the words that
    name its setting (for a plan that says it left the value out)."""

    said: str
    echoes: tuple[str, ...]
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Message:
    """One generated message and the record of what it says."""

    text: str
    table: str
    language: str
    intent: str
    columns: frozenset[str] = frozenset()
    """Columns the message names (in any form, a typo included) or that its words imply."""
    excluded: frozenset[str] = frozenset()
    invented: tuple[str, ...] = ()
    """Names of columns the table does not have."""
    values: tuple[Value, ...] = ()
    unsupported: tuple[str, ...] = ()
    """A word for each unsupported setting said; the plan must name it."""
    follows: int | None = None
    """The index of the message whose plan this one revises, if it is a follow-up."""


# -- vocabulary ------------------------------------------------------------------------------

INVENTED = (
    "wingspan", "zodiac sign", "shoe size", "horsepower", "rainfall", "moon phase",
    "parking spot", "favourite song", "hat size", "blood type", "street name", "pet name",
)  # fmt: skip
"""Column-like names that none of the tables has."""
_FOREIGN_NOUNS = ("limit", "band", "bonus", "tier", "quota", "streak")
"""Nouns added to a real column's word to name a column that is not there ('credit limit')."""
NONSENSE = (
    "asdkjh qwe", "zxcv bnm", "qwrtz plkj", "hjkl hjkl", "xkcd vbnm ppq", "mnbvc xzq",
    "grrbl fzzt", "ghjk", "qqq www", "zzzz", "??", "...", "lkjh gfds", "pfft wxyz krr",
)  # fmt: skip
_NUMBER_WORDS = {2: "two", 3: "three", 5: "five", 10: "ten", 20: "twenty", 50: "fifty",
                 100: "a hundred", 200: "two hundred", 300: "three hundred"}  # fmt: skip
ALGORITHMS = {
    "xgboost": ("xgboost", "XGBoost", "gradient boosting"),
    "lightgbm": ("lightgbm", "LightGBM", "lgbm"),
    "random_forest": ("a random forest", "random forest", "rf"),
    "linear": ("a linear model", "logistic regression", "linear regression"),
    "neural_network": ("a neural network", "an MLP", "neural net"),
}
FORECASTERS = ("arima", "ets", "prophet")

# Unsupported settings, as said in each language, with the English word a plan must name.
UNSUPPORTED: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("with 5-fold cross validation", "fold"), ("using 10-fold cv", "fold"),
        ("5-fold", "fold"), ("with k-fold validation", "fold"),
        ("with bootstrapping", "bootstrap"), ("bootstrap the rows", "bootstrap"),
        ("on the gpu", "gpu"), ("and seed the gpu", "gpu"),
        ("as an ensemble of 3 models", "ensemble"), ("stack the models", "stack"),
        ("with smote oversampling", "smote"), ("with class weights", "class weight"),
    ),
    "es": (("con validación cruzada", "cross"), ("con {k} pliegues", "fold")),
    "fr": (("avec validation croisée", "cross"), ("avec {k} plis", "fold")),
    "de": (("mit kreuzvalidierung", "cross"),),
    "pt": (("com validação cruzada", "cross"), ("com {k} dobras", "fold")),
}  # fmt: skip


@dataclass(frozen=True)
class Grammar:
    """One language's phrasings; `{t}` a target, `{a}` an algorithm, `{c}` a column list,
    `{n}` a whole number, `{x}` a decimal, `{p}` a percentage."""

    train: tuple[str, ...]
    tune: tuple[str, ...]
    leaderboard: tuple[str, ...]
    forecast: tuple[str, ...]
    explore: tuple[str, ...]
    features: tuple[str, ...]
    excludes: tuple[str, ...]
    joiner: str
    trees: tuple[str, ...]
    depth: tuple[str, ...]
    rate: tuple[str, ...]
    epochs: tuple[str, ...]
    test: tuple[str, ...]
    seed: tuple[str, ...]
    trials: tuple[str, ...]
    followups: tuple[str, ...] = ()
    minutes: tuple[str, ...] = ()
    bins: tuple[str, ...] = ()
    days: str = "days"
    weeks: str = "weeks"
    validation: tuple[str, ...] = ()


GRAMMARS = {
    "en": Grammar(
        train=("predict {t}", "train a model to predict {t}", "train {a} to predict {t}",
               "fit {a} on {t}", "I want to predict {t} with {a}", "can you predict {t}?",
               "{a} on {t}", "build a model for {t}", "use {a} to predict {t}"),
        tune=("tune {a} to predict {t}", "tune the hyperparameters of {a} for {t}",
              "optimise {a} on {t}"),
        leaderboard=("compare {a} and {b} on {t}", "which algorithm predicts {t} best?",
                     "compare all models for {t}", "leaderboard for {t}"),
        forecast=("forecast {t} for the next {n} {unit}", "forecast {t} {n} {unit} ahead",
                  "forecast {t} for the next {n} {unit} with {f}"),
        explore=("histogram of {c}", "scatter plot of {c} vs {d}", "box plot of {c} by {g}",
                 "bar chart of {g}", "correlation matrix of {c}, {d} and {e}"),
        features=("from {l}", "using {l}", "using only {l}", "based on {l}"),
        excludes=("without {l}", "but never use {l}", "excluding {l}", "don't use {l}",
                  "and drop {l}", "ignoring {l}"),
        joiner=" and ",
        trees=("with {n} trees", "{n} trees", "n_estimators={n}", "use {w} trees"),
        depth=("max depth {n}", "depth {n}", "max_depth={n}", "a maximum depth of {n}"),
        rate=("learning rate {x}", "lr={x}", "a learning rate of {x}"),
        epochs=("{n} epochs", "for {n} epochs"),
        test=("test size {x}", "{p}% test", "hold out {p}%", "with {p}% held out for testing",
              "{q}/{p} split"),
        seed=("seed {n}", "random state {n}", "random_state={n}"),
        trials=("with {n} trials", "{n} trials", "{w} trials"),
        followups=("now with {n} trees", "try {a} instead", "same but without {l}",
                   "now with max depth {n}", "and a test size of {x}", "now use {a}",
                   "again with {p}% test"),
        minutes=("for {n} minutes", "within {n} minutes"),
        bins=("with {n} bins", "{n} bins"),
        validation=("{p}% for validation", "and {p}% validation"),
    ),
    "es": Grammar(
        train=("entrena {a} para predecir {t}", "quiero predecir {t}", "predice {t} con {a}"),
        tune=("afina {a} para predecir {t}",),
        leaderboard=("compara {a} y {b} para predecir {t}",),
        forecast=("pronostica {t} para los próximos {n} {unit}",),
        explore=("histograma de {c}",),
        features=("usando {l}",),
        excludes=("sin {l}", "nunca uses {l}", "no uses {l}"),
        joiner=" y ",
        trees=("con {n} árboles",),
        depth=("profundidad máxima {n}",),
        rate=("tasa de aprendizaje {x}",),
        epochs=("{n} épocas",),
        test=("{p}% de prueba",),
        seed=("semilla {n}",),
        trials=("con {n} intentos",),
        days="días",
        weeks="semanas",
    ),
    "fr": Grammar(
        train=("entraîne {a} pour prédire {t}", "je veux prédire {t}"),
        tune=("règle {a} pour prédire {t}",),
        leaderboard=("comparer {a} et {b} pour prédire {t}",),
        forecast=(),
        explore=("histogramme de {c}",),
        features=("en utilisant {l}",),
        excludes=("sans {l}", "n'utilise pas {l}"),
        joiner=" et ",
        trees=("avec {n} arbres",),
        depth=("profondeur max {n}",),
        rate=("taux d'apprentissage {x}",),
        epochs=("{n} époques",),
        test=("{p}% de test",),
        seed=("graine {n}",),
        trials=("avec {n} essais",),
    ),
    "de": Grammar(
        train=("trainiere {a} um {t} vorherzusagen", "ich will {t} vorhersagen"),
        tune=(),
        leaderboard=("vergleiche {a} und {b} um {t} vorherzusagen",),
        forecast=(),
        explore=("histogramm von {c}",),
        features=("und verwende {l}",),
        excludes=("ohne {l}", "verwende nicht {l}"),
        joiner=" und ",
        trees=("mit {n} bäumen",),
        depth=("maximale tiefe {n}",),
        rate=("lernrate {x}",),
        epochs=("{n} epochen",),
        test=("testanteil {p}%",),
        seed=("startwert {n}",),
        trials=("mit {n} versuchen",),
    ),
    "pt": Grammar(
        train=("treina {a} para prever {t}", "quero prever {t}", "preveja {t} com {a}"),
        tune=("afinar {a} para prever {t}",),
        leaderboard=("compara {a} e {b} para prever {t}",),
        forecast=(),
        explore=("histograma de {c}",),
        features=("usando {l}",),
        excludes=("sem {l}", "não use {l}", "nunca use {l}"),
        joiner=" e ",
        trees=("com {n} árvores",),
        depth=("profundidade máxima {n}",),
        rate=("taxa de aprendizado {x}",),
        epochs=("{n} épocas",),
        test=("{p}% de teste",),
        seed=("semente {n}",),
        trials=("com {n} tentativas",),
    ),
}  # fmt: skip


def foreign_words_unknown(language: str) -> list[str]:
    """Words of a language's fixed phrasings that its pack does not know (none, if sound)."""
    grammar = GRAMMARS[language]
    pack = packs()[language]
    names = [
        n for n in Grammar.__dataclass_fields__ if grammar.forecast or n not in {"days", "weeks"}
    ]
    texts = [t for name in names for t in _texts(getattr(grammar, name))]
    texts += [t for t, _ in UNSUPPORTED[language]]
    unknown = []
    for text in texts:
        said = fold(re.sub(r"\{\w+\}|\d+|%", " ", text)).split()
        unknown += _uncovered(said, pack.phrases.keys() | pack.markers)
    return sorted(set(unknown))


def _texts(value: object) -> list[str]:
    return list(value) if isinstance(value, tuple) else [value] if isinstance(value, str) else []


def _uncovered(said: list[str], known: set[str]) -> list[str]:
    """Words of `said` that no known phrase (longest first) covers."""
    left: list[str] = []
    i = 0
    while i < len(said):
        width = next((n for n in range(min(5, len(said) - i), 0, -1)
                      if " ".join(said[i : i + n]) in known), 0)  # fmt: skip
        if width == 0:
            left.append(said[i])
            i += 1
        else:
            i += width
    return left


# -- composing one message -------------------------------------------------------------------


@dataclass
class _Draft:
    """A message being put together, with its record."""

    table: str
    language: str
    intent: str
    parts: list[str] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)
    invented: list[str] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    def done(self, follows: int | None = None) -> Message:
        text = " ".join(p for p in self.parts if p).replace(" ,", ",")
        return Message(
            text=text, table=self.table, language=self.language, intent=self.intent,
            columns=frozenset(self.columns), excluded=frozenset(self.excluded),
            invented=tuple(self.invented), values=tuple(self.values),
            unsupported=tuple(self.unsupported), follows=follows,
        )  # fmt: skip


class Composer:
    """Messages about the tables in `profiles`, drawn from a seeded random source."""

    def __init__(self, profiles: dict[str, DatasetProfile], seed: int) -> None:
        self.profiles = profiles
        self.rng = random.Random(seed)

    # columns

    def _targets(self, table: str) -> list[str]:
        profile = self.profiles[table]
        return [c.name for c in profile.columns
                if c.kind in {ColumnKind.NUMERIC, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}
                and c.distinct > 1]  # fmt: skip

    def _say_column(self, draft: _Draft, name: str) -> str:
        """A column in one of the forms people type: as named, lower case, in words, or with
        one letter wrong; the column counts as named in each."""
        draft.columns.add(name)
        spaced = " ".join(name_words(name))
        form = self.rng.choice(("exact", "lower", "spaced", "spaced", "typo"))
        if form == "typo":
            return _typo(self.rng, name_words(name)) or spaced
        return {"exact": name, "lower": name.lower(), "spaced": spaced}[form]

    def _invent(self, draft: _Draft) -> str:
        """A name the table has no column for: a new word, or a column's word with a new one."""
        profile = self.profiles[draft.table]
        table_words = {stem(w) for c in profile.column_names for w in name_words(c)}
        partial = [
            (w, noun)
            for c in profile.column_names
            if len(name_words(c)) > 1
            for w in name_words(c)[:1]
            if len(w) >= 4
            for noun in _FOREIGN_NOUNS
            if stem(noun) not in table_words
        ]
        if partial and self.rng.random() < 0.4:
            word, noun = self.rng.choice(partial)
            name = f"{word} {noun}"
        else:
            name = self.rng.choice(
                [n for n in INVENTED if not {stem(w) for w in n.split()} & table_words]
            )
        draft.invented.append(name)
        return name

    def _column_list(self, draft: _Draft, names: Sequence[str], grammar: Grammar) -> str:
        said = [self._say_column(draft, n) for n in names]
        if self.rng.random() < 0.12:
            said.append(self._invent(draft))
            self.rng.shuffle(said)
        if len(said) == 1:
            return said[0]
        if grammar.joiner == " and " and len(said) > 2 and self.rng.random() < 0.5:
            return ", ".join(said[:-1]) + " and " + said[-1]
        return grammar.joiner.join(said)

    # settings

    def _number(self, choices: Sequence[int]) -> int:
        return self.rng.choice(list(choices))

    def _setting(self, draft: _Draft, grammar: Grammar, kind: str) -> None:
        rng = self.rng
        if kind == "trees":
            n = self._number((50, 100, 200, 300, 500, 800))
            template = rng.choice(grammar.trees)
            if "{w}" in template and n not in _NUMBER_WORDS:
                template = grammar.trees[0]
            said = template.format(n=n, w=_NUMBER_WORDS.get(n, n))
            draft.values.append(Value(said, (str(n),), ("tree", "n_estimators", "estimator")))
        elif kind == "depth":
            n = self._number(range(3, 13))
            said = rng.choice(grammar.depth).format(n=n)
            draft.values.append(Value(said, (str(n),), ("depth",)))
        elif kind == "rate":
            x = rng.choice((0.01, 0.03, 0.05, 0.1, 0.2, 0.3))
            written = (
                str(x).replace(".", ",")
                if draft.language != "en" and rng.random() < 0.5
                else str(x)
            )
            said = rng.choice(grammar.rate).format(x=written)
            draft.values.append(Value(said, (str(x),), ("learning", "learning_rate")))
        elif kind == "epochs":
            n = self._number((10, 20, 50, 100))
            said = rng.choice(grammar.epochs).format(n=n)
            draft.values.append(Value(said, (str(n),), ("epoch",)))
        elif kind == "test":
            p = self._number((10, 15, 25, 30, 40))
            said = rng.choice(grammar.test).format(p=p, q=100 - p, x=p / 100)
            draft.values.append(Value(said, (f"{p}%", str(p / 100))))
        elif kind == "validation":
            p = self._number((10, 15))
            said = rng.choice(grammar.validation).format(p=p)
            draft.values.append(Value(said, (f"{p}%", str(p / 100))))
        elif kind == "seed":
            n = self._number((0, 1, 7, 123, 2024))
            said = rng.choice(grammar.seed).format(n=n)
            draft.values.append(Value(said, (str(n),)))
        elif kind == "trials":
            n = self._number((10, 20, 25, 40, 60, 100))
            template = rng.choice(grammar.trials)
            if "{w}" in template and n not in _NUMBER_WORDS:
                template = grammar.trials[0]
            said = template.format(n=n, w=_NUMBER_WORDS.get(n, n))
            draft.values.append(Value(said, (str(n),)))
        elif kind == "minutes":
            n = self._number((2, 5, 10, 30))
            said = rng.choice(grammar.minutes).format(n=n)
            draft.values.append(Value(said, (f"{n} minutes", f"{n} min", f"{n * 60}")))
        else:
            raise ValueError(kind)
        draft.parts.append(self._glue(draft.values[-1].said, grammar) + draft.values[-1].said)

    def _glue(self, said: str, grammar: Grammar) -> str:
        joiner = grammar.joiner.strip() + " "
        return ", " if said.startswith(("and ", "with ")) else self.rng.choice(("", ", ", joiner))

    def _settings(self, draft: _Draft, grammar: Grammar, kinds: Sequence[str]) -> None:
        available = [k for k in kinds if getattr(grammar, k, None)]
        for kind in self.rng.sample(
            available, k=min(len(available), self.rng.choice((0, 1, 1, 2, 3)))
        ):
            self._setting(draft, grammar, kind)

    def _unsupported(self, draft: _Draft) -> None:
        said, word = self.rng.choice(UNSUPPORTED[draft.language])
        draft.parts.append(said.format(k=self.rng.choice((3, 5, 10))))
        draft.unsupported.append(word)

    # intents

    def message(self, table: str, language: str, intent: str) -> Message:
        """One message of `intent` about `table` in `language`."""
        draft = _Draft(table, language, intent)
        grammar = GRAMMARS[language]
        if intent == "nonsense":
            draft.parts.append(self.rng.choice(NONSENSE))
        elif intent == "explore":
            self._explore(draft, grammar)
        elif intent == "forecast":
            self._forecast(draft, grammar)
        else:
            self._training(draft, grammar, intent)
        return draft.done()

    def _algorithm(self, draft: _Draft) -> tuple[str, str]:
        name = self.rng.choice(list(ALGORITHMS))
        return name, self.rng.choice(ALGORITHMS[name])

    def _training(self, draft: _Draft, grammar: Grammar, intent: str) -> None:
        rng = self.rng
        templates = getattr(grammar, intent)
        targets = self._targets(draft.table)
        target = rng.choice(targets)
        invent_target = rng.random() < 0.1
        said_target = self._invent(draft) if invent_target else self._say_column(draft, target)
        (algorithm, said_a), (_, said_b) = self._algorithm(draft), self._algorithm(draft)
        draft.parts.append(rng.choice(templates).format(t=said_target, a=said_a, b=said_b))
        others = [c for c in self.profiles[draft.table].column_names if c != target]
        roll = rng.random()
        if roll < 0.3:
            chosen = rng.sample(others, k=rng.choice((1, 2, 3)))
            draft.parts.append(rng.choice(grammar.features).format(
                l=self._column_list(draft, chosen, grammar)))  # fmt: skip
        elif roll < 0.6:
            chosen = rng.sample(others, k=rng.choice((1, 1, 2)))
            before = set(draft.columns)
            draft.parts.append(rng.choice(grammar.excludes).format(
                l=self._column_list(draft, chosen, grammar)))  # fmt: skip
            draft.excluded |= draft.columns - before
        kinds = ["trees", "depth", "rate", "test", "seed", "validation"]
        if algorithm == "neural_network" or rng.random() < 0.2:
            kinds.append("epochs")
        if intent == "tune":
            kinds += ["trials", "minutes"]
        self._settings(draft, grammar, kinds)
        if rng.random() < 0.25:
            self._unsupported(draft)

    def _forecast(self, draft: _Draft, grammar: Grammar) -> None:
        profile = self.profiles[draft.table]
        times = [c.name for c in profile.columns if c.kind is ColumnKind.DATETIME]
        numeric = [c.name for c in profile.columns if c.kind is ColumnKind.NUMERIC]
        target = self.rng.choice(numeric)
        said = self._say_column(draft, target)
        draft.columns |= set(times)  # a forecast runs over the table's time column
        weekly = draft.table == "retail"
        n = self._number((4, 7, 12, 14, 30) if not weekly else (4, 8, 12))
        unit = grammar.weeks if weekly else grammar.days
        template = self.rng.choice(grammar.forecast)
        draft.parts.append(template.format(t=said, n=n, unit=unit, f=self.rng.choice(FORECASTERS)))
        draft.values.append(Value(f"{n} {unit}", (str(n),)))
        if self.rng.random() < 0.2:
            self._unsupported(draft)

    def _explore(self, draft: _Draft, grammar: Grammar) -> None:
        profile = self.profiles[draft.table]
        numeric = [c.name for c in profile.columns if c.kind is ColumnKind.NUMERIC]
        groups = [c.name for c in profile.columns
                  if c.kind in {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}]  # fmt: skip
        template = self.rng.choice(grammar.explore)
        if "{g}" in template and not groups:
            template = grammar.explore[0]
        c, d, e = self.rng.sample(numeric, k=3) if len(numeric) >= 3 else (numeric * 3)[:3]
        invent = "{c}" in template and self.rng.random() < 0.12
        slots = {
            "c": self._invent(draft) if invent else self._say_column(draft, c),
            "d": self._say_column(draft, d) if "{d}" in template else "",
            "e": self._say_column(draft, e) if "{e}" in template else "",
            "g": self._say_column(draft, self.rng.choice(groups)) if "{g}" in template else "",
        }
        draft.parts.append(template.format(**slots))
        if template.startswith("histogram ") and grammar.bins and self.rng.random() < 0.4:
            n = self._number((10, 20, 30, 50))
            said = self.rng.choice(grammar.bins).format(n=n)
            draft.values.append(Value(said, (str(n),)))
            draft.parts.append(said)

    def followup(self, table: str, follows: int, earlier: Message) -> Message:
        """An English revision of an earlier training plan ('now with 500 trees')."""
        draft = _Draft(table, "en", "followup")
        grammar = GRAMMARS["en"]
        template = self.rng.choice(grammar.followups)
        if "{l}" in template:
            others = sorted(set(self.profiles[table].column_names) - earlier.columns)
            if not others:
                template = grammar.followups[0]
            else:
                name = self.rng.choice(others)
                draft.excluded.add(name)
                template = template.replace("{l}", self._say_column(draft, name))
        n = self._number((100, 300, 500)) if "trees" in template else self._number(range(3, 9))
        p = self._number((10, 25, 30))
        x = self._number((15, 25, 35)) / 100
        _, said_a = self._algorithm(draft)
        draft.parts.append(template.format(n=n, a=said_a, p=p, x=x))
        if "{n}" in template:
            names = ("tree", "n_estimators") if "trees" in template else ("depth",)
            draft.values.append(Value(str(n), (str(n),), names))
        if "{p}" in template:
            draft.values.append(Value(f"{p}%", (f"{p}%",)))
        if "{x}" in template:
            draft.values.append(Value(str(x), (f"{round(x * 100)}%", str(x))))
        return draft.done(follows)


def _typo(rng: random.Random, name_parts: list[str]) -> str | None:
    """The words of a name with one letter changed in a long word; None without one."""
    long = [i for i, w in enumerate(name_parts) if len(w) >= 6 and w.isalpha()]
    if not long:
        return None
    i = rng.choice(long)
    word = name_parts[i]
    at = len(word) // 2
    letter = rng.choice([ch for ch in "aeioubdgkmprst" if ch != word[at]])
    parts = list(name_parts)
    parts[i] = word[:at] + letter + word[at + 1 :]
    return " ".join(parts)


INTENTS = {
    "en": (("train", 40), ("tune", 10), ("leaderboard", 8), ("forecast", 6), ("explore", 12),
           ("nonsense", 6)),
    "other": (("train", 50), ("tune", 8), ("leaderboard", 8), ("forecast", 4), ("explore", 10)),
}  # fmt: skip


def generate(profiles: dict[str, DatasetProfile], count: int, seed: int = 12) -> list[Message]:
    """`count` messages over the tables of `profiles`, about a fifth of them in a language
    other than English and about a tenth follow-ups to an earlier training message."""
    composer = Composer(profiles, seed)
    rng = composer.rng
    tables = sorted(profiles)
    timed = [t for t in tables if any(c.kind is ColumnKind.DATETIME for c in profiles[t].columns)]
    found: list[Message] = []
    while len(found) < count:
        table = rng.choice(tables)
        earlier = [i for i, m in enumerate(found) if m.table == table and m.intent == "train"
                   and m.language == "en" and not m.invented]  # fmt: skip
        if earlier and rng.random() < 0.1:
            follows = rng.choice(earlier[-20:])
            found.append(composer.followup(table, follows, found[follows]))
            continue
        if rng.random() < 0.04 and earlier:
            follows = rng.choice(earlier[-20:])
            nonsense = composer.message(table, "en", "nonsense")
            found.append(Message(nonsense.text, table, "en", "nonsense", follows=follows))
            continue
        language = "en" if rng.random() < 0.78 else rng.choice(LANGUAGES[1:])
        weights = INTENTS["en" if language == "en" else "other"]
        names = [n for n, _ in weights if getattr(GRAMMARS[language], n, None) != ()]
        intent = rng.choices(names, [w for n, w in weights if n in names])[0]
        if intent == "forecast" and table not in timed:
            table = rng.choice(timed)
        found.append(composer.message(table, language, intent))
    return found
