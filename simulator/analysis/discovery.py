"""Scenario discovery on a run: under which input ranges an event happens, as rules a
decision maker reads.

An event is an outcome of the run, as ``infrasim discover --outcome`` takes it: a yes/no
outcome (``dam_captured``), a time to an event (``capture_h.haditha``: it happened), an
amount or count (``fatalities``: above 0), or any non-yes/no outcome against a
threshold (``fatalities>1000``, ``arrival_h.hit<12``; a time to an event that did not
happen meets no threshold). `discover` runs PRIM (`simulator.analysis.prim`) on the
run's sampled inputs (the ``input.<path>`` columns that vary and are present in every
replication) and `rules` words its boxes with the outcome catalogue's labels and units.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..formatting import HOUR_S, number_text
from .catalogue import PROBABILITY, TIME_TO_EVENT, Catalogue
from .headline import in_sentence, percent_text
from .prim import Box, Limit, PrimResult, prim
from .sensitivity import INPUT_PREFIX, input_names

__all__ = ["Discovery", "DiscoveryError", "Event", "discover", "parse_event", "rules"]

MIN_EVENTS = 20  # fewer events than this, and no rule is sought: too little to go on

_OPERATORS = {">": "over", ">=": "at least", "<": "under", "<=": "at most"}
_EVENT = re.compile(r"^\s*(?P<outcome>[^<>=\s]+)\s*(?:(?P<op><=|>=|<|>)\s*(?P<value>\S+))?\s*$")


class DiscoveryError(ValueError):
    """An event that cannot be read or that the run does not have (one message)."""


@dataclass(frozen=True)
class Event:
    """What to discover: an outcome, and optionally a threshold it passes."""

    outcome: str
    operator: str | None = None  # one of >, >=, <, <=
    threshold: float | None = None

    def happened(self, values: np.ndarray, kind: str) -> np.ndarray:
        """Which replications had the event, from the outcome's column and its kind."""
        values = np.asarray(values, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            if self.operator is None:
                if kind == PROBABILITY:
                    return values > 0.5
                if kind == TIME_TO_EVENT:
                    return ~np.isnan(values)
                return values > 0
            compare = {">": np.greater, ">=": np.greater_equal, "<": np.less,
                       "<=": np.less_equal}[self.operator]
            return compare(values, self.threshold) & ~np.isnan(values)

    def phrase(self, catalogue: Catalogue) -> str:
        """The event in words: ``dam captured``, ``fatalities over 1,000 people``,
        ``flood reaches Hit within 12 h``."""
        entry = catalogue[self.outcome]
        if self.operator is None:
            if entry.kind in (PROBABILITY, TIME_TO_EVENT) and entry.event:
                return entry.event
            return f"{in_sentence(entry.label)} above 0"
        value = number_text(self.threshold, 4) + (f"\u00a0{entry.unit}" if entry.unit else "")
        if entry.kind == TIME_TO_EVENT and entry.event:
            when = "within" if self.operator.startswith("<") else "after"
            return f"{entry.event} {when} {value}"
        return f"{in_sentence(entry.label)} {_OPERATORS[self.operator]} {value}"


def parse_event(text: str, columns: Sequence[str], catalogue: Catalogue) -> Event:
    """The event `text` names, checked against the run's `columns`.

    Raises:
        DiscoveryError: for text that is not ``outcome`` or ``outcome OP number``, an
            outcome the run does not have (naming the closest one it has), a sampled
            input, or a threshold on a yes/no outcome.
    """
    match = _EVENT.match(text)
    if match is None:
        raise DiscoveryError(f"cannot read the event {text!r}: give an outcome id "
                             "(dam_captured) or an outcome, <, <=, > or >= and a number "
                             "(fatalities>1000)")
    outcome = match["outcome"]
    outcomes = [c for c in columns if not c.startswith(INPUT_PREFIX)]
    if outcome.startswith(INPUT_PREFIX):
        raise DiscoveryError(f"'{outcome}' is a sampled input, not an outcome: scenario "
                             "discovery finds the inputs that lead to an outcome")
    if outcome not in outcomes:
        closest = difflib.get_close_matches(outcome, outcomes, n=1, cutoff=0.0)
        hint = f"; the closest it has is '{closest[0]}'" if closest else ""
        raise DiscoveryError(f"the run has no outcome '{outcome}'{hint}")
    if match["op"] is None:
        return Event(outcome)
    if catalogue[outcome].kind == PROBABILITY:
        raise DiscoveryError(f"'{outcome}' is a yes/no outcome: give it without a "
                             f"threshold ('{outcome}')")
    try:
        threshold = float(match["value"].replace(",", "").replace("_", ""))
    except ValueError:
        raise DiscoveryError(f"'{match['value']}' in {text!r} is not a number") from None
    if not math.isfinite(threshold):
        raise DiscoveryError(f"the threshold in {text!r} must be a finite number")
    return Event(outcome, match["op"], threshold)


@dataclass(frozen=True)
class Discovery:
    """PRIM's boxes for one event of a run, with what is needed to word them."""

    event: Event
    phrase: str  # the event in words
    inputs: tuple[str, ...]  # the inputs searched
    result: PrimResult

    @property
    def too_few(self) -> bool:
        """Whether the run has too few events to look for a rule."""
        return self.result.events < MIN_EVENTS


def _searchable(outcomes: Mapping[str, np.ndarray]) -> list[str]:
    """The sampled inputs that vary and have a value in every replication."""
    names = []
    for name in input_names(outcomes):
        values = np.asarray(outcomes[name], dtype=np.float64)
        if values.size and not np.isnan(values).any() and np.ptp(values) > 0:
            names.append(name)
    return names


def discover(outcomes: Mapping[str, np.ndarray], event: Event, catalogue: Catalogue,
             **options: float) -> Discovery:
    """PRIM's boxes for `event` over the run's varying inputs; `options` go to
    `simulator.analysis.prim.prim` (alpha, min_mass, min_coverage, boxes)."""
    names = _searchable(outcomes)
    happened = event.happened(outcomes[event.outcome], catalogue[event.outcome].kind)
    x = np.column_stack([np.asarray(outcomes[n], dtype=np.float64) for n in names]) \
        if names else np.zeros((happened.size, 0))
    result = prim(x, happened, names, min_events=MIN_EVENTS, **options)
    return Discovery(event, event.phrase(catalogue), tuple(names), result)


def _value(value: float, unit: str) -> str:
    """An input's limit in its unit; seconds as hours, as the rest of infrasim shows times.
    A no-break space keeps the number and its unit on one line when the rule wraps."""
    if unit == "s":
        value, unit = value / HOUR_S, "h"
    return number_text(value, 3) + (f"\u00a0{unit}" if unit else "")


def condition_text(limit: Limit, catalogue: Catalogue) -> str:
    """One limit of a box in words: ``Dam garrison: strength under 350 fighters``."""
    entry = catalogue[limit.input]
    if entry.kind == PROBABILITY:  # a yes/no input: the box keeps one of its values
        if (limit.low or 0.0) > 0.5:
            return entry.label
        if limit.input.endswith(".occurs"):  # "Full breach happens if set off"
            return entry.label.replace(" happens if", " does not happen if", 1) \
                .replace(" is lost if", " is not lost if", 1)
        return f"not {entry.label}"
    if limit.low is not None and limit.high is not None:
        return (f"{entry.label} between {_value(limit.low, entry.unit)} and "
                f"{_value(limit.high, entry.unit)}")
    if limit.high is not None:
        return f"{entry.label} under {_value(limit.high, entry.unit)}"
    return f"{entry.label} over {_value(limit.low or 0.0, entry.unit)}"


def rule_text(box: Box, discovery: Discovery, catalogue: Catalogue, *,
              first: bool = True) -> str:
    """One box as a sentence: where, how often the event happens there, and how much of
    it the box explains."""
    conditions = [condition_text(limit, catalogue) for limit in box.limits]
    where = ", ".join(conditions[:-1]) + (" and " if len(conditions) > 1 else "") \
        + conditions[-1]
    result = discovery.result
    lead = "When" if first else "Outside the boxes above, when"
    return (f"{lead} {where}, {discovery.phrase} in {percent_text(box.density)} of "
            f"replications ({box.events:,} of {box.count:,}; "
            f"{percent_text(result.base_rate)} in all). This covers "
            f"{percent_text(box.coverage)} of all replications with {discovery.phrase} "
            f"({box.events:,} of {result.events:,}).")


def rules(discovery: Discovery, catalogue: Catalogue) -> list[str]:
    """Each box as a sentence, best first; or one sentence saying why there is none."""
    result = discovery.result
    phrase = discovery.phrase
    if discovery.too_few:
        return [f"Only {result.events:,} of {result.replications:,} replications with "
                f"{phrase}: too few to say where it concentrates (at least {MIN_EVENTS} "
                "are needed)."]
    if result.events == result.replications:
        return [f"Every replication has {phrase}: no input range makes a difference."]
    if not discovery.inputs:
        return ["No sampled input varies in this run: nothing to search."]
    if not result.boxes:
        return [f"No range of the inputs concentrates {phrase} significantly "
                f"({percent_text(result.base_rate)} of replications, "
                f"{result.events:,} of {result.replications:,})."]
    return [rule_text(box, discovery, catalogue, first=i == 0)
            for i, box in enumerate(result.boxes)]
