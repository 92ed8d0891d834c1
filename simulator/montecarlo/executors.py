"""Where batches run: in this process, in local worker processes, or on a Dask cluster.

Each executor is a class registered under the name the command line uses
(``--executor serial|processes|dask``). The runner only submits a function and its
argument, waits for any submitted batch to finish and collects results, so an executor
never sees scenarios or outcomes, and the numbers cannot depend on which one ran them.
No executor touches the process start method at import: the process pool asks for a
context of its own when it starts, and a local Dask cluster gets its own setting. On
Linux both fork, so a worker is a copy of this process (its imports and prepared
scenario included) and never imports the main module again: `run_monte_carlo` works from
a script without ``if __name__ == "__main__":`` and from Jupyter alike. Elsewhere (fork
is unsafe on macOS, absent on Windows) they use ``forkserver`` or ``spawn``, which
import the main module in every worker, so a script there needs that guard.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import signal
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from typing import Any, ClassVar

from ..cores import available_cores, fork_is_safe
from .errors import RunError, did_you_mean

EXECUTORS: dict[str, type[Executor]] = {}


def register(cls: type[Executor]) -> type[Executor]:
    """Class decorator: make an executor available under ``cls.name``."""
    EXECUTORS[cls.name] = cls
    return cls


def make_executor(
    name: str, workers: int | None = None, scheduler: str | None = None,
    preload: tuple[str, ...] = (),
) -> Executor:
    """The executor registered as `name`, not started yet. `preload` names modules
    workers will need (the replication function's), for executors that can share them."""
    cls = EXECUTORS.get(name)
    if cls is None:
        raise RunError(f"unknown executor '{name}'; {did_you_mean(name, EXECUTORS)}")
    if workers is not None and workers < 1:
        raise RunError(f"workers must be at least 1, found {workers}")
    if scheduler is not None and not cls.accepts_scheduler:
        raise RunError(f"a scheduler address needs the dask executor, not '{name}'")
    executor = cls(workers=workers, scheduler=scheduler)
    executor.preload = tuple(preload)
    return executor


class Executor(ABC):
    """Runs `fn(arg)` calls somewhere; used as a context manager around one run."""

    name: ClassVar[str]
    accepts_scheduler: ClassVar[bool] = False
    # Cost of scheduling one task, seconds; batches are sized so it stays under 2%.
    task_overhead_s: ClassVar[float] = 0.0

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        self.workers = workers or available_cores()
        self.scheduler = scheduler
        self.preload: tuple[str, ...] = ()

    def __enter__(self) -> Executor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def forks_from_this_process(self) -> bool:
        """Whether the calls run in this process or in workers forked from it when the
        executor starts, so that they find what this process prepared before."""
        return False

    def describe(self) -> dict[str, Any]:
        """What the manifest records about where the run went."""
        info: dict[str, Any] = {"executor": self.name, "workers": self.workers}
        if self.scheduler:
            info["scheduler"] = self.scheduler
        return info

    def start(self) -> None:  # noqa: B027 - optional hook
        """Acquire workers (processes, a cluster); raise RunError if impossible."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers; batches not started yet are dropped."""

    def recover(self) -> None:  # noqa: B027 - optional hook
        """Make the executor usable again after a worker died."""

    @abstractmethod
    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        """Start `fn(arg)`; returns a handle for `wait` and `result`."""

    @abstractmethod
    def wait(self, handles: Iterable[Any], timeout: float) -> set[Any]:
        """The handles that are finished, waiting up to `timeout` s for at least one."""

    @abstractmethod
    def result(self, handle: Any) -> Any:
        """The value of a finished call; re-raises what the call raised."""


class _Deferred:
    __slots__ = ("fn", "arg", "value", "error", "ran")

    def __init__(self, fn: Callable[[Any], Any], arg: Any):
        self.fn, self.arg = fn, arg
        self.value: Any = None
        self.error: BaseException | None = None
        self.ran = False

    def run(self) -> None:
        try:
            self.value = self.fn(self.arg)
        except Exception as error:  # re-raised by result()
            self.error = error
        self.ran = True
        self.arg = None


@register
class SerialExecutor(Executor):
    """Everything in this process, one batch at a time: for debugging and baselines."""

    name = "serial"

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        super().__init__(1, scheduler)
        self._queue: list[_Deferred] = []

    @property
    def forks_from_this_process(self) -> bool:
        """The calls run in this process."""
        return True

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> _Deferred:
        """Queue the call; it runs when `wait` is next asked about it."""
        deferred = _Deferred(fn, arg)
        self._queue.append(deferred)
        return deferred

    def wait(self, handles: Iterable[Any], timeout: float) -> set[Any]:
        """Run the oldest queued call among `handles` unless one has finished already;
        `timeout` does not apply, as the call runs here."""
        handles = set(handles)
        finished = {h for h in handles if h.ran}
        if finished:
            return finished
        for deferred in self._queue:  # run the oldest waiting call
            if deferred in handles:
                self._queue.remove(deferred)
                deferred.run()
                return {deferred}
        return set()

    def result(self, handle: _Deferred) -> Any:
        """The call's value; re-raises what it raised."""
        if handle.error is not None:
            raise handle.error
        return handle.value

    def close(self) -> None:
        """Drop the calls not run yet."""
        self._queue.clear()


PARENT_CHECK_S = 0.5
DASK_CONNECT_TIMEOUT = "10s"
# A batch is seconds of pure-Python CPU work. Every wake-up of a worker's other threads
# takes the GIL from it: the sampling profiler (every 10 ms), the event-loop watchdog
# (every 20 ms) and the memory monitor (every 100 ms) run far less often here. Batches
# are sized to keep every worker busy, so moving them between workers gains nothing.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.scheduler.work-stealing": False,
}
# On Linux a local cluster's workers are forked from this process, as the process pool's
# are: a spawned worker is a fresh interpreter that imports Dask and the engine and
# prepares the scenario again (about a second each, before its first replication), a
# forked one starts with all of it. Elsewhere they are spawned (Dask's default).
FORK_WORKERS = {"distributed.worker.multiprocessing-method": "fork"}


def _worker_setup(parent: int) -> None:
    """Worker initializer. Ctrl-C is for the parent, which stops the pool itself; and a
    worker whose parent died (``kill -9``) exits instead of idling forever on its queue."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True,
                     name="infrasim-parent-watch").start()


def _exit_with(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_S)
        try:
            os.kill(parent, 0)
        except (ProcessLookupError, PermissionError):  # gone (or its pid reused)
            os._exit(1)


@register
class ProcessExecutor(Executor):
    """Local worker processes via `concurrent.futures`, one per core by default."""

    name = "processes"
    task_overhead_s = 0.001

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        super().__init__(workers, scheduler)
        self._pool: cf.ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the worker processes; they ignore Ctrl-C and exit when this process dies.

        On Linux they are forked from this process, right now, with the replication
        function's modules imported first: a fork never runs the main module again (a
        script needs no main guard, a notebook works), every worker starts with the
        engine loaded, and forking before the run starts its own threads (the progress
        bar's) copies no lock another thread of the run holds. Elsewhere a fork server
        with the engine preloaded (spawn where there is none) starts them.
        """
        if fork_is_safe():
            context = multiprocessing.get_context("fork")
            _import_modules(self.preload)
        elif "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            # Import the engine once in the fork server; every worker (and any worker
            # restarted after a crash) is then forked with it loaded instead of paying
            # about a second of imports (numpy, scipy, SimPy, the engine) on its own.
            context.set_forkserver_preload(["__main__", *self.preload])
        else:
            context = multiprocessing.get_context("spawn")
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=_worker_setup,
            initargs=(os.getpid(),),
        )
        if context.get_start_method() == "fork":
            with _sigint_ignored():  # a forked worker starts with Ctrl-C ignored
                self._pool.submit(int)  # a pool that forks starts all its workers now

    @property
    def forks_from_this_process(self) -> bool:
        """On Linux the workers are forked from this process as the pool starts."""
        return fork_is_safe()

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> cf.Future:
        """Queue the call on the pool; returns its future. A pool a worker's death broke
        since the runner last looked is replaced first (the calls it had fail, and the
        runner reruns them as it does any call whose worker died)."""
        assert self._pool is not None, "executor not started"
        try:
            return self._pool.submit(fn, arg)
        except BrokenProcessPool:
            self.recover()
            return self._pool.submit(fn, arg)

    def wait(self, handles: Iterable[Any], timeout: float) -> set[Any]:
        """The finished futures, waiting up to `timeout` s for the first."""
        return cf.wait(list(handles), timeout, return_when=cf.FIRST_COMPLETED).done

    def result(self, handle: cf.Future) -> Any:
        """The call's value; re-raises what it raised (BrokenProcessPool if its worker
        died)."""
        return handle.result()

    def recover(self) -> None:
        """Replace a pool broken by a dead worker with a new one."""
        if self._pool is not None and getattr(self._pool, "_broken", False):
            self._pool.shutdown(wait=False, cancel_futures=True)
            self.start()

    def close(self) -> None:
        """Shut the pool down, cancelling the calls not started."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while starting worker processes: an ignored signal stays ignored
    through fork and exec, and Python then installs no KeyboardInterrupt handler, so
    the workers leave Ctrl-C to this process (which closes them). Only the main thread
    may change signal handling; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _import_modules(names: tuple[str, ...]) -> None:
    """Import what a worker will need. A module that is missing or fails to import is
    left to fail in the batch, where the failure is reported properly (and a run where
    every replication fails raises `ReplicationsFailed` with its traceback)."""
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # any error: the batch reports it
            pass


@register
class DaskExecutor(Executor):
    """Dask `distributed`: a LocalCluster of worker processes, or, given a scheduler
    address, a running cluster on any number of machines."""

    name = "dask"
    accepts_scheduler = True
    task_overhead_s = 0.005

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        super().__init__(workers, scheduler)
        self._client: Any = None
        self._cluster: Any = None
        self._forking = ExitStack()  # the fork setting, held while the cluster lives

    @property
    def forks_from_this_process(self) -> bool:
        """A local cluster's workers are forked from this process on Linux."""
        return not self.scheduler and fork_is_safe()

    def start(self) -> None:
        """Connect to the scheduler, or start a LocalCluster of one-thread worker
        processes (forked on Linux, with the preloaded modules imported here first),
        then import the preloaded modules on every worker that did not inherit them."""
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise RunError(
                "the dask executor needs dask.distributed: pip install 'infrasim[dask]'"
            ) from None
        forked = self.forks_from_this_process
        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout=DASK_CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as error:
                raise RunError(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {error}"
                ) from None
            self.workers = max(1, sum(self._client.nthreads().values()))
        else:
            if forked:
                _import_modules(self.preload)
                # Held until close(): Dask reads the setting again whenever it restarts
                # a worker that died, and a spawned replacement would run the main
                # module again (and import none of the preloaded ones).
                self._forking.enter_context(dask.config.set(FORK_WORKERS))
            # Workers start ignoring Ctrl-C: this process handles it and closes the
            # cluster, instead of every worker printing a KeyboardInterrupt traceback.
            try:
                with _sigint_ignored(), dask.config.set(LOCAL_CLUSTER_CONFIG):
                    self._cluster = LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",  # any free port: never clash with another
                        silence_logs=logging.CRITICAL,  # shutdown chatter is not news
                        # A forked worker's resident memory counts the pages it shares
                        # with this process, so Dask's limit (its share of the RAM; it
                        # pauses a worker at 80 %, kills it at 95 %) would stop every
                        # worker of a big notebook kernel. Batches bound their own
                        # memory (runner.MAX_BATCH_VALUES).
                        memory_limit=0 if forked else "auto",
                    )
            except (RuntimeError, OSError, TimeoutError) as error:
                self._forking.close()
                # A spawned worker imports the main module again: a script that starts
                # a run at import kills every worker.
                hint = "" if forked else (
                    "; if this is a script, Dask runs it again in each worker as it "
                    "starts: put the run under `if __name__ == \"__main__\":`, or use the "
                    "processes executor, which needs no guard")
                raise RunError(f"cannot start local Dask workers ({error}){hint}") from None
            self._client = Client(self._cluster)
        if not forked:
            # Load the engine on every worker now, in parallel, rather than inside the
            # first batches (where it would also distort the batch-size estimate).
            self._client.run(_import_modules, self.preload)

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        """Send the call to the cluster (never cached: pure=False); returns its future."""
        return self._client.submit(fn, arg, pure=False)

    def wait(self, handles: Iterable[Any], timeout: float) -> set[Any]:
        """The finished futures, waiting up to `timeout` s for the first."""
        from distributed import wait

        handles = list(handles)
        try:
            return set(wait(handles, timeout=timeout, return_when="FIRST_COMPLETED").done)
        except TimeoutError:
            return {h for h in handles if h.done()}

    def result(self, handle: Any) -> Any:
        """The call's value, fetched from its worker; re-raises what it raised."""
        return handle.result()

    def close(self) -> None:
        """Close the client, and the local cluster if this executor started one."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
        self._forking.close()
