"""Statistics of a run's outcome columns: means with confidence intervals, percentiles,
exceedance and F-N curves with bootstrap bands, and convergence traces.

Every function is a pure function of arrays of outcomes (one value per replication) and
never runs a simulation. NaN marks a replication that returned no value for an outcome
and is dropped. Outcomes that only take the values 0 and 1 (``dam_captured``) are
probabilities, and their means get the Wilson score interval, which keeps its coverage
near 0 and 1 where the normal interval collapses; every other mean gets Student's t (the
normal interval only on request, for adaptive stopping). This is the one statistics layer:
the summary printed after a run, reports, comparisons and exercises all use it. Random
resampling takes a seed, so a report made twice is the same report.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ConvergenceTrace",
    "ExceedanceCurve",
    "MeanCI",
    "Moments",
    "OutcomeRow",
    "convergence",
    "exceedance",
    "finite",
    "fn_curve",
    "is_binary",
    "key_outcomes",
    "mean_ci",
    "moments_ci",
    "p_positive",
    "percentiles",
    "summarise",
    "summarise_column",
    "wilson_interval",
]

LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 1000
CURVE_POINTS = 256  # thresholds of an exceedance curve when the sample has more values


def _quantile_normal(level: float) -> float:
    """Two-sided standard normal quantile for a central interval of `level`."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2.0)


def _quantile_t(level: float, df: np.ndarray | float) -> np.ndarray | float:
    """Two-sided Student-t quantile (scipy imported here, not at module import)."""
    from scipy.stats import t

    return t.ppf(0.5 + level / 2.0, df)


def finite(values: Iterable[float] | np.ndarray) -> np.ndarray:
    """The values as float64 without NaN (replications that returned no value)."""
    array = np.asarray(values, dtype=np.float64).ravel()
    return array[~np.isnan(array)]


def is_binary(values: np.ndarray) -> bool:
    """Whether every value is 0 or 1: an indicator outcome such as ``dam_captured``."""
    array = finite(values)
    return array.size > 0 and bool(np.all((array == 0.0) | (array == 1.0)))


# ------------------------------------------------------------------------- means


@dataclass(frozen=True)
class MeanCI:
    """A mean and its two-sided confidence interval; `method` is "wilson", "t", "normal"
    or "-" (fewer than two values: no interval)."""

    mean: float
    low: float
    high: float
    count: int
    method: str
    level: float = LEVEL

    @property
    def half_width(self) -> float:
        """Half the interval's width (for Wilson, which is asymmetric, half its span)."""
        return (self.high - self.low) / 2.0


def wilson_interval(successes: np.ndarray | float, count: np.ndarray | float,
                    level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (Wilson 1927); vectorised."""
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(count, dtype=np.float64)
    z = _quantile_normal(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denominator = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denominator
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denominator
    # exact ends when every trial failed or succeeded (not 1e-19 from rounding)
    low = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return low, high


def mean_ci(values: Iterable[float] | np.ndarray, level: float = LEVEL,
            method: str = "auto") -> MeanCI:
    """Mean with a `level` confidence interval: Wilson for 0/1 outcomes, t otherwise.

    `method` forces "wilson", "t" or "normal" (mean ± z s / sqrt(n), the large-sample
    interval of fixed-width sequential rules); "auto" picks Wilson or t by the data.
    """
    array = finite(values)
    n = int(array.size)
    if n == 0:
        return MeanCI(math.nan, math.nan, math.nan, 0, "-", level)
    mean = float(array.mean())
    if method == "auto":
        method = "wilson" if is_binary(array) else "t"
    if method == "wilson":
        low, high = wilson_interval(float(array.sum()), n, level)
        return MeanCI(mean, float(low), float(high), n, "wilson", level)
    if method not in ("t", "normal"):
        raise ValueError(f"method must be 'auto', 'wilson', 't' or 'normal', not {method!r}")
    if n < 2:
        return MeanCI(mean, math.nan, math.nan, n, "-", level)
    quantile = _quantile_t(level, n - 1) if method == "t" else _quantile_normal(level)
    half = float(quantile) * float(array.std(ddof=1)) / math.sqrt(n)
    return MeanCI(mean, mean - half, mean + half, n, method, level)


@dataclass(frozen=True)
class Moments:
    """Count, mean and sum of squared deviations of a sample, mergeable: the moments of
    two samples combine into those of both (Chan, Golub and LeVeque 1979), so a mean and
    its interval can be kept over a stream of batches in constant memory."""

    count: int = 0
    mean: float = math.nan
    squared_deviations: float = 0.0

    @classmethod
    def of(cls, values: Iterable[float] | np.ndarray) -> Moments:
        """The moments of `values` (NaN dropped)."""
        array = finite(values)
        if array.size == 0:
            return cls()
        mean = float(array.mean())
        return cls(int(array.size), mean, float(np.sum((array - mean) ** 2)))

    def merge(self, other: Moments) -> Moments:
        """The moments of this sample and `other` together."""
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        count = self.count + other.count
        delta = other.mean - self.mean
        mean = self.mean + delta * other.count / count
        squared = (self.squared_deviations + other.squared_deviations
                   + delta * delta * self.count * other.count / count)
        return Moments(count, mean, squared)

    @property
    def variance(self) -> float:
        """The sample variance (n - 1 in the denominator); NaN below two values."""
        return self.squared_deviations / (self.count - 1) if self.count >= 2 else math.nan


def moments_ci(moments: Moments, level: float = LEVEL, method: str = "normal") -> MeanCI:
    """`mean_ci` of a sample known by its `Moments`: the "normal" or "t" interval.

    Equal to `mean_ci` of the sample itself up to rounding (the sums are formed in
    another order).
    """
    if method not in ("t", "normal"):
        raise ValueError(f"method must be 't' or 'normal', not {method!r}")
    n = moments.count
    if n < 2:
        return MeanCI(moments.mean, math.nan, math.nan, n, "-", level)
    quantile = _quantile_t(level, n - 1) if method == "t" else _quantile_normal(level)
    half = float(quantile) * math.sqrt(moments.variance / n)
    return MeanCI(moments.mean, moments.mean - half, moments.mean + half, n, method, level)


def percentiles(values: Iterable[float] | np.ndarray,
                q: Sequence[float] = (5.0, 50.0, 95.0)) -> np.ndarray:
    """Percentiles `q` (0-100) of the values (linear interpolation); NaN if empty."""
    array = finite(values)
    if array.size == 0:
        return np.full(len(q), math.nan)
    return np.percentile(array, q)


def p_positive(values: Iterable[float] | np.ndarray) -> float:
    """Share of replications with a value above zero (e.g. P(fatalities > 0))."""
    array = finite(values)
    return float(np.count_nonzero(array > 0.0)) / array.size if array.size else math.nan


# -------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class OutcomeRow:
    """One line of a summary table: an outcome over the replications that returned it;
    `method` says how the CI was made (see `MeanCI`)."""

    name: str
    count: int
    mean: float
    ci_low: float
    ci_high: float
    p5: float
    p50: float
    p95: float
    p_positive: float
    method: str = "-"


def summarise_column(name: str, values: Iterable[float] | np.ndarray,
                     level: float = LEVEL) -> OutcomeRow:
    """Mean and CI, 5th/50th/95th percentiles and P(> 0) of one outcome."""
    array = finite(values)
    ci = mean_ci(array, level)
    p5, p50, p95 = (float(v) for v in percentiles(array))
    return OutcomeRow(name, ci.count, ci.mean, ci.low, ci.high, p5, p50, p95,
                      p_positive(array), ci.method)


def key_outcomes(names: Iterable[str]) -> list[str]:
    """Top-level outcome names (no dot: ``fatalities``, not ``arrival_h.hit``), sorted."""
    return sorted(name for name in names if "." not in name)


def summarise(outcomes: Mapping[str, np.ndarray], keys: Iterable[str] | None = None,
              level: float = LEVEL) -> list[OutcomeRow]:
    """Summary rows for `keys` in the given order (default: the key outcomes); names
    the run does not have are skipped."""
    chosen = key_outcomes(outcomes) if keys is None else [k for k in keys if k in outcomes]
    return [summarise_column(name, outcomes[name], level) for name in chosen]


# ---------------------------------------------------------- exceedance and F-N


@dataclass(frozen=True)
class ExceedanceCurve:
    """P(X > x) (or P(X >= x) when `inclusive`) at each threshold, with a pointwise
    bootstrap band of `level`."""

    thresholds: np.ndarray
    probability: np.ndarray
    low: np.ndarray
    high: np.ndarray
    count: int
    inclusive: bool = False
    level: float = LEVEL


def _default_thresholds(sample: np.ndarray, points: int) -> np.ndarray:
    """The sample's distinct values, or when it has more than `points`: `points` of its
    quantiles plus its `points` / 4 largest distinct values, so the tail of the curve
    still reaches down to a probability of 1 / n."""
    distinct = np.unique(sample)
    if distinct.size <= points:
        return distinct
    grid = np.quantile(sample, np.linspace(0.0, 1.0, points))
    return np.unique(np.concatenate([grid, distinct[-max(points // 4, 1):]]))


def _exceedance(sample: np.ndarray, thresholds: np.ndarray, inclusive: bool,
                resamples: int, level: float, seed: int) -> ExceedanceCurve:
    """Empirical exceedance and its bootstrap band.

    A bootstrap resample only matters here through how many values fall between
    consecutive thresholds, and those counts are multinomial with the sample's shares:
    drawing them directly costs resamples x thresholds, whatever the sample size.
    """
    n = int(sample.size)
    t = np.sort(np.asarray(thresholds, dtype=np.float64))
    if n == 0:
        nan = np.full(t.size, math.nan)
        return ExceedanceCurve(t, nan, nan.copy(), nan.copy(), 0, inclusive, level)
    # bin j holds the values that exceed thresholds[:j] and no others
    side = "right" if inclusive else "left"
    bins = np.searchsorted(t, sample, side=side)
    counts = np.bincount(bins, minlength=t.size + 1)
    exceed = n - np.cumsum(counts)[:-1]
    probability = exceed / n
    if resamples > 0:
        rng = np.random.default_rng(seed)
        drawn = rng.multinomial(n, counts / n, size=resamples)
        boot = (n - np.cumsum(drawn, axis=1)[:, :-1]) / n
        alpha = (1.0 - level) / 2.0
        low, high = np.quantile(boot, [alpha, 1.0 - alpha], axis=0)
    else:
        low, high = probability.copy(), probability.copy()
    return ExceedanceCurve(t, probability, low, high, n, inclusive, level)


def exceedance(values: Iterable[float] | np.ndarray, thresholds: np.ndarray | None = None,
               *, resamples: int = BOOTSTRAP_RESAMPLES, level: float = LEVEL,
               seed: int = 0, points: int = CURVE_POINTS) -> ExceedanceCurve:
    """Exceedance probability P(X > x) with a pointwise bootstrap band.

    Thresholds default to the sample's distinct values (or `points` quantiles of it).
    """
    sample = finite(values)
    if thresholds is None:
        thresholds = _default_thresholds(sample, points)
    return _exceedance(sample, thresholds, False, resamples, level, seed)


def fn_curve(fatalities: Iterable[float] | np.ndarray, n_values: np.ndarray | None = None,
             *, resamples: int = BOOTSTRAP_RESAMPLES, level: float = LEVEL,
             seed: int = 0, points: int = CURVE_POINTS) -> ExceedanceCurve:
    """Conditional F-N data: P(N >= n | the scenario) for n >= 1, with a bootstrap band.

    "Conditional" because the probability is per occurrence of the scenario (per
    replication), not per year. `n_values` default to 1 and the distinct values >= 1
    of the sample (or `points` quantiles of them), so the curve starts at N = 1 on
    log-log axes.
    """
    sample = finite(fatalities)
    if n_values is None:
        at_least_one = sample[sample >= 1.0]
        n_values = np.unique(np.concatenate([[1.0], _default_thresholds(at_least_one, points)]))
    return _exceedance(sample, n_values, True, resamples, level, seed)


# ----------------------------------------------------------------- convergence


@dataclass(frozen=True)
class ConvergenceTrace:
    """Running mean of an outcome after the first `count[i]` replications, with its CI."""

    count: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    method: str
    level: float = LEVEL


def convergence(values: Iterable[float] | np.ndarray, level: float = LEVEL,
                points: int | None = 400, method: str = "auto") -> ConvergenceTrace:
    """Running mean and CI in replication order (Wilson for 0/1 outcomes, t otherwise).

    With `points`, the trace is sampled at about that many counts, spaced evenly on a
    log scale (plus the last), which is all a plot needs.
    """
    array = finite(values)
    n = int(array.size)
    if method == "auto":
        method = "wilson" if is_binary(array) else "t"
    if n == 0:
        empty = np.empty(0)
        return ConvergenceTrace(np.empty(0, np.int64), empty, empty, empty, method, level)
    count = np.arange(1, n + 1)
    if points is not None and n > points:
        count = np.unique(np.geomspace(1, n, points).round().astype(np.int64))
    index = count - 1
    if method == "wilson":
        sums = np.cumsum(array)[index]
        mean = sums / count
        low, high = wilson_interval(sums, count, level)
    else:
        shifted = array - array[0]  # keeps the running sums of squares well conditioned
        s1 = np.cumsum(shifted)[index]
        s2 = np.cumsum(shifted * shifted)[index]
        mean_shifted = s1 / count
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = np.maximum(s2 - count * mean_shifted**2, 0.0) / (count - 1)
            half = _quantile_t(level, np.maximum(count - 1, 1)) * np.sqrt(variance / count)
        half = np.where(count >= 2, half, np.nan)
        mean = mean_shifted + array[0]
        low, high = mean - half, mean + half
    return ConvergenceTrace(count.astype(np.int64), mean, np.asarray(low),
                            np.asarray(high), method, level)
