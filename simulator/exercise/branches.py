"""The branch replications of one forecast, run in this process or on forked workers.

A forecast runs two kinds of replication, each a pure function of its branch index
(named streams): the acceptance test of a candidate branch (does it reproduce the seen
past?) and an option's run of an accepted branch with consequences. Both are cut into
chunks of consecutive branches and handed out in order; the results come back in the
same order, so the forecast that reads them decides exactly as if it had run them one
after another, whatever the number of workers.

With more than one worker the chunks go to a process pool forked for the forecast: the
children inherit the prepared scenarios (the story's and every option's, with the grid
states and flood routings solved so far), so nothing is pickled but the chunk's
arguments and its outcomes, and nothing is prepared again. The workers ignore Ctrl-C,
which the session's process answers by ending them; a worker that dies breaks the
forecast with an error (`BrokenProcessPool`). Only on Linux: elsewhere fork is
unsafe (macOS) or absent (Windows), and the branches run in this process.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..engine import PreparedScenario, simulate
from ..engine.record import Event
from .realised import same_past

__all__ = ["BranchRunner", "BranchWork", "Trial", "available_cores", "unchanged_option"]

CHUNK = 25  # branches per task: small enough to balance the workers, large enough to
#             keep the pool's per-task cost (a fraction of a millisecond) negligible


def available_cores() -> int:
    """The cores this process may run on (the default number of forecast workers)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


Trial = tuple[bool, dict[str, float] | None]  # reproduces the past; the unchanged option's outcomes


@dataclass(frozen=True)
class BranchWork:
    """What the branches of one forecast run: the story's scenario before the decision
    (`engine`, for the acceptance test) and each option's (`options`), from root `seed`,
    reproducing the `seen` events before `time_s`; `columns` says which outcomes an
    option's run returns (a name in it, or a name starting with one of its prefixes).

    An option that changes nothing (`unchanged`: its scenario equals the story's, keep
    the plan; `unchanged_option` finds it) runs exactly the acceptance test's
    replication, so the test runs it with consequences and the accepted branches need no
    second run of that option. The timeline is only recorded, never read, by the engine
    and the consequence models, and the test reads the engine's events only, so the
    verdicts and outcomes are the same.
    """

    engine: PreparedScenario
    options: Mapping[str, PreparedScenario]
    seen: tuple[Event, ...]
    time_s: float
    seed: int
    columns: tuple[str, ...]
    prefixes: tuple[str, ...] = ()
    unchanged: str | None = None

    def reproduces(self, branches: range, pinned: Mapping[str, float]) -> list[Trial]:
        """Whether each branch, with `pinned` inputs, reproduces the seen past, and the
        unchanged option's outcomes of those that do (None without such an option)."""
        unchanged = self.unchanged
        trials = []
        for branch in branches:
            if unchanged is None:
                run = simulate(self.engine, self.seed, branch, timeline=True,
                               consequences=False, pinned=pinned)
            else:
                run = simulate(self.options[unchanged], self.seed, branch, timeline=True,
                               pinned=pinned)
            fits = same_past(self.seen, run.timeline, self.time_s)
            trials.append((fits, self._wanted(run.outcomes) if fits and unchanged else None))
        return trials

    def outcomes(self, option: str, branches: Sequence[int],
                 pinned: Mapping[str, float]) -> list[dict[str, float]]:
        """The wanted outcomes of `option`'s run of each branch, with `pinned` inputs."""
        prepared = self.options[option]
        return [self._wanted(simulate(prepared, self.seed, branch, pinned=pinned).outcomes)
                for branch in branches]

    def _wanted(self, outcomes: dict[str, float]) -> dict[str, float]:
        return {name: value for name, value in outcomes.items()
                if name in self.columns or name.startswith(self.prefixes)}


def unchanged_option(engine: PreparedScenario,
                     options: Mapping[str, PreparedScenario]) -> str | None:
    """The first option whose scenario is the story's own (`engine`'s), if any."""
    return next((option for option, prepared in options.items()
                 if prepared.scenario == engine.scenario), None)


_FORKED: BranchWork | None = None  # a forked worker's work, inherited from its parent


def _start_worker(work: BranchWork) -> None:
    """A forked worker's start: its work (inherited, not pickled: the pool forks), and
    its signals: Ctrl-C is the session's to answer, and SIGTERM ends it even where the
    parent (the board's server) had a handler of its own."""
    global _FORKED
    _FORKED = work
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _forked_task(task: tuple[str, tuple]) -> Any:
    method, arguments = task
    return getattr(_FORKED, method)(*arguments)


class BranchRunner:
    """Runs chunks of a `BranchWork` in order, on `workers` forked processes (or in this
    process when there is one, or fork is not available). Use it as a context manager:
    the pool is forked when first needed, and ends with the block. Whatever ran in this
    process before is inherited: the grid states and flood routings it solved are not
    solved again by each worker."""

    def __init__(self, work: BranchWork, workers: int = 1) -> None:
        self.work = work
        forkable = (sys.platform.startswith("linux")
                    and "fork" in multiprocessing.get_all_start_methods())
        self.workers = max(1, workers) if forkable else 1
        self._pool = None

    def __enter__(self) -> BranchRunner:
        return self

    def _forked_pool(self) -> ProcessPoolExecutor:
        # concurrent.futures, not multiprocessing.Pool: a worker that dies (the kernel's
        # out-of-memory killer) breaks the pool with an error instead of a lost task
        # that would leave the forecast waiting for ever
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker, initargs=(self.work,))
        return self._pool

    def __exit__(self, *exc_info: object) -> None:
        """Chunks not started are dropped; the workers finish the ones they run (a
        few replications each) and end."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def reproduces(self, branches: range, pinned: Mapping[str, float],
                   here: bool = False) -> Iterator[Trial]:
        """`BranchWork.reproduces` of `branches`, in order; in this process if `here`."""
        workers = 1 if here else self.workers
        tasks = [("reproduces", (chunk, pinned)) for chunk in _chunks(branches, workers)]
        for trials in self._run(tasks, workers):
            yield from trials

    def outcomes(self, options: Sequence[str], branches: Sequence[int],
                 pinned: Mapping[str, float]) -> Iterator[tuple[str, list[dict[str, float]]]]:
        """`BranchWork.outcomes` of `options` on `branches`, all handed out at once: each
        option with its rows in branch order, in the order of `options`, as soon as its
        last chunk is in (the caller can sum up one while the workers run the next)."""
        chunks = _chunks(branches, self.workers)
        tasks = [("outcomes", (option, chunk, pinned)) for option in options for chunk in chunks]
        return _by_option(options, len(chunks), self._run(tasks, self.workers))

    def _run(self, tasks: list[tuple[str, tuple]], workers: int) -> Iterator[Any]:
        if workers == 1:
            return (getattr(self.work, method)(*arguments) for method, arguments in tasks)
        return self._forked_pool().map(_forked_task, tasks)


def _by_option(options: Sequence[str], chunks: int,
               results: Iterator[list[dict[str, float]]]
               ) -> Iterator[tuple[str, list[dict[str, float]]]]:
    """Each option's rows from `results`, `chunks` lists per option, in order."""
    for option in options:
        rows: list[dict[str, float]] = []
        for _ in range(chunks):
            rows += next(results)
        yield option, rows


def _chunks(branches: Sequence[int], workers: int) -> list[Sequence[int]]:
    """`branches` cut into consecutive chunks: single branches in this process (each run
    only when its result is read, as a plain loop would), else at most `CHUNK` and at
    least two per worker."""
    size = 1 if workers == 1 else max(1, min(CHUNK, math.ceil(len(branches) / (2 * workers))))
    return [branches[start:start + size] for start in range(0, len(branches), size)]
