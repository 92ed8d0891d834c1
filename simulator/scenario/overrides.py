"""Decision-time placeholders in exercise option overrides: ``now`` and ``now + 2 h``.

A tabletop exercise decision takes effect at the moment it is taken, which a trigger
triggered by a town's fall only learns during play. An option's overrides may therefore
write ``now`` (or ``now + <duration>``) wherever a time is expected, for example
``forces: {reserve: {trigger: {time: now}}}``. Before the overrides are merged and
validated, `with_decision_time` replaces each placeholder by the decision time in
seconds, written so that it parses back to a value just after the decision (so nothing
the decision sets in motion can land in the past, nor at the same instant before the
event that triggered the decision). `infrasim validate`
resolves the placeholders at time 0 to check every option.
"""

from __future__ import annotations

import copy
import re
from decimal import ROUND_CEILING, Decimal
from typing import Any

from .errors import Problem, ScenarioError
from .marked_yaml import MarkedData, PathKey

__all__ = ["NOW", "has_placeholder", "seconds_text", "with_decision_time"]

NOW = "now"
_PLACEHOLDER = re.compile(r"^\s*now\s*(?:\+\s*(?P<offset>.+?))?\s*$", re.IGNORECASE)
_SIGNIFICANT = 15  # units.to_si keeps 15 significant digits


def seconds_text(time_s: float) -> str:
    """``'<seconds> s'`` that `units.to_si` reads back as a value just after `time_s`
    (the smallest 15-significant-digit decimal above it; "0 s" at the start), so what a
    decision sets going at "now" happens after the moment of the decision, never before
    it or among the events that led to it (SimPy runs simultaneous events in the order
    they were scheduled, and a trigger time is scheduled at the start)."""
    if time_s <= 0:
        return "0 s"
    value = Decimal(time_s)  # exact binary value
    quantum = Decimal(1).scaleb(value.adjusted() - (_SIGNIFICANT - 1))
    above = value.quantize(quantum, rounding=ROUND_CEILING)
    if float(above) <= time_s:
        above += quantum
    return f"{format(above, 'f')} s"


def _offset_s(text: str) -> float:
    from .units import to_si

    return to_si(text, "time")


def has_placeholder(value: Any) -> bool:
    """Whether `value` (any YAML data) holds a ``now`` placeholder."""
    if isinstance(value, str):
        return _PLACEHOLDER.match(value) is not None
    if isinstance(value, dict):
        return any(has_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(has_placeholder(v) for v in value)
    return False


def _resolve(value: Any, now_s: float, path: PathKey, document: MarkedData,
             problems: list[Problem]) -> Any:
    if isinstance(value, dict):
        return {k: _resolve(v, now_s, path + (k,), document, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, now_s, path + (i,), document, problems) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    match = _PLACEHOLDER.match(value)
    if match is None:
        return value
    offset = match.group("offset")
    if offset is None:
        return seconds_text(now_s)
    try:
        delta_s = _offset_s(offset)
    except ValueError as error:
        problems.append(Problem(document.mark_of(path), f"in {value!r}: {error}"))
        return value
    if delta_s < 0:
        problems.append(Problem(document.mark_of(path),
                                f"in {value!r}: the offset after 'now +' must not be negative"))
        return value
    return seconds_text(now_s + delta_s)


def with_decision_time(document: MarkedData, at: PathKey, now_s: float) -> MarkedData:
    """A copy of `document` whose mapping at path `at` (an option's overrides) has every
    ``now`` / ``now + <duration>`` string replaced by the decision time `now_s` (plus
    the duration) in seconds. Marks are kept, so later errors still point at the file.
    Raises `ScenarioError` for an unreadable duration."""
    data = document.data
    try:
        target = data
        for part in at:
            target = target[part]
    except (KeyError, IndexError, TypeError):
        return document
    if not has_placeholder(target):
        return document
    problems: list[Problem] = []
    resolved = _resolve(target, now_s, tuple(at), document, problems)
    if problems:
        raise ScenarioError(problems)
    copied = copy.deepcopy(data)
    parent = copied
    for part in at[:-1]:
        parent = parent[part]
    parent[at[-1]] = resolved
    return MarkedData(copied, dict(document.value_marks), dict(document.key_marks))
