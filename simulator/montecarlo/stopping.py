"""Adaptive stopping: run until the mean of each chosen metric is known precisely enough.

The rule is checked only at checkpoints, each on the first n replications with none
missing, and the next checkpoint is a function of those n outcomes alone. Where a run
stops therefore depends on the scenario, seed and rule, never on worker count or the
order results arrive in: an adaptive run is as reproducible as a fixed one, and a resumed
run retraces the same checkpoints.

The half-width is that of the normal interval (mean ± z s / sqrt(n), z = 1.96), the
large-sample interval of fixed-width sequential rules (Chow and Robbins 1965), computed by
`simulator.analysis.stats.mean_ci`. It stays normal rather than the t or Wilson interval
the summary prints so that a stored rule stops where it always did: t would move the
last checkpoint of a run (2,667 replications to 2,672 in one test) and change what a
resumed run retraces.

The rule needs only each metric's count, mean and variance, so `PrefixMoments` keeps
those as mergeable moments instead of the metric's values: memory stays flat however
many replications a run makes.

Replications without a value (NaN) are left out of a metric's mean. For a time to an
event (``time_to_capture_h``), which is empty where the event did not happen by the
horizon, the rule therefore targets the mean time among the replications where it
happened; its count is that of those replications, so a rare event needs many runs
before its interval narrows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..analysis.stats import Moments, moments_ci
from .batch import BatchResult
from .errors import RunError

GROWTH_SAFETY = 1.1  # aim a little past the predicted sample size
MIN_STEP_SHARE = 0.1  # each checkpoint adds at least 10% more replications ...
MAX_STEP_FACTOR = 2.0  # ... and at most doubles the count
MOMENT_BLOCK = 4096  # replications folded into the running moments at a time


def parse_metrics(metrics: Sequence[str] | Mapping[str, float]) -> dict[str, float]:
    """``{"fatalities": 0.0}`` from a mapping of floors, or names with an optional
    ``:FLOOR`` suffix (``"fatalities:10"``) as the command line writes them."""
    if isinstance(metrics, Mapping):
        parsed = {str(name): float(floor) for name, floor in metrics.items()}
    else:
        parsed = {}
        for item in metrics:
            name, sep, floor_text = str(item).rpartition(":")
            if not sep:
                name, floor_text = floor_text, "0"
            try:
                floor = float(floor_text)
            except ValueError:
                name, floor = str(item), 0.0
            parsed[name.strip()] = floor
    for name, floor in parsed.items():
        if not name:
            raise RunError("a metric needs a name, e.g. --metric fatalities")
        if not math.isfinite(floor) or floor < 0:
            raise RunError(f"the floor of metric '{name}' must be a number >= 0, found {floor}")
    return parsed


@dataclass(frozen=True)
class MetricCheck:
    """One metric at one checkpoint: its mean, the 95% CI half-width and the target."""

    mean: float
    half_width: float
    target: float
    count: int

    @property
    def ok(self) -> bool:
        """Whether the half-width is within the target (never on fewer than two values)."""
        return self.count >= 2 and self.half_width <= self.target

    def as_json(self) -> dict[str, Any]:
        """The check as the manifest's convergence trace holds it (null where not finite)."""
        return {
            "mean": _finite(self.mean),
            "half_width": _finite(self.half_width),
            "target": _finite(self.target),
            "count": self.count,
            "ok": self.ok,
        }


@dataclass(frozen=True)
class Checkpoint:
    """The rule evaluated on the first `replications` replications."""

    replications: int
    metrics: dict[str, MetricCheck]
    converged: bool
    next_replications: int | None  # None when the run stops here

    def as_json(self) -> dict[str, Any]:
        """The checkpoint as the manifest's convergence trace holds it."""
        return {
            "replications": self.replications,
            "converged": self.converged,
            "metrics": {name: check.as_json() for name, check in self.metrics.items()},
        }


@dataclass(frozen=True)
class StoppingRule:
    """Stop when every metric's 95% CI half-width <= precision * max(|mean|, floor)."""

    precision: float
    metrics: dict[str, float] = field(default_factory=dict)  # name -> absolute floor
    min_replications: int = 100
    max_replications: int = 100_000

    def __post_init__(self) -> None:
        if not (self.precision > 0 and math.isfinite(self.precision)):
            raise RunError(f"precision must be a positive fraction, found {self.precision}")
        if not self.metrics:
            raise RunError("adaptive stopping needs at least one metric, e.g. "
                           "--precision 0.02 --metric fatalities")
        if self.min_replications < 2:
            raise RunError(f"--min must be at least 2, found {self.min_replications}")
        if self.max_replications < self.min_replications:
            raise RunError(f"--max ({self.max_replications}) is below --min "
                           f"({self.min_replications})")

    def as_json(self) -> dict[str, Any]:
        """The rule as the manifest stores it, so a resumed run stops by the same rule."""
        return {
            "precision": self.precision,
            "metrics": dict(self.metrics),
            "min": self.min_replications,
            "max": self.max_replications,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoppingRule:
        """The rule stored by `as_json` in a manifest."""
        return cls(float(data["precision"]), dict(data["metrics"]), int(data["min"]),
                   int(data["max"]))

    def check_names(self, names: Sequence[str]) -> None:
        """Refuse metrics the replications do not return."""
        for metric in self.metrics:
            if metric not in names:
                hint = _did_you_mean(metric, names)
                raise RunError(f"unknown metric '{metric}'; {hint}")

    def evaluate(self, n: int, moments: Mapping[str, Moments]) -> Checkpoint:
        """The rule on the first `n` replications, given the moments of each metric's
        finite values there."""
        checks = {name: self._check(moments[name], floor) for name, floor in self.metrics.items()}
        converged = all(check.ok for check in checks.values())
        if converged or n >= self.max_replications:
            return Checkpoint(n, checks, converged, None)
        growth = max(_needed_growth(check) for check in checks.values())
        step_low = n + max(1, math.ceil(n * MIN_STEP_SHARE))
        wanted = math.ceil(n * growth * GROWTH_SAFETY) if math.isfinite(growth) else math.inf
        following = min(max(wanted, step_low), math.ceil(n * MAX_STEP_FACTOR))
        return Checkpoint(n, checks, converged, int(min(following, self.max_replications)))

    def _check(self, moments: Moments, floor: float) -> MetricCheck:
        ci = moments_ci(moments, method="normal")
        if ci.count < 2:
            return MetricCheck(ci.mean, math.inf, 0.0, ci.count)
        return MetricCheck(ci.mean, ci.half_width, self.precision * max(abs(ci.mean), floor),
                           ci.count)


class PrefixMoments:
    """Moments of each metric over replications 0..n-1, from batches arriving in any order.

    Values wait in a buffer until every replication of their block (`MOMENT_BLOCK`
    consecutive indices, aligned on multiples of it) is finished; a block is then folded
    into the running moments, its values in replication order, and the blocks in index
    order. The moments at n are therefore a function of the outcomes alone, never of
    batch sizes or arrival order, and the buffer holds only the replications beyond the
    last folded block. Non-finite values are left out, as the rule's mean leaves them.
    """

    def __init__(self, metrics: Sequence[str]):
        self.metrics = list(metrics)
        self._folded = 0  # replications below this are in the running moments
        self._running = {name: Moments() for name in self.metrics}
        self._replications: list[np.ndarray] = []  # buffered batches, metric columns only
        self._values: list[np.ndarray] = []

    def add(self, batch: BatchResult) -> None:
        """Buffer the metrics of a batch's new replications (none below the folded ones)."""
        columns = {name: j for j, name in enumerate(batch.names)}
        values = np.full((batch.replications.size, len(self.metrics)), np.nan)
        for i, name in enumerate(self.metrics):
            if name in columns:
                values[:, i] = batch.values[:, columns[name]]
        self._replications.append(batch.replications)
        self._values.append(values)

    def fold(self, n: int) -> None:
        """Fold the whole blocks below `n` (every replication below `n` is finished, and
        no checkpoint still to evaluate lies below `n`)."""
        end = n - n % MOMENT_BLOCK
        if end <= self._folded:
            return
        replications, values = self._buffer()
        below = replications < end
        for start in range(self._folded, end, MOMENT_BLOCK):
            block = below & (replications >= start) & (replications < start + MOMENT_BLOCK)
            self._running = _merged(self._running, self._moments(values[block]))
        self._replications, self._values = [replications[~below]], [values[~below]]
        self._folded = end

    def at(self, n: int) -> dict[str, Moments]:
        """The moments of each metric over replications 0..n-1 (all of them finished)."""
        self.fold(n)
        replications, values = self._buffer()
        return _merged(self._running, self._moments(values[replications < n]))

    def _buffer(self) -> tuple[np.ndarray, np.ndarray]:
        """The buffered replications, ascending, with their metric values."""
        replications = np.concatenate([np.empty(0, np.int64), *self._replications])
        values = np.concatenate([np.empty((0, len(self.metrics))), *self._values])
        order = np.argsort(replications, kind="stable")
        return replications[order], values[order]

    def _moments(self, values: np.ndarray) -> dict[str, Moments]:
        return {name: Moments.of(column[np.isfinite(column)])
                for name, column in zip(self.metrics, values.T, strict=True)}


def _merged(a: Mapping[str, Moments], b: Mapping[str, Moments]) -> dict[str, Moments]:
    return {name: moments.merge(b[name]) for name, moments in a.items()}


def _needed_growth(check: MetricCheck) -> float:
    """How many times more replications the CI half-width predicts the metric needs."""
    if check.ok:
        return 1.0
    if check.target <= 0 or not math.isfinite(check.half_width):
        return math.inf
    return (check.half_width / check.target) ** 2


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _did_you_mean(name: str, names: Sequence[str]) -> str:
    from .errors import did_you_mean

    return did_you_mean(name, names) or "see the outcome names in outcomes.csv"
