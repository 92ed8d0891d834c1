"""The branch replications of one forecast, run in this process or on forked workers.

A forecast runs, for each candidate branch (a pure function of its index: named
streams), the acceptance test (does it reproduce the seen past?) and, if it passes,
every option's run with consequences. The candidates are handed out in chunks of
consecutive indices, each chunk one task that tests its candidates and runs every option
of those that pass, and the results are read back in candidate order, so the forecast
that reads them decides exactly as if it had run them one after another, whatever the
number of workers. Running all of a branch's options in one task lets them share what
they have in common: a breach that several options (common random numbers) let happen
alike is routed once, by the session's `prepared.FloodMemo` of that process.

With more than one worker the chunks go to a process pool forked for the forecast: the
children inherit the prepared scenarios (the story's and every option's, with the grid
states and flood routings solved so far), so nothing is pickled but the chunk's
arguments and its outcomes, and nothing is prepared again. The workers ignore Ctrl-C,
which the session's process answers by ending them; a worker that dies breaks the
forecast with an error (`BrokenProcessPool`). Only on Linux: elsewhere fork is
unsafe (macOS) or absent (Windows), and the branches run in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial

from ..cores import fork_is_safe
from ..engine import PreparedScenario, simulate
from ..engine.record import Event, Replication
from .realised import same_past

__all__ = ["BranchRunner", "BranchWork", "Trial", "unchanged_option"]

CHUNK = 5  # candidates per task on the workers: some ten milliseconds, so that the last
#            tasks end close together, and far above the pool's per-task cost (a fraction
#            of a millisecond)
AHEAD = 3  # chunks per worker handed out beyond those read: a worker runs on while the
#            chunk the forecast reads next is still running elsewhere


# A candidate's verdict: whether it reproduces the past and, if it does, each option's
# outcomes (option id -> wanted outcomes)
Trial = tuple[bool, dict[str, dict[str, float]] | None]


@dataclass(frozen=True)
class BranchWork:
    """What the branches of one forecast run: the story's scenario before the decision
    (`engine`, for the acceptance test) and each option's (`options`), from root `seed`,
    reproducing the `seen` events before `time_s`; `columns` says which outcomes an
    option's run returns (a name in it, or a name starting with one of its prefixes).

    An option that changes nothing (`unchanged`: its scenario equals the story's, keep
    the plan; `unchanged_option` finds it) runs exactly the acceptance test's
    replication, so the test runs it with consequences and its outcomes are that
    option's. The timeline is only recorded, never read, by the engine and the
    consequence models, and the test reads the engine's events only, so the verdicts
    and outcomes are the same.
    """

    engine: PreparedScenario
    options: Mapping[str, PreparedScenario]
    seen: tuple[Event, ...]
    time_s: float
    seed: int
    columns: tuple[str, ...]
    prefixes: tuple[str, ...] = ()
    unchanged: str | None = None

    def trials(self, branches: Sequence[int], pinned: Mapping[str, float],
               tested: bool = True) -> list[Trial]:
        """Each candidate of `branches`, with `pinned` inputs: whether it reproduces the
        seen past (each does, untested, when nothing can have happened yet) and, if it
        does, every option's outcomes, in the order of `options`."""
        return [self._trial(branch, pinned, tested) for branch in branches]

    def _trial(self, branch: int, pinned: Mapping[str, float], tested: bool) -> Trial:
        test = self._test(branch, pinned) if tested else None
        if test is not None and not same_past(self.seen, test.timeline, self.time_s):
            return False, None
        rows = {}
        for option, prepared in self.options.items():
            if test is not None and option == self.unchanged:
                outcomes = test.outcomes
            else:
                outcomes = simulate(prepared, self.seed, branch, pinned=pinned).outcomes
            rows[option] = self._wanted(outcomes)
        return True, rows

    def _test(self, branch: int, pinned: Mapping[str, float]) -> Replication:
        """The acceptance test's run: the unchanged option's, with consequences, or the
        story's engine alone when every option changes something."""
        if self.unchanged is None:
            return simulate(self.engine, self.seed, branch, timeline=True,
                            consequences=False, pinned=pinned)
        return simulate(self.options[self.unchanged], self.seed, branch, timeline=True,
                        pinned=pinned)

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
    """A forked worker's start: its work (inherited, not pickled: the pool forks); the
    objects inherited set apart from garbage collection (`gc.freeze`: a full collection
    would otherwise walk the whole session, tens of milliseconds, and copy the pages it
    touches; they live as long as the worker anyway); and its signals: Ctrl-C is the
    session's to answer, and SIGTERM ends it even where the parent (the board's server)
    had a handler of its own."""
    global _FORKED
    _FORKED = work
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _forked_trials(branches: Sequence[int], pinned: Mapping[str, float],
                   tested: bool) -> list[Trial]:
    return _FORKED.trials(branches, pinned, tested)


class BranchRunner:
    """Runs chunks of a `BranchWork` on `workers` forked processes (or in this process
    when there is one, or fork is not available). Use it as a context manager: the pool
    is forked when first needed, and ends with the block. Whatever ran in this process
    before is inherited: the grid states and flood routings it solved are not solved
    again by each worker.

    `chunk` is the candidates of a task and `ahead` how many candidates may be handed out
    beyond those read: in this process one and one, each run only when its result is
    read, as a plain loop would."""

    def __init__(self, work: BranchWork, workers: int = 1) -> None:
        self.work = work
        self.workers = max(1, workers) if fork_is_safe() else 1
        self.chunk = 1 if self.workers == 1 else CHUNK
        self.ahead = 1 if self.workers == 1 else CHUNK * AHEAD * self.workers
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

    def hand_out(self, branches: Sequence[int], pinned: Mapping[str, float],
                 tested: bool = True) -> Callable[[], list[Trial]]:
        """`BranchWork.trials` of `branches`, started now on the workers (in this
        process: run when asked for): call the result for the trials."""
        if self.workers == 1:
            return partial(self.work.trials, branches, pinned, tested)
        return self._forked_pool().submit(_forked_trials, branches, pinned, tested).result
