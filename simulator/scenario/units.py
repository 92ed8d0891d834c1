"""Quantities with units, parsed once at load time.

Scenario files give physical values as strings such as ``57 m``, ``8.2 km^3`` or
``60 km/h``. They are parsed here with pint, checked against the dimension the field
expects, and converted to SI floats (metres, seconds, cubic metres, watts). After
loading, nothing in the project handles units again.
"""

from __future__ import annotations

from functools import cache, lru_cache

# Dimension names used by the schema, with the pint dimensionality and an example a
# person can copy when the file gives the wrong kind of quantity.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "length": ("[length]", "'57 m'"),
    "area": ("[length] ** 2", "'415 km^2'"),
    "volume": ("[length] ** 3", "'8.2 km^3'"),
    "time": ("[time]", "'6 h'"),
    "speed": ("[length] / [time]", "'60 km/h'"),
    "discharge": ("[length] ** 3 / [time]", "'11000 m^3/s'"),
    "power": ("[power]", "'660 MW'"),
    "rate": ("1 / [time]", "'0.05 /h'"),
    "dimensionless": ("[]", "0.3 or '30 %'"),
}
DIMENSIONLESS = "dimensionless"


def _label(dimension: str) -> str:
    return "a plain number" if dimension == DIMENSIONLESS else f"a {dimension}"


@cache
def _registry():
    import pint  # deferred: pint costs most of a second to import and build

    registry = pint.UnitRegistry(cache_folder=":auto:")
    return registry


def to_si(value: object, dimension: str) -> float:
    """Parse `value` as a quantity of `dimension` and return its SI magnitude.

    Raises ValueError with a message that says what was expected and what was found.
    A plain number is accepted only for dimensionless fields: a bare ``57`` for a
    height is ambiguous, so it is refused rather than guessed.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a number, found {value!r}")
    pint_dimension, example = DIMENSIONS[dimension]
    if isinstance(value, int | float):
        if dimension == DIMENSIONLESS:
            return float(value)
        raise ValueError(
            f"expected a {dimension} with units, for example {example}, found bare number {value!r}"
        )
    if not isinstance(value, str):
        raise ValueError(
            f"expected {_label(dimension)} such as {example}, found {type(value).__name__}"
        )
    if len(value) > _CACHED_LENGTH:
        return _text_to_si.__wrapped__(value, dimension)
    return _text_to_si(value, dimension)


_CACHED_LENGTH = 100  # quantities are short; a long string is parsed, not kept


@lru_cache(maxsize=8192)
def _text_to_si(value: str, dimension: str) -> float:
    """`to_si` for text, cached: a file's variants and exercise options are validated
    as whole scenarios, so the same strings are parsed many times (pint takes ~1 ms)."""
    pint_dimension, example = DIMENSIONS[dimension]
    registry = _registry()
    try:
        quantity = registry.Quantity(value.strip())
    except Exception as error:  # pint raises many types for unparsable text
        unknown = getattr(error, "unit_names", None)
        reason = f"unknown unit '{unknown[0]}'" if unknown else "not a number with a unit"
        raise ValueError(
            f"cannot read {value!r} as {_label(dimension)}: {reason}; "
            f"write a number and a unit, for example {example}"
        ) from None
    if not quantity.check(pint_dimension):
        found = "a plain number" if quantity.dimensionless else f"a {quantity.dimensionality}"
        hint = (
            " ('m' is metres; write 'min' for minutes)"
            if dimension == "time" and value.strip().endswith(" m")
            else ""
        )
        raise ValueError(
            f"expected {_label(dimension)} (for example {example}), found {value!r} "
            f"which is {found}{hint}"
        )
    magnitude = float(quantity.to_base_units().magnitude)
    return float(f"{magnitude:.15g}")  # drop float noise from unit factors
