"""A run's outcome columns, read from its chunk files when asked for.

A run keeps no outcomes in memory while it runs (memory flat in the number of
replications); its result reads them back from the run store. A run whose columns fit in
`COLUMN_BUDGET_BYTES` is read whole on first use and kept, so small runs cost what a
dictionary of arrays costs. A bigger one is turned around on first use: one pass over
the chunks (which hold a batch's rows together) writes every column, one after the other,
into a scratch file, and each column asked for is then one read from it. So memory stays
near the budget plus a column or two (8 bytes per replication: 8 MB for a million),
however many outcomes the run has and whichever of them are asked for; the last column
read is kept, as callers often ask for the same column twice.

The scratch file has no name (it goes when its columns do, even when the process is
killed) and lies beside the run's chunks, on a disk that holds the run already, not in
``$TMPDIR``, which may be memory (tmpfs) and would then hold every column in memory after
all. Where it cannot be written (a disk too full for another copy of the outcomes), the
columns are read from the chunks, a pass over them for each column or group.
"""

from __future__ import annotations

import tempfile
import weakref
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from .errors import RunError
from .store import RunStore

COLUMN_BUDGET_BYTES = 4 * 2**20


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
        self._position = {name: j for j, name in enumerate(self._names)}
        self._cache: dict[str, np.ndarray] | None = None  # every column, when they fit
        self._by_column: IO[bytes] | None = None  # else the scratch file, column by column
        self._no_scratch = False  # or not, where it could not be written (a full disk)
        self._last: dict[str, np.ndarray] = {}  # and the column read last

    def __repr__(self) -> str:
        return (f"StoredColumns({str(self.store.path)!r}, {len(self._names)} outcomes x "
                f"{self.rows:,} replications)")

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._position

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._position:
            raise KeyError(name)
        if self._cache is None and self._fits(len(self._names)):
            self._cache = self.store.read_columns(self.final, self._names, self.rows)
        if self._cache is not None:
            return self._cache[name]
        if name not in self._last:
            self._last = {}  # let the previous column go before reading this one
            self._last = {name: self._read(name)}
        return self._last[name]

    def groups(self, names: Sequence[str]) -> Iterator[dict[str, np.ndarray]]:
        """The columns `names` (all of this run's) in consecutive groups, each as many
        columns as fit the budget (at least one)."""
        if self._cache is not None or self._fits(len(self._names)):
            yield {name: self[name] for name in names}
            return
        size = max(1, self.budget // (8 * self.rows))
        for low in range(0, len(names), size):
            group = names[low : low + size]
            if self._scratch() is None:  # one pass over the chunks for the group
                yield self.store.read_columns(self.final, group, self.rows)
            else:
                yield {name: self._read(name) for name in group}

    def _fits(self, columns: int) -> bool:
        return 8 * self.rows * columns <= self.budget

    def _read(self, name: str) -> np.ndarray:
        """Column `name` from the scratch file (written now if this is the first), or
        from the chunks where there is none."""
        scratch = self._scratch()
        if scratch is None:
            return self.store.read_columns(self.final, [name], self.rows)[name]
        scratch.seek(8 * self.rows * self._position[name])
        column = np.fromfile(scratch, np.float64, count=self.rows)
        if column.size != self.rows:  # the file is ours alone: only a failing disk
            raise RunError(f"cannot read back the outcome {name} of {self.store.path}")
        return column

    def _scratch(self) -> IO[bytes] | None:
        """The scratch file, written on first use; None where it cannot be written (a
        disk too full for another copy of the outcomes: the columns are then read from
        the chunks, slower but in the same memory)."""
        if self._by_column is None and not self._no_scratch:
            try:
                self._by_column = self._turned_around()
            except OSError:
                self._no_scratch = True
        return self._by_column

    def _turned_around(self) -> IO[bytes]:
        """A scratch file holding every column, one after the other."""
        handle = _scratch_file(self.store.path)
        try:
            self.store.write_columns(self.final, self._names, self.rows, handle)
            handle.flush()
        except BaseException:
            handle.close()
            raise
        weakref.finalize(self, handle.close)
        return handle


def _scratch_file(directory: Path) -> IO[bytes]:
    """A file without a name in `directory`, or in the temporary directory where that
    one cannot be written to (a run shared read-only)."""
    try:
        return tempfile.TemporaryFile(dir=directory)
    except OSError:
        return tempfile.TemporaryFile()
