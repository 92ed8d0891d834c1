"""The summary of a run for the terminal, as ``infrasim run`` prints it: the headline
first, then the full table grouped as the catalogue groups outcomes.

Presentation only: the numbers are `OutcomeRow`s from `simulator.analysis.stats`, the
words are `simulator.analysis.headline`'s (the same as the report's), and rich is imported
when a table is made, so importing the analysis package still costs numpy only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..formatting import terminal_text
from .catalogue import Catalogue
from .headline import TABLE_NOTE, full_table, headline
from .stats import LEVEL, OutcomeRow

if TYPE_CHECKING:
    from rich.table import Table

__all__ = ["headline_table", "summary_table"]


def headline_table(rows: Iterable[OutcomeRow], catalogue: Catalogue,
                   title: str | None = None) -> Table:
    """The decision maker's answers: each headline outcome with its estimate, its 95%
    interval and the replications behind it (a scenario may name its own headline).

    Args:
        rows: Summary rows (from `summarise` with the catalogue); those of the headline
            outcomes are used.
        catalogue: Labels, units and the headline's outcomes.
        title: A line above the table (plain text), or None.

    Returns:
        The table, for a `rich.console.Console` to print.
    """
    from rich import box
    from rich.table import Table

    table = Table(title=None if title is None else terminal_text(title), title_justify="left",
                  header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("answer", style="bold cyan", min_width=24)
    table.add_column("estimate", justify="right", no_wrap=True)
    table.add_column(f"{LEVEL:.0%} CI", justify="right", no_wrap=True)
    table.add_column("based on", style="dim", min_width=18)
    for line in headline(rows, catalogue):
        table.add_row(terminal_text(line.label), line.estimate, line.interval, line.basis)
    return table


def summary_table(rows: Iterable[OutcomeRow], catalogue: Catalogue,
                  title: str | None = None) -> Table:
    """Every outcome of `rows`, grouped (forces, dam, flood by town, life loss, grid):
    mean (or P for a yes/no outcome), its 95% interval, percentiles, and the replications
    behind it. A time to an event is summarised where it happened; an amount that follows
    an event has a second, indented line given the event.

    The interval is shown as its two ends (``0.292–0.374``), so the asymmetric Wilson
    interval of a yes/no outcome reads as truly as a t interval, and never as ``± 0``.

    Args:
        rows: The outcomes to show (from `summarise` with the catalogue).
        catalogue: Labels, units and groups.
        title: A line above the table (plain text), or None.

    Returns:
        The table, for a `rich.console.Console` to print.
    """
    from rich import box
    from rich.table import Table

    table = Table(title=None if title is None else terminal_text(title), title_justify="left",
                  header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True)
    table.add_column("outcome", style="cyan", min_width=26)
    for heading in ("mean or P", f"{LEVEL:.0%} CI", "p5", "median", "p95"):
        table.add_column(heading, justify="right", no_wrap=True)
    table.add_column("replications", justify="right", style="dim", min_width=10)
    table.caption = TABLE_NOTE
    table.caption_justify = "left"
    for group, lines in full_table(rows, catalogue):
        table.add_row(f"[bold]{terminal_text(group)}[/]", end_section=False)
        for line in lines:
            label = ("   " if line.given else " ") + terminal_text(line.label)
            table.add_row(label, line.estimate, line.interval, line.p5, line.p50, line.p95,
                          line.basis, style="dim" if line.given else None)
    return table
