"""Time constants and the text of times, shared by every layer that shows a number.

A leaf module (standard library only), so the engine, the analysis, reports and the
exercise all read ``+1 04:30`` and ``2014-06-22 10:30`` the same way and ``HOUR_S`` is
defined once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["HOUR_S", "clock_text", "elapsed_text"]

HOUR_S = 3600.0


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
