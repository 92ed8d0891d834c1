"""PRIM, the patient rule induction method: boxes of input ranges where an event is
concentrated.

Friedman & Fisher (1999), "Bump hunting in high-dimensional data", Statistics and
Computing 9:123-143; the algorithm as summarised in Hastie, Tibshirani & Friedman, The
Elements of Statistical Learning (2nd ed., 2009), section 9.3, Algorithm 9.3:

1. Start from the box holding every replication (no input restricted).
2. *Peel*: for each input, consider cutting off the share `alpha` of the box's
   replications with its lowest values, or with its highest; make the cut that leaves
   the highest event rate in the box. Patience is the point: a small `alpha` (0.05 to
   0.1) takes many small steps, so an early cut on a noisy input costs little.
3. Repeat until the box holds fewer than `min_mass` of all replications. The boxes
   along the way are the *peeling trajectory*.
4. *Paste*: widen the chosen box along any face by `alpha` of its replications, as long
   as that raises its event rate (peeling is greedy; pasting undoes cuts that went too
   far).
5. *Cover*: take the box's replications out and search the rest for the next box.

Scenario discovery (Bryant & Lempert 2010, "Thinking inside the box", Technological
Forecasting & Social Change 77:34-49) reads a box by its *coverage* (the share of all
events that fall inside it) and its *density* (the share of the box's replications with
the event): the peeling trajectory trades one for the other. The method leaves the
choice of a box on the trajectory to the analyst (Hastie et al. choose it by
cross-validation); here, so that a report can state one rule unattended, the chosen step
is the one with the largest coverage x density among those holding at least
`min_coverage` of the events (default one half: a rule that explains most of them).
The product rewards density only while it does not cost coverage as fast: on a planted
box the trajectory's product peaks where the box ends, and peeling further buys density
from noise at the price of events (tests/analysis/test_prim.py).

Two choices of ours, stated because the papers leave them open. Where ties (a yes/no
input, a discrete one) make candidate cuts unequal in size, cuts are compared by the
rise in event rate per replication removed, so a large cut does not win only by being
large; for cuts of equal size this is the paper's rule. A restriction stays in the final
box only when it matters: the box's event count is tested against the rate of the box
without that restriction (one-sided binomial test; the "quasi-p-value" scenario
discovery tools report), and restrictions with p >= `significance` are dropped, the
weakest first. A box is kept only if its rate is significantly above that of the
replications it was sought among, and above the rate of the whole run (a later box of
the covering can beat the few replications left and still be no riskier than average).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Box", "Limit", "PrimResult", "Step", "box_mask", "prim"]


@dataclass(frozen=True)
class Limit:
    """One restricted input of a box: ``low <= value <= high``; None where a side is open."""

    input: str
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Box:
    """A box of input ranges and how the event falls in it.

    For a later box of the covering, `count` and `events` are of the replications no
    earlier box took; `coverage` is always a share of all the run's events."""

    limits: tuple[Limit, ...]
    count: int  # replications in the box
    events: int  # ... with the event
    coverage: float  # events / all events
    density: float  # events / count
    mass: float  # count / all replications


@dataclass(frozen=True)
class Step:
    """One box of the peeling trajectory."""

    coverage: float
    density: float
    mass: float
    restricted: int  # inputs the box restricts


@dataclass(frozen=True)
class PrimResult:
    """The boxes found (best first, possibly none) and the first box's peeling
    trajectory, with the index of the step it was chosen at."""

    replications: int
    events: int
    boxes: tuple[Box, ...]
    trajectory: tuple[Step, ...]
    chosen: int | None  # index into trajectory; None when no box was found

    @property
    def base_rate(self) -> float:
        """The share of all replications with the event (the density of no box)."""
        return self.events / self.replications if self.replications else math.nan


def _inside(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.all((x >= low) & (x <= high), axis=1)


def _peel_once(x: np.ndarray, y: np.ndarray, inside: np.ndarray, low: np.ndarray,
               high: np.ndarray, alpha: float, min_count: int) -> bool:
    """Make the best cut of the box in place (`inside`, `low`, `high`); False when no
    cut leaves at least `min_count` replications."""
    xb, yb = x[inside], y[inside]
    count, events = yb.size, int(yb.sum())
    rate = events / count
    best = None
    cuts = np.quantile(xb, [alpha, 1.0 - alpha], axis=0)
    for side, cut in zip(("low", "high"), cuts, strict=True):
        removed = xb < cut if side == "low" else xb > cut
        # ties at the edge (a yes/no input): the cut takes every replication at the edge
        edge = xb.min(axis=0) if side == "low" else xb.max(axis=0)
        empty = ~removed.any(axis=0)
        removed[:, empty] = xb[:, empty] == edge[empty]
        gone = removed.sum(axis=0)
        gone_events = (removed & yb[:, None]).sum(axis=0)
        left = count - gone
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = ((events - gone_events) / left - rate) / gone
        gain[(left < min_count) | (gone == 0)] = -np.inf
        j = int(np.argmax(gain))
        if np.isfinite(gain[j]) and (best is None or gain[j] > best[0]):
            kept = xb[~removed[:, j], j]
            best = (gain[j], side, j, kept.min() if side == "low" else kept.max())
    if best is None:
        return False
    _, side, j, bound = best
    if side == "low":
        low[j] = bound
    else:
        high[j] = bound
    inside &= (x[:, j] >= low[j]) & (x[:, j] <= high[j])
    return True


def _paste(x: np.ndarray, y: np.ndarray, pool: np.ndarray, low: np.ndarray,
           high: np.ndarray, alpha: float) -> None:
    """Widen the box (`low`, `high`, in place) along the face that raises its event rate
    most, by `alpha` of its replications, until no widening raises it."""
    while True:
        within = (x >= low) & (x <= high)
        outside_count = (~within).sum(axis=1)
        inside = pool & (outside_count == 0)
        rate = y[inside].mean()
        step = max(1, math.ceil(alpha * int(inside.sum())))
        best = None
        for j in range(x.shape[1]):
            # replications within every other limit of the box
            others = pool & (outside_count - ~within[:, j] == 0)
            for side in ("low", "high"):
                if side == "low":  # the nearest values below the box first
                    values = -np.sort(-x[others & (x[:, j] < low[j]), j])
                else:
                    values = np.sort(x[others & (x[:, j] > high[j]), j])
                if values.size == 0:
                    continue
                bound = values[min(step, values.size) - 1]
                wider = (bound, high[j]) if side == "low" else (low[j], bound)
                new_rate = y[others & (x[:, j] >= wider[0]) & (x[:, j] <= wider[1])].mean()
                if new_rate > rate and (best is None or new_rate > best[0]):
                    best = (new_rate, j, wider)
        if best is None:
            return
        _, j, (low[j], high[j]) = best


def _binomial_sf(events: int, count: int, rate: float) -> float:
    """P(X >= events) for X ~ Binomial(count, rate)."""
    from scipy.stats import binom

    return float(binom.sf(events - 1, count, rate))


def _prune(x: np.ndarray, y: np.ndarray, pool: np.ndarray, low: np.ndarray,
           high: np.ndarray, bottom: np.ndarray, top: np.ndarray, significance: float) -> None:
    """Open up (in place) the faces of the box (an input's lower or upper limit) that do
    not raise the event rate significantly, the weakest first (see the module
    docstring)."""
    while True:
        above, below = x >= low, x <= high
        outside_count = (~above).sum(axis=1) + (~below).sum(axis=1)
        inside = pool & (outside_count == 0)
        count, events = int(inside.sum()), int(y[inside].sum())
        weakest = None
        faces = [(j, 0) for j in np.flatnonzero(low > bottom)] + \
            [(j, 1) for j in np.flatnonzero(high < top)]
        for j, side in faces:
            # within every face of the box but this one
            face = ~above[:, j] if side == 0 else ~below[:, j]
            relaxed = pool & (outside_count - face == 0)
            p = _binomial_sf(events, count, y[relaxed].mean())
            if p >= significance and (weakest is None or p > weakest[0]):
                weakest = (p, j, side)
        if weakest is None:
            return
        _, j, side = weakest
        if side == 0:
            low[j] = bottom[j]
        else:
            high[j] = top[j]


def _choose(steps: Sequence[Step], min_coverage: float) -> int:
    """The step of the trajectory to keep: the largest coverage x density among those
    covering at least `min_coverage` of the events (see the module docstring)."""
    eligible = [i for i, s in enumerate(steps) if s.coverage >= min_coverage - 1e-12]
    return max(eligible, key=lambda i: (steps[i].coverage * steps[i].density, -i))


def box_mask(columns: Mapping[str, np.ndarray], box: Box) -> np.ndarray:
    """Which replications lie in `box`, from the input columns (name -> values) of a run
    or of any table with the same inputs."""
    size = len(next(iter(columns.values())))
    inside = np.ones(size, dtype=bool)
    for limit in box.limits:
        values = np.asarray(columns[limit.input], dtype=np.float64)
        if limit.low is not None:
            inside &= values >= limit.low
        if limit.high is not None:
            inside &= values <= limit.high
    return inside


def prim(x: np.ndarray, event: np.ndarray, names: Sequence[str], *, alpha: float = 0.05,
         min_mass: float = 0.05, min_coverage: float = 0.5, boxes: int = 3,
         significance: float = 0.05, min_events: int = 10) -> PrimResult:
    """Find up to `boxes` boxes of the inputs `x` (one column per name in `names`, one
    row per replication) where `event` (yes/no per replication) is concentrated.

    Args:
        x: Input values, shape (replications, inputs); no NaN.
        event: Whether each replication had the event.
        names: The inputs' names, which the boxes' limits carry.
        alpha: The share of a box's replications one peel or paste moves.
        min_mass: Peeling stops before a box holds fewer than this share of all
            replications.
        min_coverage: The chosen step holds at least this share of the events (of
            those left, for a later box); among those, the largest coverage x density.
        boxes: At most this many boxes (covering).
        significance: A restriction, or a later box, is kept only when its one-sided
            binomial p-value is below this.
        min_events: No box is sought among fewer events than this.

    Returns:
        The boxes, best first, and the first box's peeling trajectory.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(event, dtype=bool)
    n = y.size
    total = int(y.sum())
    if x.shape != (n, len(names)):
        raise ValueError(f"x has shape {x.shape}, expected ({n}, {len(names)})")
    if np.isnan(x).any():
        raise ValueError("x has NaN values: leave out inputs missing in some replications")
    bottom, top = (x.min(axis=0), x.max(axis=0)) if n else (np.zeros(0), np.zeros(0))
    min_count = max(1, math.ceil(min_mass * n))
    pool = np.ones(n, dtype=bool)
    found: list[Box] = []
    trajectory: tuple[Step, ...] = ()
    chosen_step: int | None = None
    while len(found) < boxes and x.shape[1]:
        left_events = int(y[pool].sum())
        left = int(pool.sum())
        if left_events < min_events or left_events == left or left < 2 * min_count:
            break
        low, high = bottom.copy(), top.copy()
        inside = pool.copy()
        path = [(low.copy(), high.copy(), inside.copy())]
        while _peel_once(x, y, inside, low, high, alpha, min_count):
            path.append((low.copy(), high.copy(), inside.copy()))
        steps = [Step(int(y[m].sum()) / total, float(y[m].mean()), int(m.sum()) / n,
                      int(((lo > bottom) | (hi < top)).sum())) for lo, hi, m in path]
        pick = _choose(steps, min_coverage * left_events / total)
        low, high = path[pick][0].copy(), path[pick][1].copy()
        _paste(x, y, pool, low, high, alpha)
        _prune(x, y, pool, low, high, bottom, top, significance)
        inside = pool & _inside(x, low, high)
        count, events = int(inside.sum()), int(y[inside].sum())
        restricted = np.flatnonzero((low > bottom) | (high < top))
        if not found:
            trajectory = tuple(steps)
        if restricted.size == 0 or events / count <= total / n \
                or _binomial_sf(events, count, left_events / left) >= significance:
            break
        limits = tuple(Limit(names[j], float(low[j]) if low[j] > bottom[j] else None,
                             float(high[j]) if high[j] < top[j] else None)
                       for j in restricted)
        if not found:
            chosen_step = pick
        found.append(Box(limits, count, events, events / total, events / count, count / n))
        pool &= ~inside
    return PrimResult(n, total, tuple(found), trajectory, chosen_step)
