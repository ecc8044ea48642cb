"""Numbers with a job outside the algorithm: test and validation shares, trials, time budgets,
forecast horizons, histogram bins, seeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from statistics import median
from typing import Any

from agents.planner.numbers import Quantity
from agents.planner.text import CLAUSE_BREAKS, Token, stem, words

SECONDS = {
    "second": 1.0,
    "sec": 1.0,
    "s": 1.0,
    "minute": 60.0,
    "min": 60.0,
    "hour": 3600.0,
    "hr": 3600.0,
    "h": 3600.0,
    "day": 86_400.0,
    "week": 604_800.0,
    "fortnight": 1_209_600.0,
    "month": 2_629_746.0,
    "quarter": 7_889_238.0,
    "year": 31_556_952.0,
    "decade": 315_569_520.0,
}
_CALENDAR = frozenset({"day", "week", "fortnight", "month", "quarter", "year", "decade"})
_SPAN_OPENERS = frozenset(words("a an next one coming upcoming following"))
"""Words that make a unit alone a span of one: 'next year', 'the coming week', 'a fortnight'."""
_ONE_DAY = frozenset(words("tomorrow"))
STEP_WORDS = frozenset(
    {"step", "period", "point", "observation", "value", "timestep", "lag", "row", "tick"}
)
_TEST_WORDS = frozenset(
    words(
        "test testing holdout hold held heldout holding evaluation aside reserve reserved "
        "withhold withheld unseen tested eval"
    )
)
_SPLIT_FILLERS = frozenset(
    words(
        "of the data rows row dataset for as a an set split size sample samples records it out "
        "our my part portion"
    )
)
_VALIDATION_WORDS = frozenset({"validation", "val", "validate", "validating", "dev", "valid"})
_TRAIN_WORDS = frozenset({"train", "training"})
_SPLIT_WORDS = frozenset({"split", "splits", "splitting", "partition"})
_TRIAL_WORDS = frozenset(
    stem(w)
    for w in words(
        "trials trial tries attempts evaluations candidates configurations configs experiments "
        "searches runs"
    )
)
_REACH = 3
SETTING_WORDS = frozenset(
    _TEST_WORDS
    | _SPLIT_FILLERS
    | _VALIDATION_WORDS
    | _TRAIN_WORDS
    | _TRIAL_WORDS
    | STEP_WORDS
    | set(SECONDS)
    | set(words("seed random state budget iteration iter round minute hour"))
)
"""The words this module reads numbers by, for telling them from names."""


@dataclass(frozen=True)
class Duration:
    """A span of time said in the message: '5 minutes', 'next 12 months', 'an hour'."""

    start: int
    end: int
    count: float
    unit: str

    @property
    def seconds(self) -> float:
        return self.count * SECONDS.get(self.unit, 0.0)

    @property
    def steps(self) -> bool:
        """Counted in the series' own steps ('24 steps ahead'), not in calendar time."""
        return self.unit in STEP_WORDS


def _unit(token: Token) -> str | None:
    word = stem(token.text)
    if word in SECONDS or word in STEP_WORDS:
        return word
    if word in {"mins", "secs", "hrs"}:
        return word[:-1]
    return None


def find_durations(
    tokens: list[Token], quantities: list[Quantity], used: set[int], blocked: set[int]
) -> list[Duration]:
    """Spans of time: a number and a unit, 'an hour', 'half an hour', 'next year'."""
    found: list[Duration] = []
    for quantity in quantities:
        j = quantity.end
        if j < len(tokens) and tokens[j].text in {"a", "an"} and quantity.fraction:
            j += 1  # "half an hour"
        if j < len(tokens) and tokens[j].text in {"more", "further", "future", "additional"}:
            j += 1  # "12 more months"
        if j < len(tokens) and j not in blocked and quantity.start not in used:
            unit = _unit(tokens[j])
            if unit is not None and not (unit == "s" and tokens[j].start != tokens[j - 1].end):
                found.append(Duration(quantity.start, j + 1, quantity.value, unit))
                used.add(quantity.start)
    taken = {i for d in found for i in range(d.start, d.end)}
    for i, token in enumerate(tokens[:-1]):
        if i in taken or i + 1 in taken or i in blocked:
            continue
        unit = _unit(tokens[i + 1])
        if token.text in _SPAN_OPENERS and unit in SECONDS and unit not in {"s", "h"}:
            found.append(Duration(i, i + 2, 1.0, unit))
            taken |= {i, i + 1}
    found += [
        Duration(i, i + 1, 1.0, "day")
        for i, token in enumerate(tokens)
        if token.text in _ONE_DAY and i not in taken and i not in blocked
    ]
    return sorted(found, key=lambda d: d.start)


def series_step_seconds(samples: list[Any], low: Any, high: Any, count: int) -> float | None:
    """The typical gap between consecutive times of a series, in seconds, if it can be told."""
    times = sorted(t for t in (_as_time(s) for s in samples) if t is not None)
    start, end = _as_time(low), _as_time(high)
    if start is not None and end is not None and count > 1:
        # The span over the distinct times: samples of shuffled rows (a table of several
        # series) are a few times far apart, whose gaps are multiples of the step.
        return (end - start) / (count - 1)
    gaps = [b - a for a, b in pairwise(times) if b > a]
    return median(gaps) if gaps else None


def _as_time(value: Any) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return None


def horizon_steps(duration: Duration, step_seconds: float | None, yearly: bool) -> int:
    """How many steps of the series a duration covers: '12 months' of weekly data is 52."""
    if duration.steps or duration.unit not in _CALENDAR:
        return max(1, round(duration.count))
    if step_seconds is None:
        step_seconds = SECONDS["year"] if yearly else None
    if not step_seconds:
        return max(1, round(duration.count))
    return max(1, round(duration.seconds / step_seconds))


@dataclass
class SplitWords:
    """What the message says about the train/validation/test split."""

    test_size: float | None = None
    validation_size: float | None = None
    random_state: int | None = None


def _near(tokens: list[Token], index: int, step: int, words: frozenset[str]) -> int | None:
    """Distance to the nearest of `words` from `index` going by `step`, within one clause;
    filler words ('of the data for') are stepped over without counting."""
    j = index
    distance = 0
    while distance < _REACH:
        j += step
        if not 0 <= j < len(tokens) or tokens[j].text in CLAUSE_BREAKS - {":"}:
            return None
        if tokens[j].kind == "number":
            return None
        if tokens[j].stem in words or tokens[j].text in words:
            return distance + 1
        if tokens[j].text not in _SPLIT_FILLERS:
            distance += 1
    return None


def find_split(tokens: list[Token], quantities: list[Quantity], used: set[int]) -> SplitWords:
    """Test and validation shares ('25% test', 'hold out a quarter', '80/20'), and the seed."""
    split = SplitWords()
    _ratios(tokens, quantities, used, split)
    # the seed first: in 'seed 1 hold out 30%' the 1 is no 1% test share
    for i, token in enumerate(tokens):
        if token.text == "seed" or (token.text == "random" and _next(tokens, i) == "state"):
            gap = 1 if token.text == "seed" else 2
            free = [q for q in quantities if q.start not in used and q.as_int is not None]
            after = [q for q in free if 0 <= q.start - (i + gap) <= 2]
            before = [q for q in free if q.end == i and not q.percent]
            chosen = (after or before)[:1]
            if chosen:
                split.random_state = chosen[0].as_int
                used.add(chosen[0].start)
    for quantity in quantities:
        if quantity.start in used:
            continue
        share = quantity.share
        if share is None and quantity.as_int is not None and 1 <= quantity.value < 100:
            share = quantity.value / 100 if _said_as_size(tokens, quantity) else None
        if share is None:
            continue
        role = _share_role(tokens, quantity)
        if role == "test" and split.test_size is None:
            split.test_size = share
        elif role == "validation" and split.validation_size is None:
            split.validation_size = share
        elif role == "train" and split.test_size is None and share > 0.5:
            split.test_size = round(1 - share, 10)
        else:
            continue
        used.add(quantity.start)
    return split


def _said_as_size(tokens: list[Token], quantity: Quantity) -> bool:
    """'test size 20', 'a 20 test split': a bare whole number next to a split word."""
    before = tokens[quantity.start - 1].text if quantity.start else ""
    after = tokens[quantity.end].text if quantity.end < len(tokens) else ""
    return before in {"size", "of"} | _TEST_WORDS | _VALIDATION_WORDS or after in _TEST_WORDS


def _share_role(tokens: list[Token], quantity: Quantity) -> str | None:
    options: list[tuple[int, int, str]] = []
    for role, role_words in (
        ("test", _TEST_WORDS),
        ("validation", _VALIDATION_WORDS),
        ("train", _TRAIN_WORDS),
    ):
        right = _near(tokens, quantity.end - 1, 1, role_words)
        left = _near(tokens, quantity.start, -1, role_words)
        if right is not None:
            options.append((right, 0, role))
        if left is not None:
            options.append((left, 1, role))
    if not options:
        # 'a 30% stratified split', 'split at 30%': a split's one share is its test part
        near_split = [
            d
            for d in (
                _near(tokens, quantity.end - 1, 1, _SPLIT_WORDS),
                _near(tokens, quantity.start, -1, _SPLIT_WORDS),
            )
            if d is not None
        ]
        return "test" if near_split and quantity.value < 50 else None
    return min(options)[2]


def _ratios(
    tokens: list[Token], quantities: list[Quantity], used: set[int], split: SplitWords
) -> None:
    """'80/20', '70-30 split', '70/15/15': train/test or train/validation/test shares."""
    for k, first in enumerate(quantities):
        group = [first]
        for later in quantities[k + 1 :]:
            joint = tokens[group[-1].end].text if group[-1].end < len(tokens) else ""
            if later.start == group[-1].end + 1 and joint in {"/", "-", ":"}:
                group.append(later)
            else:
                break
        if len(group) < 2 or any(q.start in used for q in group):
            continue
        values = [q.value for q in group]
        scale = (
            100.0 if abs(sum(values) - 100) < 1e-6 else 1.0 if abs(sum(values) - 1) < 1e-6 else 0
        )
        if not scale or len(group) > 3:
            continue
        shares = [v / scale for v in values]
        split.test_size = shares[-1]
        if len(shares) == 3:
            split.validation_size = shares[1]
        used.update(q.start for q in group)
        return


def _next(tokens: list[Token], i: int) -> str:
    return tokens[i + 1].text if i + 1 < len(tokens) else ""


def find_trials(
    tokens: list[Token], quantities: list[Quantity], used: set[int], *, iterations: bool
) -> int | None:
    """The number of tuning trials: '20 trials', 'n_trials=50', 'fifty attempts'."""
    words = _TRIAL_WORDS | ({"iteration", "iter", "round"} if iterations else set())
    for quantity in quantities:
        if quantity.start in used or quantity.as_int is None:
            continue
        after = tokens[quantity.end].stem if quantity.end < len(tokens) else ""
        before = tokens[quantity.start - 1].stem if quantity.start else ""
        before2 = tokens[quantity.start - 2].stem if quantity.start > 1 else ""
        if after in words or before in words or (before in {"=", ":", "of"} and before2 in words):
            used.add(quantity.start)
            return quantity.as_int
    return None


def find_count_after_word(
    tokens: list[Token], quantities: list[Quantity], used: set[int], words: frozenset[str]
) -> int | None:
    """A whole number right before or after one of `words`: '20 bins', 'bins=50', 'top 5'."""
    for quantity in quantities:
        if quantity.start in used or quantity.as_int is None:
            continue
        after = tokens[quantity.end].stem if quantity.end < len(tokens) else ""
        before = [t.stem for t in tokens[max(0, quantity.start - 2) : quantity.start]]
        if (
            after in words
            or (before and before[-1] in words)
            or (len(before) == 2 and before[0] in words and before[1] in {"=", ":", "of"})
        ):
            used.add(quantity.start)
            return quantity.as_int
    return None
