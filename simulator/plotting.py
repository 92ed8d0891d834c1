"""Figures of a run: one function per figure, each returning a matplotlib `Figure`.

Inputs are the plain results of `simulator.analysis` (curves, traces, sensitivities) or
outcome columns, never a run directory, so every figure can be drawn from any run or
from synthetic data in a test. Figures are built on the Agg backend without pyplot (no
global figure registry to leak), titled, with axis labels carrying units. Save one with
`save_figure` or get PNG bytes for a report with `png_bytes`. Nothing here is imported by
``infrasim --help``: the command line imports this module inside the commands that draw.
"""

from __future__ import annotations

import io
import itertools
import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib.figure import Figure

from .analysis.catalogue import tidy_id
from .analysis.headline import in_sentence
from .analysis.stats import (
    ConvergenceTrace,
    ExceedanceCurve,
    IncidenceCurve,
    finite,
    is_binary,
    percentiles,
)
from .formatting import HOUR_S, interval_text, number_text

if TYPE_CHECKING:
    from .analysis.knowledge import CurveBand
    from .analysis.morris import MorrisEffect
    from .analysis.prim import PrimResult
    from .analysis.sensitivity import Sensitivity, Swing
    from .analysis.sobol import SobolIndices
    from .engine.record import Event

__all__ = [
    "outcome_label",
    "plot_convergence",
    "plot_differences",
    "plot_distribution",
    "plot_exceedance",
    "plot_fn",
    "plot_grid",
    "plot_incidence",
    "plot_knowledge_curve",
    "plot_map",
    "plot_morris",
    "plot_prim_tradeoff",
    "plot_river",
    "plot_sobol",
    "plot_swing",
    "plot_timeline",
    "plot_tornado",
    "png_bytes",
    "save_figure",
    "warm_up",
]

WIDTH_IN, HEIGHT_IN = 7.5, 4.3  # about 900 x 520 px at 120 dpi: readable at README size
DPI = 120
# Pictures are drawn at SCALE x DPI pixels per inch and shown at DPI: sharp on a projector
# or a high-density screen. At 2x a report's figures take about a quarter longer to draw.
SCALE = 2
COLOURS = ["#1f5fa6", "#d0612a", "#2e8b57", "#8e44ad", "#b8860b", "#c0392b", "#34495e"]
# Titles sit at the top of their axes. Giving their height spares matplotlib placing each
# one clear of tick labels above the axes (there are none) on every draw: about a sixth
# of the time a figure takes to render, for the same pixels.
TITLE_Y = 1.0

# Units of outcome names, by suffix (longest first) or by whole name.
_UNIT_SUFFIXES = (("_mwh", "MWh"), ("_m3s", "m³/s"), ("_mw", "MW"), ("_h", "h"),
                  ("_m", "m"), ("_s", "s"), ("_mps", "m/s"), ("_m3", "m³"))
_UNIT_NAMES = {"fatalities": "people", "people_exposed": "people",
               "attacker_losses": "fighters", "defender_losses": "fighters",
               "towns_captured": "towns", "lines_cut": "lines"}


def outcome_unit(name: str) -> str:
    """The unit of an outcome from its name (``peak_shed_mw`` -> MW); "" if none."""
    base = name.split(".", 1)[0] if not name.startswith("input.") else name.rsplit(".", 1)[-1]
    if base in _UNIT_NAMES:
        return _UNIT_NAMES[base]
    for suffix, unit in sorted(_UNIT_SUFFIXES, key=lambda s: -len(s[0])):
        if base.endswith(suffix):
            return unit
    return ""


def outcome_label(name: str, unit: str | None = None) -> str:
    """An axis label for an outcome: its name with the unit in brackets."""
    unit = outcome_unit(name) if unit is None else unit
    return f"{name} ({unit})" if unit else name


def _figure(width: float = WIDTH_IN, height: float = HEIGHT_IN) -> Figure:
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return figure


def _style(axes, title: str, xlabel: str, ylabel: str) -> None:
    axes.set_title(title, fontsize=12, loc="left", y=TITLE_Y)
    axes.set_xlabel(xlabel, fontsize=10)
    axes.set_ylabel(ylabel, fontsize=10)
    axes.tick_params(labelsize=9)
    axes.grid(True, which="major", alpha=0.3, linewidth=0.6)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _note(axes, text: str) -> None:
    """A message in the middle of empty axes (no data to draw)."""
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center",
              fontsize=10, color="0.35", wrap=True)


def save_figure(figure: Figure, path: str | Path) -> Path:
    """Write the figure as `png_bytes` makes it (or in the format of another suffix, at
    `SCALE` x `DPI`) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".png":
        path.write_bytes(png_bytes(figure))
    else:
        figure.savefig(path, dpi=DPI * SCALE)
    return path


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes at `SCALE` x `DPI` pixels per inch, for embedding in a
    report, which shows it at its size in inches from the PNG's resolution (``pHYs``).

    Drawn once, laying it out on the way: `savefig` draws a laid-out figure twice (once
    only to lay it out), the same pixels at about a tenth more of the time. Stored with a
    palette of 256 colours (`palette_image`), at zlib level 6: on the figures of a
    5,000-replication report, 0.9 MB in all against 2.2 MB as RGB, the pictures looking
    the same, for a few hundredths of a second a figure.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure.set_dpi(DPI * SCALE)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    buffer = io.BytesIO()
    palette_image(np.asarray(canvas.buffer_rgba())).save(
        buffer, format="png", compress_level=6, dpi=(DPI * SCALE, DPI * SCALE))
    return buffer.getvalue()


def palette_image(rgba: np.ndarray):
    """An RGB(A) pixel array as a PIL image with a palette of at most 256 colours (fast
    octree quantisation), colours within 8 levels of white made white: octree's average
    of a cell containing white is a faint grey, which shows as a grey box on a white page.
    Figures are flat colours and their anti-aliased edges, which 256 colours render."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3])).quantize(
        256, method=Image.Quantize.FASTOCTREE)
    palette = np.frombuffer(bytes(image.getpalette() or []), dtype=np.uint8).reshape(-1, 3)
    palette = palette.copy()
    palette[(palette >= 247).all(axis=1)] = 255
    image.putpalette(palette.tobytes())
    return image


def warm_up() -> None:
    """Draw a small figure with every kind of text the figures here use (a title, axis
    labels, log-scale tick labels set with mathtext), so that the fonts, their metrics and
    the mathtext parser are loaded. Processes forked afterwards to draw figures start
    with them loaded instead of each loading them again (a few tenths of a second)."""
    figure = _figure(2.0, 2.0)
    axes = figure.add_subplot()
    _style(axes, "warm up", "x", "y")
    axes.set_yscale("log")
    axes.set_ylim(1e-4, 1.0)
    png_bytes(figure)


def _curves(curves: ExceedanceCurve | Mapping[str, ExceedanceCurve]
            ) -> dict[str | None, ExceedanceCurve]:
    if isinstance(curves, ExceedanceCurve):
        return {None: curves}
    return dict(curves)


# ------------------------------------------------------------------ exceedance


def _tint(colour: str, whiteness: float) -> tuple[float, float, float]:
    """`colour` mixed with white (0: the colour itself, 1: white)."""
    from matplotlib.colors import to_rgb

    return tuple(c + (1.0 - c) * whiteness for c in to_rgb(colour))


def _extend_last_step(curve: ExceedanceCurve
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The curve's points with the last positive step carried on to the next threshold,
    so a step drawn "post" from it shows (otherwise a run whose only positive value is
    one threshold would draw nothing)."""
    x, p, low, high = curve.thresholds, curve.probability, curve.low, curve.high
    positive = np.flatnonzero(p > 0)
    if positive.size == 0 or positive[-1] + 1 >= x.size:
        return x, p, low, high
    last = positive[-1]
    cut = slice(0, last + 2)
    p, low, high = p[cut].copy(), low[cut].copy(), high[cut].copy()
    p[-1], low[-1], high[-1] = p[-2], low[-2], high[-2]
    return x[cut], p, low, high



def plot_exceedance(curves: ExceedanceCurve | Mapping[str, ExceedanceCurve], *,
                    outcome: str = "value", unit: str | None = None,
                    title: str | None = None, log_x: bool = False,
                    log_y: bool = True) -> Figure:
    """Exceedance curve P(X > x) with its bootstrap band; a mapping of label -> curve
    overlays several runs (for comparisons)."""
    figure = _figure()
    axes = figure.add_subplot()
    drawn = 0
    floor = 1.0
    for i, (label, curve) in enumerate(_curves(curves).items()):
        colour = COLOURS[i % len(COLOURS)]
        x, p, low, high = _extend_last_step(curve)
        keep = np.isfinite(p) & (p > 0 if log_y else True)
        if log_x:
            keep &= x > 0
        if not np.any(keep):
            continue
        floor = min(floor, 0.5 / max(curve.count, 1))
        text = "" if label is None else f"{label} (n = {curve.count:,})"
        axes.fill_between(x[keep], low[keep], high[keep], step="post",
                          color=colour, alpha=0.2 if label is None else 0.13, linewidth=0,
                          label=f"{curve.level:.0%} bootstrap band" if label is None else None)
        axes.step(x[keep], p[keep], where="post", color=colour, linewidth=1.6,
                  label=text or f"P(X > x), n = {curve.count:,}")
        drawn += 1
    name = outcome_label(outcome, unit)
    _style(axes, title or f"Exceedance probability of {outcome}", name,
           "probability of exceeding")
    if drawn == 0:
        _note(axes, f"no replication had {outcome} above its minimum:\nnothing to draw")
        return figure
    if log_y:
        axes.set_yscale("log")
        axes.set_ylim(floor, 1.05)
    else:
        axes.set_ylim(0, 1.02)
    if log_x:
        axes.set_xscale("log")
    axes.legend(fontsize=9, frameon=False, loc="best")
    return figure


def plot_fn(curves: ExceedanceCurve | Mapping[str, ExceedanceCurve], *,
            title: str | None = None, unit: str = "fatalities") -> Figure:
    """F-N curve: conditional probability of N or more fatalities, log-log, with its
    bootstrap band; a mapping of label -> curve overlays several runs."""
    figure = _figure()
    axes = figure.add_subplot()
    drawn = 0
    floor = 1.0
    for i, (label, curve) in enumerate(_curves(curves).items()):
        colour = COLOURS[i % len(COLOURS)]
        n, p = curve.thresholds, curve.probability
        keep = np.isfinite(p) & (p > 0) & (n >= 1)
        if not np.any(keep):
            continue
        floor = min(floor, 0.5 / max(curve.count, 1))
        # P(N >= x) is constant on (n[j-1], n[j]]: draw the steps from the left
        axes.fill_between(n[keep], np.maximum(curve.low[keep], floor / 2),
                          curve.high[keep], step="pre", color=colour,
                          alpha=0.2 if label is None else 0.12,
                          linewidth=0,
                          label=f"{curve.level:.0%} bootstrap band" if label is None else None)
        text = f"P(N ≥ n), n = {curve.count:,} replications" if label is None \
            else f"{label} (n = {curve.count:,})"
        axes.step(n[keep], p[keep], where="pre", color=colour, linewidth=1.6,
                  label=text)
        axes.plot(n[keep][:1], p[keep][:1], "o", color=colour, markersize=4)
        drawn += 1
    _style(axes, title or "F-N curve (conditional on the scenario)",
           f"N, number of {unit}", f"probability of N or more {unit}")
    if drawn == 0:
        _note(axes, f"no replication had 1 or more {unit}:\nnothing to draw on log axes")
        return figure
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_ylim(floor, 1.05)
    axes.grid(True, which="minor", alpha=0.12, linewidth=0.5)
    axes.legend(fontsize=9, frameon=False, loc="best")
    return figure


def plot_knowledge_curve(band: CurveBand, *, outcome: str, unit: str | None = None,
                         title: str | None = None, fn: bool = False) -> Figure:
    """Exceedance (or, with `fn`, F-N on log-log axes) curves of a two-layer run: each
    knowledge sample's curve in grey, their pointwise median and 5-95 % band."""
    figure = _figure()
    axes = figure.add_subplot()
    x = band.thresholds
    floor = 0.5 / max(band.chance, 1)
    keep = x >= 1 if fn else np.ones(x.size, bool)
    step = "pre" if fn else "post"
    name = outcome_label(outcome, unit)
    _style(axes, title or (f"F-N curve with knowledge bands ({outcome})" if fn else
                           f"Exceedance probability of {outcome}, with knowledge bands"),
           f"N, number of {unit or 'fatalities'}" if fn else name,
           f"probability of N or more {unit or 'fatalities'}" if fn else
           "probability of exceeding")
    if not np.any(keep & (band.high > 0)):
        _note(axes, f"no knowledge sample had {outcome} above its minimum:\nnothing to draw")
        return figure
    for curve in band.curves:
        axes.step(x[keep], np.maximum(curve[keep], floor / 2), where=step, color="0.6",
                  linewidth=0.5, alpha=0.35)
    axes.fill_between(x[keep], np.maximum(band.low[keep], floor / 2), band.high[keep],
                      step=step, color=COLOURS[0], alpha=0.2, linewidth=0,
                      label="5-95 % of knowledge samples (down to the axis: 0)")
    for edge in (band.low, band.high):
        axes.step(x[keep], np.maximum(edge[keep], floor / 2), where=step, color=COLOURS[0],
                  linewidth=0.9, linestyle="--")
    axes.step(x[keep], np.maximum(band.median[keep], floor / 2), where=step,
              color=COLOURS[0], linewidth=1.8,
              label=f"median of {band.curves.shape[0]} knowledge samples "
              f"({band.chance:,} chance replications each)")
    axes.set_yscale("log")
    axes.set_ylim(floor, 1.05)
    if fn:
        axes.set_xscale("log")
    axes.legend(fontsize=8.5, frameon=False, loc="best")
    return figure


def plot_sobol(indices: Sequence[SobolIndices], *, outcome: str, top: int = 12,
               title: str | None = None) -> Figure:
    """First-order and total Sobol indices of the inputs of one outcome, with their
    bootstrap intervals, largest total index on top."""
    rows = sorted(indices, key=lambda i: -np.nan_to_num(i.total))[:top]
    figure = _figure(WIDTH_IN, max(2.8, 1.3 + 0.36 * len(rows)))
    axes = figure.add_subplot()
    _style(axes, title or f"What drives {outcome}: Sobol indices", "share of the variance", "")
    if not rows:
        _note(axes, f"{outcome} does not vary across the knowledge samples")
        return figure
    y = np.arange(len(rows))
    for offset, colour, label, value, half in (
            (-0.18, COLOURS[0], "first order (alone)", [r.first for r in rows],
             [r.first_half for r in rows]),
            (0.18, COLOURS[1], "total (with interactions)", [r.total for r in rows],
             [r.total_half for r in rows])):
        axes.barh(y + offset, value, height=0.34, color=colour, label=label,
                  xerr=half, error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "0.25"})
    axes.set_yticks(y, [_short(r.label, 50) for r in rows], fontsize=8.5)
    axes.set_ylim(len(rows) - 0.4, -0.6)
    axes.set_xlim(min(0.0, *(r.first for r in rows)) - 0.02, 1.05)
    axes.axvline(0, color="0.2", linewidth=0.8)
    axes.grid(False, axis="y")
    figure.legend(fontsize=8, frameon=False, loc="outside lower center", ncol=2)
    return figure


def plot_morris(effects: Sequence[MorrisEffect], *, outcome: str, unit: str = "",
                top: int = 12, title: str | None = None) -> Figure:
    """Morris screening of one outcome: each input's mu* (bars, with 95 % bootstrap
    intervals) and sigma (markers), largest mu* on top."""
    rows = list(effects)[:top]
    figure = _figure(WIDTH_IN, max(2.8, 1.3 + 0.32 * len(rows)))
    axes = figure.add_subplot()
    _style(axes, title or f"What drives {outcome}: Morris screening",
           f"mean absolute effect across the input's range{f' ({unit})' if unit else ''}", "")
    if not rows:
        _note(axes, f"{outcome} does not vary across the knowledge samples")
        return figure
    y = np.arange(len(rows))
    axes.barh(y, [r.mu_star for r in rows], height=0.6, color=COLOURS[0],
              xerr=[r.mu_star_half for r in rows], label="μ* (mean absolute effect)",
              error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "0.25"})
    axes.plot([r.sigma for r in rows], y, "D", color=COLOURS[1], markersize=5,
              label="σ (spread: interactions, non-linearity)")
    axes.set_yticks(y, [_short(r.label, 50) for r in rows], fontsize=8.5)
    axes.set_ylim(len(rows) - 0.4, -0.6)
    axes.grid(False, axis="y")
    figure.legend(fontsize=8, frameon=False, loc="outside lower center", ncol=2)
    return figure


# ------------------------------------------------------------ cumulative incidence


def plot_incidence(curves: Mapping[str, IncidenceCurve], *, horizon_h: float | None = None,
                   title: str | None = None) -> Figure:
    """Cumulative incidence of events (label -> `analysis.stats.IncidenceCurve`): the
    share of replications in which each had happened by each hour, with its pointwise
    Wilson band. A curve ends at P(it happened by the horizon), below 1 when it did not
    always happen; it is flat from its last event to the horizon."""
    figure = _figure()
    axes = figure.add_subplot()
    _style(axes, title or "When it happens", "hours from the start",
           "share of replications in which it has happened")
    drawn = 0
    for i, (label, curve) in enumerate(curves.items()):
        if curve.times.size == 0:
            continue
        colour = COLOURS[i % len(COLOURS)]
        end = max(float(curve.times[-1]), horizon_h or 0.0)
        x = np.concatenate([[0.0], curve.times, [end]])
        p = np.concatenate([[0.0], curve.probability, [curve.probability[-1]]])
        low = np.concatenate([[0.0], curve.low, [curve.low[-1]]])
        high = np.concatenate([[0.0], curve.high, [curve.high[-1]]])
        axes.fill_between(x, low, high, step="post", color=colour, alpha=0.15, linewidth=0)
        axes.step(x, p, where="post", color=colour, linewidth=1.6,
                  label=f"{label}: {100 * curve.probability[-1]:.3g}% by the end "
                  f"(n = {curve.replications:,})")
        drawn += 1
    if horizon_h:
        axes.axvline(horizon_h, color="0.4", linestyle=":", linewidth=1.0, label="horizon")
    if drawn == 0:
        _note(axes, "none of these events happened in any replication")
        return figure
    axes.set_ylim(0, min(1.0, max(float(np.max(c.high)) for c in curves.values()
                                  if c.times.size) * 1.1 + 0.02))
    axes.set_xlim(0, None)
    axes.legend(fontsize=8.5, frameon=False, loc="center right")
    return figure


# ----------------------------------------------------------------- distribution


def plot_distribution(values: np.ndarray, *, outcome: str = "value",
                      unit: str | None = None, title: str | None = None,
                      bins: int = 40) -> Figure:
    """Histogram of one outcome over the replications, with its mean and 5/50/95th
    percentiles. Indicator outcomes (0/1) show as two bars; a single value shows as one
    bar with a note. Zeros, when most replications are zero, are counted in a note instead
    of drawn, as they would dwarf the rest; the mean and percentiles are then those of the
    values drawn. Missing values (a time to an event that did not happen) are left out:
    say in `title` what the values are conditioned on."""
    figure = _figure()
    axes = figure.add_subplot()
    data = finite(values)
    label = outcome_label(outcome, unit)
    heading = title or f"Distribution of {outcome}"
    n = data.size
    if n == 0:
        _style(axes, heading, label, "replications")
        _note(axes, f"no replication returned {outcome}")
        return figure
    if is_binary(data):
        ones = int(np.count_nonzero(data == 1.0))
        axes.bar([0, 1], [n - ones, ones], width=0.6, color=[COLOURS[6], COLOURS[1]])
        axes.set_xticks([0, 1], ["no (0)", "yes (1)"])
        for x, count in ((0, n - ones), (1, ones)):
            axes.annotate(f"{count / n:.1%}", (x, count), xytext=(0, 3),
                          textcoords="offset points", ha="center", fontsize=9)
        _style(axes, heading, outcome, "replications")
        axes.set_ylim(0, n * 1.12)
        return figure
    low, high = float(data.min()), float(data.max())
    if low == high:
        axes.bar([low], [n], width=max(abs(low) * 0.05, 0.5), color=COLOURS[0])
        _style(axes, heading, label, "replications")
        _note(axes, f"all {n:,} replications: {outcome} = {low:.4g}")
        return figure
    shown, notes, where = data, [], ""
    zeros = int(np.count_nonzero(shown == 0.0))
    if zeros > shown.size / 2 and np.unique(shown[shown > 0]).size >= 2:
        shown = shown[shown > 0]
        notes.append(f"{zeros:,} of {n:,} replications ({zeros / n:.1%}) are 0")
        where = " where above zero"
    heading = title or f"Distribution of {outcome}{where}"
    lo, hi = float(shown.min()), float(shown.max())
    log_x = lo > 0 and hi / lo > 20
    if lo == hi:
        edges = np.array([lo - 0.5, hi + 0.5])
    else:
        edges = np.geomspace(lo, hi, bins + 1) if log_x else np.linspace(lo, hi, bins + 1)
    axes.hist(shown, bins=edges, color=COLOURS[0], alpha=0.8, edgecolor="white",
              linewidth=0.4)
    if log_x:
        axes.set_xscale("log")
    p5, p50, p95 = percentiles(shown)
    marks = [(float(shown.mean()), "mean", "-", COLOURS[1]), (p5, "p5", ":", "0.25"),
             (p50, "median", "--", "0.25"), (p95, "p95", ":", "0.25")]
    scope = " above 0" if where else ""  # the legend says which population it describes
    for x, name, style, colour in marks:
        axes.axvline(x, linestyle=style, color=colour, linewidth=1.2,
                     label=f"{name}{scope} {number_text(x, 3)}")
    _style(axes, heading, label, "replications")
    if notes:
        axes.text(0.99, 0.97, "not drawn: " + "; ".join(notes), transform=axes.transAxes,
                  ha="right", va="top", fontsize=8.5, color="0.3", zorder=5,
                  bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9, "pad": 2})
        axes.set_ylim(0, axes.get_ylim()[1] * 1.12)
    figure.legend(fontsize=9, frameon=False, loc="outside lower center", ncol=4)
    return figure


# ----------------------------------------------------------------------- river


def _band(data: np.ndarray) -> tuple[float, float, float] | None:
    """5th percentile, median and 95th percentile of the finite values, None if none."""
    data = data[np.isfinite(data)]
    if data.size == 0:
        return None
    low, median, high = np.percentile(data, [5, 50, 95])
    return float(low), float(median), float(high)


def plot_river(outcomes: Mapping[str, np.ndarray], towns: Sequence[str], *,
               distances_km: Sequence[float] | None = None,
               names: Mapping[str, str] | None = None,
               condition: str | None = "breach_started", event: str | None = None,
               title: str | None = None) -> Figure:
    """The flood at each town along the river (towns in downstream order), over the
    replications where `condition` is 1 (default: a breach started; `event` names it in
    the title): median and 5-95% range of the following.

    - When the flood arrived (``arrival_h.<town>``) and peaked (``peak_h.<town>``), in
      hours after the breach began (``breach_time_h``) when the run has it, else from the
      start. Counted from the breach, the spread is the flood's own, not that of when the
      breach happened;
    - the warning lead time (``warning_lead_h.<town>``, when the run has it): arrival
      minus the moment the town was warned, negative where the water came first;
    - the peak depth above normal (``depth_m.<town>``).
    """
    lead = any(f"warning_lead_h.{town}" in outcomes for town in towns)
    panels = 3 if lead else 2
    figure = _figure(WIDTH_IN, HEIGHT_IN * (0.6 + 0.55 * panels))
    axes_list = list(figure.subplots(panels, 1, sharex=True))
    mask = None
    if condition is not None and condition in outcomes:
        mask = np.asarray(outcomes[condition], dtype=np.float64) == 1.0
    chosen = int(mask.sum()) if mask is not None else None
    positions = np.asarray(distances_km, dtype=float) if distances_km is not None \
        else np.arange(len(towns), dtype=float)
    offset = 0.012 * (float(np.ptp(positions)) or 1.0)  # arrival and peak side by side
    names = names or {}
    breach = outcomes.get("breach_time_h")
    start = np.asarray(breach, dtype=np.float64) if breach is not None else None

    def column(name: str, after_breach: bool = False) -> np.ndarray | None:
        values = outcomes.get(name)
        if values is None:
            return None
        data = np.asarray(values, dtype=np.float64)
        if after_breach and start is not None:
            data = data - start
        return data[mask] if mask is not None else data

    def draw(axes, prefix: str, colour: str, shift: float, label: str,
             after_breach: bool = False) -> bool:
        xs, rows = [], []
        for x, town in zip(positions, towns, strict=True):
            data = column(f"{prefix}.{town}", after_breach)
            band = None if data is None else _band(data)
            if band is not None:
                xs.append(x + shift)
                rows.append(band)
        if not xs:
            return False
        low, median, high = (np.array(v) for v in zip(*rows, strict=True))
        axes.vlines(xs, low, high, color=colour, linewidth=5, alpha=0.35)
        axes.plot(xs, median, "o-", color=colour, markersize=5, linewidth=1, label=label)
        return True

    since = "after the breach" if start is not None else "from the start"
    times, rest = axes_list[0], axes_list[1:]
    drawn = draw(times, "arrival_h", COLOURS[0], -offset, "flood arrives", True)
    draw(times, "peak_h", COLOURS[1], offset, "flood peaks", True)
    _style(times, "", "", f"hours {since}")
    if times.get_legend_handles_labels()[0]:
        times.legend(fontsize=8.5, frameon=False, loc="upper left")
    if lead:
        warned = rest.pop(0)
        draw(warned, "warning_lead_h", COLOURS[3], 0.0, "warning lead time")
        warned.axhline(0.0, color="0.3", linewidth=0.9)
        _style(warned, "", "", "warning lead time (h)")
        warned.text(0.995, 0.03, "below 0: warned after the water came",
                    transform=warned.transAxes, ha="right", va="bottom", fontsize=8.5,
                    color="0.3")
    depth = rest[0]
    draw(depth, "depth_m", COLOURS[2], 0.0, "peak depth")
    _style(depth, "", "", "peak depth above normal (m)")
    given = ""
    if chosen is not None:
        total = len(np.asarray(outcomes[condition]))
        given = f", given {event or tidy_id(condition).lower()} ({chosen:,} of {total:,} " \
            "replications)"
    times.set_title(title or f"The flood along the river{given}", fontsize=12, loc="left",
                    y=TITLE_Y)
    labels = [names.get(t, t) for t in towns]
    if distances_km is not None:
        labels = [f"{label}\n{d:.0f} km" for label, d in zip(labels, positions, strict=True)]
    depth.set_xticks(positions, labels, fontsize=9)
    depth.set_xlabel("town, by distance below the dam" if distances_km is not None
                     else "town, in downstream order", fontsize=10)
    if drawn:
        from matplotlib.lines import Line2D

        proxies = [Line2D([], [], color="0.35", marker="o", markersize=5, linewidth=1),
                   Line2D([], [], color="0.35", linewidth=5, alpha=0.35)]
        figure.legend(proxies, ["median", "5-95% of replications"], fontsize=9,
                      frameon=False, loc="outside lower center", ncol=2)
    else:
        why = f"no replication with {event or tidy_id(condition).lower()}" if chosen == 0 \
            else "no flood values for these towns"
        _note(times, why)
    if len(positions):
        pad = 0.05 * (float(np.ptp(positions)) or 1.0)
        depth.set_xlim(positions.min() - pad, positions.max() + pad)
    return figure


# ------------------------------------------------------------------------- grid


def plot_grid(added_mw: np.ndarray, *, plant_out: np.ndarray | None = None,
              hours: np.ndarray | None = None, title: str | None = None) -> Figure:
    """The grid over the horizon in a sample of replications (rows; one column per
    hour from the start): the probability that the dam's plant is off the grid
    (`plant_out`: the share of each hour it was out), with a 95% Wilson band, and the
    load shed the scenario adds above the same grid with nothing out (`added_mw`): its
    mean with a 95% Student t band, and its mean over the replications whose plant is
    out in that hour.

    A fan of percentiles misleads here: in each hour most replications add nothing and
    the rest add about what the plant would have supplied, so every percentile is one
    of two values. The probability and the mean given an outage separate the two.
    """
    from .analysis.stats import wilson_interval

    added = np.atleast_2d(np.asarray(added_mw, dtype=np.float64))
    count, width = added.shape
    out = None if plant_out is None else np.atleast_2d(np.asarray(plant_out, np.float64))
    figure = _figure(WIDTH_IN, HEIGHT_IN * (1.45 if out is not None else 1.0))
    panels = figure.subplots(2 if out is not None else 1, 1, sharex=True, squeeze=False)[:, 0]
    t = np.arange(width, dtype=float) if hours is None else np.asarray(hours, float)
    days = t.size > 1 and t[-1] - t[0] > 72
    x = (t + 0.5) / 24.0 if days else t + 0.5  # the middle of each hour
    xlabel = "days from the start" if days else "hours from the start"
    heading = title or f"The grid over the horizon ({count:,} replications)"
    shed = panels[-1]
    _style(shed, "", xlabel, "load shed added (MW)")
    if out is not None:
        top = panels[0]
        _style(top, heading, "", "P(plant off the grid)")
        if out.size:
            p = out.mean(axis=0)
            low, high = wilson_interval(out.sum(axis=0), count)
            top.plot(x, 100 * p, color=COLOURS[3], linewidth=1.6,
                     label="share of replications with the plant out")
            top.fill_between(x, 100 * low, 100 * high, color=_tint(COLOURS[3], 0.7),
                             linewidth=0, label="its 95% interval")
            top.legend(fontsize=8.5, frameon=False, loc="best")
        top.set_ylim(0, max(5.0, float(np.max(100 * high)) * 1.1) if out.size else 100)
        top.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}%")
    else:
        shed.set_title(heading, fontsize=12, loc="left", y=TITLE_Y)
    if added.size == 0 or not np.isfinite(added).any():
        _note(shed, "no load-shed values")
        return figure
    with np.errstate(all="ignore"):
        mean = np.nanmean(added, axis=0)
        if count > 1:
            from scipy import stats

            half = stats.t.ppf(0.975, count - 1) * np.nanstd(added, axis=0, ddof=1) \
                / np.sqrt(count)
            lowest, highest = np.nanmin(added, axis=0), np.nanmax(added, axis=0)
        shed.plot(x, mean, color=COLOURS[0], linewidth=1.6,
                  label="mean over replications")
        if count > 1:
            shed.fill_between(x, np.maximum(mean - half, lowest),
                              np.minimum(mean + half, highest),
                              color=_tint(COLOURS[0], 0.72), linewidth=0,
                              label="95% interval of the mean")
        if out is not None and out.size:
            hit = out >= 0.5
            given = np.where(hit.any(axis=0),
                             np.nansum(np.where(hit, added, 0.0), axis=0)
                             / np.maximum(hit.sum(axis=0), 1), np.nan)
            shed.plot(x, given, color=COLOURS[3], linewidth=1.2, linestyle="--",
                      label="mean where the plant is out that hour")
    shed.set_xlim(x[0] - (0.5 / 24 if days else 0.5), x[-1] + (0.5 / 24 if days else 0.5))
    peak = float(np.nanmax(np.abs(added)))
    shed.set_ylim(min(0.0, float(np.nanmin(added))) * 1.05, max(peak, 1.0) * 1.1)
    figure.legend(*shed.get_legend_handles_labels(), fontsize=8.5, frameon=False,
                  loc="outside lower center", ncol=3)
    return figure


# --------------------------------------------------------------------- timeline

# Activities drawn as bars: start kind -> (end kinds, key ("actor" or "place"), label)
_SPANS = {
    "dispatch": (("depart",), "actor", "mobilising"),
    "depart": (("arrive",), "actor", "moving"),
    "arrive": (("depart",), "actor", "halted"),
    "engage": (("defeat", "repulse"), "place", "fighting"),
    "plant_out": (("plant_restored",), "actor", "plant off the grid"),
    "line_cut": (("line_repaired",), "actor", "line out of service"),
    "generators_out": (("generators_restored",), "actor", "plant off the grid"),
}
_SPAN_COLOURS = {"mobilising": "#f0b27a", "moving": "#5dade2", "halted": "#bfc9ca",
                 "fighting": "#e74c3c", "plant off the grid": "#8e44ad",
                 "line out of service": "#a0522d"}
# Moments drawn as markers: kind -> (marker, colour)
_MARKS = {"capture": ("X", "#17202a"), "captured": ("X", "#17202a"),
          "threatened": ("D", "#f1c40f"), "breach": ("v", "#1a5276"),
          "detect": ("s", "#117864"), "warning": ("^", "#e67e22"),
          "flood": ("o", "#2471a3"), "flood_arrival": ("o", "#2471a3"),
          "recaptured": ("X", "#1e8449"), "support": ("*", "#5d6d7e"),
          "level_reached": ("^", "#1a5276"),
          "garrison": ("P", "#27ae60"),
          "join": ("+", "#c0392b"), "defeat": ("|", "#c0392b"),
          "repulse": ("|", "#c0392b"), "bridge_destroyed": ("x", "#6e2c00"),
          "substation_lost": ("x", "#a0522d"), "reroute": ("<", "#5dade2"),
          "stranded": ("s", "#5d6d7e")}
_MARK_LABELS = {"captured": "capture", "recaptured": "recapture", "defeat": "engagement ends",
                "repulse": "engagement ends", "flood_arrival": "flood"}


def _time_scale(horizon_s: float) -> tuple[float, str]:
    return (86400.0, "d") if horizon_s > 72 * HOUR_S else (HOUR_S, "h")


def plot_timeline(events: Sequence[Event], *, horizon_s: float | None = None,
                  title: str | None = None, names: Mapping[str, str] | None = None
                  ) -> Figure:
    """Gantt chart of one replication: a lane per actor (labelled by `names`, else its
    id), bars for what each was doing (mobilising, moving, halted, fighting, plant or
    line out of service) and markers for moments (capture, breach, detection, warnings,
    flood arrival)."""
    events = sorted(events, key=lambda e: e.time_s)
    last_s = max((e.time_s for e in events), default=0.0)
    end_s = horizon_s if horizon_s is not None else max(last_s, HOUR_S)
    # show the horizon unless everything happens early in it: then the part with events
    view_s = min(end_s, max(last_s * 1.15, last_s + 6 * HOUR_S))
    scale, unit = _time_scale(view_s)
    lanes: list[str] = []
    for event in events:
        lane = event.actors[0]
        if lane not in lanes:
            lanes.append(lane)
    height = max(2.6, 1.0 + 0.42 * len(lanes))
    figure = _figure(WIDTH_IN, height + 0.9)
    axes = figure.add_subplot()
    row = {lane: i for i, lane in enumerate(lanes)}
    open_spans: dict[tuple[str, str], tuple[float, str, str]] = {}
    bars: list[tuple[str, float, float, str]] = []  # lane, start, end, activity
    for event in events:
        lane = event.actors[0]
        for start_kind, (ends, key, activity) in _SPANS.items():
            ident = event.actors if key == "actor" else event.place
            if event.kind in ends and (start_kind, ident) in open_spans:
                begin, begin_lane, _ = open_spans.pop((start_kind, ident))
                bars.append((begin_lane, begin, event.time_s, activity))
        if event.kind in _SPANS:
            _, key, activity = _SPANS[event.kind]
            ident = event.actors if key == "actor" else event.place
            open_spans[(event.kind, ident)] = (event.time_s, lane, activity)
    for begin, lane, activity in open_spans.values():
        if activity != "halted" or horizon_s is not None:
            bars.append((lane, begin, max(end_s, begin), activity))
    seen: set[str] = set()
    for lane, begin, finish, activity in bars:
        axes.barh(row[lane], (finish - begin) / scale, left=begin / scale, height=0.5,
                  color=_SPAN_COLOURS[activity], edgecolor="none",
                  label=None if activity in seen else activity)
        seen.add(activity)
    for event in events:
        if event.kind in _MARKS:
            marker, colour = _MARKS[event.kind]
            label = _MARK_LABELS.get(event.kind, event.kind.replace("_", " "))
            axes.plot(event.time_s / scale, row[event.actors[0]], marker,
                      color=colour, markersize=7, linestyle="none",
                      label=None if label in seen else label, zorder=3)
            seen.add(label)
    names = names or {}
    axes.set_yticks(range(len(lanes)), [_short(names.get(lane, lane)) for lane in lanes],
                    fontsize=9)
    axes.set_ylim(len(lanes) - 0.4, -0.6)
    axes.set_xlim(0, view_s / scale)
    xlabel = f"time since start ({unit})"
    if view_s < end_s:
        horizon_scale, horizon_unit = _time_scale(end_s)
        xlabel += (f"; no events from here to the horizon at "
                   f"{end_s / horizon_scale:.4g} {horizon_unit}")
    _style(axes, title or "Timeline of one replication", xlabel, "")
    axes.grid(False, axis="y")
    if not events:
        _note(axes, "no events recorded")
    elif seen:
        figure.legend(fontsize=8, frameon=False, loc="outside lower center",
                      ncol=min(6, len(seen)))
    return figure


def _short(text: str, width: int = 28) -> str:
    """`text` cut to `width` characters in the middle, keeping both ends readable."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


# ------------------------------------------------------------------ convergence


def plot_convergence(trace: ConvergenceTrace, *, outcome: str = "value",
                     unit: str | None = None, title: str | None = None) -> Figure:
    """Running mean of an outcome against the number of replications, with its CI."""
    figure = _figure()
    axes = figure.add_subplot()
    _style(axes, title or f"Convergence of the mean of {in_sentence(outcome)}",
           "replications", f"running mean of {in_sentence(outcome_label(outcome, unit))}")
    if trace.count.size == 0:
        _note(axes, f"no replication returned {outcome}")
        return figure
    ci = "Wilson" if trace.method == "wilson" else "t"
    axes.fill_between(trace.count, trace.low, trace.high, color=COLOURS[0], alpha=0.2,
                      linewidth=0, label=f"{trace.level:.0%} CI ({ci})")
    axes.plot(trace.count, trace.mean, color=COLOURS[0], linewidth=1.5,
              label="running mean")
    final = float(trace.mean[-1])
    axes.axhline(final, color="0.3", linestyle="--", linewidth=0.9,
                 label=f"final mean {final:.4g} (n = {int(trace.count[-1]):,})")
    if trace.count[-1] > 10:
        axes.set_xscale("log")
    axes.set_xlim(trace.count[0], trace.count[-1])
    axes.legend(fontsize=9, frameon=False, loc="best")
    return figure


# ---------------------------------------------------------------------- tornado


def plot_tornado(sensitivities: Sequence[Sensitivity], *, outcome: str,
                 top: int = 12, title: str | None = None) -> Figure:
    """Tornado chart: partial rank correlation (bars) and Spearman rank correlation
    (markers) of the most influential inputs with `outcome`, largest on top."""
    rows = [s for s in sensitivities if not math.isnan(s.prcc)][:top]
    figure = _figure(WIDTH_IN, max(2.8, 1.3 + 0.32 * len(rows)))
    axes = figure.add_subplot()
    _style(axes, title or f"What drives {outcome}", "rank correlation with the outcome", "")
    if not rows:
        _note(axes, f"no varying input correlates with {outcome}\n"
              "(the outcome or every input was constant)")
        return figure
    y = np.arange(len(rows))
    prcc = np.array([s.prcc for s in rows])
    colours = [COLOURS[1] if v > 0 else COLOURS[0] for v in prcc]
    axes.barh(y, prcc, color=colours, height=0.62, label="partial rank correlation (PRCC)")
    axes.plot([s.spearman for s in rows], y, "k|", markersize=12, markeredgewidth=2,
              label="Spearman rank correlation")
    axes.axvline(0, color="0.2", linewidth=0.8)
    axes.set_yticks(y, [_short(s.label, 50) for s in rows], fontsize=8.5)
    axes.set_ylim(len(rows) - 0.4, -0.6)
    axes.set_xlim(-1.05, 1.05)
    axes.grid(False, axis="y")
    figure.legend(fontsize=8, frameon=False, loc="outside lower center", ncol=2)
    return figure


def plot_swing(swings: Sequence[Swing], *, outcome: str, unit: str = "",
               labels: Mapping[str, str] | None = None, mean: float | None = None,
               scale: float = 1.0, top: int = 12, title: str | None = None) -> Figure:
    """Tornado chart of decile swings (`analysis.sensitivity.decile_swing`): for each input,
    a bar from the outcome's overall `mean` to its mean over the replications where the
    input was in its lowest decile, and one to its mean where it was in its highest; the
    widest swing on top, the swing and the Spearman correlation written beside each; pale
    bars where the swing's 95 % interval includes 0.

    `outcome` and `unit` label the axis (``mean fatalities``, ``people``; `scale`
    multiplies every value first: 100 shows a probability in %), `labels` maps input
    columns to their labels.
    """
    rows = [r for r in swings if math.isfinite(r.swing)][:top]
    labels = labels or {}
    figure = _figure(WIDTH_IN, max(2.8, 1.5 + 0.34 * len(rows)))
    axes = figure.add_subplot()
    axis = f"{outcome} ({unit})" if unit else outcome
    _style(axes, title or f"What moves {outcome}", axis, "")
    if not rows:
        _note(axes, f"no varying input moves {outcome}\n(the outcome or every input was "
              "constant)")
        return figure
    y = np.arange(len(rows))
    centre = scale * (mean if mean is not None and math.isfinite(mean) else
                      float(np.mean([(r.low_mean + r.high_mean) / 2 for r in rows])))
    low = np.array([r.low_mean for r in rows]) * scale
    high = np.array([r.high_mean for r in rows]) * scale
    # a swing whose 95 % interval includes 0 may be noise: its bars are pale
    clear = [r.swing_low > 0 or r.swing_high < 0 for r in rows]
    axes.barh(y, low - centre, left=centre, height=0.62,
              color=[COLOURS[0] if c else _tint(COLOURS[0], 0.6) for c in clear],
              label="input in its lowest decile (or 0)")
    axes.barh(y, high - centre, left=centre, height=0.62,
              color=[COLOURS[1] if c else _tint(COLOURS[1], 0.6) for c in clear],
              label="input in its highest decile (or 1)")
    axes.axvline(centre, color="0.2", linewidth=0.8)
    axes.set_yticks(y, [_short(labels.get(r.input, r.input), 48) for r in rows], fontsize=8.5)
    axes.set_ylim(len(rows) - 0.4, -0.6)
    axes.grid(False, axis="y")
    for i, r in enumerate(rows):
        rho = "" if math.isnan(r.spearman) else f" · ρ {r.spearman:+.2f}"
        axes.annotate(f"{number_text(scale * r.swing, 3, sign=True)}{rho}", (1.0, i),
                      xycoords=("axes fraction", "data"), xytext=(6, 0),
                      textcoords="offset points", va="center", fontsize=8, color="0.25")
    figure.legend(fontsize=8, frameon=False, loc="outside lower center", ncol=2)
    return figure


# ------------------------------------------------------------ scenario discovery


def plot_prim_tradeoff(result: PrimResult, *, event: str, title: str | None = None) -> Figure:
    """PRIM's trade-off (`analysis.prim`): coverage against density of each box along
    the first box's peeling trajectory, coloured by how many inputs it restricts; the
    step chosen ringed, the box kept after pasting and pruning starred, the share of all
    replications with the event (the density of no box) dashed."""
    figure = _figure()
    axes = figure.add_subplot()
    _style(axes, title or f"Scenario discovery of {event}: PRIM's peeling trajectory",
           f"coverage: share of all replications with {event} inside the box (%)",
           f"density: share of the box with {event} (%)")
    steps = result.trajectory
    if not steps:
        _note(axes, f"too few replications with {event} to peel")
        return figure
    coverage = np.array([s.coverage for s in steps]) * 100.0
    density = np.array([s.density for s in steps]) * 100.0
    restricted = np.array([s.restricted for s in steps])
    axes.plot(coverage, density, color="0.6", linewidth=0.8, zorder=1)
    dots = axes.scatter(coverage, density, c=restricted, cmap="viridis", s=22, zorder=2,
                        vmin=0, vmax=max(1, int(restricted.max())))
    colour_bar = figure.colorbar(dots, ax=axes, pad=0.01)
    colour_bar.set_label("inputs restricted", fontsize=9)
    colour_bar.ax.tick_params(labelsize=8)
    axes.axhline(result.base_rate * 100.0, color="0.3", linestyle="--", linewidth=0.9,
                 label=f"all replications ({result.base_rate:.1%})")
    if result.chosen is not None:
        step = steps[result.chosen]
        axes.plot(step.coverage * 100.0, step.density * 100.0, "o", markersize=13,
                  markerfacecolor="none", markeredgecolor=COLOURS[5], markeredgewidth=1.8,
                  label="step chosen", zorder=3)
    if result.boxes:
        box = result.boxes[0]
        axes.plot(box.coverage * 100.0, box.density * 100.0, "*", color=COLOURS[1],
                  markersize=15, markeredgecolor="0.2", markeredgewidth=0.6, zorder=4,
                  label=f"box kept: {len(box.limits)} "
                        f"{'limit' if len(box.limits) == 1 else 'limits'}, coverage "
                        f"{box.coverage:.0%}, density {box.density:.0%}")
    axes.set_xlim(0, 102)
    axes.set_ylim(0, min(102.0, max(float(density.max()), result.base_rate * 100) * 1.15 + 2))
    axes.legend(fontsize=8.5, frameon=False, loc="lower left")
    return figure


# ------------------------------------------------------------------ differences


def plot_differences(differences: Sequence, *, title: str | None = None,
                     top: int = 14, labels: Mapping[str, str] | None = None) -> Figure:
    """Forest plot of run-to-run differences of means (B - A) with their CIs, each as a
    percentage of A's mean so outcomes in different units share one axis. Outcomes whose
    mean in A is zero cannot be scaled and are left out; the absolute difference with its
    interval, and whether the CI was paired, are written beside each row. `labels` maps
    outcome ids to the labels shown."""
    rows = [d for d in differences
            if d.mean_a == d.mean_a and d.mean_a != 0 and d.low == d.low][:top]
    figure = _figure(WIDTH_IN, max(2.6, 1.4 + 0.34 * len(rows)))
    axes = figure.add_subplot()
    _style(axes, title or "Change in means", "change relative to the reference mean (%)", "")
    if not rows:
        _note(axes, "no outcome with a non-zero reference mean to compare")
        return figure
    y = np.arange(len(rows))
    scale = np.array([100.0 / abs(d.mean_a) for d in rows])
    centre = np.array([d.difference for d in rows]) * scale
    low = np.array([d.low for d in rows]) * scale
    high = np.array([d.high for d in rows]) * scale
    colours = [COLOURS[1] if d.significant else "0.45" for d in rows]
    axes.hlines(y, low, high, color=colours, linewidth=2.2)
    axes.scatter(centre, y, color=colours, s=28, zorder=3)
    axes.axvline(0, color="0.2", linewidth=0.8)
    labels = labels or {}
    axes.set_yticks(y, [_short(labels.get(d.outcome, d.outcome), 34) for d in rows],
                    fontsize=9)
    axes.set_ylim(len(rows) - 0.4, -0.6)
    axes.grid(False, axis="y")
    span = max(float(np.nanmax(np.abs(np.concatenate([low, high])))), 1e-9)
    axes.set_xlim(-span * 1.15, span * 1.15)
    for i, d in enumerate(rows):
        axes.annotate(f"{number_text(d.difference, 3, sign=True)} "
                      f"({interval_text(d.low, d.high, 3, sign=True)})"
                      f"{'' if d.paired else ' (unpaired)'}", (1.0, i),
                      xycoords=("axes fraction", "data"), xytext=(6, 0),
                      textcoords="offset points", va="center", fontsize=8, color="0.25")
    return figure


# -------------------------------------------------------------------------- map

# km in a degree of a great circle on a sphere of the Earth's equatorial radius (6,378.137 km,
# WGS84); a meridian degree runs from 110.57 km at the equator to 111.69 km at the poles.
KM_PER_DEGREE = 111.32
_SIDE_COLOURS = {"attacker": "#c0392b", "defender": "#1f5fa6"}
_RIVER_COLOUR = "#5dade2"
_TOWN_KINDS = ("town", "city")
_NODE_MARKERS = {"dam": ("s", "#17202a", 70), "border": ("D", "0.45", 26),
                 "base": ("^", "0.45", 30), "checkpoint": ("^", "0.45", 26)}


def _part(tree: Mapping, *path: str) -> dict:
    """``tree[path[0]][path[1]]...`` of a resolved scenario, {} where a level is missing."""
    for key in path:
        tree = (tree or {}).get(key) or {}
    return dict(tree)


def map_distance_km(lat_a: float, lon_a: float, lat_b: float, lon_b: float,
                    mean_lat: float) -> float:
    """Distance between two points as the map draws them: the equirectangular projection
    at latitude `mean_lat` (x = longitude x cos(mean_lat), y = latitude, in degrees of
    `KM_PER_DEGREE`). Over a map a few hundred km across this is within a few per cent of
    the great-circle distance."""
    scale = math.cos(math.radians(mean_lat))
    return KM_PER_DEGREE * math.hypot((lon_b - lon_a) * scale, lat_b - lat_a)


def _nice_length_km(span_km: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^k km) of about a fifth of `span_km`."""
    target = max(span_km / 5.0, 1e-3)
    power = 10.0 ** math.floor(math.log10(target))
    return max(step * power for step in (1.0, 2.0, 5.0) if step * power <= target)


def _scale_bar(axes, mean_lat: float) -> float:
    """A scale bar in the lower left corner of a map in degrees; returns its length, km."""
    west, east = axes.get_xlim()
    south, north = axes.get_ylim()
    degree_km = KM_PER_DEGREE * math.cos(math.radians(mean_lat))  # km per degree of longitude
    length_km = _nice_length_km((east - west) * degree_km)
    x0 = west + 0.04 * (east - west)
    y0 = south + 0.06 * (north - south)
    x1 = x0 + length_km / degree_km
    axes.plot([x0, x1], [y0, y0], color="0.1", linewidth=3, solid_capstyle="butt", zorder=6)
    for x in (x0, x1):
        axes.plot([x, x], [y0 - 0.012 * (north - south), y0 + 0.012 * (north - south)],
                  color="0.1", linewidth=1, zorder=6)
    axes.annotate(f"{number_text(length_km)} km", ((x0 + x1) / 2, y0), xytext=(0, 4),
                  textcoords="offset points", ha="center", va="bottom", fontsize=8, zorder=6)
    return length_km


def _north_arrow(axes) -> None:
    """An arrow pointing north (up: the projection keeps meridians vertical)."""
    axes.annotate("N", xy=(0.965, 0.95), xytext=(0.965, 0.80), xycoords="axes fraction",
                  ha="center", va="top", fontsize=10, fontweight="bold",
                  arrowprops={"arrowstyle": "-|>", "color": "0.1", "linewidth": 1.5})


def _place_labels(figure: Figure, axes, points: Sequence[tuple[float, float, str]],
                  markers: Sequence[tuple[float, float]],
                  lines: Sequence[Sequence[tuple[float, float]]]) -> None:
    """Label each point (x, y, text) at the first of a ring of offsets where the text
    overlaps no label placed before it and no marker, stays inside the axes and crosses
    no drawn line (else the offset that costs least, lines counting a fifth): names
    beside their places, never over each other."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    # Lay out, then keep the axes where they are. A fixed aspect takes constrained
    # layout two passes to settle (after one, a tall map's title can fall off the top).
    figure.draw_without_rendering()
    figure.draw_without_rendering()
    figure.set_layout_engine("none")
    inside = axes.get_window_extent(renderer)
    to_display = axes.transData.transform
    pixels = figure.dpi / 72.0  # per point

    def squares(xy: np.ndarray, half: float) -> np.ndarray:
        """Boxes (x0, y0, x1, y1) of side 2 `half` around display points `xy`."""
        return np.hstack([xy - half, xy + half]).reshape(-1, 4)

    blocked = squares(to_display(np.asarray(markers, dtype=float)).reshape(-1, 2),
                      4.0 * pixels)
    samples = []  # points every few pixels along each drawn line
    for line in lines:
        xy = to_display(np.asarray(line, dtype=float))
        for a, b in itertools.pairwise(xy):
            count = max(2, math.ceil(float(np.hypot(*(b - a))) / (3.0 * pixels)))
            samples.append(a + np.linspace(0.0, 1.0, count)[:, None] * (b - a))
    crossed = squares(np.vstack(samples), 1.0 * pixels) if samples else np.empty((0, 4))
    ring = [(7, 5, "left", "bottom"), (7, -5, "left", "top"), (-7, 5, "right", "bottom"),
            (-7, -5, "right", "top"), (0, 9, "center", "bottom"), (0, -9, "center", "top"),
            (10, 0, "left", "center"), (-10, 0, "right", "center")]
    ring += [(2 * dx, 2 * dy, ha, va) for dx, dy, ha, va in ring]
    for x, y, text in points:
        best = None
        for dx, dy, ha, va in ring:
            label = axes.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                                  ha=ha, va=va, fontsize=8, zorder=7,
                                  bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                        "ec": "none", "alpha": 0.75})
            extent = label.get_window_extent(renderer).expanded(1.04, 1.1)
            box = np.array([extent.x0, extent.y0, extent.x1, extent.y1])
            area = (box[2] - box[0]) * (box[3] - box[1])
            frame = np.array([[inside.x0, inside.y0, inside.x1, inside.y1]])
            cost = (_overlaps(box, blocked).sum() + area - _overlaps(box, frame).sum()
                    + 0.2 * _overlaps(box, crossed).sum())
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, label, box)
            else:
                label.remove()
            if cost == 0:
                break
        blocked = np.vstack([blocked, best[2]])


def _overlaps(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Area `box` (x0, y0, x1, y1) shares with each row of `others` (display units)."""
    width = np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0])
    height = np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1])
    return np.clip(width, 0.0, None) * np.clip(height, 0.0, None)


def plot_map(scenario: Mapping, *, routes: Mapping[str, Sequence[str]] | None = None,
             town_values: Mapping[str, float] | None = None, value_label: str = "",
             probability: bool = True, town_notes: Mapping[str, str] | None = None,
             title: str | None = None) -> Figure:
    """A map of the scenario from its nodes' latitudes and longitudes: roads, the river
    below the dam, towns, the dam, and each moving force's planned route; river towns
    coloured by `town_values` (keyed by river town id, named `value_label` with its
    unit) and the value written beside each (probabilities as percentages, else numbers),
    or the town's line of `town_notes` where it has one.

    `scenario` is a resolved scenario as a run's manifest stores it
    (``Scenario.model_dump(mode="json")``); `routes` maps a force id to the nodes of its
    route in order. The river has no coordinates of its own: it is drawn from the dam's
    node through the river towns' nodes in order of river distance. The projection is
    equirectangular at the nodes' mean latitude (`map_distance_km`), drawn in degrees, so
    north is up and the scale bar holds anywhere on the map. No tiles: nothing is fetched.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    nodes = {k: v for k, v in _part(scenario, "network", "nodes").items()
             if v.get("lat") is not None and v.get("lon") is not None}
    title = title or (_part(scenario, "scenario").get("name") or "Scenario") + ": map"
    if not nodes:
        figure = _figure()
        axes = figure.add_subplot()
        axes.set_title(title, fontsize=12, loc="left", y=TITLE_Y)
        axes.set_axis_off()
        _note(axes, "the scenario's nodes have no coordinates")
        return figure
    lat = {k: float(v["lat"]) for k, v in nodes.items()}
    lon = {k: float(v["lon"]) for k, v in nodes.items()}
    mean_lat = float(np.mean(list(lat.values())))
    cos_lat = math.cos(math.radians(mean_lat))
    west, east = min(lon.values()), max(lon.values())
    south, north = min(lat.values()), max(lat.values())
    pad_x = max(0.1 * (east - west), 0.2 * (north - south) / cos_lat, 0.05)
    pad_y = max(0.2 * (north - south), 0.1 * (east - west) * cos_lat, 0.05)
    west, east, south, north = west - pad_x, east + pad_x, south - pad_y, north + pad_y
    # The figure takes the map's shape: a wide valley gets a wide, low figure.
    shape = (north - south) / ((east - west) * cos_lat)
    figure = _figure(WIDTH_IN, min(max(0.75 * WIDTH_IN * shape + 1.9, 3.6), 8.5))
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=12, loc="left", y=TITLE_Y)
    axes.set_aspect(1.0 / cos_lat)
    axes.set_xlim(west, east)
    axes.set_ylim(south, north)
    lines: list[list[tuple[float, float]]] = []  # drawn lines, for labels to avoid

    def line(path: Sequence[str], **style) -> list[tuple[float, float]]:
        xy = [(lon[n], lat[n]) for n in path]
        axes.plot(*zip(*xy, strict=True), **style)
        lines.append(xy)
        return xy

    handles: list = []
    dam_node = _part(scenario, "assets", "dam").get("node")
    towns = sorted(_part(scenario, "river", "towns").items(),
                   key=lambda item: float(item[1].get("river_distance_m") or 0.0))
    town_node = {t: spec.get("node") for t, spec in towns if spec.get("node") in nodes}
    river = [n for n in [dam_node, *town_node.values()] if n in nodes]
    if len(river) > 1:
        line(river, color=_RIVER_COLOUR, linewidth=7.0, alpha=0.35, solid_capstyle="round",
             zorder=1)
        handles.append(Line2D([], [], color=_RIVER_COLOUR, linewidth=7.0, alpha=0.35,
                              label="river below the dam, through its towns"))
    roads = [[road.get("from_node"), road.get("to_node")]
             for road in _part(scenario, "network", "roads").values()]
    roads = [ends for ends in roads if all(end in nodes for end in ends)]
    for ends in roads:
        line(ends, color="0.5", linewidth=1.0, zorder=2)
    if roads:
        handles.append(Line2D([], [], color="0.5", linewidth=1.0, label="road"))
    forces = _part(scenario, "forces")
    for force, route in (routes or {}).items():
        path = [n for n in route if n in nodes]
        if len(path) < 2:
            continue
        side = (forces.get(force) or {}).get("side", "")
        colour = _SIDE_COLOURS.get(side, COLOURS[3])
        xy = line(path, color=colour, linewidth=2.0, alpha=0.9, zorder=3,
                  solid_capstyle="round")
        for (x0, y0), (x1, y1) in zip(xy, xy[1:], strict=False):  # which way it goes
            middle = ((x0 + x1) / 2, (y0 + y1) / 2)
            axes.annotate("", xy=(middle[0] + (x1 - x0) * 0.01, middle[1] + (y1 - y0) * 0.01),
                          xytext=middle, zorder=4,
                          arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 0,
                                      "shrinkA": 0, "shrinkB": 0, "mutation_scale": 13})
        name = (forces.get(force) or {}).get("name") or tidy_id(force)
        handles.append(Line2D([], [], color=colour, linewidth=2.0, marker=">", markersize=6,
                              label=f"route: {name}" + (f" ({side})" if side else "")))
    populations = [float(v.get("population") or 0.0) for v in nodes.values()]
    biggest = max(max(populations), 1.0)
    values = {town_node[t]: float(v) for t, v in (town_values or {}).items()
              if t in town_node and v == v}
    notes = {town_node[t]: note for t, note in (town_notes or {}).items() if t in town_node}
    norm = Normalize(0.0, max(max(values.values(), default=0.0), 1e-12))
    colormap = matplotlib.colormaps["YlOrRd"]
    for node, spec in nodes.items():
        kind = spec.get("kind")
        if kind in _TOWN_KINDS:
            size = 30.0 + 220.0 * math.sqrt(float(spec.get("population") or 0.0) / biggest)
            face = colormap(norm(values[node])) if node in values else "white"
            axes.scatter(lon[node], lat[node], s=size, color=face, edgecolors="0.2",
                         linewidths=0.9, zorder=5)
        else:
            marker, colour, size = _NODE_MARKERS.get(kind, ("o", "0.45", 14))
            axes.scatter(lon[node], lat[node], s=size, marker=marker, color=colour, zorder=5)
    if values:
        bar = figure.colorbar(ScalarMappable(norm, colormap), ax=axes, shrink=0.85,
                              pad=0.02, aspect=25)
        bar.set_label(value_label, fontsize=9)
        bar.ax.tick_params(labelsize=8)
        if probability:
            bar.ax.yaxis.set_major_formatter(
                FuncFormatter(lambda value, _: f"{number_text(100 * value, 3)}%"))
    kinds = {spec.get("kind") for spec in nodes.values()}
    if "dam" in kinds:
        handles.append(Line2D([], [], marker="s", color="#17202a", linestyle="",
                              markersize=7, label="dam"))
    if kinds & set(_TOWN_KINDS):
        handles.append(Line2D([], [], marker="o", markerfacecolor="white",
                              markeredgecolor="0.2", linestyle="", markersize=8,
                              label="town, sized by population"))
    axes.set_xlabel("longitude (°E)", fontsize=9)
    axes.set_ylabel("latitude (°N)", fontsize=9)
    axes.tick_params(labelsize=8)
    axes.set_facecolor("#f7f9f9")
    figure.legend(handles=handles, fontsize=8, frameon=False, loc="outside lower center",
                  ncol=3)
    _scale_bar(axes, mean_lat)
    _north_arrow(axes)
    # The dam first, then the towns it floods, then the rest: the labels placed first
    # get the best spots.
    order = sorted(nodes, key=lambda n: (n != dam_node, n not in values and n not in notes))
    labels = []
    for node in order:
        spec = nodes[node]
        name = str(spec.get("name") or node)
        if spec.get("kind") in _TOWN_KINDS:  # 'Haditha (with Barwana)' -> 'Haditha'
            name = name.split(" (")[0]
        text = "\n".join(textwrap.wrap(name, 20))
        if node in notes:
            text += f"\n{notes[node]}"
        elif node in values:
            value = values[node]
            text += "\n" + (f"{number_text(100 * value, 2)}%" if probability
                             else number_text(value, 3))
        labels.append((lon[node], lat[node], text))
    _place_labels(figure, axes, labels, [(lon[n], lat[n]) for n in nodes], lines)
    return figure
