"""Which uncertain inputs drive an outcome: the swing of its mean between an input's low
and high decile, and rank correlations.

Each replication records the values it sampled as ``input.<path>`` columns, so
sensitivity is a pure function of the run's outcome table. Spearman's rank correlation
measures how monotonically an outcome moves with one input on its own; the partial rank
correlation coefficient (PRCC; Marino et al. 2008, J. Theor. Biol. 254:178) removes the
linear effect of every other input on the ranks first, so an input that only looks
important because it is correlated with another one drops out. Inputs that did not vary
(fixed values) are left out.

A correlation says how consistently an outcome moves with an input, not how much. The
decile swing (`decile_swing`) says how much, in the outcome's own unit: the outcome's
mean over the replications whose draw of the input lies in its lowest decile, and over
those in its highest (for a yes/no input, where it is 0 and where it is 1). The 10th and
90th percentiles are the ranges of decision analysis's tornado diagrams (the "10-50-90"
rule: Syncopation Software, "Choosing ranges for tornado diagrams",
http://www.syncopation.com/technotes/ranges.html). Unlike the deterministic tornado,
which moves one input with the others held at base values, every other input keeps
varying as drawn here, so a swing is a difference of conditional means, with its Welch
interval (for a yes/no outcome a difference of probabilities, with Newcombe's hybrid
score interval, `stats.newcombe_difference`, which stays within [-1, 1]), and needs no
rerun of the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["INPUT_PREFIX", "Sensitivity", "Swing", "decile_swing", "input_names",
           "rank_sensitivity"]

INPUT_PREFIX = "input."


@dataclass(frozen=True)
class Sensitivity:
    """One input's rank correlations with an outcome (each in [-1, 1]) and p-values."""

    input: str  # the outcome-table column, e.g. "input.forces.isil_column.strength"
    spearman: float
    spearman_p: float
    prcc: float
    prcc_p: float

    @property
    def label(self) -> str:
        """The input's path without the ``input.`` prefix, for axis labels."""
        return self.input.removeprefix(INPUT_PREFIX)


def input_names(outcomes: Mapping[str, np.ndarray]) -> list[str]:
    """The sampled-input columns of a run, sorted."""
    return sorted(name for name in outcomes if name.startswith(INPUT_PREFIX))


def _ranks(matrix: np.ndarray) -> np.ndarray:
    """Column-wise average ranks (ties share their mean rank)."""
    from scipy.stats import rankdata

    return rankdata(matrix, axis=0)


def _correlation_p(r: np.ndarray, dof: int) -> np.ndarray:
    """Two-sided p-value of correlations `r` from the t statistic with `dof` degrees."""
    from scipy.stats import t

    if dof <= 0:
        return np.full_like(r, math.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = r * np.sqrt(dof / np.maximum(1.0 - r * r, 1e-300))
    return 2.0 * t.sf(np.abs(stat), dof)


def rank_sensitivity(outcomes: Mapping[str, np.ndarray], outcome: str,
                     inputs: list[str] | None = None) -> list[Sensitivity]:
    """Spearman and partial rank correlation of each varying input with `outcome`,
    sorted by decreasing |PRCC| (then |Spearman|).

    Replications with NaN in the outcome or any input are dropped. PRCC of input i:
    regress the ranks of input i and of the outcome on the ranks of the other inputs
    (least squares with an intercept) and correlate the two residuals; computed in one
    step from the inverse of the rank correlation matrix, which gives the same number.
    """
    names = input_names(outcomes) if inputs is None else list(inputs)
    if not names:
        return []
    x = np.column_stack([np.asarray(outcomes[name], dtype=np.float64) for name in names])
    y = np.asarray(outcomes[outcome], dtype=np.float64)
    keep = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    x, y = x[keep], y[keep]
    varying = [j for j in range(x.shape[1]) if np.ptp(x[:, j]) > 0] if len(y) else []
    names = [names[j] for j in varying]
    x = x[:, varying]
    n, k = x.shape
    if k == 0 or n < 3 or np.ptp(y) == 0:
        return [Sensitivity(name, math.nan, math.nan, math.nan, math.nan) for name in names]
    ranks = _ranks(np.column_stack([x, y]))
    correlation = np.corrcoef(ranks, rowvar=False)
    spearman = correlation[:k, k]
    # Regressing input i and the outcome on the other inputs and correlating the
    # residuals gives the partial correlation, which is also read off the inverse of the
    # correlation matrix P as -P[i, y] / sqrt(P[i, i] P[y, y]): one (k+1)-square
    # inversion instead of k least-squares fits over every replication.
    # When the matrix is (nearly) singular (an outcome that is a rank-for-rank copy of
    # an input, two identical inputs) fall back to the regressions themselves.
    if np.linalg.cond(correlation) < 1e10:
        precision = np.linalg.inv(correlation)
        diagonal = np.sqrt(np.diag(precision))
        prcc = np.clip(-precision[:k, k] / (diagonal[:k] * diagonal[k]), -1.0, 1.0)
    else:
        prcc = _prcc_by_regression(ranks)
    spearman_p = _correlation_p(spearman, n - 2)
    prcc_p = _correlation_p(prcc, n - 2 - (k - 1))
    rows = [Sensitivity(name, float(s), float(sp), float(p), float(pp))
            for name, s, sp, p, pp in zip(names, spearman, spearman_p, prcc, prcc_p,
                                          strict=True)]
    return sorted(rows, key=lambda r: (-_abs(r.prcc), -_abs(r.spearman), r.input))


def _prcc_by_regression(ranks: np.ndarray) -> np.ndarray:
    """PRCC from its definition: for each input column, the correlation of the residuals
    of it and of the outcome (last column) regressed on the other inputs."""
    n, columns = ranks.shape
    k = columns - 1
    prcc = np.empty(k)
    for j in range(k):
        others = np.column_stack([np.ones(n), np.delete(ranks[:, :k], j, axis=1)])
        targets = ranks[:, [j, k]]
        coefficients, *_ = np.linalg.lstsq(others, targets, rcond=None)
        residuals = targets - others @ coefficients
        residuals -= residuals.mean(axis=0)
        norms = np.sqrt((residuals * residuals).sum(axis=0))
        tiny = 1e-9 * math.sqrt(n) * n
        if norms[0] <= tiny:
            prcc[j] = math.nan  # the input is a function of the others: undefined
        elif norms[1] <= tiny:
            prcc[j] = 0.0  # the others explain the outcome fully: nothing left for it
        else:
            prcc[j] = float(residuals[:, 0] @ residuals[:, 1] / (norms[0] * norms[1]))
    return np.clip(prcc, -1.0, 1.0)


def _abs(value: float) -> float:
    return abs(value) if value == value else -1.0


@dataclass(frozen=True)
class Swing:
    """The outcome's mean where an input is low and where it is high, and its Spearman
    rank correlation with the input (the secondary measure)."""

    input: str
    low_mean: float  # the outcome's mean over the input's lowest decile (or where it is 0)
    high_mean: float  # ... over its highest decile (or where it is 1)
    swing_low: float  # 95 % interval of high_mean - low_mean (Welch; Newcombe for 0/1)
    swing_high: float
    low_count: int
    high_count: int
    spearman: float  # NaN when `decile_swing` was asked not to work it out

    @property
    def swing(self) -> float:
        """high_mean - low_mean: what moving the input from low to high does to the mean."""
        return self.high_mean - self.low_mean


def decile_swing(outcomes: Mapping[str, np.ndarray], outcome: str,
                 inputs: list[str] | None = None, share: float = 0.1,
                 spearman: bool = True) -> list[Swing]:
    """The decile swing of `outcome` for each varying input (see the module docstring),
    sorted by decreasing |swing|. Replications without a value of the outcome (a time to
    an event that did not happen) are left out, so a time's swing is among the
    replications where the event happened; those without the input too. A yes/no
    outcome (only 0s and 1s) gets Newcombe's interval, any other Welch's.

    With `spearman` false the rank correlations are not worked out (each swing's
    `spearman` is NaN): they take a rank correlation matrix of every input and its
    inverse, most of the cost, and a caller that only ranks inputs by their swing (an
    exercise forecast's top driver, at every decision) does not read them."""
    from .compare import welch_difference
    from .stats import is_binary, newcombe_difference

    names = input_names(outcomes) if inputs is None else list(inputs)
    y_all = np.asarray(outcomes[outcome], dtype=np.float64)
    yes_no = is_binary(y_all)
    correlations = ({s.input: s.spearman for s in rank_sensitivity(outcomes, outcome, names)}
                    if spearman else {})
    rows = []
    for name in names:
        x = np.asarray(outcomes[name], dtype=np.float64)
        keep = ~np.isnan(x) & ~np.isnan(y_all)
        x, y = x[keep], y_all[keep]
        if x.size < 2 or np.ptp(x) == 0:
            continue
        if np.all((x == 0.0) | (x == 1.0)):
            low, high = x == 0.0, x == 1.0
        else:
            low = x <= np.quantile(x, share)
            high = x >= np.quantile(x, 1.0 - share)
        if yes_no:
            _, lower, upper = newcombe_difference(float(y[low].sum()), int(low.sum()),
                                                  float(y[high].sum()), int(high.sum()))
        else:
            _, lower, upper = welch_difference(y[low], y[high])
        rows.append(Swing(name, float(y[low].mean()), float(y[high].mean()), lower, upper,
                          int(low.sum()), int(high.sum()), correlations.get(name, math.nan)))
    return sorted(rows, key=lambda r: (-_abs(r.swing), r.input))
