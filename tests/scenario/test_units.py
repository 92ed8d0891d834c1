"""Quantities with units become SI floats; the wrong dimension is refused."""

import math
import re

import pytest

from simulator.scenario.units import to_si


@pytest.mark.parametrize(
    ("text", "dimension", "si"),
    [
        ("57 m", "length", 57.0),
        ("8.2 km^3", "volume", 8.2e9),
        ("60 km/h", "speed", 60 / 3.6),
        ("660 MW", "power", 6.6e8),
        ("6 h", "time", 21600.0),
        ("2 d", "time", 172800.0),
        ("11000 m^3/s", "discharge", 11000.0),
        ("415 km^2", "area", 4.15e8),
        ("0.05 /h", "rate", 0.05 / 3600),
        ("30 %", "dimensionless", 0.3),
        (0.4, "dimensionless", 0.4),
        ("2 m**3/s", "discharge", 2.0),
        ("3 m^3 / s", "discharge", 3.0),
        ("1 km*h^-1", "speed", 1 / 3.6),
        ("36 km h**-1", "speed", 10.0),
        ("1.5e3 m", "length", 1500.0),
        (".5 km", "length", 500.0),
        ("-20 m", "length", -20.0),
        ("40000 km", "length", 4e7),
    ],
)
def test_parses_to_si(text, dimension, si):
    assert to_si(text, dimension) == pytest.approx(si, rel=1e-12)


@pytest.mark.parametrize(
    ("value", "dimension", "message"),
    [
        ("6 m", "time", "write 'min' for minutes"),
        (57, "length", "bare number"),
        ("57 blorps", "length", "cannot read"),
        ("5 kg", "dimensionless", "[mass]"),
        (True, "length", "expected a number"),
        ("nan km", "length", "found 'nan km', which is not a number"),
        ("5 nan", "dimensionless", "which is not a number"),
        (math.nan, "dimensionless", "found nan, which is not a number"),
        ("inf km", "length", "'inf km' is out of range"),
        ("-inf h", "time", "'-inf h' is out of range: the magnitude of a time can be at most 100 years"),
        ("1e308 km", "length", "the magnitude of a length can be at most 40,000 km"),
        ("40001 km", "length", "out of range"),
        pytest.param(10**400, "dimensionless", "out of range: the magnitude of a plain number",
                     id="int 10^400"),
        pytest.param("1" + "0" * 90 + " km", "length", "out of range", id="1e90 km in digits"),
        pytest.param("1" + "0" * 400 + " km", "length", "at most 100 characters",
                     id="1e400 km in digits"),
        ("2**2000 m", "length", "(no arithmetic)"),
        ("(1 + 2) m", "length", "(no arithmetic)"),
        ("1 m^99", "volume", "(no arithmetic)"),
        ("57 m; import os", "length", "(no arithmetic)"),
    ],
)
def test_refuses_wrong_input(value, dimension, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        to_si(value, dimension)


def test_long_text_is_refused_before_pint_and_cut_in_the_message():
    """pint's time grows with the square of a unit name's length (100,000 letters: 80 s)."""
    with pytest.raises(ValueError, match="at most 100 characters") as error:
        to_si("1 " + "m" * 5_000, "length")
    assert len(str(error.value)) < 300
