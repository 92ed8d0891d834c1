"""Which replications of a run are finished, kept as ranges: memory flat in the run's size.

Batches are ranges of consecutive replication indices and arrive in any order, so the
finished replications form a few disjoint ranges (one, plus a gap per batch still in
flight or lost), whatever the number of replications. The ledger keeps those ranges, the
failures and the outcome names seen; the outcomes themselves live in the run store's
chunk files. A replication recorded twice (a chunk read back on resume, overlapping one
read earlier) counts the first time only.
"""

from __future__ import annotations

import bisect

import numpy as np

from .batch import BatchResult, Failure


class Ledger:
    """Finished replications as disjoint ranges, plus failures and outcome names."""

    def __init__(self) -> None:
        self._starts: list[int] = []  # range k is [starts[k], ends[k]); ranges never touch
        self._ends: list[int] = []
        # The lowest replication that returned each outcome: decides whether an outcome
        # belongs to a run cut at n replications, whatever else was computed beyond n.
        self.first_seen: dict[str, int] = {}
        self.failures: dict[int, Failure] = {}
        self.done = 0

    @property
    def failed(self) -> int:
        """Replications that raised."""
        return len(self.failures)

    @property
    def names(self) -> list[str]:
        """Outcome names returned so far, sorted."""
        return sorted(self.first_seen)

    def names_below(self, n: int) -> list[str]:
        """Outcome names some replication below `n` returned, sorted."""
        return sorted(name for name, first in self.first_seen.items() if first < n)

    def add(self, result: BatchResult) -> BatchResult | None:
        """Record a batch; returns the part of it not recorded before (None if nothing)."""
        keep = ~self._finished(result.replications)
        failures = tuple(f for f in result.failures if not self._is_finished(f.replication))
        if not keep.any() and not failures:
            return None
        fresh = result if keep.all() and len(failures) == len(result.failures) \
            else result.take(keep, failures)
        claimed = np.union1d(fresh.replications, [f.replication for f in failures])
        for start, end in _runs(claimed.astype(np.int64)):
            self._claim(start, end)
        for failure in failures:
            self.failures[failure.replication] = failure
        self.done += int(fresh.replications.size)
        if fresh.replications.size:
            for name, first in zip(fresh.names, fresh.first_seen.tolist(), strict=True):
                self.first_seen[name] = min(self.first_seen.get(name, first), first)
        return fresh

    def prefix(self) -> int:
        """How many replications from 0 on are finished (done or failed) without a gap."""
        return self._ends[0] if self._starts and self._starts[0] == 0 else 0

    def pending(self, start: int, stop: int, count: int) -> np.ndarray:
        """Up to `count` consecutive unfinished replications: from the first at or after
        `start`, up to the next finished one or `stop`. Consecutive, so a batch is one
        range and outcomes.csv is the batches' texts one after the other."""
        k = bisect.bisect_right(self._starts, start) - 1
        if k >= 0 and self._ends[k] > start:
            start = self._ends[k]
        following = self._starts[k + 1] if k + 1 < len(self._starts) else stop
        end = min(stop, start + count, following)
        return np.arange(start, max(start, end), dtype=np.int64)

    def replications(self, n: int) -> np.ndarray:
        """The replications below `n` that succeeded, ascending."""
        ranges = [np.arange(s, min(e, n), dtype=np.int64)
                  for s, e in zip(self._starts, self._ends, strict=True) if s < n]
        finished = ranges[0] if len(ranges) == 1 else np.concatenate([np.empty(0, np.int64),
                                                                       *ranges])
        failed = np.array([k for k in self.failures if k < n], dtype=np.int64)
        return finished[~np.isin(finished, failed)] if failed.size else finished

    def failures_below(self, n: int) -> list[Failure]:
        """Failures of the replications below `n`, in replication order."""
        return [self.failures[k] for k in sorted(self.failures) if k < n]

    def _finished(self, replications: np.ndarray) -> np.ndarray:
        """Which of `replications` lie in a finished range."""
        if not self._starts:
            return np.zeros(replications.size, bool)
        ends = np.asarray(self._ends, dtype=np.int64)
        k = np.searchsorted(np.asarray(self._starts, dtype=np.int64), replications, "right") - 1
        return (k >= 0) & (replications < ends[np.maximum(k, 0)])

    def _is_finished(self, replication: int) -> bool:
        k = bisect.bisect_right(self._starts, replication) - 1
        return k >= 0 and replication < self._ends[k]

    def _claim(self, start: int, end: int) -> None:
        """Mark replications start..end-1 finished, merged with the ranges they touch."""
        low = bisect.bisect_left(self._ends, start)  # the first range ending at or after start
        high = bisect.bisect_right(self._starts, end)  # the ranges starting up to end
        if low < high:
            start, end = min(start, self._starts[low]), max(end, self._ends[high - 1])
        self._starts[low:high] = [start]
        self._ends[low:high] = [end]


def _runs(indices: np.ndarray) -> list[tuple[int, int]]:
    """Sorted distinct `indices` as ranges ``(start, end)`` of consecutive numbers."""
    if indices.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(indices) != 1) + 1
    starts = indices[np.r_[0, breaks]].tolist()
    ends = (indices[np.r_[breaks - 1, indices.size - 1]] + 1).tolist()
    return list(zip(starts, ends, strict=True))

