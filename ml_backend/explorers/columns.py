"""Checks that an exploration's columns exist and suit what the explorer draws."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

from ml_backend.errors import ConfigValidationError
from ml_backend.schema import ColumnKind, ColumnProfile, DatasetProfile

# a numeric column with at most this many distinct values works as a group (e.g. cylinders)
MAX_NUMERIC_GROUP_DISTINCT = 50
_LISTED_COLUMNS = 30
_NUMERIC_STORAGE = ("int", "uint", "float", "double", "halffloat", "decimal")

_HINTS: dict[ColumnKind, str] = {
    ColumnKind.CATEGORICAL: "try a bar chart",
    ColumnKind.BOOLEAN: "try a bar chart",
    ColumnKind.TEXT: "try a bar chart of its most frequent values",
    ColumnKind.DATETIME: "try a line chart with it as x",
    ColumnKind.IDENTIFIER: "it identifies rows, so its values say little; pick another column",
    ColumnKind.NUMERIC: "try a histogram, or a scatter plot with it as color",
}


def suggest(name: str, choices: Sequence[str], limit: int = 3) -> list[str]:
    """Names in `choices` close to `name`, best first."""
    matches = process.extract(
        name,
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=70,
    )
    return [str(match[0]) for match in matches]


def unknown_column(
    name: str, available: Sequence[str], *, explorer: str, field: str = "columns"
) -> ConfigValidationError:
    """The error for a column that the dataset does not have, with a did-you-mean."""
    close = suggest(name, available)
    guess = f" did you mean {_quoted(close)}?" if close else ""
    listed = ", ".join(available[:_LISTED_COLUMNS])
    more = (
        f" and {len(available) - _LISTED_COLUMNS} more" if len(available) > _LISTED_COLUMNS else ""
    )
    return ConfigValidationError(
        f"{explorer}: column '{name}' not found;{guess} Available columns: {listed}{more}.",
        field=field,
    )


def column_profile(
    profile: DatasetProfile, name: str, *, explorer: str, field: str = "columns"
) -> ColumnProfile:
    """The profile of column `name`, or a did-you-mean error; `field` is where it was named."""
    column = profile.column(name)
    if column is None:
        raise unknown_column(name, profile.column_names, explorer=explorer, field=field)
    return column


def is_numeric(column: ColumnProfile) -> bool:
    """Whether a column holds numbers that can be plotted on an axis."""
    if column.kind is ColumnKind.NUMERIC:
        return True
    # an integer id is labelled an identifier but still plots; allow it when named explicitly
    return column.kind is ColumnKind.IDENTIFIER and column.dtype.startswith(_NUMERIC_STORAGE)


def require_numeric(
    profile: DatasetProfile,
    name: str,
    *,
    explorer: str,
    role: str | None = None,
    field: str = "columns",
) -> ColumnProfile:
    """The profile of `name`, which must be numeric."""
    column = column_profile(profile, name, explorer=explorer, field=field)
    if not is_numeric(column):
        purpose = f" for {role}" if role else ""
        raise ConfigValidationError(
            f"{explorer} needs a numeric column{purpose}; '{name}' is {column.kind.value}"
            f" — {_HINTS[column.kind]}.",
            field=field,
        )
    return column


def require_group(
    profile: DatasetProfile, name: str, *, explorer: str, role: str, field: str = "columns"
) -> ColumnProfile:
    """The profile of `name`, which must split rows into a few groups."""
    column = column_profile(profile, name, explorer=explorer, field=field)
    if column.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        return column
    if column.kind is ColumnKind.NUMERIC and column.distinct <= MAX_NUMERIC_GROUP_DISTINCT:
        return column
    raise ConfigValidationError(
        f"{explorer} needs a categorical column for {role}; '{name}' is {column.kind.value}"
        f" with {column.distinct} distinct values. Pick a column with few distinct values"
        f" (categorical, boolean, or numeric with at most {MAX_NUMERIC_GROUP_DISTINCT}).",
        field=field,
    )


def require_count(
    columns: Sequence[str], *, explorer: str, minimum: int, maximum: int, expected: str
) -> None:
    """Checks that `columns` has between `minimum` and `maximum` names; `expected` says which."""
    if not minimum <= len(columns) <= maximum:
        given = ", ".join(f"'{c}'" for c in columns) or "none"
        raise ConfigValidationError(
            f"{explorer} needs {expected}; got {len(columns)} ({given}).", field="columns"
        )
    require_distinct(columns, explorer=explorer)


def require_distinct(columns: Sequence[str], *, explorer: str) -> None:
    """Checks that no column is named twice."""
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise ConfigValidationError(
                f"{explorer}: column '{name}' is listed twice; list each column once.",
                field="columns",
            )
        seen.add(name)


def numeric_column_names(profile: DatasetProfile) -> list[str]:
    """The numeric columns in dataset order (identifiers left out)."""
    return [c.name for c in profile.columns if c.kind is ColumnKind.NUMERIC]


def _quoted(names: Sequence[str]) -> str:
    return " or ".join(f"'{n}'" for n in names)
