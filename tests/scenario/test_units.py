"""Quantities with units become SI floats; the wrong dimension is refused."""

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
    ],
)
def test_refuses_wrong_input(value, dimension, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        to_si(value, dimension)
