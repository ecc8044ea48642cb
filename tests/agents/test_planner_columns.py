"""Loose column names: units dropped, plurals, synonyms, abbreviations, typos, ambiguity."""

from __future__ import annotations

import pytest

from agents.planner.columns import ColumnIndex
from agents.planner.text import tokenize
from ml_backend.schema import ColumnKind, ColumnProfile, DatasetProfile


def _column(
    name: str, kind: ColumnKind, dtype: str = "double", distinct: int = 50
) -> ColumnProfile:
    return ColumnProfile(name=name, dtype=dtype, kind=kind, missing=0, distinct=distinct)


PROFILE = DatasetProfile(
    row_count=500,
    columns=[
        _column("customer_id", ColumnKind.IDENTIFIER, "string", 500),
        _column("age_years", ColumnKind.NUMERIC, "int64"),
        _column("annual_income_usd", ColumnKind.NUMERIC),
        _column("signup_date", ColumnKind.DATETIME, "timestamp[ms]", 400),
        _column("bill_length_mm", ColumnKind.NUMERIC),
        _column("flipper_length_mm", ColumnKind.NUMERIC),
        _column("body_mass_g", ColumnKind.NUMERIC),
        _column("bmi", ColumnKind.NUMERIC),
        _column("churned", ColumnKind.BOOLEAN, "bool", 2),
    ],
)
INDEX = ColumnIndex(PROFILE)


def _named(text: str) -> list[tuple[str, ...]]:
    return [m.columns for m in INDEX.mentions(tokenize(text), set(), full_only=False, message=text)]


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("bill length", "bill_length_mm"),
        ("the length of the bill", "bill_length_mm"),
        ("income", "annual_income_usd"),
        ("salary", "annual_income_usd"),
        ("age", "age_years"),
        ("body mass", "body_mass_g"),
        ("weight", "body_mass_g"),
        ("body_mass_g", "body_mass_g"),
        ("flipper lengths", "flipper_length_mm"),
        ("flipper lenght", "flipper_length_mm"),
        ("body mass index", "bmi"),
        ("churn", "churned"),
        ("sign up date", "signup_date"),
        ("customer id", "customer_id"),
    ],
)
def test_loose_words_name_one_column(text: str, column: str) -> None:
    assert _named(text) == [(column,)]


def test_columns_are_found_in_the_order_spoken() -> None:
    assert _named("bill length vs flipper length and age") == [
        ("bill_length_mm",),
        ("flipper_length_mm",),
        ("age_years",),
    ]


def test_a_word_that_fits_two_columns_equally_is_ambiguous() -> None:
    (mention,) = INDEX.mentions(tokenize("length"), set(), full_only=False, message="length")

    assert mention.ambiguous
    assert set(mention.columns) == {"bill_length_mm", "flipper_length_mm"}


def test_the_people_in_the_rows_are_not_their_identifier() -> None:
    assert _named("how many customers signed up") == []


def test_nearest_columns_for_a_misspelt_name() -> None:
    assert INDEX.nearest("anual incom")[0] == "annual_income_usd"
