"""Numbers as people write them, read into the values they mean."""

from __future__ import annotations

from fractions import Fraction

import pytest

from agents.planner.numbers import find_quantities
from agents.planner.text import tokenize


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.3", 0.3),
        (".05", 0.05),
        ("1e-3", 1e-3),
        ("2.5e2", 250.0),
        ("1k", 1000),
        ("1,000", 1000),
        ("five hundred", 500),
        ("a hundred and fifty", 150),
        ("twenty-five", 25),
        ("one thousand two hundred", 1200),
        ("two thousand", 2000),
        ("a dozen", 12),
        ("a couple of", 2),
    ],
)
def test_numbers_in_digits_and_words(text: str, value: float) -> None:
    (quantity,) = find_quantities(tokenize(text))

    assert quantity.value == pytest.approx(float(value))
    assert quantity.share is None or quantity.value < 1


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("25%", Fraction(1, 4)),
        ("thirty percent", Fraction(3, 10)),
        ("twenty five per cent", Fraction(1, 4)),
        ("a third", Fraction(1, 3)),
        ("a quarter", Fraction(1, 4)),
        ("two thirds", Fraction(2, 3)),
        ("three quarters", Fraction(3, 4)),
        ("half", Fraction(1, 2)),
        ("0.2", Fraction(1, 5)),
    ],
)
def test_shares_equal_the_fraction_they_name(text: str, share: Fraction) -> None:
    (quantity,) = find_quantities(tokenize(text))

    assert quantity.share == pytest.approx(float(share))


def test_whole_numbers_stay_ints_and_decimals_floats() -> None:
    quantities = find_quantities(tokenize("max depth 3, learning rate 1.0, 64 units"))

    assert [q.plain for q in quantities] == [3, 1.0, 64]
    assert [type(q.plain) for q in quantities] == [int, float, int]


def test_a_negative_setting_and_a_ratio_are_told_apart() -> None:
    setting = find_quantities(tokenize("max_depth=-1"))
    ratio = find_quantities(tokenize("a 70-30 split"))

    assert [q.value for q in setting] == [-1.0]
    assert [q.value for q in ratio] == [70.0, 30.0]


def test_list_brackets_are_not_thousands() -> None:
    assert [q.value for q in find_quantities(tokenize("layers [100,200]"))] == [100.0, 200.0]


def test_words_that_are_not_numbers_are_left_alone() -> None:
    assert find_quantities(tokenize("a random forest on the species column")) == []


@pytest.mark.parametrize(("text", "value"), [("3/4", 0.75), ("1/5", 0.2), ("2/3", 2 / 3)])
def test_a_fraction_written_with_a_slash_is_one_share(text: str, value: float) -> None:
    (quantity,) = find_quantities(tokenize(text))

    assert quantity.fraction
    assert quantity.value == pytest.approx(value)


@pytest.mark.parametrize("text", ["80/20", "64/32", "70/15/15", "3 / 4"])
def test_ratios_and_spaced_slashes_are_not_fractions(text: str) -> None:
    assert not any(q.fraction for q in find_quantities(tokenize(text)))
