"""A replication as something to read: the timeline table and the outcomes.

Times print two ways: elapsed since the start as ``+D hh:mm`` (day and clock time of the
scenario's own count), and as the local clock from ``scenario.start``, so a planner can
read ``+1 04:30`` and ``2014-06-22 10:30`` side by side. Used by ``infrasim simulate``
and by anything else that shows one replication (replay, tabletop exercise).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from ..formatting import clock_text, elapsed_text
from .record import Event, Replication

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from ..scenario.schema import Scenario

__all__ = ["clock_text", "elapsed_text", "outcomes_table", "print_replication",
           "timeline_table"]


def timeline_table(events: Iterable[Event], start: datetime, title: str | None = None) -> Table:
    """The events of a replication as a rich table, one row per event."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("elapsed", no_wrap=True, justify="right")
    table.add_column("clock", no_wrap=True)
    table.add_column("kind", no_wrap=True, style="cyan")
    table.add_column("actor", overflow="fold")
    table.add_column("place", overflow="fold")
    table.add_column("detail", overflow="fold")
    for event in events:
        table.add_row(elapsed_text(event.time_s), clock_text(start, event.time_s),
                      event.kind, event.actor, event.place, event.detail)
    return table


def _value_text(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return f"{int(value)}"
    return f"{value:.6g}"


def outcomes_table(outcomes: dict[str, float], title: str | None = None,
                   include_inputs: bool = True) -> Table:
    """Outcomes as a two-column table; the sampled inputs (``input.*``) come last."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    results = [(k, v) for k, v in outcomes.items() if not k.startswith("input.")]
    inputs = [(k, v) for k, v in outcomes.items() if k.startswith("input.")]
    for name, value in results:
        table.add_row(name, _value_text(value))
    if include_inputs and inputs:
        table.add_section()
        for name, value in inputs:
            table.add_row(name, _value_text(value), style="dim")
    return table


def print_replication(scenario: Scenario, replication: Replication,
                      console: Console | None = None) -> None:
    """Print a replication's timeline and outcomes (as ``infrasim simulate`` does)."""
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
                                 "censored at the horizon; input.* in SI units)"))
