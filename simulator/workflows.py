"""Workflows: the things that run replications and then render, as the command line
calls them.

Reports, comparison pages and the gallery only render stored runs (`simulator.report`);
what runs lives here, on top of every layer. The report, comparison and gallery modules
(and through them matplotlib) are imported by the functions that render, so that
``infrasim run`` does not pay for them:

- `run_scenario`: a Monte Carlo run, then its exhibits (the timelines of the median and
  worst replications, hourly load shed of a sample), stored with the run;
- `report_run`: the report of a stored run, making its exhibits first if the run lacks
  them (made before exhibits existed, by `run_monte_carlo` alone, or resumed since);
- `compare_variants` and `load_runs`: the runs a comparison compares;
- `make_gallery`: the bundled scenarios run with fixed seeds, their pictures in plots/.

`log` arguments take a function of one line of text (the command line prints to stderr).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .montecarlo import RunError, RunResult, load_run, run_monte_carlo
from .montecarlo.replay import load_run_scenario
from .names import safe_name
from .report.exhibits import (
    Exhibits,
    LoadShed,
    PickedTimeline,
    hours_out,
    made_for,
    read_exhibits,
    write_exhibits,
)
from .report.figures import pick_replications

if TYPE_CHECKING:
    from .report.compare import StoredRun
    from .report.gallery import GalleryEntry
    from .scenario import Scenario

__all__ = ["SHED_SAMPLE", "compare_variants", "load_runs", "make_exhibits", "make_gallery",
           "record_exhibits", "report_run", "run_scenario", "sample_replications",
           "stored_exhibits"]

SHED_SAMPLE = 200  # replications whose hourly grid a run stores for its grid figure

Log = Callable[[str], None] | None


def _quiet(_text: str) -> None:
    """A log that says nothing."""


# --------------------------------------------------------------------- exhibits


def sample_replications(replications: np.ndarray, count: int = SHED_SAMPLE) -> np.ndarray:
    """Up to `count` replication indices spread evenly over the run's."""
    replications = np.asarray(replications, dtype=np.int64)
    if replications.size <= count:
        return replications
    return replications[np.linspace(0, replications.size - 1, count).round().astype(int)]


def make_exhibits(run: RunResult, scenario: Scenario) -> Exhibits:
    """The exhibits of `run`, a run of `scenario`: its median and worst replications
    rerun with their timelines, hourly load shed of `SHED_SAMPLE` replications and when
    their dam's plant was off the grid, and the planned route of each force that moves."""
    from .engine import hourly_load_shed_of, simulate, simulate_history
    from .montecarlo.runner import prepared_scenario

    prepared = prepared_scenario(scenario)  # the run's own, when its workers forked
    seed = int(run.manifest["seed"])
    timelines = tuple(
        PickedTimeline(role, k, why, simulate(prepared, seed, k, timeline=True).timeline or ())
        for role, (k, why) in pick_replications(run.outcomes, run.replications).items())
    sample = sample_replications(run.replications)
    shed = None
    if sample.size and prepared.consequences.baseline is not None:  # a grid with loads
        # Each sampled replication is rerun once: its history gives both its hourly grid
        # and its plant's outages.
        histories = [simulate_history(prepared, seed, int(k)) for k in sample]
        hourly_mw, baseline_mw = hourly_load_shed_of(prepared, histories)
        out = np.array([hours_out(history.plant_outages, baseline_mw.size)
                        for history in histories]).reshape(len(sample), baseline_mw.size)
        shed = LoadShed(sample, hourly_mw, baseline_mw, plant_out=out)
    routes = {force.id: force.nodes for force in prepared.plan.forces if force.legs}
    return Exhibits(made_for(run.manifest, run.done), timelines, shed, routes)


def record_exhibits(run: RunResult, scenario: Scenario) -> Exhibits:
    """`make_exhibits` of a stored run, written into its directory."""
    exhibits = make_exhibits(run, scenario)
    write_exhibits(run.path, exhibits)
    return exhibits


def stored_exhibits(run: RunResult, log: Log = None) -> Exhibits | None:
    """The exhibits of the stored `run`; when it has none that fit it, they are made now
    from its scenario file and stored (said on `log`). None when they cannot be made: the
    scenario file is gone or has changed since the run."""
    say = log or _quiet
    exhibits = read_exhibits(run.path)
    if exhibits is not None and exhibits.fit(run.manifest, run.done):
        return exhibits
    say(f"{run.path} stores no timelines or load-shed series"
        + (" for its replications as they are now" if exhibits is not None else "")
        + ": making them from its scenario file")
    try:
        scenario = load_run_scenario(run.path)
    except RunError as error:
        say(f"cannot make them: {error}; the report goes without them")
        return None
    exhibits = make_exhibits(run, scenario)
    try:
        write_exhibits(run.path, exhibits)
    except OSError as error:
        say(f"cannot store them in {run.path}: {error.strerror or error}")
    return exhibits


# ------------------------------------------------------------------------- runs


def run_scenario(scenario: Scenario, **options: Any) -> RunResult:
    """`run_monte_carlo(scenario, **options)`, then, when the run is stored (``out=``)
    and complete, its exhibits recorded beside it so its report only renders."""
    result = run_monte_carlo(scenario, **options)
    if result.path is not None and result.status == "complete":
        record_exhibits(result, scenario)
    return result


def report_run(run: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
               log: Log = None) -> Path:
    """Write the HTML report of the run stored at `run` to `out` (default
    ``RUN/report.html``), making the run's exhibits first if it lacks them."""
    from .atomicfile import write_atomic
    from .report.run import REPORT, build_run_report

    result = load_run(run)
    exhibits = stored_exhibits(result, log)
    text = build_run_report(result.outcomes, result.replications, result.manifest,
                            exhibits=exhibits, failures=result.failures)
    return write_atomic(Path(out) if out is not None else Path(run) / REPORT, text)


def load_runs(paths: Sequence[str | os.PathLike[str]]) -> list[StoredRun]:
    """Stored runs to compare, labelled by variant (or directory name when that is
    ambiguous)."""
    from .report.compare import StoredRun, run_labels

    results = [load_run(path) for path in paths]
    labels = run_labels([Path(p) for p in paths], [r.manifest for r in results])
    return [StoredRun(label, r.outcomes, r.replications, r.manifest, Path(path))
            for label, r, path in zip(labels, results, paths, strict=True)]


def compare_variants(file: str | os.PathLike[str], variants: Sequence[str | None],
                     runs_dir: str | os.PathLike[str] | None = None, **options: Any
                     ) -> list[StoredRun]:
    """Run `file` once per variant (None: the base scenario, labelled "base") with one
    seed, so the runs share random numbers, each stored with its exhibits under
    ``runs_dir/<label>`` (default ``runs/<file stem>-compare-<time>``; folder names are
    `safe_name`s of the label and stem, so they stay under their parent); returns them for
    comparison. `options` go to `run_monte_carlo` (replications, seed, executor, workers,
    progress). Every variant is loaded, and so checked, before the first run starts."""
    from .report.compare import StoredRun
    from .scenario import load_scenario

    if runs_dir is None:
        runs_dir = Path("runs") / safe_name(f"{Path(file).stem}-compare-"
                                            f"{datetime.now():%Y%m%d-%H%M%S}")
    scenarios = [load_scenario(file, variant=variant) for variant in variants]
    runs = []
    for scenario in scenarios:
        label = scenario.variant or "base"
        out = Path(runs_dir) / safe_name(label)
        result = run_scenario(scenario, out=out, **options)
        runs.append(StoredRun(label, result.outcomes, result.replications, result.manifest,
                              out))
    return runs


def make_gallery(out: str | os.PathLike[str] = "plots",
                 scenarios: str | os.PathLike[str] | None = None, *,
                 replications: int | None = None, seed: int | None = None,
                 entries: Sequence[GalleryEntry] | None = None, workers: int | None = None,
                 executor: str = "processes", log: Log = None) -> list[Path]:
    """Run the bundled scenarios (and the variants their entries compare) in a scratch
    directory and write the gallery pictures and index into `out`; returns the files
    written. `entries` default to the whole gallery (`report.gallery.GALLERY`);
    `replications` overrides every entry's count (for quick looks)."""
    from .report.gallery import GALLERY, GalleryRuns, default_scenarios_dir, write_gallery

    entries = GALLERY if entries is None else entries
    say = log or _quiet
    directory = Path(scenarios) if scenarios is not None else default_scenarios_dir()
    with tempfile.TemporaryDirectory(prefix="infrasim-gallery-") as scratch:
        made = []
        for entry in entries:
            source = directory / entry.file
            count = replications or entry.replications
            say(f"running {source}: {', '.join(['base', *entry.variants])}; "
                f"{count:,} replications each")
            runs = compare_variants(source, [None, *entry.variants],
                                    Path(scratch) / source.stem, replications=count,
                                    seed=seed, executor=executor, workers=workers)
            made.append(GalleryRuns(entry, runs, read_exhibits(runs[0].path)))
        return write_gallery(out, made, replications=replications, seed=seed, log=say)
