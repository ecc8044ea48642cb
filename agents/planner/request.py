"""Reading a message: which columns, algorithms, metrics, numbers and cues it holds, in place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

from agents.planner.columns import WEAK_WORDS, ColumnIndex, ColumnMention, column_index
from agents.planner.cues import (
    AGGREGATE_WORDS,
    AUTOML_TABLE,
    BIN_WORDS,
    CHART_HINTS,
    CHART_ROLE_TABLE,
    COLUMN_GROUP_TABLE,
    DESCRIBE_TABLE,
    EXPLORER_TABLE,
    FOLLOWUP_TABLE,
    FORECAST_TABLE,
    LEADERBOARD_TABLE,
    MAXIMIZE_WORDS,
    METHOD_WORDS,
    MINIMIZE_WORDS,
    PLOT_TABLE,
    RANDOM_SPLIT_TABLE,
    STRATIFY_WORDS,
    TASK_TABLE,
    TIME_SPLIT_TABLE,
    TOP_WORDS,
    TRAIN_TABLE,
    TUNE_TABLE,
    VOCABULARY,
)
from agents.planner.experiment import find_experiment
from agents.planner.hyperparameters import Setting, find_settings
from agents.planner.numbers import Quantity, find_quantities
from agents.planner.phrases import PhraseMatch
from agents.planner.registry import Registry
from agents.planner.safety import mask, refusal_reason
from agents.planner.settings import (
    Duration,
    SplitWords,
    find_count_after_word,
    find_durations,
    find_split,
    find_trials,
)
from agents.planner.text import (
    CLAUSE_BREAKS,
    STOPWORDS,
    Token,
    name_words,
    phrase,
    phrases,
    stem,
    tokenize,
    words,
)
from agents.planner.vocabulary import (
    ALGORITHM_PHRASES,
    GENERIC_ERROR_WORDS,
    UNAVAILABLE_TABLE,
    UNSUPPORTED_SETTINGS_TABLE,
    algorithm_table,
    metric_table,
)
from ml_backend.schema import ColumnKind, DatasetProfile


@dataclass
class ExploreWords:
    """Words that shape a chart: which columns play which part, and its options."""

    color: ColumnMention | None = None
    size: ColumnMention | None = None
    groups: list[ColumnMention] = field(default_factory=list)
    trendline: bool = False
    over_time: bool = False
    bins: int | None = None
    top_n: int | None = None
    method: str | None = None
    agg: str | None = None


@dataclass(frozen=True)
class UnsupportedSetting:
    """Words that ask for a setting mlchat does not have ('5-fold cross validation')."""

    start: int
    end: int
    concept: str
    """A key of `UNSUPPORTED_SETTINGS`."""
    said: str


@dataclass
class Request:
    """Everything found in one message, before deciding what to do with it."""

    message: str
    tokens: list[Token]
    quantities: list[Quantity]
    mentions: list[ColumnMention]
    algorithms: list[str]
    unavailable: list[str]
    metrics: list[str]
    generic_error: bool
    direction: str | None
    cues: set[str]
    explorers: list[str]
    task_type: str | None
    settings: list[Setting]
    split: SplitWords
    strategy: str | None
    durations: list[Duration]
    n_trials: int | None
    explore: ExploreWords
    refusal: str | None
    followup: bool
    values: list[tuple[int, str]]
    """Category values said (token index, column): 'male' says column sex."""
    blocked: set[int] = field(default_factory=set)
    algorithm_tokens: set[int] = field(default_factory=set)
    unsupported_settings: list[UnsupportedSetting] = field(default_factory=list)
    unused: list[Quantity] = field(default_factory=list)
    """Numbers no reading took: the plan names them rather than drop them unsaid."""
    experiment: str | None = None
    """The experiment the model is to join ('put it in the churn experiment')."""


def read_request(
    message: str,
    profile: DatasetProfile,
    registry: Registry,
    dataset_words: frozenset[str] = frozenset(),
) -> Request:
    """Everything the message names, each found once, strongest readings first.

    `dataset_words` name the dataset itself ('wine', 'penguins'): they name no column alone.
    """
    tokens = tokenize(message)
    quantities = find_quantities(tokens)
    index = column_index(profile)
    experiment = find_experiment(tokens, message)
    blocked: set[int] = set(range(experiment.start, experiment.end)) if experiment else set()
    mentions = _glossed(tokens, index.mentions(tokens, blocked, full_only=True, message=message))
    blocked |= _spans(mentions)
    group_mentions = _group_mentions(tokens, blocked, profile, message)
    algorithm_matches = algorithm_table(registry.aliases).find(tokens, blocked)
    blocked |= _spans(algorithm_matches)
    unavailable = UNAVAILABLE_TABLE.find(tokens, blocked)
    blocked |= _spans(unavailable)
    used: set[int] = set()
    unsupported_settings = _unsupported_settings(tokens, blocked, message, index, quantities, used)
    blocked |= _spans(unsupported_settings)
    parameter_cues = [
        cue
        for cue in CHART_ROLE_TABLE.find(tokens, blocked)
        if not _names_a_column(index, tokens, cue)
    ]
    # a bare "color" may be a word of the message's own ("petal colour"): only phrases block
    blocked |= _spans(
        c
        for c in parameter_cues
        if c.value != "group" and (c.end - c.start > 1 or c.value != "color")
    )
    metric_matches = metric_table(registry.metrics).find(tokens, blocked)
    blocked |= _spans(metric_matches)
    cues = _cues(tokens, blocked)
    explorer_matches = EXPLORER_TABLE.find(tokens, blocked)
    durations = find_durations(tokens, quantities, used, blocked)
    blocked |= _spans(durations)
    n_trials = None
    if "tune" in cues:
        n_trials = find_trials(tokens, quantities, used, iterations=True)
    settings = find_settings(
        tokens,
        quantities,
        registry.fields,
        registry.choices,
        set(registry.sequences),
        set(registry.flags),
        blocked | _spans(explorer_matches),
        used,
    )
    blocked |= _spans(settings)
    if n_trials is None:
        n_trials = find_trials(tokens, quantities, used, iterations=False)
    split = find_split(tokens, quantities, used)
    explore = ExploreWords(
        trendline=any(c.value == "trendline" for c in parameter_cues),
        over_time=any(c.value == "over_time" for c in parameter_cues),
        bins=find_count_after_word(tokens, quantities, used, BIN_WORDS),
        top_n=find_count_after_word(tokens, quantities, used, TOP_WORDS),
        method=next((METHOD_WORDS[t.text] for t in tokens if t.text in METHOD_WORDS), None),
        agg=next(
            (
                AGGREGATE_WORDS[t.text]
                for i, t in enumerate(tokens)
                if t.text in AGGREGATE_WORDS and i not in blocked
            ),
            None,
        ),
    )
    weak = frozenset(
        i
        for i, t in enumerate(tokens)
        if t.stem in VOCABULARY or t.text in STOPWORDS or t.stem in dataset_words
    ) | _spans(explorer_matches)
    loose = index.mentions(
        tokens,
        blocked | _spans(COLUMN_GROUP_TABLE.find(tokens, blocked)),
        full_only=False,
        message=message,
        weak=weak,
    )
    mentions = sorted([*mentions, *loose, *group_mentions], key=lambda m: m.start)
    mentions = _coordinated(index, tokens, blocked, mentions, message)
    mentions = [
        m
        for m in mentions
        if not _names_the_data(tokens, m, dataset_words) and not _names_the_rows(m, profile)
    ]
    _place_parameters(explore, parameter_cues, mentions, tokens)
    masked = mask(message, [(tokens[m.start].start, tokens[m.end - 1].end) for m in mentions])
    taken = blocked | _spans(mentions) | _spans(algorithm_matches)
    unused = [
        q for q in quantities if q.start not in used and not set(range(q.start, q.end)) & taken
    ]
    return Request(
        message=message,
        tokens=tokens,
        quantities=quantities,
        mentions=mentions,
        algorithms=_specific_first(algorithm_matches, tokens),
        unavailable=list(dict.fromkeys(m.value for m in unavailable)),
        metrics=list(dict.fromkeys(m.value for m in metric_matches)),
        generic_error=any(t.text in GENERIC_ERROR_WORDS for t in tokens),
        direction=_direction(tokens),
        cues=cues,
        explorers=_specific_charts_first(explorer_matches, tokens),
        task_type=_task_type(tokens, blocked),
        settings=settings,
        split=split,
        strategy=_strategy(tokens),
        durations=durations,
        n_trials=n_trials,
        explore=explore,
        refusal=refusal_reason(masked),
        followup="followup" in cues,
        values=_values(index, tokens, blocked | _spans(mentions)),
        blocked=blocked,
        algorithm_tokens=_spans(algorithm_matches),
        unsupported_settings=unsupported_settings,
        unused=unused,
        experiment=experiment.name if experiment else None,
    )


def _unsupported_settings(
    tokens: list[Token],
    blocked: set[int],
    message: str,
    index: ColumnIndex,
    quantities: list[Quantity],
    used: set[int],
) -> list[UnsupportedSetting]:
    """Words asking for settings mlchat does not have (or has only in some plans), each with
    the count said before or inside it ('5-fold', 'ten-fold', '10 folds', 'cross validation
    with 4 folds'), which no other setting then takes; neighbouring words for one setting
    ('10-fold cv') are one. A word that is a column's whole name ('cv') is that column."""
    found: list[UnsupportedSetting] = []
    for match in UNSUPPORTED_SETTINGS_TABLE.find(tokens, blocked):
        if _names_a_column(index, tokens, match):
            continue
        start = match.start
        count = _count_before(tokens, quantities, start)
        if count is not None and not blocked & set(range(count.start, start)):
            start = count.start
        gap = found[-1].end if found and found[-1].concept == match.value else None
        if gap is not None and gap <= start and _only_count_between(quantities, gap, start):
            start = found.pop().start
        said = phrase(tokens, start, match.end, message)
        found.append(UnsupportedSetting(start, match.end, match.value, said))
    for setting in found:
        inside = [q for q in quantities if setting.start <= q.start and q.end <= setting.end]
        used.update(q.start for q in inside)
    return found


def _count_before(tokens: list[Token], quantities: list[Quantity], at: int) -> Quantity | None:
    """The number just before a setting's word, or before it and a hyphen ('5-fold')."""
    for quantity in quantities:
        if quantity.end == at or (quantity.end == at - 1 and tokens[at - 1].text == "-"):
            return quantity
    return None


def _only_count_between(quantities: list[Quantity], start: int, end: int) -> bool:
    """Whether tokens start..end hold nothing or one number ('cross validation 4 folds')."""
    if start == end:
        return True
    return any(q.start == start and q.end == end for q in quantities)


_JOINERS = frozenset({",", "and", "&", "or", "/", "+"})
_FILLERS = frozenset(words("the a an its their"))


def _coordinated(
    index: ColumnIndex,
    tokens: list[Token],
    blocked: set[int],
    mentions: list[ColumnMention],
    message: str,
) -> list[ColumnMention]:
    """'price, mileage, year and engine size': a word with a meaning of its own here ('year')
    names a column where it stands in a list of columns, as one item of it."""
    found = list(mentions)
    while True:
        covered = {i for m in found for i in range(m.start, m.end)}
        added = []
        for at in _list_neighbours(tokens, found) - covered - blocked:
            outside = set(range(len(tokens))) - {at, at + 1}
            for mention in index.mentions(
                tokens, blocked | outside | covered, full_only=False, message=message
            ):
                if mention.start == at and mention.column is not None:
                    added.append(mention)
        if not added:
            return sorted(found, key=lambda m: m.start)
        found.extend(added)


_DATA_NOUNS = frozenset(words("data dataset datasets table file sheet"))
_PLACES = frozenset(words("in on from for using with of"))
_PLACE_FILLERS = frozenset(words("the this that my our your"))


def _names_the_rows(mention: ColumnMention, profile: DatasetProfile) -> bool:
    """'orders' of a table with order.id and order.value: the rows the identifier counts, not
    a column whose name only starts so ('bar chart of orders per payment type')."""
    if mention.full or not mention.plural or mention.group:
        return False
    rows = {
        stem(w)
        for c in profile.columns
        if c.kind is ColumnKind.IDENTIFIER
        for w in name_words(c.name)
        if w not in {"id", "identifier", "key", "code", "number", "no"}
    }
    said = [stem(w) for w in name_words(mention.text)]
    return bool(said) and all(w in rows for w in said)


def _names_the_data(
    tokens: list[Token], mention: ColumnMention, dataset_words: frozenset[str]
) -> bool:
    """'in the retail sales data', 'in the data of sales': words that say which data, not a
    column, unless they are the column's own name ('the kwh data' is the kwh column)."""
    if mention.group:
        return False
    if mention.column is not None and name_words(mention.text) == name_words(mention.column):
        return False

    def placed(i: int) -> bool:
        while i >= 0 and (tokens[i].text in _PLACE_FILLERS or tokens[i].stem in dataset_words):
            i -= 1
        return i >= 0 and tokens[i].text in _PLACES

    after = mention.end < len(tokens) and tokens[mention.end].text in _DATA_NOUNS
    if after and placed(mention.start - 1):
        return True
    i = mention.start - 1
    while i >= 0 and tokens[i].text in _PLACE_FILLERS:
        i -= 1
    return i >= 1 and tokens[i].text == "of" and tokens[i - 1].text in _DATA_NOUNS and placed(i - 2)


def _list_neighbours(tokens: list[Token], mentions: list[ColumnMention]) -> set[int]:
    """Where the next item of each mention's list would start, on either side of it."""
    found: set[int] = set()
    for mention in mentions:
        j = mention.end
        if j < len(tokens) and tokens[j].text in _JOINERS:
            j += 1
            while j < len(tokens) and tokens[j].text in _FILLERS:
                j += 1
            found.add(j)
        i = mention.start - 1
        while i >= 0 and tokens[i].text in _FILLERS:
            i -= 1
        if i >= 1 and tokens[i].text in _JOINERS and tokens[i - 1].is_word:
            found.add(i - 1)
    return {i for i in found if i < len(tokens) and tokens[i].is_word}


def _specific_charts_first(matches: list[PhraseMatch[str]], tokens: list[Token]) -> list[str]:
    """The charts named, a chart's own name ('as a boxplot') before words that only hint at
    one ('the distribution of', 'how many'), whatever their order."""

    def hint(match: PhraseMatch[str]) -> bool:
        return " ".join(t.text for t in tokens[match.start : match.end]) in CHART_HINTS

    return [m.value for m in sorted(matches, key=hint)]


def _specific_first(matches: list[PhraseMatch[str]], tokens: list[Token]) -> list[str]:
    """The algorithms named, a family word ('gradient boosting') dropped when an algorithm of
    its own is named as well ('gradient boosting with lightgbm' is lightgbm)."""
    family = {
        " ".join(stem(w) for w in p.split()) for names in ALGORITHM_PHRASES.values() for p in names
    }
    said = [(" ".join(t.stem for t in tokens[m.start : m.end]), m.value) for m in matches]
    specific = [value for text, value in said if text not in family]
    return list(dict.fromkeys(specific or [value for _, value in said]))


def _names_a_column(index: ColumnIndex, tokens: list[Token], cue: PhraseMatch[str]) -> bool:
    """A lone 'hue' or 'color' is a column where the dataset has one of that name."""
    if cue.end - cue.start != 1:
        return False
    return index.names_exactly(tokens[cue.start].stem)


class _Span(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


_GLOSS_WORDS = 6
_GLOSS_FILLERS = frozenset(words("of the a an"))
_GLOSS_ENDS = frozenset(
    words("with using from without except excluding and or but vs versus against on to by per")
)
"""Words that start another part of the request: a gloss never runs back past them."""
_GLOSS_STOPS = (TRAIN_TABLE, TUNE_TABLE, FORECAST_TABLE, LEADERBOARD_TABLE, AUTOML_TABLE,
                PLOT_TABLE, DESCRIBE_TABLE)  # fmt: skip
"""What a request says it does: a gloss never runs back into it."""


def _glossed(tokens: list[Token], mentions: list[ColumnMention]) -> list[ColumnMention]:
    """`mentions`, each exact name in brackets taking in the words it glosses: in 'if a loan
    defaults (DEFAULT_FLAG)' the bracketed name is what is meant, and the words before it
    name nothing else. They run back to a clause's start or a word the planner reads."""
    found: list[ColumnMention] = []
    cues = _spans(
        match
        for table in (*_GLOSS_STOPS, EXPLORER_TABLE)
        for match in table.find(tokens, set())
        # 'number of' counts rows as a chart, yet is a gloss's word in 'the number of users'
        if any(t.stem not in WEAK_WORDS | STOPWORDS for t in tokens[match.start : match.end])
    )
    named = _spans(mentions)  # a column named exactly is never a gloss's word
    for mention in mentions:
        opens, closes = mention.start - 1, mention.end
        if not (
            mention.column
            and opens > 0
            and closes < len(tokens)
            and tokens[opens].text == "("
            and tokens[closes].text == ")"
        ):
            found.append(mention)
            continue
        i = opens - 1
        while (
            i >= 0
            and opens - i <= _GLOSS_WORDS
            and i not in cues | named
            and tokens[i].text not in CLAUSE_BREAKS
            and tokens[i].text not in _GLOSS_ENDS
        ):
            i -= 1
        first = i + 1
        while first < opens and tokens[first].text in _GLOSS_FILLERS:
            first += 1  # 'the' of 'predict the cost (totalCharges)' stays the sentence's
        found.append(replace(mention, start=first, end=closes + 1) if first < opens else mention)
    # what a gloss took in names nothing of its own ('number' of 'number of casual users')
    glossed = [
        (m.start, m.end) for m in found if m.end > m.start + 1 and tokens[m.end - 1].text == ")"
    ]
    return [
        m for m in found
        if not any(a <= m.start and m.end <= b and (m.start, m.end) != (a, b) for a, b in glossed)
    ]  # fmt: skip


def _spans(items: Iterable[_Span]) -> set[int]:
    """The token positions that `items` cover."""
    return {i for item in items for i in range(item.start, item.end)}


def _group_mentions(
    tokens: list[Token], blocked: set[int], profile: DatasetProfile, message: str
) -> list[ColumnMention]:
    """'the measurements', 'numeric features': mentions of every column of a kind."""
    found: list[ColumnMention] = []
    for match in COLUMN_GROUP_TABLE.find(tokens, blocked):
        if match.value == "numeric":
            kinds = {ColumnKind.NUMERIC}
        elif match.value == "categorical":
            kinds = {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}
        else:
            continue
        columns = tuple(c.name for c in profile.columns if c.kind in kinds)
        if columns:
            text = message[tokens[match.start].start : tokens[match.end - 1].end]
            found.append(ColumnMention(match.start, match.end, columns, True, text, group=True))
    return found


def _cues(tokens: list[Token], blocked: set[int]) -> set[str]:
    cues: set[str] = set()
    for name, cue_table in (
        ("describe", DESCRIBE_TABLE),
        ("tune", TUNE_TABLE),
        ("leaderboard", LEADERBOARD_TABLE),
        ("automl", AUTOML_TABLE),
        ("forecast", FORECAST_TABLE),
        ("train", TRAIN_TABLE),
        ("plot", PLOT_TABLE),
        ("followup", FOLLOWUP_TABLE),
    ):
        if cue_table.find(tokens, blocked):
            cues.add(name)
    return cues


def _direction(tokens: list[Token]) -> str | None:
    for token in tokens:
        if token.text in MAXIMIZE_WORDS:
            return "maximize"
        if token.text in MINIMIZE_WORDS:
            return "minimize"
    return None


def _task_type(tokens: list[Token], blocked: set[int]) -> str | None:
    found = TASK_TABLE.find(tokens, blocked)
    kinds = {m.value for m in found}
    return kinds.pop() if len(kinds) == 1 else None


def _strategy(tokens: list[Token]) -> str | None:
    texts = [t.text for t in tokens]
    negated = any(
        texts[i] in {"not", "no", "without", "non"} and texts[i + 1] in STRATIFY_WORDS
        for i in range(len(texts) - 1)
    )
    if TIME_SPLIT_TABLE.find(tokens):
        return "time"
    if RANDOM_SPLIT_TABLE.find(tokens) or negated:
        return "random"
    if any(t in STRATIFY_WORDS for t in texts) or _keeps_balance(texts):
        return "stratified"
    return None


def _keeps_balance(texts: list[str]) -> bool:
    """'keep the class balance', 'preserve class proportions'."""
    joined = " ".join(texts)
    return any(
        f"{verb} {what}" in joined or f"{verb} the {what}" in joined
        for verb in ("keep", "keeping", "preserve", "preserving", "maintain", "balanced")
        for what in phrases(
            "class balance, class proportions, class ratios, class distribution, label balance, "
            "classes balanced, balance"
        )
    )


def _values(index: ColumnIndex, tokens: list[Token], blocked: set[int]) -> list[tuple[int, str]]:
    return [(m.start, m.value) for m in index.values.find(tokens, blocked)]


def _place_parameters(
    explore: ExploreWords,
    cues: list[PhraseMatch[str]],
    mentions: list[ColumnMention],
    tokens: list[Token],
) -> None:
    """Color, size and group columns: the mention right after its cue word."""
    for cue in cues:
        kind = cue.value
        if kind not in {"color", "size", "group"}:
            continue
        after = _mention_after(mentions, tokens, cue.end)
        if after is None:
            continue
        if kind == "color" and explore.color is None:
            explore.color = after
        elif kind == "size" and explore.size is None:
            explore.size = after
        elif kind == "group" and after not in explore.groups:
            explore.groups.append(after)


_PARAMETER_FILLERS = frozenset(
    words("the a an its their each every different = : according to with using on")
)


def _mention_after(
    mentions: list[ColumnMention], tokens: list[Token], start: int
) -> ColumnMention | None:
    j = start
    while j < len(tokens) and tokens[j].text in _PARAMETER_FILLERS:
        j += 1
    return next((m for m in mentions if m.start == j), None)
