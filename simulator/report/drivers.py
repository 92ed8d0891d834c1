""""What drives the risk": for P(dam captured) and P(breach), PRIM's top rule (the input
ranges where the event concentrates, `analysis.discovery`) beside the widest decile swing
of the tornado (`analysis.sensitivity.decile_swing`), for the run report and the
comparison page.

The two views answer different questions: the swing says which single input moves the
probability most between its extremes, the rule says which combination of ranges most
of the events fall into. A run with too few events gets a sentence saying so instead of
a rule. PRIM reads at most `MAX_ROWS` replications (the first ones), which keeps a
report of a very long run quick; the text says when it did.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..analysis.catalogue import Catalogue
from ..analysis.discovery import Discovery, Event, discover, rules
from ..analysis.headline import in_sentence, percent_text
from ..analysis.sensitivity import INPUT_PREFIX, decile_swing
from ..formatting import interval_text
from .figures import FigureItem
from .html import Html, element, figure, join, table

__all__ = ["DRIVEN", "DRIVERS_NOTE", "MAX_ROWS", "OWN_DRAWS", "Driver", "driver_figures",
           "drivers_html", "drivers_table", "own_draw", "risk_drivers"]

DRIVEN = ("dam_captured", "breach_started")
# An event's own yes/no draws: whether a failure mode happens once set off restates the
# breach (the top "driver" of P(breach) would be the breach itself), so they are left out.
OWN_DRAWS = {"breach_started": re.compile(r"^input\.assets\.dam\.failure_modes\.[^.]+\.occurs$")}


def own_draw(outcome: str, column: str) -> bool:
    """Whether input `column` is one of `outcome`'s own draws (see `OWN_DRAWS`)."""
    pattern = OWN_DRAWS.get(outcome)
    return pattern is not None and pattern.match(column) is not None


def _drivers_inputs(outcomes: Mapping[str, np.ndarray], outcome: str) -> list[str]:
    """The sampled inputs that may drive `outcome`: all but its own draws."""
    return [name for name in outcomes
            if name.startswith(INPUT_PREFIX) and not own_draw(outcome, name)]
MAX_ROWS = 10_000  # PRIM over 10,000 replications and 75 inputs: about 1.5 s


@dataclass(frozen=True)
class Driver:
    """What drives one yes/no outcome of a run, in words."""

    outcome: str
    label: str  # P(dam captured)
    rule: str  # PRIM's top rule, or why there is none
    swing: str  # the widest decile swing, or why there is none
    discovery: Discovery


def _swing_text(outcomes: Mapping[str, np.ndarray], name: str, catalogue: Catalogue) -> str:
    """The widest decile swing of a yes/no outcome as a sentence."""
    swings = [s for s in decile_swing(outcomes, name, sorted(_drivers_inputs(outcomes, name)))
              if np.isfinite(s.swing)]
    label = catalogue.label(name)
    if not swings:
        return f"No sampled input varies, so nothing moves {label}."
    top = swings[0]
    entry = catalogue[top.input]
    low, high = ("no", "yes") if entry.kind == "probability" else \
        ("in its lowest decile", "in its highest")
    clear = top.swing_low > 0 or top.swing_high < 0
    return (f"Widest decile swing: {entry.label}: {label} {percent_text(top.low_mean)} "
            f"where it is {low}, {percent_text(top.high_mean)} where it is {high} "
            f"(95% CI of the difference "
            f"{interval_text(100 * top.swing_low, 100 * top.swing_high, 3, sign=True)} pp"
            f"{'' if clear else ', which includes 0'}).")


def risk_drivers(outcomes: Mapping[str, np.ndarray], catalogue: Catalogue,
                 names: Sequence[str] = DRIVEN) -> list[Driver]:
    """A `Driver` for each of `names` the run has (default P(dam captured), P(breach))."""
    drivers = []
    for name in names:
        if name not in outcomes:
            continue
        used = {key: np.asarray(outcomes[key])[:MAX_ROWS]
                for key in [name, *_drivers_inputs(outcomes, name)]}
        found = discover(used, Event(name), catalogue)
        rule = rules(found, catalogue)[0]
        total = len(outcomes[name])
        if total > MAX_ROWS:
            rule += f" (PRIM over the first {MAX_ROWS:,} of {total:,} replications.)"
        drivers.append(Driver(name, catalogue.label(name), rule,
                              _swing_text(outcomes, name, catalogue), found))
    return drivers


def driver_figures(drivers: Sequence[Driver], prefix: str = "") -> list[FigureItem]:
    """The trade-off figure of each driver that has a box (slug
    ``<prefix>prim-<outcome>``)."""
    from .. import plotting

    items = []
    for driver in drivers:
        result = driver.discovery.result
        if not result.boxes:
            continue
        phrase = driver.discovery.phrase
        items.append(FigureItem(
            f"{prefix}prim-{driver.outcome}",
            f"Where {in_sentence(driver.label)} concentrates",
            f"PRIM's peeling trajectory for {phrase}: each dot a box of input ranges, by "
            f"coverage (the share of all replications with {phrase} inside it) and density "
            "(the share of the box with it), coloured by the number of inputs it restricts. "
            "Peeling cuts 5% of the box at a time, keeping the cut that leaves the highest "
            "density. Ringed, the step chosen (the largest coverage × density among those "
            "holding at least half of the events); starred, the "
            "box kept after pasting and dropping limits that do not matter (one-sided "
            "binomial test, 5%), whose rule the text gives.",
            partial(plotting.plot_prim_tradeoff, result, event=phrase)))
    return items


def drivers_html(drivers: Sequence[Driver], images: Mapping[str, bytes],
                 tornadoes: Collection[str] = (), prefix: str = "") -> Html:
    """The section's body for one run: per outcome its rule, its widest swing (with a
    link to the tornado where the page has one) and the trade-off figure."""
    if not drivers:
        return element("p", "This run has neither P(dam captured) nor P(breach).",
                       class_="note")
    parts: list[Html] = []
    for driver in drivers:
        slug = f"tornado-{driver.outcome}"
        link = element("a", "the tornado", href=f"#{slug}") if slug in tornadoes else ""
        parts.append(element("h3", driver.label))
        parts.append(element("p", driver.rule))
        parts.append(element("p", driver.swing, " See " if link else "", link,
                             "." if link else "", class_="note"))
        png = images.get(f"{prefix}prim-{driver.outcome}")
        if png is not None:
            parts.append(figure(png, f"PRIM's trade-off for {in_sentence(driver.label)}: "
                                "coverage against density along the peeling trajectory.",
                                alt=f"Where {in_sentence(driver.label)} concentrates"))
    return join(parts)


def drivers_table(runs: Sequence[tuple[str, Sequence[Driver]]]) -> Html:
    """The comparison page's view: a row per outcome, each run's top rule and widest
    swing in its column."""
    names = list(dict.fromkeys(d.outcome for _, drivers in runs for d in drivers))
    if not names:
        return element("p", "The runs have neither P(dam captured) nor P(breach).",
                       class_="note")
    rows = []
    for name in names:
        found = [{d.outcome: d for d in drivers}.get(name) for _, drivers in runs]
        label = next(d.label for d in found if d is not None)
        rows.append([label, *(join([element("p", d.rule), element("p", d.swing,
                                                                   class_="note")])
                              if d is not None else "-" for d in found)])
    return table(["outcome", *(label for label, _ in runs)], rows, class_="drivers")


DRIVERS_NOTE = ("The rule is the box of input ranges in which PRIM (Friedman & Fisher "
                "1999) finds the event concentrated, holding at least half of the events: "
                "its density is how often the event happens inside it, its coverage how "
                "much of all of it the box holds. The decile swing is the tornado's widest "
                "bar: the probability where one input is low against where it is high, "
                "every other input varying as drawn. Both show association in this run's "
                "sample, not proof of cause. The draws of whether each failure mode "
                "happens once set off are left out of P(breach)'s drivers: they are the "
                "breach's own draw, not something that drives it.")
