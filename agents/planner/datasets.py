"""Which dataset a message is about: the one it names ('in the penguins dataset', 'on the
loans table'), else the one in focus, else the only one whose columns it names."""

from __future__ import annotations

from collections.abc import Sequence

from agents.planner.columns import column_index
from agents.planner.text import Token, name_words, stem, tokenize
from ml_backend.schema import DatasetProfile

_DATA_NOUNS = frozenset(stem(w) for w in ("data", "dataset", "table", "file", "sheet", "sample"))


def _called_data(tokens: list[Token], words: set[str]) -> bool:
    at = [i for i, t in enumerate(tokens) if stem(t.text) in words]
    return any(
        stem(tokens[j].text) in _DATA_NOUNS
        for i in at
        for j in range(max(0, i - 3), min(len(tokens), i + 3))
    )


def _fit(text: str, tokens: list[Token], profile: DatasetProfile) -> int:
    """How well the message's words fit the table: columns named in full, twice for a
    column named exactly as it is ('applicant_age', not just 'age')."""
    found = column_index(profile).mentions(tokens, set(), full_only=False, message=text)
    score = 0
    for mention in found:
        begin, end = tokens[mention.start].start, tokens[mention.end - 1].end
        inside = text[begin - 1 : begin] == "_" or text[end : end + 1] == "_"
        if not mention.full or inside:
            continue  # 'age' inside 'applicant_age' names that column, not another's Age
        exact = mention.column and name_words(mention.text) == name_words(mention.column)
        score += 2 if exact else 1
    return score


def dataset_meant(
    text: str, datasets: Sequence[tuple[str, DatasetProfile]], focus: str | None
) -> str | None:
    """The name of the dataset `text` is about, among `datasets` (name, profile); None when
    it names none and there is no focus to fall back on and no one table it fits."""
    tokens = tokenize(text)
    said = {stem(t.text) for t in tokens if t.is_word}
    named = [
        name
        for name, _ in datasets
        if (words := {stem(w) for w in name_words(name)})
        and words <= said
        # with a dataset in focus, a word of another's name ('energy') is only a word unless
        # the data is spoken of ('the energy dataset', 'on the loans table')
        and (focus is None or _called_data(tokens, words))
    ]
    if len(named) == 1:
        return named[0]
    if focus is not None:
        return focus
    fits = {name: _fit(text, tokens, profile) for name, profile in datasets}
    best = max(fits.values(), default=0)
    chosen = [name for name, count in fits.items() if count == best]
    return chosen[0] if best > 0 and len(chosen) == 1 else None
