"""The summary of a run as a table for the terminal, as ``infrasim run`` prints it.

Presentation only: the numbers are `OutcomeRow`s from `simulator.analysis.stats`, the text
of each number comes from `simulator.formatting`, and rich is imported when a table is
made, so importing the analysis package still costs numpy only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..formatting import interval_text, number_text, terminal_text
from .stats import LEVEL, OutcomeRow

if TYPE_CHECKING:
    from rich.table import Table

__all__ = ["summary_table"]


def summary_table(rows: Iterable[OutcomeRow], title: str | None = None) -> Table:
    """A rich table of summary rows: mean, 95% confidence interval, percentiles, P(> 0).

    The interval is shown as its two ends (``0.292–0.374``), so the asymmetric Wilson
    interval of a 0/1 outcome reads as truly as a symmetric t interval. The count column
    appears only when some outcome is missing from some replications.

    Args:
        rows: The outcomes to show, in order (from `summarise`).
        title: A line above the table (plain text: a scenario's name prints as
            written), or None.

    Returns:
        The table, for a `rich.console.Console` to print.
    """
    from rich import box
    from rich.table import Table

    rows = list(rows)
    counts = {row.count for row in rows}
    table = Table(title=None if title is None else terminal_text(title), title_justify="left", header_style="bold", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True)  # 80 columns for the reference run
    table.add_column("outcome", style="cyan", no_wrap=True)
    for heading in ("mean", f"{LEVEL:.0%} CI", "p5", "p50", "p95", "P(>0)"):
        table.add_column(heading, justify="right", no_wrap=True)
    if len(counts) > 1:
        table.add_column("n", justify="right", no_wrap=True)
    for row in rows:
        cells = [terminal_text(row.name), number_text(row.mean), interval_text(row.ci_low, row.ci_high, 3),
                 number_text(row.p5), number_text(row.p50), number_text(row.p95),
                 number_text(row.p_positive)]
        if len(counts) > 1:
            cells.append(f"{row.count:,}")
        table.add_row(*cells)
    return table
