"""Comparisons of runs: ``infrasim compare RUN_A RUN_B [...]`` and
``infrasim compare FILE --variants a,b,c -n N``.

Every run is compared with the first (the reference): the difference of each key
outcome's mean with its 95% CI, paired by replication when the two runs share seed and
replication indices (common random numbers), unpaired otherwise; the table and the page
say which, and warn when the runs are of different scenario files. ``comparison.html``
adds overlaid exceedance and F-N curves and a forest plot of the differences. The runs
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

from ..analysis.compare import Difference, RunSample, compare_outcome, compare_runs
from ..analysis.stats import key_outcomes, mean_ci
from ..atomicfile import write_atomic
from ..formatting import number_text, terminal_text
from .drawing import png_images
from .figures import comparison_figures
from .html import element, escape, figure, join, page, table

__all__ = ["COMPARISON", "StoredRun", "build_comparison_report", "compare_stored_runs",
           "comparison_table", "pairing_text", "run_labels", "scenario_files_warning",
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


def _compared_outcomes(runs: Sequence[StoredRun]) -> list[str]:
    """Key outcomes every run has, without those constant and equal in all of them."""
    shared = set.intersection(*(set(r.outcomes) for r in runs))
    names = []
    for name in key_outcomes(shared):
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
    return {run.label: compare_runs(reference, run.sample, names) for run in runs[1:]}


def pairing_text(reference: StoredRun, run: StoredRun, rows: Sequence[Difference]) -> str:
    """One sentence on how `run` was compared with the reference."""
    paired = [d for d in rows if d.paired]
    if paired:
        gains = []
        for d in paired:
            unpaired = compare_outcome(d.outcome, reference.sample, run.sample, paired=False)
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
    return f"{run.label} vs {reference.label}: unpaired (Welch t), {why}"


def _difference_text(d: Difference) -> str:
    """``-574 ± 312 *``: both t intervals (paired and Welch) are symmetric about the
    difference, so the half-width says all; * when the interval excludes 0."""
    if math.isnan(d.difference):
        return "-"
    star = " *" if d.significant else ""
    if math.isnan(d.low):
        return f"{number_text(d.difference, sign=True)}{star}"
    return f"{number_text(d.difference, sign=True)} ± {number_text(d.half_width)}{star}"


def _rows(runs: Sequence[StoredRun], differences: Mapping[str, Sequence[Difference]]
          ) -> list[list[str]]:
    others = [differences[r.label] for r in runs[1:]]
    names = [d.outcome for d in others[0]] if others else []
    rows = []
    for i, name in enumerate(names):
        means = [number_text(mean_ci(r.outcomes[name]).mean) for r in runs]
        rows.append([name, *means, *(_difference_text(rows_[i]) for rows_ in others)])
    return rows


def _headers(runs: Sequence[StoredRun]) -> list[str]:
    reference = runs[0].label
    return ["outcome", *(f"mean {r.label}" for r in runs),
            *(f"{r.label} - {reference} ± 95% CI" for r in runs[1:])]


def comparison_table(runs: Sequence[StoredRun],
                     differences: Mapping[str, Sequence[Difference]]):
    """The comparison as a rich Table for the terminal (run labels and outcome names,
    which come from data, print as written)."""
    from rich.table import Table

    table_ = Table(title=terminal_text(f"Compared with {runs[0].label}"), title_justify="left",
                   header_style="bold",
                   caption="* the 95% CI of the difference excludes 0", caption_justify="left")
    for i, heading in enumerate(_headers(runs)):
        table_.add_column(terminal_text(heading), justify="left" if i == 0 else "right",
                          style="cyan" if i == 0 else None, no_wrap=i == 0)
    for row in _rows(runs, differences):
        table_.add_row(*map(terminal_text, row))
    return table_


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
    body: list[Any] = [
        element("h2", "Runs"),
        table(["run", "scenario", "directory", "seed", "replications", "what it is"],
              [_run_facts(r) for r in runs], numeric=(3, 4)),
        element("p", f"Warning: {warning}.", class_="note warn") if warning else "",
        element("h2", f"Differences from {reference.label}"),
        element("ul", *(element("li", pairing_text(reference, r, differences[r.label]))
                        for r in runs[1:])),
        element("p", "Mean of each outcome per run, and the difference from the reference "
                "run with its 95% confidence interval. Paired intervals use the "
                "per-replication differences (runs with one seed share their random numbers "
                "replication by replication, so the noise cancels); unpaired ones use "
                "Welch's t. * marks an interval that excludes 0.", class_="note"),
        table(_headers(runs), _rows(runs, differences),
              numeric=tuple(range(1, 1 + len(runs) + len(runs) - 1))),
        element("h2", "Figures"),
    ]
    labelled = {f"{label} - {reference.label}": rows for label, rows in differences.items()}
    items = list(comparison_figures([r.label for r in runs], [r.outcomes for r in runs],
                                    labelled))
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
