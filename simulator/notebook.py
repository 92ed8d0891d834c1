"""Stored runs as pandas tables, for notebooks and scripts: `load_run` and `compare_runs`.

A run directory holds a run's outcomes (one row per replication), its manifest and its
failures; `load_run` returns them as a `Run` whose tables are pandas DataFrames:
``run.outcomes`` (a row per replication, NaN where a replication has no value, such as
the time of an event that did not happen), ``run.summary()`` (the same statistics as
``infrasim run`` prints), ``run.catalogue`` (what each column means) and
``run.manifest``. `compare_runs(a, b)` gives B - A for each outcome, paired replication by
replication when the runs share a seed (common random numbers), as the comparison page
does.

pandas is optional (``pip install "infrasim[notebook]"``): nothing here imports it until
a table is asked for, and then a missing pandas is one ImportError saying what to install.
The statistics come from `simulator.analysis`; nothing here computes its own.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .analysis.catalogue import Catalogue
    from .montecarlo import RunResult

__all__ = ["Run", "compare_runs", "load_run"]

INSTALL_HINT = 'pip install "infrasim[notebook]"'


def _pandas() -> Any:
    """The pandas module, or an ImportError that says how to get it."""
    try:
        import pandas
    except ImportError:
        raise ImportError(f"infrasim's tables are pandas DataFrames, and pandas is not "
                          f"installed: {INSTALL_HINT}") from None
    return pandas


class Run:
    """A run of a scenario, its tables as pandas DataFrames.

    Made by `load_run` from a run directory, or from the result `run_monte_carlo`
    returns (``Run(result)``). `result` keeps the run's columns as numpy arrays, read
    from its chunk files on demand, for runs too big for one table in memory.
    """

    def __init__(self, result: RunResult) -> None:
        self.result = result

    def __repr__(self) -> str:
        where = f" at {self.path}" if self.path else ""
        return (f"<Run {self.name!r}{where}: {self.result.done:,} replications, "
                f"{self.result.failed:,} failed, {self.status}>")

    @property
    def name(self) -> str:
        """The scenario's name, with the variant if there is one."""
        scenario = (self.manifest.get("scenario") or {}).get("name") or "scenario"
        variant = self.manifest.get("variant")
        return f"{scenario} ({variant})" if variant else scenario

    @property
    def path(self) -> Path | None:
        """The run directory (None for a run that was not stored)."""
        return self.result.path

    @property
    def manifest(self) -> dict[str, Any]:
        """The run's manifest: scenario file and hash, resolved scenario, seed, counts,
        executor, versions, times (``manifest.json``)."""
        return self.result.manifest

    @property
    def status(self) -> str:
        """``complete``, ``interrupted``, ``aborted``, ``running`` or ``died``."""
        return self.result.status

    @property
    def replications(self) -> Any:
        """The indices of the replications that succeeded, in order (numpy array)."""
        return self.result.replications

    @property
    def failures(self) -> tuple:
        """The replications that raised: index, seed, error and traceback of each."""
        return self.result.failures

    @cached_property
    def outcomes(self) -> pd.DataFrame:
        """One row per replication (index ``replication``), one float64 column per
        outcome and sampled input (``input.<path>``) in the run's order; NaN where a
        replication has no value (a time to an event that did not happen, a town the
        flood never reached). Yes/no outcomes are 0.0 or 1.0. The whole table is read
        into memory (8 bytes a value); for millions of replications read the columns you
        need from ``run.result.outcomes`` instead."""
        pandas = _pandas()
        columns = self.result.outcomes
        names = list(columns)
        groups = columns.groups(names) if hasattr(columns, "groups") else [columns]
        data = {name: values for group in groups for name, values in group.items()}
        index = pandas.Index(self.replications, name="replication")
        return pandas.DataFrame({name: data[name] for name in names}, index=index,
                                dtype="float64")

    @cached_property
    def outcome_catalogue(self) -> Catalogue:
        """The outcome catalogue as this run's scenario names things (labels, units,
        kinds), for `compare_runs` and code of one's own; `catalogue` is its table."""
        from .analysis.catalogue import Catalogue

        return Catalogue(self.manifest.get("resolved_scenario") or None)

    @cached_property
    def catalogue(self) -> pd.DataFrame:
        """What each of the run's columns means (index: the column id): label, unit,
        kind (probability, time_to_event, amount, count), meaning, which direction is
        worse, group, and the event it is conditioned on; in the order reports show them."""
        from .analysis.catalogue import Entry

        pandas = _pandas()
        catalogue = self.outcome_catalogue
        rows = [dataclasses.asdict(catalogue[name])
                for name in catalogue.ordered(self.result.outcomes)]
        return pandas.DataFrame(rows, columns=[f.name for f in dataclasses.fields(Entry)]
                                ).set_index("id")

    def summary(self, names: Sequence[str] | None = None) -> pd.DataFrame:
        """The run's statistics as ``infrasim run`` prints them, a row per outcome
        (index: the outcome id; `names`, default every outcome but the sampled inputs,
        the headline first): its label, count, mean with 95% interval, percentiles, and
        for events and what follows them the probability and the conditional values.
        Exact: from whole columns (`simulator.analysis.summarise`)."""
        from .analysis.headline import wanted_outcomes

        pandas = _pandas()
        catalogue = self.outcome_catalogue
        chosen = wanted_outcomes(self.result.outcomes, catalogue) if names is None \
            else list(names)
        rows = self.result.summary(chosen, catalogue)
        frame = pandas.DataFrame([dataclasses.asdict(row) for row in rows])
        if frame.empty:
            return frame
        frame.insert(1, "label", [catalogue.heading(row.name) for row in rows])
        return frame.set_index("name").rename_axis("outcome")


def load_run(path: str | os.PathLike[str]) -> Run:
    """The run stored in directory `path` (what ``infrasim run`` or
    ``run_monte_carlo(..., out=path)`` wrote): all of it when it completed, else the
    gap-free start of what it got done. Reads only the manifest and the ledger of
    finished replications; the outcome table is read when first asked for."""
    from .montecarlo import load_run as load_stored

    return Run(load_stored(path))


def _as_run(run: Run | RunResult | str | os.PathLike[str]) -> Run:
    if isinstance(run, Run):
        return run
    if isinstance(run, str | os.PathLike):
        return load_run(run)
    return Run(run)


def compare_runs(a: Run | RunResult | str | os.PathLike[str],
                 b: Run | RunResult | str | os.PathLike[str],
                 outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """B - A for each outcome both runs have (`outcomes`, default every outcome but the
    sampled inputs, the headline first), as the comparison page shows it: a row per
    outcome and measure (index ``(outcome, measure)``) with the two runs' values, the
    difference with its 95% interval, and how it was paired.

    The measure is what an outcome's kind asks for (`simulator.analysis.compare`):
    ``mean`` (a probability's or an amount's mean over every replication),
    ``probability`` (that a time's event happened) and ``given`` (a time, or an amount
    such as fatalities, among the replications where its event happened). Runs with the
    same seed share their random numbers replication by replication (common random
    numbers), so the ``mean`` and ``probability`` of replication k of A are compared
    with those of replication k of B (``paired``, over ``pairs`` replications both have),
    a much narrower interval than comparing two independent samples; ``given`` values,
    and runs with different seeds or no replication in common, are compared unpaired
    (Welch; Newcombe's interval for probabilities). `a` and `b` are `Run`s, results of `run_monte_carlo` or run directories.
    """
    from .analysis.compare import RunSample
    from .analysis.compare import compare_runs as differences
    from .analysis.headline import wanted_outcomes

    pandas = _pandas()
    first, second = _as_run(a), _as_run(b)
    samples = [RunSample.from_manifest(run.name, run.result.outcomes, run.manifest,
                                       run.replications) for run in (first, second)]
    shared = [name for name in first.result.outcomes if name in second.result.outcomes]
    catalogue = first.outcome_catalogue
    names = wanted_outcomes(shared, catalogue) if outcomes is None \
        else [name for name in outcomes if name in shared]
    rows = differences(*samples, names, catalogue=catalogue)
    frame = pandas.DataFrame([{**dataclasses.asdict(d), "method": d.method} for d in rows])
    if frame.empty:
        return frame
    frame.insert(1, "label", [catalogue.heading(d.outcome) for d in rows])
    return frame.set_index(["outcome", "measure"])
