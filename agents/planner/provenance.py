"""Requests about the history of models and data, read from the roles words play rather than
from whole sentences: a *retrain* verb with a run and a data version, a *restore* verb with a
version, a question of where a model's data *came from* (upstream) or what was *made from* a
dataset (downstream).

The parts: which run a message points to (a number, an algorithm one of the conversation's
runs used, or 'it' / 'this model': the last one), which version (a number, 'v3', an ordinal,
'previous', 'latest'), which dataset (one it names, else the one in focus), and the verbs
and nouns around them. The message is English already (the language packs rewrite others).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agents.planner.results import MODEL_TOOLS, RunRef, algorithms_named
from agents.planner.text import Token, name_words, stem, tokenize, words

_FILLERS = frozenset(words("so and but ok okay hm hmm well oh right alright wait then hey please"))
_ASKING = frozenset(
    words(
        "what whats which where who whose how did does do was were is are has have had "
        "show tell list trace give explain find any anything something everything"
    )
)
_ASKS_WHAT = frozenset(words("what whats anything any something everything"))
"""Openings of a question whose answer is things made ('what was trained on it')."""
_RESTORE = frozenset(words("restore revert reinstate rollback recover undo"))
_BACK_VERBS = frozenset(words("roll go bring switch change put"))
_RETRAIN = frozenset(words("retrain refit rerun redo"))
_AGAIN = frozenset(words("again anew afresh"))
_TRAIN_VERBS = frozenset(words("train fit run build redo repeat"))
_DATA_NOUNS = frozenset(
    stem(w)
    for w in words(
        "data dataset datasets file files table tables version versions "
        "upload uploads csv rows sheet"
    )
)
_MODEL_NOUNS = frozenset(
    stem(w)
    for w in words(
        "model models run runs training trainings job jobs experiment "
        "experiments anything something what"
    )
)
_POINTERS = frozenset(words("it this that these those its last latest previous same my our"))
_USED = frozenset(
    words(
        "trained train fit fitted built made used use uses using created derived computed "
        "predicted read reads based ran run depend depends"
    )
)
_TAKES_OBJECT = frozenset(words("used use uses read reads consumed"))
"""Verbs whose object follows them directly: 'which models used the loans data'."""
_COLUMN_NOUNS = frozenset(words("column field variable feature attribute"))
_USED_WITH = frozenset(words("on with from using of off upon"))
_ORIGIN = frozenset(words("origin origins provenance source sources upstream lineage ancestry"))
_DOWNSTREAM = frozenset(words("downstream descendants"))
_COME = frozenset(words("come came comes coming originate originated originates"))
_LATEST = frozenset(words("latest newest new current updated fresh freshest recent"))
_SAME = frozenset(words("same original identical exact very"))
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "original": 1,
    "initial": 1,
}
_PREVIOUS = frozenset(words("previous earlier prior older"))
_RUN_NUMBER = re.compile(
    r"\b(?:run|model|job|training)s?\s*(?:number\s*|no\.?\s*|#\s*)?(\d+)\b|#(\d+)\b", re.I
)
_V_NUMBER = re.compile(r"\bv(\d+)\b", re.I)


@dataclass(frozen=True)
class HistoryRead:
    """What a message about history asks: a tool call, or a question back when it points at
    nothing there is (no run in the conversation, no dataset in focus)."""

    call: tuple[str, dict[str, Any]] | None = None
    question: str | None = None


@dataclass(frozen=True)
class Focus:
    """The datasets the conversation knows by name, the one in focus, and its version."""

    names: Sequence[str]
    current: str | None
    version: int = 1
    """The latest version of the dataset in focus."""


def read_history(text: str, runs: Sequence[RunRef], focus: Focus) -> HistoryRead | None:
    """The history request `text` makes, if it makes one: retrain, restore, or a lineage
    question; None for anything else (it is planned as usual)."""
    tokens = [t for t in tokenize(text) if t.kind != "punct" or t.text in "#"]
    said = [t.text for t in tokens if t.is_word]
    if not said:
        return None
    stems = {stem(w) for w in said}
    if _restores(said, stems):
        read: HistoryRead | None = _restore(text, tokens, focus)
    elif _retrains(said, stems):
        read = _retrain(text, tokens, runs, focus)
    else:
        read = _lineage(text, tokens, runs, focus)
    return read if read is not None and (read.call or read.question) else None


def _restores(said: list[str], stems: set[str]) -> bool:
    """'restore version 3', 'roll back to v2', 'go back to the first version'."""
    if not stems & {"version"} and not any(_V_NUMBER.fullmatch(w) for w in said):
        return False
    if set(said) & _RESTORE:
        return True
    return any(w in _BACK_VERBS and "back" in said[i + 1 : i + 3] for i, w in enumerate(said))


def _retrains(said: list[str], stems: set[str]) -> bool:
    """'retrain run 12', 're-train it on the new data', 'train that model again'."""
    if set(said) & _RETRAIN:
        return True
    for i, word in enumerate(said):
        if word == "re" and i + 1 < len(said) and said[i + 1] in _TRAIN_VERBS:
            return True
        if word in _TRAIN_VERBS and set(said[i + 1 : i + 8]) & _AGAIN:
            return True
    return False


def _restore(text: str, tokens: list[Token], focus: Focus) -> HistoryRead:
    dataset = _dataset_named(tokens, focus)
    if dataset is None:
        return HistoryRead(
            question="Which dataset's version should I restore? Pick a dataset "
            "or name it, e.g. 'restore version 2 of penguins'."
        )
    version = _version(text, tokens, focus if dataset == focus.current else Focus((), None))
    if not isinstance(version, int):
        return HistoryRead(
            question=f"Which version of {dataset} should I restore? Give its number, e.g. "
            "'restore version 2'."
        )
    if dataset == focus.current and version >= focus.version:
        said = "is the latest already" if version == focus.version else "does not exist yet"
        return HistoryRead(
            question=f"Version {version} of {dataset} {said}: its versions are 1 to "
            f"{focus.version}: say 'restore version N' with the one to bring back."
        )
    return HistoryRead(call=("restore_version", {"dataset": {"name": dataset}, "version": version}))


def _retrain(text: str, tokens: list[Token], runs: Sequence[RunRef], focus: Focus) -> HistoryRead:
    if algorithms_named(text) - {str(r.config.get("algorithm")) for r in runs}:
        return HistoryRead()  # 'retrain with lightgbm': a new plan, not the same run again
    pointers = {
        m.start(g)
        for m in (*_RUN_NUMBER.finditer(text), *_V_NUMBER.finditer(text))
        for g in (1, 2)
        if g <= (m.re.groups or 0) and m.start(g) >= 0
    }
    versions = [
        t.start
        for i, t in enumerate(tokens)
        if t.kind == "number" and i > 0 and stem(tokens[i - 1].text) == "version"
    ]
    if any(
        t.kind == "number" and t.start not in pointers and t.start not in versions for t in tokens
    ):
        return HistoryRead()  # 'run it again with 500 trees': a change to plan, not a repeat
    run = _run_meant(text, runs)
    if run is None:
        return HistoryRead(
            question="Which run should I retrain? Give its number, e.g. "
            "'retrain run 12 on the latest data'."
        )
    version = _version(text, tokens, focus)
    data: str | int = version if version is not None else _data_choice(tokens)
    return HistoryRead(call=("retrain_run", {"run_id": run, "data": data}))


def _lineage(
    text: str, tokens: list[Token], runs: Sequence[RunRef], focus: Focus
) -> HistoryRead | None:
    said = [t.text for t in tokens if t.is_word]
    opening = next((w for w in said if w not in _FILLERS), "")
    if opening not in _ASKING and not set(said) & (_ORIGIN | _DOWNSTREAM):
        return None
    direction = _direction(said)
    if direction is None:
        return None
    if not _points_at_something(said, text, tokens, focus):
        return None  # 'what is the source column?': no model or data to trace
    run = _run_meant(text, runs, pronouns=direction != "downstream")
    dataset = _dataset_named(tokens, focus)
    data_pointed = _points_at_data(said) or (dataset is not None and dataset != focus.current)
    if direction == "downstream" or (data_pointed and not _points_at_model(said, text)):
        if dataset is None:
            if run is not None:
                return HistoryRead(call=("trace_lineage", {"run_id": run, "direction": direction}))
            return HistoryRead(question="Which dataset do you mean? Pick one or name it.")
        args: dict[str, Any] = {"dataset": {"name": dataset}, "direction": direction}
        version = _version(text, tokens, focus if dataset == focus.current else Focus((), None))
        if isinstance(version, int):
            args["version"] = version
        return HistoryRead(call=("trace_lineage", args))
    if run is None:
        return HistoryRead(
            question="Which model do you mean? Give its run number, e.g. 'where "
            "did run 12's data come from?'."
        )
    return HistoryRead(call=("trace_lineage", {"run_id": run, "direction": direction}))


def _direction(said: list[str]) -> str | None:
    """upstream for where something came from, downstream for what was made from it, both
    for its lineage; None when the message asks neither."""
    words_said = set(said)
    if words_said & _DOWNSTREAM:
        return "downstream"
    comes = any(w in _COME and "from" in said[i + 1 : i + 4] for i, w in enumerate(said))
    if comes or ("where" in words_said and "from" in words_said):
        return "upstream"
    origin = [i for i, w in enumerate(said) if w in _ORIGIN - {"lineage"}]
    # 'the source column' names a column; 'the source of this model' asks where it came from
    if any(i + 1 == len(said) or stem(said[i + 1]) not in _COLUMN_NOUNS for i in origin):
        return "upstream"
    asked = _asked_noun(said)
    used = [i for i, w in enumerate(said) if w in _USED]
    if asked == "data" and used:
        return "upstream"  # 'what data was this model trained on', 'which version did it use'
    opening = next((w for w in said if w not in _FILLERS), "")
    if asked != "model" and opening not in _ASKS_WHAT:
        used = []  # 'which algorithm predicts best, don't use X' asks for no trained thing
    for i in used:
        before = said[max(0, i - 5) : i]
        # a verb at the end, as German puts it: 'what was with this file trained?'
        ends_the_question = asked != "data" and said[0] in {"what", "which"}
        if (
            ends_the_question
            and set(before) & _USED_WITH
            and {stem(w) for w in before} & _DATA_NOUNS
        ):
            return "downstream"
        after = said[i + 1 : i + 3]
        if (set(after) & _USED_WITH or said[i] in _TAKES_OBJECT) and asked != "data":
            rest = said[i + 1 : i + 6]
            if {stem(w) for w in rest} & _DATA_NOUNS or _names_a_thing(rest):
                return "downstream"  # 'what was trained on this file', 'models built from it'
    if "lineage" in words_said:
        return "both"
    return None


def _names_a_thing(rest: list[str]) -> bool:
    """Words after 'trained on' that point at something: 'it', 'this', a name."""
    content = [w for w in rest if w not in _USED_WITH and w not in {"the", "a", "an"}]
    return bool(content) and content[0] not in {"what", "which"}


def _asked_noun(said: list[str]) -> str | None:
    """What a what/which question asks for: 'data' ('which dataset', 'what data') or 'model'
    ('which models', 'what runs'); None for neither."""
    for i, word in enumerate(said):
        if word in {"what", "which", "whats"}:
            for near in said[i + 1 : i + 3]:
                if stem(near) in _DATA_NOUNS:
                    return "data"
                if stem(near) in _MODEL_NOUNS - {"what"}:
                    return "model"
            return None
    return None


def _points_at_data(said: list[str]) -> bool:
    """'this file', 'that dataset', 'the data': a dataset pointed at rather than asked for."""
    return any(
        stem(w) in _DATA_NOUNS
        and i > 0
        and said[i - 1] in _POINTERS | {"the"}
        and (i < 2 or said[i - 2] not in {"what", "which"})
        for i, w in enumerate(said)
    )


def _points_at_something(said: list[str], text: str, tokens: list[Token], focus: Focus) -> bool:
    """Whether the message points at a model, a run or some data to trace."""
    named = {stem(t.text) for t in tokens if t.is_word}
    datasets = any({stem(w) for w in name_words(n)} <= named for n in focus.names)
    return (
        _points_at_model(said, text) or _points_at_data(said) or datasets
        or bool(algorithms_named(text)) or bool(set(said) & {"it", "its", "this", "that"})
        or bool({stem(w) for w in said} & (_DATA_NOUNS | {"model", "run"}))
    )  # fmt: skip


def _points_at_model(said: list[str], text: str) -> bool:
    return bool(_RUN_NUMBER.search(text)) or any(
        stem(w) in {"model", "run"} and i > 0 and said[i - 1] in _POINTERS | {"the"}
        for i, w in enumerate(said)
    )


def _run_meant(text: str, runs: Sequence[RunRef], pronouns: bool = True) -> int | None:
    """The run a message points to: by number, by an algorithm the conversation's runs used,
    else (`pronouns`) the conversation's last model run."""
    found = _RUN_NUMBER.search(text)
    if found:
        return int(found.group(1) or found.group(2))
    models = [r for r in runs if r.tool in MODEL_TOOLS]
    named = algorithms_named(text)
    for run in reversed(models):
        if str(run.config.get("algorithm")) in named:
            return run.run_id
    if pronouns and models:
        return models[-1].run_id
    return None


def _dataset_named(tokens: list[Token], focus: Focus) -> str | None:
    """The dataset the message names (all the words of its name), else the one in focus."""
    said = {stem(t.text) for t in tokens if t.is_word}
    named = [n for n in focus.names if (ws := {stem(w) for w in name_words(n)}) and ws <= said]
    if len(named) == 1:
        return named[0]
    longest = sorted(named, key=lambda n: -len(name_words(n)))
    if len(longest) > 1 and len(name_words(longest[0])) > len(name_words(longest[1])):
        return longest[0]
    return focus.current


def _version(text: str, tokens: list[Token], focus: Focus) -> int | str | None:
    """The version a message names: 'version 3', 'v3', 'the second version', 'the previous
    version' (before the focus's), 'the latest version' ('latest'); None for none."""
    found = _V_NUMBER.search(text)
    if found:
        return int(found.group(1))
    for i, token in enumerate(tokens):
        if stem(token.text) != "version":
            continue
        after = tokens[i + 1 : i + 3]
        number = next((t for t in after if t.kind == "number"), None)
        if number is not None and (after[0].kind == "number" or after[0].text in {"no", "#"}):
            return int(float(number.text.replace(",", "")))
        before = [t.text for t in tokens[max(0, i - 3) : i]]
        for word in reversed(before):
            if word in _ORDINALS:
                return _ORDINALS[word]
            if word in _PREVIOUS and focus.current is not None:
                return max(1, focus.version - 1)
            if word in _LATEST or word == "last":
                return "latest"
            if word in _SAME:
                return "same"
    return None


def _data_choice(tokens: list[Token]) -> str:
    """'latest' or 'same': which data a retrain's message wants, 'latest' unless it says the
    same or original data."""
    said = [t.text for t in tokens if t.is_word]
    for i, word in enumerate(said):
        if word in _SAME and {stem(w) for w in said[i + 1 : i + 3]} & _DATA_NOUNS:
            return "same"
    return "latest"
