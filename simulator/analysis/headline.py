"""The words and numbers of a run's summary: the headline first, then the full table.

Presentation of `OutcomeRow`s from `simulator.analysis.stats`, shared by the terminal
summary of ``infrasim run``, the run report and the comparison page, so all three say the
same thing in the same words. Each line is labelled from the outcome catalogue (label and
unit; the id stays available for a tooltip) and says what it is conditioned on:

- a probability: ``P(dam captured)  33.2%  31.1–35.4%  2,000 replications``;
- a time to an event, among the replications where it happened:
  ``Time to capture of the dam, given dam captured (h)  median 49.2 (47.1–51.0) · p95
  80.3  664 of 2,000 with dam captured (33.2%)``, the median's interval beside it;
- an amount: its expected value over every replication (``Expected fatalities``), and,
  where the catalogue says which event it follows, a second line given that event
  (``Fatalities given breach (people)  median 2,310 (2,050–2,600) · p95 9,800``);
  a value that never varies reads ``always 1``, with no interval.

The full table groups the outcomes as the catalogue does (forces, dam, flood by town,
life loss, grid), never alphabetically; its "k of n" gives P(event) with its Wilson
interval beside it, and places where an event never happened share one line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..formatting import interval_text, number_text
from .catalogue import (
    AMOUNT,
    COUNT,
    GROUPS,
    INPUTS,
    PROBABILITY,
    TIME_TO_EVENT,
    Catalogue,
    Entry,
)
from .stats import OutcomeRow

__all__ = ["GROUP_TITLES", "TABLE_NOTE", "Line", "full_table", "headline", "in_sentence",
           "lines", "percent_text", "wanted_outcomes"]

GROUP_TITLES = {"forces": "Forces", "dam": "Dam", "flood": "Flood, by town",
                "life loss": "Life loss", "grid": "Grid", "inputs": "Sampled inputs"}

TABLE_NOTE = ("A time to an event (h from the start) is summarised over the replications "
              "where the event happened (\"k of n\", then P of it with its Wilson "
              "interval); a \"given ...\" line is over those with that event; other rows "
              "over every replication. Probabilities have Wilson intervals, means Student t "
              "intervals cut to the values' range (none for a value that never varies: "
              "\"always 1\"); a median's interval is the binomial order-statistic one.")


@dataclass(frozen=True)
class Line:
    """One line of a summary, as text: `label` (with unit and condition) of outcome `id`,
    the `estimate`, its 95 % `interval`, the percentiles and the replications behind it
    (`basis`). `given` marks the conditional line under an amount's expected value."""

    id: str
    label: str
    estimate: str
    interval: str
    basis: str
    p5: str = ""
    p50: str = ""
    p95: str = ""
    given: bool = False
    meaning: str = ""


def percent_text(probability: float) -> str:
    """A probability as a percentage: ``33.2%``, ``0.35%``, ``0%``, ``100%``, ``-``."""
    if probability is None or math.isnan(probability):
        return "-"
    percent = probability * 100.0
    if percent in (0.0, 100.0):
        return f"{percent:.0f}%"
    if percent < 1.0 or percent > 99.0:
        return f"{percent:.2g}%" if percent < 1.0 else f"{percent:.4g}%"
    return f"{percent:.1f}%"


def _percent_interval(low: float, high: float) -> str:
    if math.isnan(low) or math.isnan(high):
        return "-"
    return f"{percent_text(low).rstrip('%')}–{percent_text(high)}"


def _unit(unit: str) -> str:
    return f" ({unit})" if unit else ""


def in_sentence(label: str) -> str:
    """A label inside a sentence: ``Fatalities`` -> ``fatalities``; ``P(...)`` and names
    that begin with capitals (``ISIL column``) as they are."""
    return label[:1].lower() + label[1:] if label[:2] != label[:2].upper() else label


def _replications(count: int, headline: bool) -> str:
    """``2,000`` in a table's replications column, ``2,000 replications`` in the headline."""
    return f"{count:,} replication{'s' if count != 1 else ''}" if headline else f"{count:,}"


def _happened(row: OutcomeRow, headline: bool) -> str:
    """How many replications had the event behind a line, and P(event) with its Wilson
    interval: ``232 of 300 (77.3%, 72.3–81.8%)``; in the headline, whose probability
    lines give the intervals, ``88 of 2,000 with breach (4.4%)``."""
    text = f"{row.event_count:,} of {row.replications:,}"
    if math.isnan(row.p_event):
        return text
    if headline:
        return f"{text} with {row.event} ({percent_text(row.p_event)})"
    return (f"{text} ({percent_text(row.p_event)}, "
            f"{_percent_interval(row.p_event_low, row.p_event_high)})")


def _constant(row: OutcomeRow) -> bool:
    """Whether every replication behind a row's mean has the same value."""
    return row.count > 0 and row.ci_low == row.ci_high == row.mean


def _mean_and_interval(row: OutcomeRow) -> tuple[str, str]:
    """A mean and its interval; a constant outcome as ``always 1`` with no interval (a
    t interval of width 0 would claim a certainty no sample gives)."""
    if _constant(row):
        return f"always {number_text(row.mean)}", ""
    return number_text(row.mean), interval_text(row.ci_low, row.ci_high)


def _conditional_estimate(row: OutcomeRow) -> tuple[str, str]:
    """The conditional median with its interval beside it, then the p95; the interval
    column stays empty (there it would sit beside the p95 and be read as its)."""
    if row.event_count == 0 or math.isnan(row.given_p50):
        return f"no replication with {row.event}" if row.event else "-", "-"
    return (f"median {number_text(row.given_p50)} "
            f"({interval_text(row.given_p50_low, row.given_p50_high)}) · "
            f"p95 {number_text(row.given_p95)}", "")


def lines(row: OutcomeRow, catalogue: Catalogue, *, headline: bool = False) -> list[Line]:
    """The lines of one outcome: one, or two for an amount that follows an event.

    In the headline an amount reads ``Expected ...``, and a conditional line gives the
    median and p95; in the full table the plain label and all percentiles.
    """
    entry = catalogue[row.name]
    unit = _unit(entry.unit)
    meaning = entry.meaning
    if row.kind == PROBABILITY:
        return [Line(row.name, entry.label, percent_text(row.mean),
                     _percent_interval(row.ci_low, row.ci_high),
                     _replications(row.count, headline), meaning=meaning)]
    if row.kind == TIME_TO_EVENT:
        if headline:
            label = f"{entry.label}, given {row.event}{unit}" if row.event else \
                f"{entry.label}{unit}"
            estimate, interval = _conditional_estimate(row)
            return [Line(row.name, label, estimate, interval, _happened(row, True),
                         meaning=meaning)]
        basis = _happened(row, False)
        return [Line(row.name, f"{entry.label}{unit}", *_mean_and_interval(row), basis,
                     number_text(row.p5), number_text(row.p50), number_text(row.p95),
                     meaning=f"{meaning}; among replications where it happened")]
    label = f"Expected {in_sentence(entry.label)}{unit}" if headline else \
        f"{entry.label}{unit}"
    out = [Line(row.name, label, *_mean_and_interval(row), _replications(row.count, headline),
                *("", "", "") if headline else
                (number_text(row.p5), number_text(row.p50), number_text(row.p95)),
                meaning=meaning)]
    if row.event and (entry.only_given or row.count < row.replications):
        out = []  # no value without the event (a warning time): only the line given it
    if row.kind in (AMOUNT, COUNT) and row.event and row.replications:
        given_label = f"{entry.label} given {row.event}{unit}" if headline or not out \
            else f"given {row.event}"
        basis = _happened(row, headline)
        if headline:
            estimate, interval = _conditional_estimate(row)
            out.append(Line(row.name, given_label, estimate, interval, basis, given=True,
                            meaning=f"{meaning}; among replications with {row.event}"))
        else:
            constant = row.given_p5 == row.given_p95 and row.given_low == row.given_high
            out.append(Line(row.name, given_label,
                            f"always {number_text(row.given_mean)}" if constant
                            else number_text(row.given_mean),
                            "" if constant else interval_text(row.given_low, row.given_high),
                            basis,
                            number_text(row.given_p5), number_text(row.given_p50),
                            number_text(row.given_p95), given=bool(out),
                            meaning=f"{meaning}; among replications with {row.event}"))
    return out


def headline(rows: Iterable[OutcomeRow], catalogue: Catalogue) -> list[Line]:
    """The headline lines, in the catalogue's headline order, of the rows given."""
    by_name = {row.name: row for row in rows}
    return [line for name in catalogue.headline(by_name)
            for line in lines(by_name[name], catalogue, headline=True)]


def _never_text(pattern: Entry, places: Sequence[str]) -> str:
    """``Never captured: Millbrook, Riverton`` from the family's event ``{name} captured``
    (an event that does not start with the place: ``Never: flood reaches A, B``)."""
    event = pattern.event or pattern.label
    if event.startswith("{name} "):
        return f"Never {event.removeprefix('{name} ')}: {', '.join(places)}"
    return f"Never: {', '.join(event.format(name=place) for place in places)}"


def _never_happened(row: OutcomeRow, catalogue: Catalogue) -> tuple[Entry, str] | None:
    """A per-place time to an event that happened in no replication: its family and the
    place's name; else None."""
    if row.kind != TIME_TO_EVENT or row.event_count or not row.replications:
        return None
    return catalogue.family(row.name)


def full_table(rows: Iterable[OutcomeRow], catalogue: Catalogue
               ) -> list[tuple[str, list[Line]]]:
    """(group title, lines) for every group that has rows, in the catalogue's order.

    The places where a per-place event never happened (no town captured but the dam) are
    one line per family, where the first of them would stand: ``Never captured:
    Millbrook, Riverton`` instead of a row of ``0 of 300`` each.
    """
    by_name = {row.name: row for row in rows}
    groups: dict[str, list[Line]] = {group: [] for group in GROUPS}
    never: dict[str, tuple[Entry, list[str], list[Line], int]] = {}
    for name in catalogue.ordered(by_name):
        group = groups[catalogue[name].group]
        found = _never_happened(by_name[name], catalogue)
        if found is None:
            group.extend(lines(by_name[name], catalogue))
            continue
        pattern, place = found
        if pattern.id not in never:
            never[pattern.id] = (pattern, [], group, by_name[name].replications)
            group.append(Line(pattern.id, "", "-", "", ""))  # its place; filled in below
        never[pattern.id][1].append(place)
    for pattern, places, group, total in never.values():
        at = next(i for i, line in enumerate(group) if line.id == pattern.id)
        group[at] = Line(pattern.id, _never_text(pattern, places), "-", "",
                         f"0 of {total:,}", meaning=f"{pattern.meaning}; in no replication")
    return [(GROUP_TITLES[group], found) for group, found in groups.items() if found]


def wanted_outcomes(names: Iterable[str], catalogue: Catalogue,
                    extra: Sequence[str] = ()) -> list[str]:
    """The outcomes a summary shows: every catalogued outcome but the sampled inputs,
    the headline first, then the table's order; `extra` (stopping metrics) too."""
    names = list(names)
    shown = [n for n in names if n in catalogue and catalogue[n].group != INPUTS]
    return list(dict.fromkeys([*catalogue.headline(shown), *catalogue.ordered(shown),
                               *(n for n in extra if n in names)]))
