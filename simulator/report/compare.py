"""Comparisons of runs: ``infrasim compare RUN_A RUN_B [...]`` and
``infrasim compare FILE --variants a,b,c -n N``.

Every run is compared with the first (the reference): the difference of each key
outcome's mean with its 95% CI, paired by replication when the two runs share seed and
replication indices (common random numbers), unpaired otherwise; the table and the page
say which, and warn when the runs are of different scenario files. Outcomes are compared
as their kind in the outcome catalogue asks (a time to an event by P(it happened) and by
its mean where it happened; an amount by its expected value and given its event) and
shown by label and unit. ``comparison.html`` opens with the headline outcomes of every
run side by side, then the runs, the full grouped table, overlaid exceedance and F-N
curves and a forest plot of the differences. The runs
are stored runs, read (or, with --variants, made) by `simulator.workflows`; this module
only renders them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis.catalogue import GROUPS, HIGHER, INPUTS, LOWER, PROBABILITY, Catalogue
from ..analysis.compare import GIVEN, MEAN, Difference, RunSample, compare_outcome, compare_runs
from ..analysis.headline import GROUP_TITLES, Line, lines, percent_text
from ..analysis.stats import OutcomeRow, key_outcomes, summarise
from ..atomicfile import write_atomic
from ..formatting import interval_text, number_text, terminal_text
from .drawing import png_images
from .drivers import DRIVERS_NOTE, drivers_table, risk_drivers
from .figures import comparison_figures
from .html import Html, element, escape, figure, grouped_table, join, page, table

__all__ = ["COMPARISON", "StoredRun", "build_comparison_report", "compare_stored_runs",
           "comparison_table", "pairing_text", "run_catalogue", "run_labels",
           "scenario_files_warning",
           "write_comparison_report"]

COMPARISON = "comparison.html"


@dataclass(frozen=True)
class StoredRun:
    """A run to compare: a label, its outcome table and its manifest."""

    label: str
    outcomes: Mapping[str, np.ndarray]
    replications: np.ndarray
    manifest: Mapping[str, Any]
    path: Path | None = None

    @property
    def sample(self) -> RunSample:
        """The run as `analysis.compare` takes it (seed None when not recorded)."""
        seed = self.manifest.get("seed")
        return RunSample(self.label, self.outcomes, self.replications,
                         int(seed) if seed is not None else None)


def run_labels(paths: Sequence[Path], manifests: Sequence[Mapping[str, Any]]) -> list[str]:
    """Labels of runs to compare: their variant names when those tell the runs apart,
    else their directory names (or whole paths)."""
    variants = [m.get("variant") or "base" for m in manifests]
    scenarios = {(m.get("scenario") or {}).get("name") for m in manifests}
    if len(set(variants)) == len(variants) and len(scenarios) == 1:
        return variants
    names = [p.name for p in paths]
    if len(set(names)) == len(names):
        return names
    return [str(p) for p in paths]


def scenario_files_warning(runs: Sequence[StoredRun]) -> str | None:
    """A warning when the runs are of different scenario files (or of one file whose
    contents changed between them), so their differences mix two models; else None."""
    def file_of(run: StoredRun) -> str:
        info = run.manifest.get("scenario") or {}
        return str(info.get("path") or info.get("file") or "an unrecorded file")

    files = {run.label: file_of(run) for run in runs}
    if len(set(files.values())) > 1:
        listed = "; ".join(f"{label}: {file}" for label, file in files.items())
        return (f"the runs are of different scenario files ({listed}), so their "
                "differences mix changes of the model with those of its inputs")
    hashes = {(run.manifest.get("scenario") or {}).get("sha256") for run in runs}
    if len(hashes - {None}) > 1:
        return (f"the runs are of {next(iter(files.values()))} as it was at different "
                "times: the file changed between them")
    return None


def run_catalogue(runs: Sequence[StoredRun]) -> Catalogue:
    """The catalogue as the reference run's scenario names things (its headline too)."""
    return Catalogue(runs[0].manifest.get("resolved_scenario") or None)


def _compared_outcomes(runs: Sequence[StoredRun]) -> list[str]:
    """Key outcomes every run has, and the headline's, in the catalogue's order, without
    those constant and equal in all of them."""
    shared = set.intersection(*(set(r.outcomes) for r in runs))
    catalogue = run_catalogue(runs)
    wanted = [n for n in {*key_outcomes(shared), *catalogue.headline(shared)}
              if n in catalogue and catalogue[n].group != INPUTS]
    names = []
    for name in catalogue.ordered(wanted):
        values = [np.asarray(r.outcomes[name], dtype=np.float64) for r in runs]
        values = [v[~np.isnan(v)] for v in values]
        if all(v.size for v in values):
            lows = {float(v.min()) for v in values}
            highs = {float(v.max()) for v in values}
            if len(lows) == 1 and lows == highs:
                continue
        names.append(name)
    return names


def compare_stored_runs(runs: Sequence[StoredRun], outcomes: Sequence[str] | None = None
                        ) -> dict[str, list[Difference]]:
    """Each run after the first against the first: ``{label: [Difference, ...]}``."""
    if len(runs) < 2:
        raise ValueError("a comparison needs at least two runs")
    names = list(outcomes) if outcomes is not None else _compared_outcomes(runs)
    reference = runs[0].sample
    catalogue = run_catalogue(runs)
    return {run.label: compare_runs(reference, run.sample, names, catalogue=catalogue)
            for run in runs[1:]}


def pairing_text(reference: StoredRun, run: StoredRun, rows: Sequence[Difference]) -> str:
    """One sentence on how `run` was compared with the reference."""
    paired = [d for d in rows if d.paired]
    if paired:
        gains = []
        for d in paired:
            if d.measure != MEAN:
                continue
            unpaired = compare_outcome(d.outcome, reference.sample, run.sample, paired=False,
                                       proportions=d.proportions)
            if d.half_width > 0 and unpaired.half_width > 0:
                gains.append(unpaired.half_width / d.half_width)
        gain = (f"; the intervals are {np.median(gains):.1f} times narrower than unpaired "
                "ones (median over outcomes)") if gains else ""
        return (f"{run.label} vs {reference.label}: paired by replication (common random "
                f"numbers: seed {reference.manifest.get('seed')}, {paired[0].pairs:,} shared "
                f"replications){gain}")
    seeds = (reference.manifest.get("seed"), run.manifest.get("seed"))
    why = f"different seeds ({seeds[0]} and {seeds[1]})" if seeds[0] != seeds[1] \
        else "no shared replication indices"
    return (f"{run.label} vs {reference.label}: unpaired (Welch t; Newcombe's score "
            f"interval for probabilities), {why}")


def _is_probability(d: Difference, catalogue: Catalogue) -> bool:
    """Whether `d` compares probabilities (of a yes/no outcome, or of an event)."""
    return d.measure == "probability" or (d.measure == MEAN
                                          and catalogue[d.outcome].kind == PROBABILITY)


def _verdict(d: Difference, catalogue: Catalogue) -> str:
    """`` worse`` or `` better`` for a difference whose interval excludes 0, by the
    catalogue's worse direction; "" when it is not clear or the outcome has none. The
    probability that a time to an event has a value goes the other way from the time
    (an earlier capture is worse, so a likelier one is too)."""
    worse = catalogue[d.outcome].worse
    if not d.significant or worse not in (HIGHER, LOWER):
        return ""
    if d.measure == "probability":
        worse = HIGHER if worse == LOWER else LOWER
    return " worse" if (d.difference > 0) == (worse == HIGHER) else " better"


def _difference_text(d: Difference, catalogue: Catalogue) -> str:
    """``-574 (-886 to -262) * better``, in percentage points for a probability; * when
    the interval excludes 0, then whether that is worse or better by the catalogue. The
    interval is written out, never as ``± 0``."""
    if math.isnan(d.difference):
        return "-"
    star = f" *{_verdict(d, catalogue)}" if d.significant else ""
    if _is_probability(d, catalogue):
        points = [100.0 * v for v in (d.difference, d.low, d.high)]
        if math.isnan(points[1]):
            return f"{number_text(points[0], 3, sign=True)} pp{star}"
        return (f"{number_text(points[0], 3, sign=True)} pp "
                f"({interval_text(points[1], points[2], 3, sign=True)}){star}")
    if math.isnan(d.low):
        return f"{number_text(d.difference, sign=True)}{star}"
    return (f"{number_text(d.difference, sign=True)} "
            f"({interval_text(d.low, d.high, sign=True)}){star}")


def _mean_text(d: Difference, a: bool, catalogue: Catalogue) -> str:
    value = d.mean_a if a else d.mean_b
    return percent_text(value) if _is_probability(d, catalogue) else number_text(value)


def _label(d: Difference, catalogue: Catalogue) -> str:
    """What a Difference compares, in words with its unit."""
    entry = catalogue[d.outcome]
    unit = f" ({entry.unit})" if entry.unit else ""
    if d.measure == "probability":
        return f"P({d.event or entry.label})"
    if d.measure == GIVEN:
        return f"{entry.label} given {d.event}{unit}" if d.event else f"{entry.label}{unit}"
    if entry.kind == PROBABILITY:
        return entry.label
    return f"{entry.label}{unit}"


def _sections(runs: Sequence[StoredRun], differences: Mapping[str, Sequence[Difference]],
              catalogue: Catalogue, *, tooltips: bool) -> list[tuple[str, list[list[Any]]]]:
    """(group title, rows) of the full comparison table: label (with the outcome id as
    its tooltip when `tooltips`), each run's mean (or P), the difference of each run from
    the reference."""
    others = [differences[r.label] for r in runs[1:]]
    if not others:
        return []
    groups: dict[str, list[list[Any]]] = {group: [] for group in GROUPS}
    for i, d in enumerate(others[0]):
        means = [_mean_text(d, True, catalogue),
                 *(_mean_text(rows[i], False, catalogue) for rows in others)]
        label = _label(d, catalogue)
        groups[catalogue[d.outcome].group].append(
            [element("span", label, title=d.outcome) if tooltips else label, *means,
             *(_difference_text(rows[i], catalogue) for rows in others)])
    return [(GROUP_TITLES[group], rows) for group, rows in groups.items() if rows]


def _headers(runs: Sequence[StoredRun]) -> list[str]:
    reference = runs[0].label
    return ["outcome", *(f"{r.label}" for r in runs),
            *(f"{r.label} − {reference} (95% CI)" for r in runs[1:])]


def comparison_table(runs: Sequence[StoredRun],
                     differences: Mapping[str, Sequence[Difference]]):
    """The comparison as a rich Table for the terminal, grouped and labelled from the
    catalogue (run labels and names from data print as written)."""
    from rich.table import Table

    catalogue = run_catalogue(runs)
    table_ = Table(title=terminal_text(f"Compared with {runs[0].label}"), title_justify="left",
                   header_style="bold",
                   caption="* the 95% CI of the difference excludes 0 (then worse or "
                   "better for the decision maker); pp: percentage points; 'given' rows are "
                   "over the replications where the event happened", caption_justify="left")
    for i, heading in enumerate(_headers(runs)):
        table_.add_column(terminal_text(heading), justify="left" if i == 0 else "right",
                          style="cyan" if i == 0 else None)
    for title, rows in _sections(runs, differences, catalogue, tooltips=False):
        table_.add_row(f"[bold]{terminal_text(title)}[/]")
        for row in rows:
            table_.add_row(*map(terminal_text, row))
    return table_


def _given_mean(row: OutcomeRow) -> tuple[str, str]:
    """The mean where the event happened and its t interval: what the difference column
    beside it compares (a difference of those means), unlike the run report's median."""
    if row.event_count == 0 or math.isnan(row.given_mean):
        return f"no replication with {row.event}" if row.event else "-", "-"
    return f"mean {number_text(row.given_mean)}", interval_text(row.given_low, row.given_high)


def _headline_section(runs: Sequence[StoredRun],
                      differences: Mapping[str, Sequence[Difference]],
                      catalogue: Catalogue) -> Html:
    """The headline outcomes of every run side by side, with each run's difference from
    the reference: estimate and 95% interval per run, as the run report words them."""
    shared = set.intersection(*(set(r.outcomes) for r in runs))
    chosen = catalogue.headline(shared)
    per_run = [{row.name: row for row in summarise(r.outcomes, chosen, catalogue=catalogue)}
               for r in runs]
    found = [{(d.outcome, d.measure): d for d in differences[r.label]} for r in runs[1:]]
    rows = []
    for name in chosen:
        run_lines = [lines(rows_[name], catalogue, headline=True) for rows_ in per_run]
        kind = catalogue[name].kind
        for j, line in enumerate(run_lines[0]):
            measure = GIVEN if line.given or kind == "time_to_event" else MEAN
            cells: list[Any] = [element("span", line.label, title=f"{line.id}: {line.meaning}")]
            for lines_, rows_ in zip(run_lines, per_run, strict=True):
                mine: Line = lines_[j] if j < len(lines_) else lines_[-1]
                estimate, interval = (mine.estimate, mine.interval) if measure == MEAN \
                    else _given_mean(rows_[name])
                cells.append(Html(f"{escape(estimate)}<br><small>95% CI "
                                  f"{escape(interval)} · {escape(mine.basis)}</small>"))
            for by_key in found:
                d = by_key.get((name, measure))
                cells.append(_difference_text(d, catalogue) if d is not None else "-")
            rows.append(cells)
    if not rows:
        return element("p", "The runs share none of the headline outcomes.", class_="note")
    return table(["answer", *(r.label for r in runs),
                  *(f"{r.label} − {runs[0].label} (95% CI)" for r in runs[1:])], rows,
                 numeric=tuple(range(1, 2 * len(runs))), class_="headline runs")


def _run_facts(run: StoredRun) -> list[Any]:
    manifest = run.manifest
    resolved = manifest.get("resolved_scenario") or {}
    variant = manifest.get("variant")
    description = ((resolved.get("variants") or {}).get(variant) or {}).get("description") \
        if variant else "The scenario as written, no variant."
    return [run.label, (manifest.get("scenario") or {}).get("name") or "-",
            element("code", str(run.path) if run.path else "-"),
            manifest.get("seed"), f"{len(run.replications):,}", description or "-"]


def build_comparison_report(runs: Sequence[StoredRun],
                            differences: Mapping[str, Sequence[Difference]]) -> str:
    """The comparison page as a string."""
    reference = runs[0]
    warning = scenario_files_warning(runs)
    catalogue = run_catalogue(runs)
    body: list[Any] = [
        element("h2", "Headline", id="headline"),
        element("p", f"Warning: {warning}.", class_="note warn") if warning else "",
        _headline_section(runs, differences, catalogue),
        element("p", "Each run's estimate with its 95% interval and the replications behind "
                "it; the difference from the reference run with its 95% interval "
                "(a difference of means, or of probabilities in percentage points, pp). "
                "For a time to an event or a 'given' line each run's cell is the mean "
                "where the event happened, with its t interval, and the difference is of "
                "those means (Welch); the run report shows the median there. * marks an interval that excludes 0, followed by whether the "
                "change is worse or better.", class_="note"),
        element("h2", "What drives the risk", id="drivers"),
        element("p", DRIVERS_NOTE, class_="note"),
        drivers_table([(r.label, risk_drivers(r.outcomes, catalogue)) for r in runs]),
        element("h2", "Runs"),
        table(["run", "scenario", "directory", "seed", "replications", "what it is"],
              [_run_facts(r) for r in runs], numeric=(3, 4)),
        element("h2", f"Differences from {reference.label}"),
        element("ul", *(element("li", pairing_text(reference, r, differences[r.label]))
                        for r in runs[1:])),
        element("p", "Mean (or probability) of each outcome per run, and the difference from "
                "the reference run with its 95% confidence interval. Paired intervals use "
                "the per-replication differences (runs with one seed share their random "
                "numbers replication by replication, so the noise cancels); unpaired ones "
                "use Welch's t, or for probabilities Newcombe's hybrid score interval "
                "(Newcombe 1998), which stays within -100 to +100 pp. A time to an event is compared by P(it happened) and by its "
                "mean where it happened; 'given' rows are over the replications with that "
                "event. * marks an interval that excludes 0.", class_="note"),
        grouped_table(_headers(runs), _sections(runs, differences, catalogue, tooltips=True),
                      numeric=tuple(range(1, 2 * len(runs)))),
        element("h2", "Figures"),
    ]
    labelled = {f"{label} - {reference.label}": [d for d in rows if d.measure == MEAN]
                for label, rows in differences.items()}
    items = list(comparison_figures([r.label for r in runs], [r.outcomes for r in runs],
                                    labelled, catalogue=catalogue))
    for item, png in zip(items, png_images(items), strict=True):
        body.append(element("h3", item.title, id=item.slug))
        body.append(figure(png, item.caption, alt=item.title))
    names = {(r.manifest.get("scenario") or {}).get("name") for r in runs}
    title = f"Comparison: {', '.join(r.label for r in runs)}"
    subtitle = (f"{' / '.join(sorted(n for n in names if n))}; reference run "
                f"{reference.label}; made {datetime.now().astimezone():%Y-%m-%d %H:%M}")
    return page(title, join(body), escape(subtitle))


def write_comparison_report(runs: Sequence[StoredRun],
                            differences: Mapping[str, Sequence[Difference]],
                            out: str | os.PathLike[str]) -> Path:
    """Write the comparison page to `out`."""
    return write_atomic(out, build_comparison_report(runs, differences))
