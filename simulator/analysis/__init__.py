"""Analysis of a run's outcome table: the outcome catalogue (what each column means),
statistics, exceedance, F-N and cumulative-incidence curves, convergence, input
sensitivity, run-to-run comparison and the summary's headline.

Pure functions of ``{outcome name: numpy array}`` columns (plus a run's manifest where a
seed is needed): they never run a simulation and never write back into their inputs.
Importing this package costs numpy only; scipy loads on first use.
"""

from __future__ import annotations

from .catalogue import Catalogue, Entry, catalogue_entry
from .compare import Difference, RunSample, compare_outcome, compare_runs
from .sensitivity import Sensitivity, Swing, decile_swing, input_names, rank_sensitivity
from .stats import (
    ConvergenceTrace,
    ExceedanceCurve,
    IncidenceCurve,
    MeanCI,
    OutcomeRow,
    convergence,
    cumulative_incidence,
    exceedance,
    fn_curve,
    is_binary,
    key_outcomes,
    mean_ci,
    median_ci,
    p_positive,
    percentiles,
    summarise,
    summarise_column,
    wilson_interval,
)
from .terminal import headline_table, summary_table

__all__ = [
    "Catalogue",
    "ConvergenceTrace",
    "Difference",
    "Entry",
    "ExceedanceCurve",
    "IncidenceCurve",
    "MeanCI",
    "OutcomeRow",
    "RunSample",
    "Sensitivity",
    "Swing",
    "catalogue_entry",
    "compare_outcome",
    "compare_runs",
    "convergence",
    "cumulative_incidence",
    "decile_swing",
    "exceedance",
    "fn_curve",
    "headline_table",
    "input_names",
    "is_binary",
    "key_outcomes",
    "mean_ci",
    "median_ci",
    "p_positive",
    "percentiles",
    "rank_sensitivity",
    "summarise",
    "summarise_column",
    "summary_table",
    "wilson_interval",
]
