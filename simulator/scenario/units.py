"""Quantities with units, parsed once at load time.

Scenario files give physical values as strings such as ``57 m``, ``8.2 km^3`` or
``60 km/h``. Each is first matched against a strict pattern (a number, then a unit
expression of unit names, ``*``, ``/`` and one-digit powers), so that pint never sees
arithmetic such as ``9**9**9 m``; it is then parsed with pint, checked against the
dimension the field expects, converted to an SI float (metres, seconds, cubic metres,
watts) and refused unless it is finite and within the largest magnitude that kind of
quantity can meaningfully have. After loading, nothing in the project handles units
again.

Importing pint and building its registry costs most of a second, which every
``infrasim run`` paid before its first replication. So each conversion pint makes is
remembered in a small file in the user's cache folder (one per pint version), and a
later process that meets the same text for the same dimension takes pint's answer from
there without loading pint: the numbers are pint's, only not computed again. Text that
pint refuses is never remembered, so every error message still comes from pint.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from .errors import shown


@dataclass(frozen=True)
class Dimension:
    """A kind of quantity a scenario field takes.

    Attributes:
        pint: the pint dimensionality, e.g. ``[length] / [time]``.
        example: a value a person can copy when the file gives the wrong kind.
        largest_si: the largest magnitude, in SI units, the quantity can meaningfully have.
        largest_text: that magnitude as a person reads it, with the reason for it.
    """

    pint: str
    example: str
    largest_si: float
    largest_text: str


# The dimensions the schema uses. The largest magnitudes are far beyond any scenario and
# keep every computation downstream finite (a breach flow grows as volume^0.3 height^1.2).
DIMENSIONS: dict[str, Dimension] = {
    "length": Dimension("[length]", "'57 m'", 4e7, "40,000 km (the Earth's circumference)"),
    "area": Dimension("[length] ** 2", "'415 km^2'", 5.1e14,
                      "510 million km^2 (the Earth's surface)"),
    "volume": Dimension("[length] ** 3", "'8.2 km^3'", 1.4e18,
                        "1.4 billion km^3 (all the water on Earth)"),
    "time": Dimension("[time]", "'6 h'", 36_525 * 86_400.0, "100 years"),
    "speed": Dimension("[length] / [time]", "'60 km/h'", 343.0,
                       "343 m/s (the speed of sound)"),
    "discharge": Dimension("[length] ** 3 / [time]", "'11000 m^3/s'", 1e8,
                           "100 million m^3/s (beyond any flood known)"),
    "power": Dimension("[power]", "'660 MW'", 1e14, "100 TW (five times the world's energy use)"),
    "rate": Dimension("1 / [time]", "'0.05 /h'", 1.0, "1 /s (one per second)"),
    "dimensionless": Dimension("[]", "0.3 or '30 %'", 1e9, "1e9"),
}
DIMENSIONLESS = "dimensionless"

# A quantity as text: a number, then a unit expression. Unit names are words (or '%'),
# joined by '*', '/' or a space, each with an optional one-digit power ('^3', '**-1'); a
# leading '/' reads as 'per' ('0.05 /h'). Nothing else reaches pint, nor anything longer
# than MAX_QUANTITY_CHARS. The pattern is matched against stripped text, so that no run of
# spaces can be split two ways (which would make the match time grow as its square).
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?i:nan|inf(?:inity)?)"
_FACTOR = r"(?:[^\W\d]\w*|%)(?:\s*(?:\^|\*\*)\s*[-+]?\d)?"
_UNIT = rf"(?:/\s*)?{_FACTOR}(?:(?:\s*[*/]\s*|\s+){_FACTOR})*"
_QUANTITY = re.compile(rf"(?:{_NUMBER})(?:\s*(?:{_UNIT}))?")
MAX_QUANTITY_CHARS = 100  # pint's time grows with the square of a unit name's length
_UNIT_SYNTAX = (
    f"one number and a unit such as 'm', 'km/h' or 'm^3/s', at most {MAX_QUANTITY_CHARS} "
    "characters (no arithmetic)"
)


def _label(dimension: str) -> str:
    return "a plain number" if dimension == DIMENSIONLESS else f"a {dimension}"


REMEMBERED_MAX = 4096  # conversions kept in the cache file, at most


def _remembered_path() -> Path | None:
    """The file of remembered conversions for the installed pint (None without pint
    or without a home folder)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        pint_version = version("pint")
    except PackageNotFoundError:
        return None
    try:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home folder to find: nothing is remembered
        return None
    return root / "infrasim" / f"quantities-v2-pint-{pint_version}.json"


@dataclass
class _Remembered:
    """Conversions pint made: ``pint dimension:text`` to SI magnitude (before the
    field's limits, which are checked on every use), and whether this
    process added any (then the file is rewritten at exit)."""

    values: dict[str, float]
    changed: bool = False


@cache
def _remembered() -> _Remembered:
    """The conversions pint made in earlier processes, read once. An unreadable or
    malformed file counts as empty."""
    path = _remembered_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    return _Remembered({key: value for key, value in data.items()
                        if isinstance(key, str) and type(value) is float})


def _remember(key: str, si: float) -> None:
    """Keep pint's conversion `si` of `key`; the file is rewritten once, at exit."""
    remembered = _remembered()
    if len(remembered.values) >= REMEMBERED_MAX:
        return
    if not remembered.changed:
        atexit.register(_save_remembered)
        remembered.changed = True
    remembered.values[key] = si


def _save_remembered() -> None:
    """Write the remembered conversions atomically (a temporary file renamed over the
    old one, so a concurrent reader sees one or the other); a cache that cannot be
    written is simply not kept."""
    path = _remembered_path()
    if path is None:
        return
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False,
                                         encoding="utf-8") as handle:
            temporary = handle.name
            json.dump(_remembered().values, handle)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:  # a full disk: leave no half-written file behind
            with contextlib.suppress(OSError):
                os.unlink(temporary)


@cache
def _registry():
    import pint  # deferred: pint costs most of a second to import and build

    registry = pint.UnitRegistry(cache_folder=":auto:")
    return registry


def to_si(value: object, dimension: str) -> float:
    """Parse `value` as a quantity of `dimension` and return its SI magnitude.

    Raises ValueError with a message that says what was expected and what was found.
    A plain number is accepted only for dimensionless fields: a bare ``57`` for a
    height is ambiguous, so it is refused rather than guessed. NaN, infinities and
    magnitudes beyond the dimension's largest meaningful value are refused too.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a number, found {value!r}")
    example = DIMENSIONS[dimension].example
    if isinstance(value, int | float):
        if dimension == DIMENSIONLESS:
            return checked_magnitude(_as_float(value), dimension, shown(value))
        raise ValueError(
            f"expected a {dimension} with units, for example {example}, found bare number {shown(value)}"
        )
    if not isinstance(value, str):
        raise ValueError(
            f"expected {_label(dimension)} such as {example}, found {type(value).__name__}"
        )
    text = value.strip()
    if len(text) > MAX_QUANTITY_CHARS or _QUANTITY.fullmatch(text) is None:
        raise ValueError(
            f"cannot read {shown(value)} as {_label(dimension)}: write {_UNIT_SYNTAX}, "
            f"for example {example}"
        )
    return _text_to_si(text, dimension)


def checked_magnitude(si: float, dimension: str, found: str) -> float:
    """`si` itself if a quantity of `dimension` can have that value.

    Raises ValueError, naming `found` (what the file wrote, as a message shows it), if
    `si` is NaN, infinite or beyond the largest magnitude of the dimension.
    """
    if math.isnan(si):
        raise ValueError(f"expected {_label(dimension)}, found {found}, which is not a number")
    largest = DIMENSIONS[dimension]
    if not abs(si) <= largest.largest_si:
        raise ValueError(
            f"{found} is out of range: the magnitude of {_label(dimension)} can be at most "
            f"{largest.largest_text}"
        )
    return si


def _as_float(number: int | float) -> float:
    """`number` as a float; an integer too large for one becomes infinity, which
    `checked_magnitude` then refuses."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def _si_magnitude(quantity) -> float:
    """The magnitude of a pint quantity in SI base units; infinity where that is too large
    for a float (a huge integer times a unit factor), which `checked_magnitude` refuses."""
    try:
        return float(quantity.to_base_units().magnitude)
    except OverflowError:
        return math.inf


@lru_cache(maxsize=8192)
def _text_to_si(value: str, dimension: str) -> float:
    """`to_si` for text that has the form of a quantity, cached: a file's variants and
    exercise options are validated as whole scenarios, so the same strings are parsed
    many times (pint takes ~1 ms). A conversion pint made in an earlier process is
    taken from the remembered ones (see the module docstring)."""
    pint_dimension, example = DIMENSIONS[dimension].pint, DIMENSIONS[dimension].example
    key = f"{pint_dimension}:{value}"
    remembered = _remembered().values.get(key)
    if remembered is not None:  # pint's magnitude; the field's own limits still apply
        return checked_magnitude(remembered, dimension, shown(value))
    try:
        quantity = _registry().Quantity(value)
    except Exception as error:  # pint raises many types for unparsable text
        unknown = getattr(error, "unit_names", None)
        reason = f"unknown unit '{unknown[0]}'" if unknown else "not a number with a unit"
        raise ValueError(
            f"cannot read {shown(value)} as {_label(dimension)}: {reason}; "
            f"write a number and a unit, for example {example}"
        ) from None
    if not quantity.check(pint_dimension):
        found = "a plain number" if quantity.dimensionless else f"a {quantity.dimensionality}"
        hint = (
            " ('m' is metres; write 'min' for minutes)"
            if dimension == "time" and value.endswith(" m")
            else ""
        )
        raise ValueError(
            f"expected {_label(dimension)} (for example {example}), found {shown(value)} "
            f"which is {found}{hint}"
        )
    magnitude = float(f"{_si_magnitude(quantity):.15g}")  # drop float noise from unit factors
    _remember(key, magnitude)
    return checked_magnitude(magnitude, dimension, shown(value))
