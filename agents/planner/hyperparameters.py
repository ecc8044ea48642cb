"""Settings said in words ('500 trees', 'learning rate 0.1', 'two hidden layers of 64') bound
to the hyperparameter fields an algorithm's own model declares."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from agents.planner.numbers import Quantity
from agents.planner.phrases import PhraseMatch, PhraseTable
from agents.planner.text import Token, stem, words
from agents.planner.vocabulary import FIELD_FALLBACKS, hyperparameter_table

_AFTER_SKIP = frozenset(
    words("of = : to at is be set equal equals around about after as roughly approximately ~")
)
_BEFORE_GAP = frozenset({"hidden", "dense", "boosting", "training", "total", "max", "full", "more"})
_COUNT_NOUNS = frozenset(
    stem(w)
    for w in words(
        "trees tree estimators estimator rounds epochs epoch passes layers layer leaves units "
        "neurons nodes threads cores jobs cpus workers iterations iters batches deep"
    )
)
_WIDTH_NOUNS = frozenset({"unit", "neuron", "node", "width"})
_LAYER_NOUNS = frozenset(stem(w) for w in words("layers layer"))
_LIST_JOINERS = frozenset({",", "and", "x", "-", "/", "then", "by", "[", "]", "(", ")"})
_DEFAULT_WIDTH = 64
_GENERIC_CHOICES = frozenset({"none", "auto", "add", "mul", "n", "c", "t", "ct", "l1", "l2"})


@dataclass(frozen=True)
class Setting:
    """One setting a person asked for: a concept (field or synonym key) and its value."""

    concept: str
    value: Any
    start: int
    end: int
    quantity: Quantity | None = None


@dataclass(frozen=True)
class Range:
    """Two ends said for one setting ('max depth between 3 and 12'): a range to search."""

    low: float
    high: float


@dataclass(frozen=True)
class FieldShape:
    """What values a hyperparameter field takes, read from its annotation."""

    ints: bool = False
    floats: bool = False
    bools: bool = False
    nullable: bool = False
    choices: tuple[Any, ...] = ()
    sequence_length: int | None = None
    """For tuple fields (an ARIMA order): how many numbers; -1 for a list of any length."""
    upper: float | None = None
    lower: float | None = None

    @property
    def share(self) -> bool:
        """A float field bounded by 1: '10%' means 0.1."""
        return self.floats and self.upper is not None and self.upper <= 1.0


def field_shape(model: type[BaseModel], name: str) -> FieldShape:
    """The shape of `model`'s field `name`."""
    info = model.model_fields[name]
    shape = _shape_of(info.annotation, FieldShape())
    for constraint in info.metadata:
        shape = _bounded(shape, constraint)
    return shape


def _shape_of(annotation: Any, shape: FieldShape) -> FieldShape:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        inner = _shape_of(args[0], shape)
        for item in args[1:]:
            for constraint in getattr(item, "metadata", [item]):
                inner = _bounded(inner, constraint)
        return inner
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            shape = _shape_of(arg, shape)
        return shape
    if origin is typing.Literal:
        return _replace(shape, choices=(*shape.choices, *args))
    if origin in (list, tuple):
        length = -1 if origin is list or (len(args) == 2 and args[1] is Ellipsis) else len(args)
        return _replace(shape, sequence_length=length)
    if annotation is type(None):
        return _replace(shape, nullable=True)
    if annotation is bool:
        return _replace(shape, bools=True)
    if annotation is int:
        return _replace(shape, ints=True)
    if annotation is float:
        return _replace(shape, floats=True)
    return shape


def _bounded(shape: FieldShape, constraint: Any) -> FieldShape:
    """A bound of pydantic's field metadata (Ge, Gt, Le, Lt objects) applied to `shape`."""
    for attribute, side in (("le", "upper"), ("lt", "upper"), ("ge", "lower"), ("gt", "lower")):
        bound = getattr(constraint, attribute, None)
        if isinstance(bound, int | float):
            return _replace(shape, **{side: float(bound)})
    return shape


def _replace(shape: FieldShape, **changes: Any) -> FieldShape:
    values = {**shape.__dict__, **changes}
    return FieldShape(**values)


def find_settings(
    tokens: list[Token],
    quantities: list[Quantity],
    fields: tuple[str, ...],
    choices: dict[str, tuple[str, ...]],
    sequences: set[str],
    flags: set[str],
    blocked: set[int],
    used: set[int],
) -> list[Setting]:
    """Settings in the message: phrases for hyperparameters bound to the numbers beside them.

    `fields` are every field name any algorithm has; `choices` each text-valued field's
    choices; `sequences` the fields that take several numbers (an ARIMA order); `flags` the
    on/off fields, which a bare mention turns on ('damped trend'); `used` holds
    quantities (by start token) already bound elsewhere, and grows.
    """
    settings: list[Setting] = []
    for match in _counted_apart(hyperparameter_table(fields), tokens, quantities, blocked):
        if match.value == "hidden_layers":
            setting = _layers(tokens, quantities, match, used)
        elif match.value in sequences:
            numbers = _list_after(tokens, quantities, match.end, used, least=0)
            end = max([match.end, *(q.end for q in numbers)])
            setting = Setting(match.value, [q.plain for q in numbers], match.start, end)
            setting = setting if numbers else None
        elif match.value in choices:
            setting = _choice(tokens, match, choices[match.value])
        else:
            setting = _range(tokens, quantities, match, used) or _number(
                tokens, quantities, match, used
            )
        if setting is None and _negated(tokens, match.start) and not _named_on(tokens, match.end):
            setting = Setting(match.value, False, match.start, match.end)
        elif setting is None and match.value in flags:
            setting = Setting(match.value, True, match.start, match.end)
        if setting is not None:
            settings.append(setting)
    said = {s.concept for s in settings}
    for i, token in enumerate(tokens):
        for concept, options in choices.items():
            if concept in said or i in blocked:
                continue
            value = _choice_word(token.text, options, distinctive=True)
            if value is not None:
                settings.append(Setting(concept, value, i, i + 1))
                said.add(concept)
    return settings


def _counted_apart(
    table: PhraseTable[str], tokens: list[Token], quantities: list[Quantity], blocked: set[int]
) -> list[PhraseMatch[str]]:
    """The table's phrases in `tokens`, where a counted noun stays apart from the phrase it
    would start: '500 trees depth 7' is 500 trees and depth 7, not a 'tree depth'."""
    counted_ends = {q.end for q in quantities}
    found: list[PhraseMatch[str]] = []
    for match in table.find(tokens, blocked):
        noun = tokens[match.start]
        alone = table.match_at(tokens[match.start : match.start + 1], 0)
        if (
            match.end - match.start > 1
            and match.start in counted_ends
            and noun.stem in _COUNT_NOUNS
            and alone is not None
        ):
            found.append(PhraseMatch(match.start, match.start + 1, alone.value))
            rest = tokens[match.start + 1 : match.end]
            found += [
                PhraseMatch(m.start + match.start + 1, m.end + match.start + 1, m.value)
                for m in table.find(rest)
            ]
        else:
            found.append(match)
    return found


_RANGE_OPENS = frozenset(words("between from in range of = : is"))
_RANGE_JOINS = frozenset(words("to - through until .."))
"""Words between the ends of a range; 'and' only after 'between' ('depth 6 and 300 trees'
are two settings)."""


def _range(
    tokens: list[Token], quantities: list[Quantity], match: PhraseMatch[str], used: set[int]
) -> Setting | None:
    """'max depth between 3 and 12', 'learning rate from 0.01 to 0.3': both ends after it."""
    j = match.end
    opened = set()
    while j < len(tokens) and j - match.end < 2 and tokens[j].text in _RANGE_OPENS:
        opened.add(tokens[j].text)
        j += 1
    joins = _RANGE_JOINS | ({"and"} if "between" in opened else set())
    by_start = {q.start: q for q in quantities if q.start not in used}
    low = by_start.get(j)
    if low is None or low.end >= len(tokens) or tokens[low.end].text not in joins:
        return None
    high = by_start.get(low.end + 1)
    if high is None or high.value <= low.value or _counts_another(tokens, high):
        return None
    used.update({low.start, high.start})
    return Setting(match.value, Range(low.plain, high.plain), match.start, high.end)


def _number(
    tokens: list[Token], quantities: list[Quantity], match: PhraseMatch[str], used: set[int]
) -> Setting | None:
    before = _quantity_before(tokens, quantities, match.start, used)
    # 'five patients per leaf', '10 rows to split a node': what is counted sits between
    relational = tokens[match.start].text in _RELATIONAL_STARTS and match.start >= 2
    if before is None and relational and tokens[match.start - 1].is_word:
        before = _quantity_before(tokens, quantities, match.start - 1, used)
    after = _quantity_after(tokens, quantities, match.end, used)
    count_noun = tokens[match.end - 1].stem in _COUNT_NOUNS
    # 'n_estimators=50' binds what follows its '=', whatever the noun
    assigned = match.end < len(tokens) and tokens[match.end].text in {"=", ":"}
    chosen = (before or after) if count_noun and not assigned else (after or before)
    if chosen is None:
        return None
    used.add(chosen.start)
    return Setting(
        match.value,
        chosen.plain,
        min(match.start, chosen.start),
        max(match.end, chosen.end),
        chosen,
    )


_RELATIONAL_STARTS = frozenset({"per", "in", "each", "to"})
"""First words of settings said as a relation ('per leaf'): a noun may stand before them."""


def _quantity_before(
    tokens: list[Token], quantities: list[Quantity], start: int, used: set[int]
) -> Quantity | None:
    for quantity in quantities:
        if quantity.start in used:
            continue
        if quantity.end == start:
            return quantity
        if quantity.end == start - 1 and tokens[start - 1].text in _BEFORE_GAP:
            return quantity
    return None


def _quantity_after(
    tokens: list[Token], quantities: list[Quantity], end: int, used: set[int]
) -> Quantity | None:
    j = end
    while j < len(tokens) and j - end < 3 and tokens[j].text in _AFTER_SKIP:
        j += 1
    return next((q for q in quantities if q.start == j and q.start not in used), None)


def _named_on(tokens: list[Token], end: int) -> bool:
    """Whether the words go on into a name after a setting's phrase: 'without units band'
    leaves out a column, 'without early stopping' a setting."""
    return end < len(tokens) and tokens[end].is_word and tokens[end].text not in _NAME_ENDS


_NAME_ENDS = frozenset({"and", "or", "but", "then", "with", "please", "too", "also", "nor"})


def _negated(tokens: list[Token], start: int) -> bool:
    return start > 0 and tokens[start - 1].text in {"no", "without", "disable", "not"}


def _choice(
    tokens: list[Token], match: PhraseMatch[str], options: tuple[str, ...]
) -> Setting | None:
    """A text value next to its field's phrase: 'tanh activation', 'activation gelu'."""
    for j in (match.end, match.end + 1, match.start - 1, match.start - 2):
        if 0 <= j < len(tokens):
            value = _choice_word(tokens[j].text, options, distinctive=False)
            if value is not None:
                return Setting(match.value, value, min(j, match.start), max(j + 1, match.end))
    if "none" in options and _negated(tokens, match.start):
        return Setting(match.value, "none", match.start - 1, match.end)
    return None


def _choice_word(word: str, options: tuple[str, ...], *, distinctive: bool) -> str | None:
    for option in options:
        if distinctive and (option in _GENERIC_CHOICES or len(option) < 3):
            continue
        if word == option.lower():
            return option
        if not distinctive and len(option) >= 3 and word.startswith(option.lower()):
            return option
    return None


def _layers(
    tokens: list[Token], quantities: list[Quantity], match: PhraseMatch[str], used: set[int]
) -> Setting | None:
    """Hidden layer widths: 'layers 128, 64', 'two hidden layers of 32', '3 layers', '50 units'."""
    width_noun = tokens[match.end - 1].stem in _WIDTH_NOUNS
    count = None if width_noun else _quantity_before(tokens, quantities, match.start, used)
    widths = _list_after(tokens, quantities, match.end, used)
    if width_noun and not widths:
        widths = _list_before(tokens, quantities, match.start, used)
    if not widths and count is None:
        return None
    if count is not None:
        used.add(count.start)
    start = min([match.start, *(q.start for q in widths), *([count.start] if count else [])])
    end = max([match.end, *(q.end for q in widths)])
    sizes = [int(q.value) for q in widths]
    layers = int(count.value) if count is not None else None
    if layers is not None and len(sizes) <= 1:
        sizes = [sizes[0] if sizes else _DEFAULT_WIDTH] * layers
    return Setting("hidden_layers", sizes, start, end)


def _counts_another(tokens: list[Token], quantity: Quantity) -> bool:
    """Whether a number in a list is another setting's count: in 'layers of 64 and 32, 100
    epochs' the 100 counts epochs."""
    after = quantity.end
    if after < len(tokens) and tokens[after].text in _BEFORE_GAP:
        after += 1  # '100 training epochs'
    return (
        after < len(tokens)
        and tokens[after].stem in _COUNT_NOUNS - _LAYER_NOUNS
        and tokens[after].stem not in _WIDTH_NOUNS
    )


def _list_after(
    tokens: list[Token], quantities: list[Quantity], end: int, used: set[int], least: int = 1
) -> list[Quantity]:
    j = end
    while j < len(tokens) and tokens[j].text in _AFTER_SKIP | {"with", "each", "[", "("}:
        j += 1
    return _run(tokens, quantities, j, used, step=1, least=least)


def _list_before(
    tokens: list[Token], quantities: list[Quantity], start: int, used: set[int]
) -> list[Quantity]:
    found = _run(tokens, quantities, start - 1, used, step=-1)
    return list(reversed(found))


def _run(
    tokens: list[Token],
    quantities: list[Quantity],
    j: int,
    used: set[int],
    *,
    step: int,
    least: int = 1,
) -> list[Quantity]:
    by_start = {q.start: q for q in quantities if q.start not in used}
    by_end = {q.end - 1: q for q in quantities if q.start not in used}
    found: list[Quantity] = []
    while 0 <= j < len(tokens):
        quantity = by_start.get(j) if step > 0 else by_end.get(j)
        if quantity is not None and found and _counts_another(tokens, quantity):
            break
        if quantity is not None and quantity.as_int is not None and quantity.value >= least:
            found.append(quantity)
            used.add(quantity.start)
            j = quantity.end if step > 0 else quantity.start - 1
        elif found and tokens[j].text in _LIST_JOINERS:
            j += step
        else:
            break
    return found


def resolve_settings(
    settings: list[Setting], model: type[BaseModel], *, classification: bool
) -> tuple[dict[str, Any], list[str]]:
    """The settings as `model`'s fields and values, and notes on those it has no field for."""
    values: dict[str, Any] = {}
    notes: list[str] = []
    for setting in settings:
        name = field_for(setting.concept, model, classification=classification)
        if name is None:
            notes.append(setting.concept)
            continue
        value = coerce(setting, field_shape(model, name))
        if value is not UNUSABLE:
            values[name] = value
    return values, notes


def field_for(concept: str, model: type[BaseModel], *, classification: bool) -> str | None:
    """The field of `model` that a concept lands on, if it has one."""
    fields = model.model_fields
    if concept == "regularization" and classification and "C" in fields:
        return "C"
    if concept == "alpha" and "alpha" not in fields and "reg_alpha" in fields:
        return "reg_alpha"
    for name in (concept, *FIELD_FALLBACKS.get(concept, ())):
        if name in fields:
            return name
    return None


UNUSABLE = object()
"""What `coerce` returns for a value the field cannot take in any form."""


def coerce(setting: Setting, shape: FieldShape) -> Any:
    """The setting's value in the field's type: a share for '10%', an int for '3', a list..."""
    value = setting.value
    if isinstance(value, Range):
        if shape.ints and float(value.low).is_integer() and float(value.high).is_integer():
            return Range(int(value.low), int(value.high))
        return Range(float(value.low), float(value.high)) if shape.floats else UNUSABLE
    if isinstance(value, bool):
        if shape.bools:
            return value
        # "no early stopping": a field that is off when null.
        return None if shape.nullable and not value else UNUSABLE
    if isinstance(value, list):
        return value if shape.sequence_length is not None else UNUSABLE
    if isinstance(value, str):
        return value
    quantity = setting.quantity
    if quantity is not None and shape.share and quantity.share is not None:
        return quantity.share
    if quantity is not None and quantity.percent and not shape.share:
        return quantity.value / 100 if shape.floats else quantity.plain
    if shape.ints and float(value).is_integer():
        return int(value)
    return float(value) if shape.floats else value


def choice_fields(models: list[type[BaseModel]]) -> dict[str, tuple[str, ...]]:
    """Each text-valued field (by name) of any model, with its text choices."""
    found: dict[str, tuple[str, ...]] = {}
    for model in models:
        for name in model.model_fields:
            shape = field_shape(model, name)
            texts = tuple(str(c) for c in shape.choices if isinstance(c, str))
            if texts:
                found[name] = tuple(dict.fromkeys((*found.get(name, ()), *texts)))
    return found


def sequence_fields(models: list[type[BaseModel]]) -> set[str]:
    """Fields of any model that take a fixed number of numbers, such as an ARIMA order."""
    return {
        name
        for model in models
        for name in model.model_fields
        if (field_shape(model, name).sequence_length or 0) > 0
    }


def flag_fields(models: list[type[BaseModel]]) -> set[str]:
    """Fields of any model that are plain on/off switches."""
    return {
        name
        for model in models
        for name in model.model_fields
        if (shape := field_shape(model, name)).bools and not (shape.ints or shape.floats)
    }


def check_each(model: type[BaseModel], values: dict[str, Any]) -> dict[str, str]:
    """Each value that `model` rejects on its own, with pydantic's reason."""
    rejected: dict[str, str] = {}
    for name, value in values.items():
        try:
            model.model_validate({name: value})
        except ValidationError as error:
            rejected[name] = error.errors()[0]["msg"].lower()
    return rejected
