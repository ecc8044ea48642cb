"""Which column is the target, which are features and which are left out, from the words
around each column: 'predict X', 'X as the target', 'from Y and Z', 'drop W', 'everything but V'."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.planner.columns import ColumnMention
from agents.planner.phrases import words_table
from agents.planner.request import Request
from agents.planner.text import CLAUSE_BREAKS, Token, phrases, stem, words
from agents.planner.unknown import (
    UnknownName,
    row_words,
    starts_setting,
    unknown_after,
    unknown_at,
    unknown_before,
)
from ml_backend.schema import ColumnKind, DatasetProfile

TARGET_VERBS = frozenset(
    stem(w)
    for w in words(
        "predict predicting predicts prediction predictions forecast forecasting classify "
        "classifying regress regressing estimate estimating model modeling modelling determine "
        "guess guessing infer learn explain explaining target label outcome response"
    )
)
_TARGET_NOUNS = frozenset({"target", "label", "outcome", "response", "y", "objective"})
_WEAK_TARGET_CUES = frozenset({"for", "on", "of", "to"})
_ANCHORS = frozenset(
    stem(w)
    for w in words(
        "train fit tune build model classifier regressor run learn forest network net predictor "
        "estimator classification regression leaderboard"
    )
)
_TARGET_FILLERS = frozenset(
    words(
        "the a an whether if which what how is are will would be s ' of its their whose column "
        "variable field value values for each who do does kind type class label target"
    )
)
_TARGET_STOPS = frozenset(
    words(
        "from using with based given except without excluding drop ignore ignoring by use and or "
        "but in on as not no never don dont"
    )
)
_TRAINED_ON = frozenset(
    stem(w) for w in words("train trained training fit fitted learn learned model it them regress")
)
_AFTER_TARGET_SUFFIX = frozenset(
    stem(w)
    for w in words(
        "classifier classification model prediction predictor regression regressor forecast "
        "forecaster"
    )
)
GENERIC_WORDS = frozenset(
    stem(w)
    for w in words(
        "something anything stuff thing things it model target label outcome result results value "
        "values column variable data dataset everything this that them one whatever some model "
        "models me us good best right correct answer next future coming following upcoming series "
        "trend period periods step steps"
    )
)
_LIST_FILLERS = frozenset(
    words(
        "the a an its their column columns feature features variable variables field fields "
        "attribute attributes both either also too only just s ' use using include other others "
        "remaining all number amount count alone solely exclusively"
    )
)
_LIST_JOINERS = frozenset({"and", ",", "&", "or", "plus", "nor", "/", "as", "well", "+", "of"})
"""Words between listed columns; 'of' as in 'from the income and of the amount', the way
French, Spanish and Portuguese lists read in English ('du revenu et du montant')."""
_BACKWARD_GAP = frozenset({"and", ",", "&", "or", "plus", "/", "+", "the", "a", "an", "both"})
_EXCLUDE_PHRASES = phrases(
    "drop, dropping, ignore, ignoring, exclude, excluding, without, except, except for, "
    "remove, removing, skip, skipping, omit, omitting, minus, leave out, leaving out, leave, "
    "leaving, not, no, but, other than, apart from, aside from, besides, don t use, do not "
    "use, not using, not use, rid of, get rid of, dropped, excluded, never, never use, "
    "don t want, do not want, dont want, not want, don t need, do not need, dont need, "
    "no need for, keep out, set aside, put aside, without using, not including"
)
_EXCLUDE_CUES = words_table(_EXCLUDE_PHRASES)
_EXCLUDED_AFTER = frozenset(
    {"dropped", "excluded", "removed", "ignored", "omitted", "out", "aside"}
)
_FEATURE_PHRASES = phrases(
    "from, using, use, based on, given, with features, features, predictors, inputs, only "
    "use, use only, just, only, with only, using only, on the basis of, feature columns, "
    "features are, features should be, as a function of, function of, depending on, "
    "input is, inputs are, feature is, predictor is, predictors are, the single input is, "
    "the only input is, the sole input is, the only feature is"
)
_FEATURE_CUES = words_table(_FEATURE_PHRASES)
_AS_FEATURES = frozenset({"feature", "predictor", "input", "variable", "regressor"})
_ADD_PHRASES = phrases(
    "add, add back, include, including, put back, bring back, also use, plus, keep, with"
)
_ADD_CUES = words_table(_ADD_PHRASES)


@dataclass
class Roles:
    """Columns by role, as the message gives them."""

    target: ColumnMention | None = None
    target_phrase: str | None = None
    """Words after 'predict' that name no column: 'the wingspan'."""
    features: list[str] | None = None
    excluded: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    ambiguous: list[ColumnMention] = field(default_factory=list)
    unassigned: list[ColumnMention] = field(default_factory=list)
    unknown: list[UnknownName] = field(default_factory=list)
    """Names said where a column belongs that no column has: 'from wingspan', 'units limit'."""


def read_roles(request: Request, profile: DatasetProfile, dataset_words: set[str]) -> Roles:
    """The target, features and excluded columns named in the message."""
    roles = Roles()
    tokens = request.tokens
    taken: set[int] = set()  # mention starts given a role
    known = _ROLE_WORDS | frozenset(dataset_words) | row_words(profile)
    # cue words inside a column's name ('distance from home km') cue nothing
    named = {i for m in request.mentions for i in range(m.start, m.end)}
    _reversed_roles(request, roles, taken)
    verb_named = False  # 'predict wingspan' said what to predict; 'target metric' did not
    for i, token in enumerate(tokens):
        if roles.target is None and token.stem in TARGET_VERBS and i not in request.blocked:
            mention, words = _read_target(request, i + 1, profile, dataset_words)
            if mention is not None and mention.start not in taken:
                roles.target = mention
                taken.add(mention.start)
            elif words and roles.target_phrase is None:
                roles.target_phrase = words
                verb_named = token.text not in _TARGET_NOUNS
    for match in _EXCLUDE_CUES.find(tokens, named):
        listed = _read_list(request, match.end, taken, roles.unknown, known)
        roles.excluded.extend(_columns(listed, roles))
        taken.update(m.start for m in listed)
    for match in _ADD_CUES.find(tokens, named):
        if "followup" in request.cues:
            listed = _read_list(request, match.end, taken, roles.unknown, known)
            roles.added.extend(_columns(listed, roles))
            taken.update(m.start for m in listed)
        elif tokens[match.start].text == "with":
            # a first request: 'regression for salary with jobLevel and yearsAtCompany' names
            # what to predict from, as nothing is there to add to
            listed = _read_list(request, match.end, taken, roles.unknown, known)
            roles.features = [*(roles.features or []), *_columns(listed, roles)] or roles.features
            taken.update(m.start for m in listed)
    _formula(request, roles, taken)
    if roles.target is None and not verb_named:
        _weak_target(request, roles, taken, known)
    for match in _FEATURE_CUES.find(tokens, named):
        listed = _read_list(request, match.end, taken, roles.unknown, known)
        if listed:
            roles.features = [*(roles.features or []), *_columns(listed, roles)]
            taken.update(m.start for m in listed)
    if roles.target is not None:
        for i, token in enumerate(tokens):
            trained = any(t.stem in _TRAINED_ON for t in tokens[max(0, i - 3) : i])
            if token.text == "on" and trained and i + 1 < len(tokens):
                listed = _read_list(request, i + 1, taken)
                if listed:
                    roles.features = [*(roles.features or []), *_columns(listed, roles)]
                    taken.update(m.start for m in listed)
    if roles.target is None:
        roles.target = _target_before_suffix(request, taken)
        if roles.target is not None:
            taken.add(roles.target.start)
    if roles.target is None and roles.target_phrase is None:
        roles.target_phrase = _unknown_before_suffix(request, known)
    for mention in request.mentions:
        other = None if mention.start in taken else unknown_after(request, mention, known)
        if other is not None:
            roles.unknown.append(other)  # 'units limit', with nothing else to say its role
            taken.add(mention.start)
    roles.unassigned = [m for m in request.mentions if m.start not in taken]
    roles.unknown = list({u.start: u for u in roles.unknown}.values())
    return roles


def _reversed_roles(request: Request, roles: Roles, taken: set[int]) -> None:
    """'X as the target', 'target is X', 'X and Y as features', 'with X dropped'."""
    tokens = request.tokens
    for mention in request.mentions:
        after = _words_after(tokens, mention.end, 3)
        before = _words_before(tokens, mention.start, 4)
        if roles.target is None and (
            (after[:1] == ["as"] and _TARGET_NOUNS & set(after[1:3]))
            or (after[:1] == ["is"] and _TARGET_NOUNS & set(after[1:3]))
            or (_TARGET_NOUNS & set(before) and _target_noun_leads(before))
        ):
            roles.target = mention
            taken.add(mention.start)
        elif after[:1] and stem(after[0]) in {stem(w) for w in _EXCLUDED_AFTER} - {"out"}:
            roles.excluded.extend(_columns([mention], roles))
            taken.add(mention.start)
    for k, mention in enumerate(request.mentions):
        after = [stem(w) for w in _words_after(tokens, mention.end, 3)]
        if after[:1] == ["as"] and _AS_FEATURES & set(after[1:3]):
            listed = [mention]
            for earlier in reversed(request.mentions[:k]):
                gap = [t.text for t in tokens[earlier.end : listed[0].start]]
                if all(w in _BACKWARD_GAP for w in gap):
                    listed.insert(0, earlier)
                else:
                    break
            listed = [m for m in listed if m.start not in taken]
            roles.features = [*(roles.features or []), *_columns(listed, roles)]
            taken.update(m.start for m in listed)


def _formula(request: Request, roles: Roles, taken: set[int]) -> None:
    """R-style 'species ~ bill_length + flipper_length'."""
    tilde = next((i for i, t in enumerate(request.tokens) if t.text == "~"), None)
    if tilde is None:
        return
    before = next((m for m in request.mentions if m.end == tilde), None)
    if roles.target is None and before is not None and before.start not in taken:
        roles.target = before
        taken.add(before.start)
    listed = _read_list(request, tilde + 1, taken)
    if listed:
        roles.features = [*(roles.features or []), *_columns(listed, roles)]
        taken.update(m.start for m in listed)


def _target_noun_leads(before: list[str]) -> bool:
    """'target column is X', 'label: X', 'y = X': the noun comes right before, give or take."""
    fillers = {"is", "=", ":", "column", "variable", "should", "be", "will", "the", "of"}
    for word in reversed(before):
        if word in _TARGET_NOUNS:
            return True
        if word not in fillers:
            return False
    return False


def _words_after(tokens: list[Token], start: int, count: int) -> list[str]:
    words = [t.text for t in tokens[start : start + count + 2] if t.text not in {"'", "s"}]
    return words[:count]


def _words_before(tokens: list[Token], end: int, count: int) -> list[str]:
    return [t.text for t in tokens[max(0, end - count) : end]]


def _read_target(
    request: Request, start: int, profile: DatasetProfile, dataset_words: set[str]
) -> tuple[ColumnMention | None, str | None]:
    """The column a target verb points at, or the words it points at when none fits."""
    tokens = request.tokens
    by_start = {m.start: m for m in request.mentions}
    words: list[str] = []
    j = start
    while j < len(tokens) and len(words) <= 3:
        glossed = by_start.get(j + 1) if tokens[j].text == "(" else None
        if glossed is not None and glossed.full and glossed.column is not None:
            return glossed, None  # 'attrition (leftCompany)': the column named in brackets
        mention = by_start.get(j)
        if mention is not None:
            if _identifier_by_halves(mention, profile):
                j = mention.end
                continue
            fuller = _full_mention_after(request, mention)
            if fuller is not None:
                # 'whether the applicant defaulted': the column said in full is the target,
                # not the one a word of the subject half names
                return fuller, None
            if words and not mention.full and "of" in {t.text for t in tokens[start:j]}:
                # "the price of the wine": the words say what, the column only whose
                break
            if not mention.full and _unknown_word_at(request, mention.end):
                # "petal colour": a column's word, then one that names none of its columns
                said = f"{mention.text} {tokens[mention.end].text}"
                return None, said
            known = _ROLE_WORDS | frozenset(dataset_words) | row_words(profile)
            other = unknown_after(request, mention, known)
            if other is not None:
                return None, other.text  # "humidity band" of a table with humidity_pct
            return mention, None
        value = next((column for at, column in request.values if at == j), None)
        if value is not None:
            return _value_mention(request, j, value), None
        token = tokens[j]
        if token.text in CLAUSE_BREAKS or token.text in _TARGET_STOPS or j in request.blocked:
            break
        if starts_setting(token) and not words:
            break  # 'prediction, seed 1': a setting, not what to predict
        if token.kind == "number":
            break
        if token.text not in _TARGET_FILLERS and token.stem not in dataset_words:
            words.append(token.text)
        j += 1
    later = [column for at, column in request.values if at >= start]
    if later:
        at = next(a for a, c in request.values if a >= start)
        return _value_mention(request, at, later[0]), None
    content = [w for w in words if stem(w) not in GENERIC_WORDS]
    return None, " ".join(content) if content else None


def _full_mention_after(request: Request, mention: ColumnMention) -> ColumnMention | None:
    """A column named in full a few words after a partly named one, in the same clause."""
    if mention.full:
        return None
    tokens = request.tokens
    for later in request.mentions:
        if later.start < mention.end or later.start - mention.end > 2:
            continue
        between = tokens[mention.end : later.start]
        if (
            later.full
            and later.column is not None
            and not any(
                t.text in CLAUSE_BREAKS or t.text in _TARGET_STOPS or t.kind != "word"
                for t in between
            )
        ):
            return later
    return None


def _unknown_word_at(request: Request, j: int) -> bool:
    """Whether token `j` is a content word that nothing else in the message accounts for."""
    if j >= len(request.tokens) or j in request.blocked:
        return False
    token = request.tokens[j]
    starts = {m.start for m in request.mentions}
    known = _TARGET_STOPS | _TARGET_FILLERS | GENERIC_WORDS
    return token.is_word and j not in starts and token.text not in known and token.stem not in known


def _value_mention(request: Request, at: int, column: str) -> ColumnMention:
    token = request.tokens[at]
    return ColumnMention(at, at + 1, (column,), True, token.text)


def _identifier_by_halves(mention: ColumnMention, profile: DatasetProfile) -> bool:
    """A loose mention of an identifier ('customer' of customer_id) is rarely the target."""
    column = profile.column(mention.column or "")
    return column is not None and column.kind is ColumnKind.IDENTIFIER and not mention.full


def _weak_target(request: Request, roles: Roles, taken: set[int], known: frozenset[str]) -> None:
    """'xgboost on species', 'lightgbm for sex', 'classifier for species'; the words of
    'xgboost on wingspan', where no column has them, as the target phrase."""
    tokens = request.tokens
    by_start = {m.start: m for m in request.mentions}
    anchored = False
    unknown: UnknownName | None = None
    for i, token in enumerate(tokens):
        if token.stem in _ANCHORS or i in request.algorithm_tokens:
            anchored = True
        if not anchored or token.text not in _WEAK_TARGET_CUES:
            continue
        j = i + 1
        while j < len(tokens) and tokens[j].text in {"the", "a", "an", "column", "predicting"}:
            j += 1
        mention = by_start.get(j)
        if mention is not None and mention.start not in taken:
            other = unknown_after(request, mention, known)
            if other is not None:
                roles.target_phrase = roles.target_phrase or other.text
                return
            roles.target = mention
            taken.add(mention.start)
            return
        unknown = unknown_at(request, j, known) if mention is None else None
        if unknown is not None:
            roles.target_phrase = roles.target_phrase or unknown.text
            return


def _unknown_before_suffix(request: Request, known: frozenset[str]) -> str | None:
    """'a wingspan classifier', 'wingspan prediction': words before a model's noun that name
    no column."""
    for i, token in enumerate(request.tokens):
        if i == 0 or token.stem not in _AFTER_TARGET_SUFFIX or i in request.blocked:
            continue
        name = unknown_before(request, i, known)
        if name is not None:
            return name.text
    return None


def _target_before_suffix(request: Request, taken: set[int]) -> ColumnMention | None:
    """'a species classifier', 'churn model', 'body mass regression'."""
    tokens = request.tokens
    for mention in request.mentions:
        if mention.start in taken or mention.end >= len(tokens):
            continue
        if tokens[mention.end].stem in _AFTER_TARGET_SUFFIX:
            return mention
    return None


def _read_list(
    request: Request,
    start: int,
    taken: set[int],
    unknown: list[UnknownName] | None = None,
    known: frozenset[str] = frozenset(),
) -> list[ColumnMention]:
    """Column mentions listed from token `start`: 'X, Y and Z', 'the X and Y columns'.

    With `unknown`, names in the list that no column has ('X and wingspan') go there.
    """
    tokens = request.tokens
    by_start = {m.start: m for m in request.mentions}
    listed: list[ColumnMention] = []
    items = 0
    j = start
    while j < len(tokens) and tokens[j].text in {":", "="}:
        j += 1
    while j < len(tokens):
        mention = by_start.get(j)
        other = None
        if unknown is not None:
            at_item = items == 0 or _after_joiner(tokens, j)
            if mention is not None and mention.start not in taken:
                other = unknown_after(request, mention, known)
            elif mention is None and at_item:
                other = unknown_at(request, j, known)
        if other is not None and unknown is not None:
            unknown.append(other)
            items += 1
            j = other.end
            continue
        if mention is not None and mention.start not in taken:
            listed.append(mention)
            items += 1
            j = mention.end
            continue
        word = tokens[j].text
        if word in _LIST_FILLERS or (items and word in _LIST_JOINERS):
            j += 1
            continue
        break
    return listed


_ROLE_WORDS = frozenset(
    GENERIC_WORDS
    | _TARGET_FILLERS
    | _TARGET_STOPS
    | _LIST_FILLERS
    | _LIST_JOINERS
    | _EXCLUDED_AFTER
    | _AS_FEATURES
    | TARGET_VERBS
    | _ANCHORS
    | _AFTER_TARGET_SUFFIX
    | {w for p in (*_EXCLUDE_PHRASES, *_FEATURE_PHRASES, *_ADD_PHRASES) for w in words(p)}
)
"""Words the roles are read by: none of them names a column the table lacks."""


_ITEM_JOINERS = _LIST_JOINERS - {"of", "as", "well"}


def _after_joiner(tokens: list[Token], j: int) -> bool:
    """Whether token `j` starts a new item of a list ('X and Y'), not a qualifier of the
    last one ('the age of the applicants')."""
    i = j - 1
    while i >= 0 and tokens[i].text in _LIST_FILLERS:
        i -= 1
    return i >= 0 and tokens[i].text in _ITEM_JOINERS


def _columns(mentions: list[ColumnMention], roles: Roles) -> list[str]:
    """The columns of listed mentions: a plural that fits several ('the lengths') means all."""
    names: list[str] = []
    for mention in mentions:
        if mention.ambiguous and not mention.plural:
            roles.ambiguous.append(mention)
            continue
        names.extend(mention.columns)
    return names
