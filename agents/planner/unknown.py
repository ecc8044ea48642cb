"""Names that stand where a column would and name none: 'predict defaulted from wingspan',
'histogram of rainfall', 'credit limit' on a table with only credit_score.

A plan never swaps such a name for a column that is there: it says the dataset has no such
column, with the nearest it has. Words the planner reads otherwise (cues, settings, metrics,
algorithms, units, fillers) are never taken for a name.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.languages import ENGLISH_NO, ENGLISH_YES
from agents.planner.columns import UNIT_WORDS, WEAK_WORDS, ColumnMention, column_index
from agents.planner.cues import (
    AGGREGATE_WORDS,
    BIN_WORDS,
    CHART_ROLE_PHRASES,
    COLUMN_GROUP_PHRASES,
    DESCRIBE_CUES,
    EXPLORER_CUES,
    FOLLOWUP_CUES,
    FORECAST_CUES,
    LEADERBOARD_CUES,
    MAXIMIZE_WORDS,
    METHOD_WORDS,
    MINIMIZE_WORDS,
    PLOT_WORDS,
    RANDOM_SPLIT_PHRASES,
    STRATIFY_WORDS,
    TIME_SPLIT_PHRASES,
    TOP_WORDS,
    TRAIN_CUES,
    TUNE_CUES,
    VOCABULARY,
)
from agents.planner.request import Request
from agents.planner.settings import SETTING_WORDS
from agents.planner.text import CLAUSE_BREAKS, STOPWORDS, Token, name_words, stem, words
from agents.planner.vocabulary import (
    ALGORITHM_PHRASES,
    HYPERPARAMETER_SYNONYMS,
    METRIC_SYNONYMS,
    UNAVAILABLE_ALGORITHMS,
    UNSUPPORTED_SETTINGS,
)
from ml_backend.schema import ColumnKind, DatasetProfile

_MAX_WORDS = 3
_ENDS = frozenset(
    words(
        "and or & plus nor / + from using use based given only just with without excluding "
        "exclude except ignoring ignore drop dropping not never don dont do but by vs versus "
        "against prediction predictions model classifier regressor predictor forecast best better"
    )
)
"""Words after which a name has ended: a list goes on, or another part of the message starts.
A name ends there, at a clause's end, or before words read otherwise (an algorithm, a setting);
words going on into a column's name ('daily consumption') or a number ('keep 15%') are no
name of their own."""


def known_phrases() -> list[str]:
    """Every phrase that has a meaning of its own to the planner."""
    phrases: list[str] = [
        *TRAIN_CUES, *TUNE_CUES, *LEADERBOARD_CUES, *FORECAST_CUES, *FOLLOWUP_CUES,
        *PLOT_WORDS, *DESCRIBE_CUES, *TIME_SPLIT_PHRASES, *RANDOM_SPLIT_PHRASES,
        *AGGREGATE_WORDS, *METHOD_WORDS, *MAXIMIZE_WORDS, *MINIMIZE_WORDS, *STRATIFY_WORDS,
        *BIN_WORDS, *TOP_WORDS, *UNIT_WORDS, *WEAK_WORDS, *SETTING_WORDS, *STOPWORDS,
    ]  # fmt: skip
    for table in (EXPLORER_CUES, CHART_ROLE_PHRASES, COLUMN_GROUP_PHRASES, METRIC_SYNONYMS,
                  HYPERPARAMETER_SYNONYMS, UNAVAILABLE_ALGORITHMS, ALGORITHM_PHRASES):  # fmt: skip
        for key, said in table.items():
            phrases += [key, *said]
    phrases += [p for said, _why in UNSUPPORTED_SETTINGS.values() for p in said]
    return phrases


def _known_words() -> frozenset[str]:
    """Every word that has a meaning of its own to the planner, as stems."""
    return VOCABULARY | frozenset(stem(w) for p in known_phrases() for w in name_words(p))


KNOWN_WORDS = (
    _known_words()
    | frozenset(
        stem(w)
        for w in words(
            "metric metrics goal objective criterion measure setting settings parameter parameters "
            "option options default defaults last past recent first final improvement progress "
            "x y axis axes horizontal vertical plain simple basic vanilla standard regular "
            "ordinary classic classical"
        )
    )
    | frozenset(stem(w) for phrase in (*ENGLISH_YES, *ENGLISH_NO) for w in name_words(phrase))
)
"""...words that qualify a model ('a plain linear regression'), and the words of a yes or a no
('never mind, just drop island')."""
_SETTING_FILLERS = frozenset(words("a an the of for as"))
_SETTING_STARTS = frozenset(
    {stem(w) for w in SETTING_WORDS | BIN_WORDS | TOP_WORDS}
    | {stem(p.split()[0]) for said in HYPERPARAMETER_SYNONYMS.values() for p in said}
) - {stem(w) for w in words("for of the a as is out set size data row sample record part per")}
_SETTING_STARTS -= STOPWORDS  # 'an', 'in', 'to': fillers, whatever phrases they begin
"""First words of a setting ('seed', 'trees', 'learning'): a name has ended before them."""
_KIND_WORDS = frozenset(words("type kind category code name id level index size score grade"))
"""Words that make another name of a column's word: 'blood type', 'engine code'."""


@dataclass(frozen=True)
class UnknownName:
    """Words of the message, tokens `start`..`end`, that name a column the table lacks."""

    start: int
    end: int
    text: str


def unknown_at(
    request: Request, start: int, known: frozenset[str] = frozenset()
) -> UnknownName | None:
    """The name at token `start`, if words there name no column: one to three words, one at
    least that no reading of the message accounts for (nor `known`), ending where a name
    would ('zodiac sign', 'pet name', 'employee band' of a table of employees)."""
    tokens = request.tokens
    taken = _accounted(request)
    end = start
    while end < len(tokens) and end - start < _MAX_WORDS and _wordlike(request, end, taken):
        end += 1
    if not any(_unknown(request, i, taken, known) for i in range(start, end)):
        return None
    if end - start == 1 and tokens[start].text.endswith("ing"):
        return None  # 'keeping 10% for validation': a verb of its own, no name
    if not _ends_at(request, end):
        return None
    return UnknownName(start, end, _text(request, start, end))


def unknown_before(
    request: Request, end: int, known: frozenset[str] = frozenset()
) -> UnknownName | None:
    """The name ending right before token `end` ('wingspan' of 'a wingspan classifier')."""
    taken = _accounted(request)
    start = end
    if end > 0 and end - 1 in taken:
        return None
    while start > 0 and end - start < _MAX_WORDS and _wordlike(request, start - 1, taken):
        start -= 1
    while start < end and not _unknown(request, start, taken, known):
        start += 1  # 'a good wingspan model': the name starts at its first unknown word
    if start == end or (start > 0 and start - 1 in taken and request.tokens[start - 1].is_word):
        return None  # 'fuel type prediction': words after a column are that column's business
    return UnknownName(start, end, _text(request, start, end))


def unknown_after(
    request: Request, mention: ColumnMention, known: frozenset[str] = frozenset()
) -> UnknownName | None:
    """'credit limit', 'temp tier': a column named in part, then a word of another name.

    Only a mention that leaves out words of its column's name counts ('temp' of temp_c, said
    as the name has it): a name said in full, or in other words (a synonym, a typo), followed
    by a word of its own is still that column.
    """
    if mention.group or mention.column is None:
        return None
    said = {stem(w) for w in name_words(mention.text) if w not in STOPWORDS}
    whole = [stem(w) for w in name_words(mention.column) if w not in STOPWORDS]
    core = list(whole)
    while len(core) > 1 and core[-1] in UNIT_WORDS:
        core.pop()
    if mention.full and (len(said) >= len(whole) or said != set(core)):
        return None
    j = mention.end
    if j >= len(request.tokens) or not _wordlike(request, j, _accounted(request)):
        return None
    word = request.tokens[j]
    # a word of its own, or a kind the name lacks: 'blood type' is no blood pressure
    other = _unknown(request, j, _accounted(request), known) or (
        word.stem in _KIND_WORDS and word.stem not in whole
    )
    if not other or not _ends_at(request, j + 1):
        return None
    return UnknownName(mention.start, j + 1, _text(request, mention.start, j + 1))


_ROW_NOUNS = frozenset(
    stem(w)
    for w in words(
        "row rows record records entry entries item items case cases observation observations "
        "sample samples instance instances people person"
    )
)


def unknown_from_column_word(
    request: Request, start: int, profile: DatasetProfile, known: frozenset[str] = frozenset()
) -> UnknownName | None:
    """'model band' of a table with 'model year': a word of a column's name that names no
    column alone (it means something else here too), then a word of another name."""
    tokens = request.tokens
    column_words = {stem(w) for name in profile.column_names for w in name_words(name)}
    taken = _accounted(request)
    end = start + 1
    if end >= len(tokens) or start in taken or tokens[start].stem not in column_words:
        return None
    if not _unknown(request, end, taken, known) or not _ends_at(request, end + 1):
        return None
    return UnknownName(start, end + 1, _text(request, start, end + 1))


def row_words(profile: DatasetProfile) -> frozenset[str]:
    """Words for the rows themselves ('customers' of a table with customer_id): no column."""
    ids = [c.name for c in profile.columns if c.kind is ColumnKind.IDENTIFIER]
    return _ROW_NOUNS | frozenset(stem(w) for name in ids for w in name_words(name))


def no_such_column(profile: DatasetProfile, said: str, fallback: list[str]) -> str:
    """That the dataset has no column `said`, the nearest names it has, and all of them."""
    near = column_index(profile).nearest(said) or fallback
    hint = f" Did you mean {' or '.join(f'`{c}`' for c in near[:3])}?" if near else ""
    listed = ", ".join(profile.column_names[:30])
    return f"This dataset has no column '{said}'.{hint} Its columns: {listed}."


def _accounted(request: Request) -> set[int]:
    """Tokens some reading of the message already took: columns, values, algorithms, settings."""
    taken = set(request.blocked)
    taken.update(i for m in request.mentions for i in range(m.start, m.end))
    taken.update(at for at, _column in request.values)
    taken.update(i for q in request.quantities for i in range(q.start, q.end))
    return taken


def _wordlike(request: Request, i: int, taken: set[int]) -> bool:
    """Whether token `i` could be part of a name: a word nothing took, no filler, no end, no
    setting's first word."""
    token = request.tokens[i]
    if not token.is_word or i in taken or token.text in STOPWORDS | _ENDS:
        return False
    return not (starts_setting(token) and _number_near(request, i))


def _unknown(request: Request, i: int, taken: set[int], known: frozenset[str]) -> bool:
    token = request.tokens[i]
    if not _wordlike(request, i, taken) or len(token.text) < 2:
        return False
    return not ({token.text, token.stem} & (KNOWN_WORDS | known))


def _ends_at(request: Request, end: int) -> bool:
    tokens = request.tokens
    if end >= len(tokens) or end in request.blocked:
        return True
    if tokens[end].text in CLAUSE_BREAKS or tokens[end].text in _ENDS:
        return True
    # a setting starts: 'seed 7', '20% test', 'a learning rate of 0.1', '15% for validation'
    j = end
    while j < len(tokens) and j - end < 5:
        if tokens[j].is_word and tokens[j].text not in _SETTING_FILLERS:
            break
        j += 1
    return j < len(tokens) and (j in request.blocked or starts_setting(tokens[j]))


def _number_near(request: Request, i: int) -> bool:
    """Whether a number stands right before token `i` or within three tokens after it: a
    setting's word without one ('units band') is a word of a name."""
    tokens = request.tokens
    if i > 0 and tokens[i - 1].kind == "number":
        return True
    return any(t.kind == "number" for t in tokens[i + 1 : i + 4])


def starts_setting(token: Token) -> bool:
    """Whether a word is the first of a setting ('seed', 'trees', 'learning'): no name."""
    return token.stem in _SETTING_STARTS


def _text(request: Request, start: int, end: int) -> str:
    tokens = request.tokens
    return request.message[tokens[start].start : tokens[end - 1].end]
