"""A run's outcome columns, read from its chunk files when asked for.

A run keeps no outcomes in memory while it runs (memory flat in the number of
replications); its result reads them back from the run store. A run whose columns fit in
`COLUMN_BUDGET_BYTES` is read whole on first use and kept, so small runs cost what a
dictionary of arrays costs. A bigger one is read a column at a time (the last one read
is kept, as callers often ask for the same column twice), or in groups that fit the
budget (`StoredColumns.groups`), so memory stays near the larger of the budget and one
column (8 bytes per replication: 80 MB for 10 million).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from .store import RunStore

COLUMN_BUDGET_BYTES = 128 * 2**20


class StoredColumns(Mapping[str, np.ndarray]):
    """``{outcome name: values}`` of the `rows` successful replications below `final` of
    the run in `store`, rows in replication order, NaN where a replication returned no
    value; a mapping like a dict of arrays, read lazily."""

    def __init__(self, store: RunStore, final: int, names: Sequence[str], rows: int,
                 budget: int = COLUMN_BUDGET_BYTES):
        self.store = store
        self.final = final
        self.rows = rows
        self.budget = budget
        self._names = list(names)
        self._cache: dict[str, np.ndarray] | None = None  # every column, when they fit
        self._last: dict[str, np.ndarray] = {}  # else the column read last

    def __repr__(self) -> str:
        return (f"StoredColumns({str(self.store.path)!r}, {len(self._names)} outcomes x "
                f"{self.rows:,} replications)")

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._names:
            raise KeyError(name)
        if self._cache is None and self._fits(len(self._names)):
            self._cache = self.store.read_columns(self.final, self._names, self.rows)
        if self._cache is not None:
            return self._cache[name]
        if name not in self._last:
            self._last = {}  # let the previous column go before reading this one
            self._last = self.store.read_columns(self.final, [name], self.rows)
        return self._last[name]

    def groups(self, names: Sequence[str]) -> Iterator[dict[str, np.ndarray]]:
        """The columns `names` (all of this run's) in consecutive groups, each as many
        columns as fit the budget (at least one) and read in one pass over the chunks."""
        if self._cache is not None or self._fits(len(self._names)):
            yield {name: self[name] for name in names}
            return
        size = max(1, self.budget // (8 * self.rows))
        for low in range(0, len(names), size):
            yield self.store.read_columns(self.final, names[low : low + size], self.rows)

    def _fits(self, columns: int) -> bool:
        return 8 * self.rows * columns <= self.budget
