"""Did-you-mean suggestions for names a person typed (columns, algorithms, metrics)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process, utils

# Below this similarity (0-100) a suggestion confuses more than it helps.
_MIN_SCORE = 70.0
# A listing longer than this is cut: the detail must stay readable in a chat.
_MAX_LISTED = 40


def closest_name(word: str, choices: Iterable[str]) -> str | None:
    """The choice most similar to `word` (case-insensitive), or None when nothing is close."""
    match = process.extractOne(
        word,
        list(choices),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=_MIN_SCORE,
    )
    return None if match is None else str(match[0])


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`"; did you mean 'x'?"` for the closest choice, or `"."` when none is close."""
    suggestion = closest_name(word, choices)
    return f"; did you mean '{suggestion}'?" if suggestion is not None else "."


def name_list(names: Sequence[str]) -> str:
    """The names joined by commas, cut after the first few dozen."""
    shown = ", ".join(names[:_MAX_LISTED])
    more = len(names) - _MAX_LISTED
    return f"{shown}, … ({more} more)" if more > 0 else shown
