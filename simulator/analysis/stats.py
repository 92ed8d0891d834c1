"""Statistics of a run's outcome columns: means with confidence intervals, percentiles,
probabilities of events with their conditional distributions, exceedance, F-N and
cumulative-incidence curves, and convergence traces.

Every function is a pure function of arrays of outcomes (one value per replication) and
never runs a simulation. NaN marks a replication that returned no value for an outcome
and is dropped; for a time to an event it means the event did not happen by the horizon,
so the values left are those of the replications where it happened. Probabilities
(yes/no outcomes such as ``dam_captured``, by their kind in the catalogue, or by their
values where no kind is given) get the Wilson score interval, which keeps its coverage near 0 and 1 where the normal interval
collapses; every other mean gets Student's t (the normal interval only on request, for
adaptive stopping), cut to the range of the values seen, so an interval never leaves the
support (no negative fatalities). This is the one statistics layer: the summary printed
after a run, reports, comparisons and exercises all use it. Random resampling takes a
seed, so a report made twice is the same report.

How each kind of outcome (see `simulator.analysis.catalogue`) is summarised
(`summarise_column`):

- probability: P with its Wilson interval; no percentiles (of 0s and 1s they say nothing);
- time to event: P(it happened) with its Wilson interval over every replication, and the
  mean, median and percentiles over the replications where it happened (conditional on
  the event), with `cumulative_incidence` for the share by each time;
- amount and count: the unconditional mean (an expected value) with its interval and
  percentiles, and, when the catalogue names the event it follows (fatalities follow a
  breach), P(event) and the distribution given the event.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .catalogue import Catalogue

__all__ = [
    "ConvergenceTrace",
    "ExceedanceCurve",
    "IncidenceCurve",
    "MeanCI",
    "Moments",
    "OutcomeRow",
    "convergence",
    "cumulative_incidence",
    "exceedance",
    "finite",
    "fn_curve",
    "is_binary",
    "key_outcomes",
    "mean_ci",
    "median_ci",
    "newcombe_difference",
    "moments_ci",
    "p_positive",
    "percentiles",
    "summarise",
    "summarise_column",
    "wilson_interval",
    "within_support",
]

LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 1000
CURVE_POINTS = 256  # thresholds of an exceedance curve when the sample has more values


def _quantile_normal(level: float) -> float:
    """Two-sided standard normal quantile for a central interval of `level`."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2.0)


def _quantile_t(level: float, df: np.ndarray | float) -> np.ndarray | float:
    """Two-sided Student-t quantile: the inverse of the t distribution's CDF from
    scipy.special (the function scipy.stats' ``t.ppf`` evaluates, same values; importing
    scipy.stats costs most of a second of every run's summary)."""
    from scipy.special import stdtrit

    return stdtrit(df, 0.5 + level / 2.0)


def _binomial_quantile(q: float, n: int, p: float) -> int:
    """The smallest k with P(Binomial(n, p) <= k) >= q: a bisection on the binomial CDF
    (scipy.special's ``bdtr``), the definition scipy.stats' ``binom.ppf`` also meets."""
    from scipy.special import bdtr

    low, high = 0, n
    while low < high:
        middle = (low + high) // 2
        if bdtr(middle, n, p) >= q:
            high = middle
        else:
            low = middle + 1
    return low


def finite(values: Iterable[float] | np.ndarray) -> np.ndarray:
    """The values as float64 without NaN (replications that returned no value): the
    array itself, not a copy, when it has none (a column of a million replications is
    8 MB, and a summary asks for it several times); never change it in place."""
    array = np.asarray(values, dtype=np.float64).ravel()
    missing = np.isnan(array)
    return array[~missing] if missing.any() else array


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


def newcombe_difference(successes_a: float, count_a: float, successes_b: float,
                        count_b: float, level: float = LEVEL) -> tuple[float, float, float]:
    """The difference of two independent proportions, p_b - p_a, with Newcombe's hybrid
    score interval: (difference, low, high).

    Method 10 of Newcombe (1998, "Interval estimation for the difference between
    independent proportions: comparison of eleven methods", Statistics in Medicine
    17:873-890): with (l, u) each proportion's Wilson interval,
    low = d - sqrt((p_b - l_b)² + (u_a - p_a)²) and
    high = d + sqrt((u_b - p_b)² + (p_a - l_a)²). Unlike Welch's t on 0/1 values it stays
    within [-1, 1] and keeps a width when both samples are all 0 or all 1 (a zero-width
    interval would claim certainty). Tested against the paper's Table II examples.
    """
    if count_a <= 0 or count_b <= 0:
        return math.nan, math.nan, math.nan
    p_a, p_b = successes_a / count_a, successes_b / count_b
    low_a, high_a = (float(v) for v in wilson_interval(successes_a, count_a, level))
    low_b, high_b = (float(v) for v in wilson_interval(successes_b, count_b, level))
    difference = p_b - p_a
    low = difference - math.hypot(p_b - low_b, high_a - p_a)
    high = difference + math.hypot(high_b - p_b, p_a - low_a)
    return difference, max(low, -1.0), min(high, 1.0)


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
    low, high = within_support(mean - half, mean + half, array.min(), array.max())
    return MeanCI(mean, float(low), float(high), n, method, level)


def within_support(low: np.ndarray | float, high: np.ndarray | float,
                   smallest: np.ndarray | float, largest: np.ndarray | float
                   ) -> tuple[np.ndarray | float, np.ndarray | float]:
    """An interval for a mean cut to [smallest, largest] of the values seen.

    A mean cannot lie outside the values an outcome can take; the symmetric t interval
    of a skewed sample (mostly zero fatalities, a few thousand) reaches below zero, which
    no reader should see. The range of the sample stands in for the support, which is
    exact at the bound that matters (zero for counts and amounts).
    """
    return np.maximum(low, smallest), np.minimum(high, largest)


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
    """One line of a summary table: an outcome over the replications that returned it.

    `count`, `mean`, the interval (`method` says how it was made, see `MeanCI`) and the
    percentiles are over the replications with a value: every replication for a
    probability, amount or count, and only those where the event happened for a time to
    an event. `kind` is the outcome's kind in the catalogue. Where an event is involved
    (`event`: a time to it, or the event an amount follows), `p_event` is its probability
    over all `replications` with a Wilson interval, `event_count` how often it happened,
    and the ``given_*`` fields the outcome's distribution among those replications,
    its mean with a t interval (for a time to event they repeat the conditional mean,
    interval and percentiles).
    """

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
    kind: str = "amount"
    replications: int = 0
    event: str | None = None
    p_event: float = math.nan
    p_event_low: float = math.nan
    p_event_high: float = math.nan
    event_count: int = 0
    given_mean: float = math.nan
    given_p5: float = math.nan
    given_p50: float = math.nan
    given_p95: float = math.nan
    given_p50_low: float = math.nan
    given_p50_high: float = math.nan
    given_low: float = math.nan  # t interval of given_mean
    given_high: float = math.nan


def _conditional(values: np.ndarray, happened: np.ndarray, level: float
                 ) -> dict[str, float | int]:
    """P(event) and the distribution of `values` where it happened (`happened`: bools)."""
    total = int(happened.size)
    hits = int(np.count_nonzero(happened))
    fields: dict[str, float | int] = {"replications": total, "event_count": hits}
    if total:
        low, high = wilson_interval(hits, total, level)
        fields.update(p_event=hits / total, p_event_low=float(low), p_event_high=float(high))
    given = finite(values[happened])
    if given.size:
        p5, p50, p95 = (float(v) for v in percentiles(given))
        low, high = median_ci(given, level)
        mean = mean_ci(given, level, method="t")
        fields.update(given_mean=mean.mean, given_p5=p5, given_p50=p50, given_p95=p95,
                      given_p50_low=low, given_p50_high=high, given_low=mean.low,
                      given_high=mean.high)
    return fields


def median_ci(values: Iterable[float] | np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Distribution-free interval for a median: the order statistics x(l) and x(n+1-l),
    with l the largest rank for which P(Binomial(n, 1/2) < l) <= (1 - level) / 2
    (the order-statistic interval for a quantile, Conover 1999, Practical Nonparametric
    Statistics, 3rd ed., chapter 3; checked in the tests against the binomial
    distribution itself, not against a printed table). Below six values no such l exists at 95 % and the range of
    the values is returned, whose coverage is then lower than `level`."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, not {level!r}")
    ordered = np.sort(finite(values))
    n = int(ordered.size)
    if n == 0:
        return math.nan, math.nan
    # the smallest k with P(B <= k) >= alpha / 2, so P(B <= k - 1) < alpha / 2: l = k
    rank = max(_binomial_quantile((1.0 - level) / 2.0, n, 0.5), 1)
    return float(ordered[rank - 1]), float(ordered[n - rank])


def summarise_column(name: str, values: Iterable[float] | np.ndarray,
                     level: float = LEVEL, *, kind: str | None = None,
                     given: np.ndarray | None = None, event: str | None = None
                     ) -> OutcomeRow:
    """The summary of one outcome as its kind asks (see the module docstring).

    Args:
        name: The outcome's id.
        values: One value per replication (NaN: no value; for a time to event, the event
            did not happen).
        level: Confidence level of the intervals.
        kind: "probability", "time_to_event", "amount" or "count" (the catalogue's);
            None guesses "probability" for 0/1 values and "amount" otherwise.
        given: For an amount, the 0/1 column of the event it follows (aligned with
            `values`), for P(event) and the distribution given the event.
        event: What the event is, in words, for the reader ("breach").

    Returns:
        The row.
    """
    every = np.asarray(values, dtype=np.float64).ravel()
    array = finite(every)
    if kind is None:
        kind = "probability" if is_binary(array) else "amount"
    # by the kind, never by the values: an amount that happens to be 0 or 1 in every
    # replication (one town captured, a breach depth of 0) is not a proportion
    ci = mean_ci(array, level, method="wilson" if kind == "probability" else "t")
    p5, p50, p95 = (float(v) for v in percentiles(array))
    row = OutcomeRow(name, ci.count, ci.mean, ci.low, ci.high, p5, p50, p95,
                     p_positive(array), ci.method, kind, int(every.size), event)
    if kind == "probability":
        nan = math.nan
        return replace(row, p5=nan, p50=nan, p95=nan, p_positive=nan)
    if kind == "time_to_event":
        return replace(row, **_conditional(every, ~np.isnan(every), level))
    if given is not None:
        flags = np.asarray(given, dtype=np.float64).ravel()
        known = ~np.isnan(flags)
        if not known.all():  # else no copies: a column of a million is 8 MB
            every, flags = every[known], flags[known]
        return replace(row, **_conditional(every, flags >= 0.5, level))
    return row


def key_outcomes(names: Iterable[str]) -> list[str]:
    """Top-level outcome names (no dot: ``fatalities``, not ``arrival_h.hit``), sorted."""
    return sorted(name for name in names if "." not in name)


def summarise(outcomes: Mapping[str, np.ndarray], keys: Iterable[str] | None = None,
              level: float = LEVEL, catalogue: Catalogue | None = None,
              events: Mapping[str, np.ndarray] | None = None) -> list[OutcomeRow]:
    """Summary rows for `keys` in the given order (default: the key outcomes); names
    `outcomes` does not have are skipped. With a `catalogue` each outcome is summarised
    as its kind asks, amounts also given the event the catalogue says they follow, whose
    column is read from `events` (default `outcomes`: a run read a group of columns at a
    time passes the whole run here)."""
    chosen = key_outcomes(outcomes) if keys is None else [k for k in keys if k in outcomes]
    events = outcomes if events is None else events
    rows = []
    for name in chosen:
        if catalogue is None:
            rows.append(summarise_column(name, outcomes[name], level))
            continue
        entry = catalogue[name]
        given = events[entry.given] if entry.given and entry.given in events else None
        event = catalogue[entry.given].event if given is not None else entry.event
        rows.append(summarise_column(name, outcomes[name], level, kind=entry.kind,
                                     given=given, event=event))
    return rows


# ------------------------------------------------------------ cumulative incidence


@dataclass(frozen=True)
class IncidenceCurve:
    """Share of replications in which an event happened by each time (a step function
    rising at `times`), with a pointwise Wilson band; it ends below 1 by the share in
    which the event did not happen by the horizon."""

    times: np.ndarray
    probability: np.ndarray
    low: np.ndarray
    high: np.ndarray
    replications: int
    events: int
    level: float = LEVEL


def cumulative_incidence(times: Iterable[float] | np.ndarray,
                         level: float = LEVEL) -> IncidenceCurve:
    """Cumulative incidence of an event from its time in each replication (NaN where it
    did not happen by the horizon).

    Every replication is followed to the same horizon, so censoring is by the horizon
    alone and the estimate is the empirical distribution function over all replications
    (the Kaplan-Meier estimate reduces to it when nobody is censored before the end).
    """
    every = np.asarray(times, dtype=np.float64).ravel()
    happened = np.sort(finite(every))
    distinct = np.unique(happened)
    counts = np.searchsorted(happened, distinct, side="right")  # events by each time
    total = int(every.size)
    if total == 0:
        empty = np.empty(0)
        return IncidenceCurve(empty, empty, empty, empty, 0, 0, level)
    low, high = wilson_interval(counts, total, level)
    return IncidenceCurve(distinct, counts / total, np.asarray(low, dtype=np.float64),
                          np.asarray(high, dtype=np.float64), total, int(happened.size),
                          level)


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
        low, high = within_support(mean - half, mean + half,
                                   np.minimum.accumulate(array)[index],
                                   np.maximum.accumulate(array)[index])
    return ConvergenceTrace(count.astype(np.int64), mean, np.asarray(low),
                            np.asarray(high), method, level)
