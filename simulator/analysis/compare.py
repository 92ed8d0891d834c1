"""Differences between runs: how much an outcome changes from one run to another, with a
95% confidence interval that says whether the change is real.

Two runs made with the same root seed share their random numbers replication by
replication for every component they have in common (common random numbers, see
DESIGN.md). Their outcomes are then positively correlated pair by pair, and the CI of the
mean of the paired differences is much narrower than one that treats the runs as
independent. So: runs with the same seed and shared replication indices are compared
paired (t interval of the per-replication differences); any other pair of runs is
compared unpaired (Welch's t interval; for probabilities Newcombe's hybrid score interval,
`stats.newcombe_difference`, which stays within 100 percentage points and keeps a width
when both runs' events are all 0 or all 1). Each result says which it used; intervals of
a difference of probabilities are kept within [-1, 1].

With the outcome catalogue, each outcome is compared as its kind asks (`compare_runs`
with ``catalogue``): a time to an event by the probability that it happened (the 0/1
indicator of a value, paired like any other; left out when the catalogue names the
event's own yes/no outcome, which is compared already) and by its mean among the
replications where it happened; an amount that follows an event by its expected value
and by its mean given the event (only the latter for an amount that has no value
without the event, such as a warning lead time). `Difference.measure` says which. A mean given an event
is compared unpaired (Welch): the two runs' events happen in different replications, and
the difference of the two conditional means is what their columns show, whereas pairs in
which both runs had the event would compare another population (with common random
numbers those often have identical values, a difference of exactly 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .stats import LEVEL, _quantile_t, key_outcomes, newcombe_difference

if TYPE_CHECKING:
    from .catalogue import Catalogue

__all__ = ["MEAN", "PROBABILITY", "GIVEN", "Difference", "RunSample", "compare_outcome",
           "compare_runs", "paired_difference", "welch_difference"]

MEAN, PROBABILITY, GIVEN = "mean", "probability", "given"  # what a Difference measures


@dataclass(frozen=True)
class RunSample:
    """What a comparison needs from a run: its outcome columns, the replication index of
    each row and the root seed (both optional; without them runs compare unpaired)."""

    name: str
    outcomes: Mapping[str, np.ndarray]
    replications: np.ndarray | None = None
    seed: int | None = None

    @classmethod
    def from_manifest(cls, name: str, outcomes: Mapping[str, np.ndarray],
                      manifest: Mapping, replications: np.ndarray | None = None) -> RunSample:
        """Build from a run store's manifest (its ``seed``) and outcomes; the replication
        indices come from `replications` or an outcome column named ``replication``."""
        if replications is None and "replication" in outcomes:
            replications = np.asarray(outcomes["replication"])
        seed = manifest.get("seed")
        return cls(name, outcomes, None if replications is None else
                   np.asarray(replications, dtype=np.int64),
                   int(seed) if seed is not None else None)


@dataclass(frozen=True)
class Difference:
    """Mean of `outcome` in runs A and B and the difference B - A with its CI."""

    outcome: str
    mean_a: float
    mean_b: float
    difference: float
    low: float
    high: float
    count_a: int
    count_b: int
    paired: bool
    pairs: int  # replications compared pair by pair (0 when unpaired)
    level: float = LEVEL
    # "mean": of the values; "probability": that a time to an event has a value (the
    # event happened); "given": mean among replications where `event` happened
    measure: str = MEAN
    event: str | None = None
    proportions: bool = False  # a difference of probabilities (Newcombe when unpaired)

    @property
    def method(self) -> str:
        """How the interval was made: ``paired t, N pairs``, ``Welch t, unpaired`` or
        ``Newcombe, unpaired``."""
        if self.paired:
            return f"paired t, {self.pairs} pairs"
        return "Newcombe, unpaired" if self.proportions else "Welch t, unpaired"

    @property
    def half_width(self) -> float:
        """Half the width of the CI of the difference B - A."""
        return (self.high - self.low) / 2.0

    @property
    def significant(self) -> bool:
        """Whether the interval excludes zero."""
        return self.low > 0.0 or self.high < 0.0


def paired_difference(a: np.ndarray, b: np.ndarray,
                      level: float = LEVEL) -> tuple[float, float, float]:
    """Mean of b - a over aligned pairs and its t interval: (difference, low, high)."""
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    n = d.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(d.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = float(_quantile_t(level, n - 1)) * float(d.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half


def welch_difference(a: np.ndarray, b: np.ndarray,
                     level: float = LEVEL) -> tuple[float, float, float]:
    """Mean(b) - mean(a) of independent samples with Welch's t interval; no interval
    (NaN) when both samples are constant, where a zero-width one would claim certainty."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.size == 0 or b.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(b.mean() - a.mean())
    if a.size < 2 or b.size < 2:
        return mean, math.nan, math.nan
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se2 = va + vb
    if se2 == 0.0:
        return mean, math.nan, math.nan
    dof = se2 * se2 / (va * va / (a.size - 1) + vb * vb / (b.size - 1))
    half = float(_quantile_t(level, dof)) * math.sqrt(se2)
    return mean, mean - half, mean + half


def _pairs(a: RunSample, b: RunSample, outcome: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Aligned values of `outcome` for the replications both runs share, when the runs
    share a seed (common random numbers); None when they cannot be paired."""
    if a.seed is None or b.seed is None or a.seed != b.seed:
        return None
    if a.replications is None or b.replications is None:
        return None
    _, ia, ib = np.intersect1d(a.replications, b.replications, assume_unique=True,
                               return_indices=True)
    if ia.size < 2:
        return None
    va = np.asarray(a.outcomes[outcome], dtype=np.float64)[ia]
    vb = np.asarray(b.outcomes[outcome], dtype=np.float64)[ib]
    keep = ~np.isnan(va) & ~np.isnan(vb)
    if np.count_nonzero(keep) < 2:
        return None
    return va[keep], vb[keep]


def compare_outcome(outcome: str, a: RunSample, b: RunSample, level: float = LEVEL,
                    paired: bool | None = None, *, proportions: bool = False) -> Difference:
    """B - A for one outcome: paired when the runs share seed and replication indices
    (or `paired` says so and they can be), unpaired otherwise (or when `paired` is
    False): Welch, or Newcombe for `proportions` (a yes/no outcome, whose interval is
    then also kept within [-1, 1] when paired)."""
    xa = np.asarray(a.outcomes[outcome], dtype=np.float64)
    xb = np.asarray(b.outcomes[outcome], dtype=np.float64)
    xa, xb = xa[~np.isnan(xa)], xb[~np.isnan(xb)]
    mean_a = float(xa.mean()) if xa.size else math.nan
    mean_b = float(xb.mean()) if xb.size else math.nan
    pairs = None if paired is False else _pairs(a, b, outcome)
    if pairs is not None:
        difference, low, high = paired_difference(*pairs, level=level)
        if proportions:
            low, high = max(low, -1.0), min(high, 1.0)
        return Difference(outcome, mean_a, mean_b, difference, low, high, xa.size, xb.size,
                          True, int(pairs[0].size), level, proportions=proportions)
    if proportions:
        difference, low, high = newcombe_difference(float(xa.sum()), xa.size,
                                                    float(xb.sum()), xb.size, level)
    else:
        difference, low, high = welch_difference(xa, xb, level)
    return Difference(outcome, mean_a, mean_b, difference, low, high, xa.size, xb.size,
                      False, 0, level, proportions=proportions)


def _masked(sample: RunSample, outcome: str, values: np.ndarray) -> RunSample:
    """`sample` with only `outcome`, set to `values` (NaN where a row is left out)."""
    return RunSample(sample.name, {outcome: values}, sample.replications, sample.seed)


def _happened(sample: RunSample, outcome: str) -> np.ndarray:
    """1 where a time to an event has a value (the event happened), else 0."""
    return (~np.isnan(np.asarray(sample.outcomes[outcome], dtype=np.float64))).astype(float)


def _given(sample: RunSample, outcome: str, given: str) -> np.ndarray:
    """The outcome where the 0/1 column `given` is 1, NaN elsewhere."""
    values = np.asarray(sample.outcomes[outcome], dtype=np.float64)
    flags = np.asarray(sample.outcomes[given], dtype=np.float64)
    return np.where(flags >= 0.5, values, np.nan)


def compare_by_kind(outcome: str, a: RunSample, b: RunSample, catalogue: Catalogue,
                    level: float = LEVEL) -> list[Difference]:
    """B - A for one outcome as its kind in `catalogue` asks (see the module docstring)."""
    entry = catalogue[outcome]
    flagged = bool(entry.given) and entry.given in a.outcomes and entry.given in b.outcomes
    if entry.kind == "time_to_event":
        given = replace(compare_outcome(outcome, a, b, level, paired=False), measure=GIVEN,
                        event=entry.event)
        if flagged:
            return [given]
        happened = compare_outcome(outcome, _masked(a, outcome, _happened(a, outcome)),
                                   _masked(b, outcome, _happened(b, outcome)), level,
                                   proportions=True)
        return [replace(happened, measure=PROBABILITY, event=entry.event), given]
    # an amount defined only given its event has no mean over every replication
    found = [] if entry.only_given else \
        [compare_outcome(outcome, a, b, level, proportions=entry.kind == "probability")]
    if flagged:
        given = compare_outcome(outcome, _masked(a, outcome, _given(a, outcome, entry.given)),
                                _masked(b, outcome, _given(b, outcome, entry.given)), level,
                                paired=False)
        found.append(replace(given, measure=GIVEN, event=catalogue[entry.given].event))
    return found


def compare_runs(a: RunSample, b: RunSample, outcomes: Iterable[str] | None = None,
                 level: float = LEVEL, catalogue: Catalogue | None = None
                 ) -> list[Difference]:
    """B - A for each outcome (default: the key outcomes both runs have); with a
    `catalogue`, as each outcome's kind asks (one or two Differences per outcome)."""
    if outcomes is None:
        names = key_outcomes(set(a.outcomes) & set(b.outcomes))
        names = [n for n in names if n != "replication"]
    else:
        names = [n for n in outcomes if n in a.outcomes and n in b.outcomes]
    if catalogue is None:
        return [compare_outcome(name, a, b, level) for name in names]
    return [d for name in names for d in compare_by_kind(name, a, b, catalogue, level)]
