"""One batch of replications, run inside whichever process an executor picks.

A process-pool job or Dask task is a batch of many replications, never one, so that
scheduling stays a small share of the run. `run_batch` is a module-level function of
plain picklable data: the scenario, the seed, the replication indices and the import paths
of the replication function (``simulator.engine:simulate`` unless a test or another
engine injects its own) and of the function that prepares a scenario for it
(``simulator.engine:prepare``). It returns the outcomes as one 2-D float array with a column per
outcome name, so shipping a batch back costs one array instead of thousands of dicts. A
replication that raises becomes a `Failure` record; the rest of the batch goes on.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import operator
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .csvformat import first_lines, format_rows

DEFAULT_REPLICATE = "simulator.engine:simulate"
DEFAULT_PREPARE = "simulator.engine:prepare"
TRACEBACKS_PER_BATCH = 3  # enough to debug; a batch where everything fails stays small


@dataclass(frozen=True)
class Failure:
    """A replication that raised: where, with which seed, and what the error said."""

    replication: int
    seed: int
    error: str
    traceback: str = ""


@dataclass(frozen=True)
class BatchTask:
    """What a worker needs to run some replications of one scenario."""

    scenario: Any
    scenario_key: str  # the resolved scenario's content hash
    seed: int
    replications: np.ndarray  # int64 indices
    replicate: str = DEFAULT_REPLICATE
    prepare: str | None = DEFAULT_PREPARE  # None: the scenario goes to `replicate` as is
    csv: bool = False  # also format the rows as outcomes.csv text (for a stored run)
    knowledge: Any = None  # a two-layer run's `KnowledgeDesign` (None: a plain run)


@dataclass(frozen=True)
class BatchResult:
    """Outcomes of one batch as columns; `values[i, j]` is outcome `names[j]` of
    replication `replications[i]`, NaN where that replication did not return it."""

    replications: np.ndarray  # int64, the replications that succeeded
    names: tuple[str, ...]
    values: np.ndarray  # float64, shape (len(replications), len(names))
    first_seen: np.ndarray  # int64 per name: lowest replication index that returned it
    failures: tuple[Failure, ...] = ()
    elapsed_s: float = 0.0  # wall time spent in the worker
    indices: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # all asked
    csv: bytes | None = None  # the rows as outcomes.csv lines, if asked for

    @property
    def first_index(self) -> int:
        """The lowest replication index the batch was asked for (names its chunk file)."""
        return int(self.indices.min())

    def take(self, keep: np.ndarray, failures: tuple[Failure, ...]) -> BatchResult:
        """The batch with only the rows where `keep` is true and with `failures`; its CSV
        text stays when the rows kept are its first ones (else it is dropped)."""
        count = int(np.count_nonzero(keep))
        csv = None
        if self.csv is not None and bool(keep[:count].all()):
            csv = first_lines(self.csv, count)
        return dataclasses.replace(self, replications=self.replications[keep],
                                   values=self.values[keep], failures=failures, csv=csv)


def import_path(function: Callable | str) -> str:
    """``module:qualname`` of a module-level function (what workers import by name)."""
    if isinstance(function, str):
        return function
    return f"{function.__module__}:{function.__qualname__}"


def resolve(path: str) -> Callable:
    """The function at ``module:qualname``; raises ImportError/AttributeError if absent."""
    module_name, _, qualname = path.partition(":")
    if not module_name or not qualname:
        raise ImportError(f"expected 'module:function', found {path!r}")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    if not callable(target):
        raise TypeError(f"{path} is not callable")
    return target


class WorkerScenarios:
    """The prepared scenarios of the runs a worker process serves, by content hash.

    Preparing a scenario (routes, samplers, the grid's baseline) costs tens of
    milliseconds and its grid states are solved on demand, so a process prepares each
    scenario once and keeps it warm from batch to batch. Keys are the resolved
    scenario's SHA-256 and the preparing function, never object identity; a process
    holds at most `size` of them.
    """

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._prepared: dict[tuple[str, str | None], Any] = {}

    def get(self, task: BatchTask) -> Any:
        """The prepared scenario of `task`, prepared now if this process has not yet."""
        return self.prepared(task.scenario, task.scenario_key, task.prepare)

    def prepared(self, scenario: Any, key: str, prepare: str | None) -> Any:
        """`scenario` (whose resolved content hashes to `key`) as the function at import
        path `prepare` prepares it, prepared now if this process has not yet."""
        prepared = self._prepared.get((key, prepare))
        if prepared is None:
            if len(self._prepared) >= self.size:
                self._prepared.clear()
            prepared = scenario if prepare is None else resolve(prepare)(scenario)
            self._prepared[key, prepare] = prepared
        return prepared


#: This process's prepared scenarios (one per worker process, shared by its batches).
WORKER_SCENARIOS = WorkerScenarios()


def run_batch(task: BatchTask) -> BatchResult:
    """Run the replications of `task` one after the other; isolate each one's errors."""
    start = time.perf_counter()
    simulate = resolve(task.replicate)
    scenario = WORKER_SCENARIOS.get(task)
    seed = task.seed
    done: list[int] = []
    rows: list[dict[str, float]] = []
    failures: list[Failure] = []
    for k in task.replications.tolist():
        try:
            outcomes = _outcomes(simulate, scenario, seed, k, task.knowledge)
        except Exception as error:  # isolating any error is the point
            failures.append(_failure(k, seed, error, len(failures) < TRACEBACKS_PER_BATCH))
            continue
        done.append(k)
        rows.append(outcomes)
    names, values, first_seen, bad = _columns(done, rows)
    if bad:
        failures.extend(Failure(done[i], seed, message) for i, message in bad)
        keep = np.ones(len(done), bool)
        keep[[i for i, _ in bad]] = False
        done = [k for k, ok in zip(done, keep.tolist(), strict=True) if ok]
        values = values[keep]
    replications = np.asarray(done, np.int64)
    csv = format_rows(replications, values) if task.csv else None
    return BatchResult(
        replications=replications,
        names=names,
        values=values,
        first_seen=first_seen,
        failures=tuple(sorted(failures, key=lambda f: f.replication)),
        elapsed_s=time.perf_counter() - start,
        indices=np.asarray(task.replications, np.int64),
        csv=csv,
    )


def _outcomes(simulate: Callable, scenario: Any, seed: int, k: int,
              design: Any) -> dict[str, float]:
    """Replication `k`'s outcomes; in a two-layer run, chance replication ``k % N`` with
    the knowledge inputs pinned to sample ``k // N``'s values, the sample recorded."""
    if design is None:
        return simulate(scenario, seed, k).outcomes
    return design.replicate(simulate, scenario, seed, k).outcomes


def _failure(k: int, seed: int, error: BaseException, with_traceback: bool) -> Failure:
    message = f"{type(error).__name__}: {error}".strip()
    return Failure(k, seed, message, traceback.format_exc() if with_traceback else "")


def _columns(
    done: list[int], rows: list[dict[str, float]]
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, list[tuple[int, str]]]:
    """Rows of outcome dicts to (names, values, first_seen, bad rows). The usual case,
    every row with the same keys, is one pass of `np.fromiter` over the rows' values in
    name order (rows of as many keys that all hold every name have the same keys);
    anything else goes row by row."""
    if not rows:
        return (), np.empty((0, 0)), np.empty(0, np.int64), []
    names = tuple(sorted(rows[0].keys()))
    if names and all(len(row) == len(names) for row in rows):
        getter = operator.itemgetter(*names)
        in_order = map(getter, rows)
        flat = in_order if len(names) == 1 else itertools.chain.from_iterable(in_order)
        try:
            values = np.fromiter(flat, np.float64, count=len(rows) * len(names))
        except (KeyError, TypeError, ValueError):
            pass
        else:
            return (names, values.reshape(len(rows), len(names)),
                    np.full(len(names), done[0], np.int64), [])
    return _columns_row_by_row(done, rows)


def _columns_row_by_row(
    done: list[int], rows: list[dict[str, float]]
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, list[tuple[int, str]]]:
    """`_columns` of rows whose keys differ, or that hold something other than numbers:
    NaN where a row lacks a name, and a row with a value that is not a number is bad."""
    names = tuple(sorted(set().union(*(row.keys() for row in rows))))
    values = np.full((len(rows), len(names)), np.nan)
    first_seen = np.full(len(names), np.iinfo(np.int64).max, np.int64)
    column = {name: j for j, name in enumerate(names)}
    bad: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        try:
            converted = [(column[name], float(value)) for name, value in row.items()]
        except (TypeError, ValueError) as error:
            bad.append((i, f"outcome is not a number: {error}"))
            continue
        for j, value in converted:
            values[i, j] = value
            first_seen[j] = min(first_seen[j], done[i])
    return names, values, first_seen, bad
