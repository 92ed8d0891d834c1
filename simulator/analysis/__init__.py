"""Analysis of a run's outcome table: statistics, exceedance and F-N curves, convergence,
input sensitivity and run-to-run comparison.

Pure functions of ``{outcome name: numpy array}`` columns (plus a run's manifest where a
seed is needed): they never run a simulation and never write back into their inputs.
Importing this package costs numpy only; scipy loads on first use.
"""

from __future__ import annotations

from .compare import Difference, RunSample, compare_outcome, compare_runs
from .sensitivity import Sensitivity, input_names, rank_sensitivity
from .stats import (
    ConvergenceTrace,
    ExceedanceCurve,
    MeanCI,
    OutcomeRow,
    convergence,
    exceedance,
    fn_curve,
    is_binary,
    key_outcomes,
    mean_ci,
    p_positive,
    percentiles,
    summarise,
    summarise_column,
    wilson_interval,
)
from .terminal import summary_table

__all__ = [
    "ConvergenceTrace",
    "Difference",
    "ExceedanceCurve",
    "MeanCI",
    "OutcomeRow",
    "RunSample",
    "Sensitivity",
    "compare_outcome",
    "compare_runs",
    "convergence",
    "exceedance",
    "fn_curve",
    "input_names",
    "is_binary",
    "key_outcomes",
    "mean_ci",
    "p_positive",
    "percentiles",
    "rank_sensitivity",
    "summarise",
    "summarise_column",
    "summary_table",
    "wilson_interval",
]
