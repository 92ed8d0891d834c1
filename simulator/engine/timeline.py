"""A replication as something to read: the timeline table and the outcomes.

Times print two ways: elapsed since the start as ``+D hh:mm`` (day and clock time of the
scenario's own count), and as the local clock from ``scenario.start``, so a planner can
read ``+1 04:30`` and ``2014-06-22 10:30`` side by side. Used by ``infrasim simulate``
and by anything else that shows one replication (replay, tabletop exercise).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from ..formatting import HOUR_S, clock_text, elapsed_text, terminal_text
from .record import Event, EventKind, Replication

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from ..scenario.schema import Scenario

__all__ = ["TIMELINE_COLUMNS", "describe", "event_row", "fight_length_text", "outcomes_table",
           "print_replication", "timeline_table"]


def _hours(time_s: float | None) -> float:
    return (time_s or 0.0) / HOUR_S


def _strength(value: float | None) -> str:
    return f"{value or 0.0:.0f}"


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(ids)


def _roles(event: Event) -> tuple[str, str]:
    """The side names of a fight's assault and holders (swapped in a counter-attack)."""
    if event.side == "defender":
        return "defenders", "attackers"
    return "attackers", "defenders"


def fight_length_text(duration_s: float | None) -> str:
    """How long a fight lasted before it ended: ``after 2.5 h``, or ``at once`` under a
    minute (holders who withdraw at first contact; "after 0.0 h" read as a glitch)."""
    return "at once" if (duration_s or 0.0) < 60.0 else f"after {_hours(duration_s):.1f} h"


def _fight_end(event: Event, assault_won: bool) -> str:
    assault, holders = _roles(event)
    loser, winner = (holders, assault) if assault_won else (assault, holders)
    left = event.attackers if assault_won else event.defenders
    how = "destroyed" if event.annihilated else "withdraw"
    return (f"{loser} {how} {fight_length_text(event.duration_s)}; "
            f"{_strength(left)} {winner} left")


def _engage(event: Event) -> str:
    if event.side == "defender":
        return (f"{_strength(event.attackers)} defenders counter-attack "
                f"{_strength(event.defenders)} attackers holding it ({_ids(event.opponents)})")
    return (f"{_strength(event.attackers)} attackers engage "
            f"{_strength(event.defenders)} defenders ({_ids(event.opponents)})")


def _plant_out(event: Event) -> str:
    if event.capacity_mw is None:
        return f"{event.mode}: loss of operation (the dam has no plant)"
    return (f"{event.mode}: plant off the grid ({event.capacity_mw:.0f} MW) for "
            f"{_hours(event.duration_s):.1f} h")


_SENTENCES: dict[EventKind, Callable[[Event], str]] = {
    EventKind.GARRISON: lambda e: f"holds {e.place} with {_strength(e.strength)}",
    EventKind.DISPATCH: lambda e: (f"dispatched: {e.trigger_town} has fallen"
                                   if e.trigger_town else "dispatched at the scheduled time"),
    EventKind.DEPART: lambda e: f"sets off for {e.destination} ({e.road})",
    EventKind.ARRIVE: lambda e: f"arrives with {_strength(e.strength)}",
    EventKind.CAPTURE: lambda e: f"{e.place} falls",
    EventKind.RECAPTURED: lambda e: (f"{e.place} is retaken"
                                     + (f" by {_ids(e.opponents)}" if e.opponents else "")),
    EventKind.ENGAGE: _engage,
    EventKind.JOIN: lambda e: (f"joins the engagement with {_strength(e.strength)} "
                               f"({e.side} side)"),
    EventKind.DEFEAT: lambda e: _fight_end(e, assault_won=True),
    EventKind.REPULSE: lambda e: _fight_end(e, assault_won=False),
    EventKind.SUPPORT: lambda e: f"support starts: effectiveness x{e.factor or 1.0:.3g}",
    EventKind.THREATENED: lambda e: f"{_ids(e.opponents)} is on its way to the dam",
    EventKind.HELD: lambda e: "the attack on the dam is repulsed",
    EventKind.CAPTURED: lambda e: f"the dam is captured by {_ids(e.opponents)}",
    EventKind.LEVEL_REACHED: lambda e: (f"the reservoir reaches {e.depth_m:.1f} m (the level "
                                        f"at which {e.mode} may start)"),
    EventKind.BREACH: lambda e: (f"{(e.breach_kind or '').replace('_', ' ')} ({e.mode}): "
                                 f"breach cut to {e.depth_fraction or 0.0:.0%} of the dam "
                                 "height"),
    EventKind.DETECT: lambda e: (f"{e.warned_on or 'breach'} detected; warning goes out to "
                                 f"{e.count} towns"),
    EventKind.WARNING: lambda e: ("warning received (before any breach)"
                                  if e.after_breach_s is None else
                                  f"warning received ({e.after_breach_s / 60:.0f} min after "
                                  "the breach)"),
    EventKind.FLOOD_ARRIVAL: lambda e: (f"the flood arrives, {_hours(e.after_breach_s):.1f} h "
                                        "after the breach"),
    EventKind.PLANT_OUT: _plant_out,
    EventKind.PLANT_RESTORED: lambda e: "plant back on the grid",
    EventKind.LINE_CUT: lambda e: f"grid line cut; repair takes {_hours(e.duration_s):.0f} h",
    EventKind.LINE_REPAIRED: lambda e: "grid line back in service",
    EventKind.GENERATORS_OUT: lambda e: (f"power plant lost: {e.count} generator(s) off the "
                                         f"grid ({e.capacity_mw or 0.0:.0f} MW) for "
                                         f"{_hours(e.duration_s):.1f} h"),
    EventKind.GENERATORS_RESTORED: lambda e: "power plant back on the grid",
    EventKind.SUBSTATION_LOST: lambda e: f"substation lost: {e.count} line(s) cut",
    EventKind.BRIDGE_DESTROYED: lambda e: f"bridge destroyed: road {e.road} closed",
    EventKind.REROUTE: lambda e: f"road {e.road} closed; plans a new route to {e.destination}",
    EventKind.STRANDED: lambda e: (f"road {e.road} closed and no open road leads to "
                                   f"{e.destination}; stays here"),
}


def describe(event: Event) -> str:
    """The sentence a person reads for `event`: the one place events become prose."""
    return _SENTENCES[event.kind](event)


def event_row(event: Event, start: datetime | None) -> tuple[str, str, str, str, str, str]:
    """One event as the cells of a timeline table (`TIMELINE_COLUMNS`): elapsed, clock
    ("-" without a start time), kind, actors, place, and the sentence."""
    clock = clock_text(start, event.time_s) if start is not None else "-"
    return (elapsed_text(event.time_s), clock, str(event.kind),
            _ids(event.actors), event.place, describe(event))


TIMELINE_COLUMNS = ("elapsed", "clock", "kind", "actor", "place", "detail")


def timeline_table(events: Iterable[Event], start: datetime, title: str | None = None) -> Table:
    """The events of a replication as a rich table, one row per event; `title` and the
    cells are plain text (ids and names from the scenario print as written)."""
    from rich.table import Table

    table = Table(title=None if title is None else terminal_text(title), title_justify="left",
                  header_style="bold")
    table.add_column("elapsed", no_wrap=True, justify="right")
    table.add_column("clock", no_wrap=True)
    table.add_column("kind", no_wrap=True, style="cyan")
    table.add_column("actor", overflow="fold")
    table.add_column("place", overflow="fold")
    table.add_column("detail", overflow="fold")
    for event in events:
        table.add_row(*map(terminal_text, event_row(event, start)))
    return table


def _value_text(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return f"{int(value)}"
    return f"{value:.6g}"


def outcomes_table(outcomes: dict[str, float], title: str | None = None,
                   include_inputs: bool = True,
                   labels: Mapping[str, str] | None = None) -> Table:
    """Outcomes as a table; the sampled inputs (``input.*``) come last. With `labels`
    (outcome id -> label with unit, from the outcome catalogue) the label comes first and
    the id beside the value. Names (which hold scenario ids) and `title` are plain text."""
    from rich.table import Table

    table = Table(title=None if title is None else terminal_text(title), title_justify="left",
                  header_style="bold")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    if labels is not None:
        table.add_column("id", style="dim")
    results = [(k, v) for k, v in outcomes.items() if not k.startswith("input.")]
    inputs = [(k, v) for k, v in outcomes.items() if k.startswith("input.")]

    def cells(name: str, value: float) -> list[str]:
        if labels is None:
            return [terminal_text(name), _value_text(value)]
        return [terminal_text(labels.get(name, name)), _value_text(value), terminal_text(name)]

    for name, value in results:
        table.add_row(*cells(name, value))
    if include_inputs and inputs:
        table.add_section()
        for name, value in inputs:
            table.add_row(*cells(name, value), style="dim")
    return table


def print_replication(scenario: Scenario, replication: Replication,
                      console: Console | None = None,
                      labels: Mapping[str, str] | None = None) -> None:
    """Print a replication's timeline and outcomes (as ``infrasim simulate`` does), the
    outcomes by their `labels` (id -> label with unit) where given."""
    from rich.console import Console

    if console is None:
        console = Console()
        if not console.is_terminal:  # piped: do not squeeze the table into 80 columns
            console = Console(width=max(console.width, 140))
    info = scenario.scenario
    heading = (f"{info.name}" + (f", variant {scenario.variant}" if scenario.variant else "")
               + f": seed {replication.seed}, replication {replication.replication}")
    console.print(timeline_table(replication.timeline or (), info.start,
                                 title=f"{heading}: timeline from {info.start.isoformat()}"))
    console.print(outcomes_table(replication.outcomes, title="outcomes (times in hours, "
                                 "nan when it did not happen; input.* in SI units)",
                                 labels=labels))
