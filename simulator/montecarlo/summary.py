"""The few numbers printed after a run: mean with its 95% CI, percentiles, P(> 0).

Pure functions of the outcome columns, so they never run a simulation; the analysis
package does the fuller statistics. "Key" outcomes are the top-level ones, whose names
have no dot (``fatalities``, not ``arrival_h.ramadi`` or ``input.forces...``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .stopping import Z_95


@dataclass(frozen=True)
class OutcomeSummary:
    """One outcome over the replications that returned a value for it."""

    name: str
    count: int
    mean: float
    ci_low: float
    ci_high: float
    p5: float
    p50: float
    p95: float
    p_positive: float


def summarize_column(name: str, values: np.ndarray) -> OutcomeSummary:
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    n = int(values.size)
    if n == 0:
        nan = math.nan
        return OutcomeSummary(name, 0, nan, nan, nan, nan, nan, nan, nan)
    mean = float(values.mean())
    half = Z_95 * float(values.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
    p5, p50, p95 = (float(q) for q in np.percentile(values, [5, 50, 95]))
    return OutcomeSummary(name, n, mean, mean - half, mean + half, p5, p50, p95,
                          float(np.count_nonzero(values > 0)) / n)


def key_outcomes(names: Iterable[str]) -> list[str]:
    """Top-level outcome names (no dot), sorted."""
    return sorted(name for name in names if "." not in name)


def summarize(outcomes: Mapping[str, np.ndarray],
              names: Iterable[str] | None = None) -> list[OutcomeSummary]:
    """Summaries of `names` (default: the key outcomes) in the given order."""
    chosen = key_outcomes(outcomes) if names is None else [n for n in names if n in outcomes]
    return [summarize_column(name, outcomes[name]) for name in chosen]


_SUFFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


def _number(value: float, digits: int = 4) -> str:
    """Four significant digits, thousands and up as k, M, G, T: short enough for a
    table of many outcomes on an 80-column terminal."""
    if math.isnan(value):
        return "-"
    if value == 0:
        return "0"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    size = abs(value)
    for scale, suffix in _SUFFIXES:
        if size >= 0.99995 * scale:
            return f"{value / scale:.{digits}g}{suffix}"
    if size < 1e-3:
        return f"{value:.2e}"
    return f"{value:.{digits}g}"


def summary_table(summaries: Iterable[OutcomeSummary], title: str | None = None):
    """A rich Table of the summaries (imported lazily: rich is only for printing). The
    count column appears only when some outcome is missing from some replications."""
    from rich import box
    from rich.table import Table

    summaries = list(summaries)
    counts = {s.count for s in summaries}
    table = Table(title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.add_column("outcome", style="cyan", no_wrap=True)
    for heading in ("mean ± 95% CI", "p5", "p50", "p95", "P(>0)"):
        table.add_column(heading, justify="right", no_wrap=True)
    if len(counts) > 1:
        table.add_column("n", justify="right", no_wrap=True)
    for s in summaries:
        half = (s.ci_high - s.ci_low) / 2
        mean = _number(s.mean) + ("" if math.isnan(half) else f" ± {_number(half, 3)}")
        row = [s.name, mean, _number(s.p5), _number(s.p50), _number(s.p95),
               _number(s.p_positive)]
        if len(counts) > 1:
            row.append(f"{s.count:,}")
        table.add_row(*row)
    return table
