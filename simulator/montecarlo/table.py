"""A stored run's outcome columns loaded whole into memory, indexed by replication number.

What `load_run` reads a run into for reports: one float64 array per outcome (8 bytes per
outcome per replication) and one state byte per replication (pending, done or failed).
A run being made never holds this: it keeps a `Ledger` of ranges and reads its columns
back from the chunks on demand (`StoredColumns`). Chunks land at their own indices, and a
replication recorded twice is ignored the second time.
"""

from __future__ import annotations

import numpy as np

from .batch import BatchResult, Failure

PENDING, DONE, FAILED = 0, 1, 2
NEVER = np.iinfo(np.int64).max
SCAN_BLOCK = 65_536  # replications looked at per step when searching the state


class OutcomeTable:
    """Outcomes by name and replication index, plus which replications are done."""

    def __init__(self, capacity: int = 0):
        self.state = np.zeros(capacity, np.int8)
        self.columns: dict[str, np.ndarray] = {}
        # The lowest replication that returned each outcome: decides whether a column
        # belongs to a table cut at n replications, whatever else was computed beyond n.
        self.first_seen: dict[str, int] = {}
        self.failures: dict[int, Failure] = {}
        self.done = 0
        self._prefix = 0

    @property
    def capacity(self) -> int:
        """Replications the arrays have room for."""
        return len(self.state)

    @property
    def names(self) -> list[str]:
        """Outcome names returned so far, sorted."""
        return sorted(self.columns)

    def reserve(self, n: int) -> None:
        """Make room for replications below `n` (growing by half)."""
        if n <= self.capacity:
            return
        size = max(n, int(self.capacity * 1.5))
        self.state = _grown(self.state, size, 0)
        for name, column in self.columns.items():
            self.columns[name] = _grown(column, size, np.nan)

    def add(self, result: BatchResult) -> int:
        """Record a batch; returns how many replications were new."""
        wanted = [int(result.replications.max(initial=-1))]
        wanted += [f.replication for f in result.failures]
        self.reserve(max(wanted) + 1)
        fresh = self.state[result.replications] == PENDING
        rows = result.replications[fresh]
        for j, name in enumerate(result.names):
            column = self.columns.get(name)
            if column is None:
                column = self.columns[name] = np.full(self.capacity, np.nan)
                self.first_seen[name] = NEVER
            column[rows] = result.values[fresh, j]
            if rows.size:
                self.first_seen[name] = min(self.first_seen[name], int(result.first_seen[j]))
        self.state[rows] = DONE
        self.done += int(rows.size)
        new = int(rows.size)
        for failure in result.failures:
            if self.state[failure.replication] == PENDING:
                self.state[failure.replication] = FAILED
                self.failures[failure.replication] = failure
                new += 1
        return new

    def prefix(self) -> int:
        """How many replications from 0 on are finished (done or failed) without a gap."""
        while self._prefix < self.capacity:
            block = self.state[self._prefix : self._prefix + SCAN_BLOCK] == PENDING
            if block.any():
                self._prefix += int(block.argmax())
                break
            self._prefix += block.size
        return self._prefix

    def select(self, n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Replications below `n` that succeeded and their outcome columns (sorted by
        name; only outcomes some of those replications returned). Views when possible."""
        n = min(n, self.capacity)
        state = self.state[:n]
        names = [name for name in self.names if self.first_seen[name] < n]
        if state.size and bool((state == DONE).all()):
            return np.arange(n, dtype=np.int64), {name: self.columns[name][:n] for name in names}
        rows = np.flatnonzero(state == DONE)
        return rows.astype(np.int64), {name: self.columns[name][rows] for name in names}

    def failures_below(self, n: int) -> list[Failure]:
        """Failures of the replications below `n`, in replication order."""
        return [self.failures[k] for k in sorted(self.failures) if k < n]


def _grown(array: np.ndarray, size: int, fill: float) -> np.ndarray:
    grown = np.full(size, fill, dtype=array.dtype)
    grown[: len(array)] = array
    return grown
