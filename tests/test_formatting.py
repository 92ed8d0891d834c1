"""The text of numbers and intervals that every table, report, plot and exercise shows."""

from __future__ import annotations

import math

import pytest

from simulator.formatting import interval_text, number_text


@pytest.mark.parametrize("value, text", [
    (None, "-"), (math.nan, "-"), (0, "0"), (math.inf, "∞"), (-math.inf, "-∞"),
    (0.332, "0.332"), (1, "1"), (216.23, "216.2"), (-45.2, "-45.2"),
    (2655.3, "2,655"), (24017, "24.02k"), (760012, "760k"),
    (332.8e6, "332.8M"), (5.24e9, "5.24G"), (1.2345e-5, "1.234e-05"), (3e16, "3e+16"),
])
def test_four_significant_digits_grouped_or_with_a_suffix(value, text):
    assert number_text(value) == text


def test_rounding_decides_the_form():
    """999.96 is 1,000 at four digits and 9,999.6 ten thousand: never ``1000`` or ``1000k``."""
    assert number_text(999.96) == "1,000"
    assert number_text(9_999.6) == "10k"
    assert number_text(999_960) == "1M"
    assert number_text(999.96e6) == "1G"


def test_fewer_digits_and_signs():
    assert number_text(2655.3, 3) == "2,660"
    assert number_text(12.0, sign=True) == "+12"
    assert number_text(-12.0, sign=True) == "-12"
    assert number_text(0.0, sign=True) == "0"


def test_intervals_use_a_dash_only_where_it_cannot_read_as_a_minus():
    assert interval_text(0.2917, 0.3739, 3) == "0.292–0.374"
    assert interval_text(0.9924, 1.0) == "0.9924–1"
    assert interval_text(-98.0, 8.0) == "-98 to 8"
    assert interval_text(-98.0, 8.0, 3, sign=True) == "-98 to +8"
    assert interval_text(math.nan, math.nan) == "-"
