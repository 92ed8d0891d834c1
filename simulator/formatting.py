"""Time constants and the text of times and numbers, shared by every layer that shows one.

A leaf module (standard library only at import), so the engine, the analysis, reports,
plots and the exercise all read ``+1 04:30``, ``2014-06-22 10:30``, ``2,655`` and
``332.8M`` the same way, ``HOUR_S`` is defined once, and text from data goes to the
terminal through one door (`terminal_text`).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

__all__ = ["HOUR_S", "clock_text", "elapsed_text", "interval_text", "number_text",
           "terminal_text"]

HOUR_S = 3600.0
_SUFFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1


def elapsed_text(time_s: float) -> str:
    """Elapsed time as ``+D hh:mm`` (days, then hours and minutes, to the minute)."""
    minutes = int(round(time_s / 60.0))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"+{days} {hours:02d}:{minutes:02d}"


def clock_text(start: datetime, time_s: float) -> str:
    """The scenario's local clock at `time_s` after `start`, to the minute."""
    moment = start + timedelta(seconds=round(time_s / 60.0) * 60.0)
    return moment.strftime("%Y-%m-%d %H:%M")


def number_text(value: float | None, digits: int = 4, *, sign: bool = False) -> str:
    """A number for people to read, rounded to `digits` significant digits.

    Thousands are grouped (``2,655``); ten thousand and more take a suffix k, M, G or T
    (``24.02k``, ``332.8M``), which keeps a table of many outcomes within 80 columns;
    magnitudes below 0.001 or of 1e15 and more are scientific. A missing value (None or
    NaN) is ``-``, zero is ``0``, infinity ``∞``.

    Args:
        value: The number, or None when there is none.
        digits: Significant digits: 4 for tables, 3 where space is short (plot labels,
            the exercise's forecast table).
        sign: Put ``+`` before a positive number (for differences).

    Returns:
        The text, e.g. ``0.332``, ``216.2``, ``2,655``, ``24.02k``, ``5.24G`` or ``+1,070``.
    """
    if value is None or math.isnan(value):
        return "-"
    if value == 0:
        return "0"
    size = abs(float(value))
    rounded = float(f"{size:.{digits}g}")  # decides the form after rounding (999.96 -> 1,000)
    if math.isinf(size):
        text = "∞"
    elif rounded < 1e-3 or rounded >= 1e15:
        text = f"{size:.{digits}g}"
    elif rounded < 1e3:
        text = f"{rounded:.{digits}g}"
    elif rounded < 1e4:
        text = f"{rounded:,.0f}"
    else:
        scale, suffix = next((scale, suffix) for scale, suffix in _SUFFIXES if rounded >= scale)
        text = f"{rounded / scale:.{digits}g}{suffix}"
    if value < 0:
        return "-" + text
    return "+" + text if sign else text


def interval_text(low: float, high: float, digits: int = 4, *, sign: bool = False) -> str:
    """A confidence interval as ``0.292–0.374``, or as ``-98 to +8``.

    The dash gives way to "to" where it could be read as a minus sign (a bound is
    negative, or `sign` is set); a missing bound gives ``-``.

    Args:
        low: The lower bound.
        high: The upper bound.
        digits: Significant digits of each bound, as in `number_text`.
        sign: Put ``+`` before positive bounds (for differences).

    Returns:
        The text of the interval.
    """
    if math.isnan(low) or math.isnan(high):
        return "-"
    separator = " to " if sign or low < 0 or high < 0 else "–"
    return (number_text(low, digits, sign=sign) + separator
            + number_text(high, digits, sign=sign))


def terminal_text(text: object) -> str:
    """`text` from data (a scenario, a run, a script), safe to give rich as markup.

    Square brackets are escaped, so ``Dam [/] x`` and ``[red]`` print as written instead
    of failing or styling, and control characters (escape sequences, carriage returns,
    bells) are dropped, so nothing in the data can drive the terminal. Every table
    title, cell and line that rich prints and that holds such text passes through here.
    """
    from rich.markup import escape

    return escape(_CONTROL.sub("", str(text)))
