"""Executors: the registry, batch sizing against scheduling cost, Dask on a running
cluster, and the progress bar (stderr only)."""

from __future__ import annotations

import pytest

from simulator.montecarlo import EXECUTORS, RunError, make_executor, run_monte_carlo
from simulator.montecarlo.executors import SerialExecutor, register


def test_registry_names_the_three_executors():
    assert {"serial", "processes", "dask"} <= set(EXECUTORS)
    with pytest.raises(RunError, match="unknown executor 'proceses'; did you mean 'processes'"):
        make_executor("proceses")
    with pytest.raises(RunError, match="at least 1"):
        make_executor("processes", workers=0)


def test_a_registered_executor_is_used_and_batches_cover_its_overhead(minimal, monkeypatch):
    """Batches are sized so a task's scheduling cost is under 2% of its work."""
    sizes, times = [], []

    @register
    class Recording(SerialExecutor):
        name = "recording-test"
        task_overhead_s = 0.01  # 2% of 0.5 s: batches of at least half a second

        def submit(self, fn, arg):
            sizes.append(len(arg.replications))
            return super().submit(fn, arg)

        def result(self, handle):
            value = super().result(handle)
            times.append(value.elapsed_s)
            return value

    monkeypatch.setitem(EXECUTORS, Recording.name, Recording)
    monkeypatch.setenv("FAKE_ENGINE_SLEEP", "0.002")
    result = run_monte_carlo(minimal, 700, executor="recording-test",
                             replicate="fake_engine:slow")
    assert result.done == 700 and sum(sizes) == 700
    assert result.manifest["executor"] == "recording-test"
    middle = times[2:-1]  # after the first (untimed) batches, before the remainder
    # The size comes from the time measured so far, which a busy machine makes noisy.
    assert middle and min(middle) >= 0.25 and sum(middle) / len(middle) >= 0.4
    assert sizes[:2] == [8, 8]


def test_dask_on_a_running_cluster_gives_the_same_bytes(minimal, tmp_path):
    distributed = pytest.importorskip("distributed")
    import logging

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                  dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        result = run_monte_carlo(minimal, 80, executor="dask", scheduler=cluster.scheduler_address,
                                 out=tmp_path / "dask")
    assert result.manifest["scheduler"] == cluster.scheduler_address
    assert result.manifest["workers"] == 2  # the cluster's threads
    run_monte_carlo(minimal, 80, executor="serial", out=tmp_path / "serial")
    assert (tmp_path / "dask" / "outcomes.csv").read_bytes() == (
        tmp_path / "serial" / "outcomes.csv").read_bytes()


def test_unreachable_scheduler_is_a_clear_error_and_writes_nothing(minimal, tmp_path,
                                                                   monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("simulator.montecarlo.executors.DASK_CONNECT_TIMEOUT", "1s")
    with pytest.raises(RunError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_monte_carlo(minimal, 10, executor="dask", scheduler="tcp://127.0.0.1:9",
                        out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_progress_goes_to_stderr_only(minimal, capsys):
    run_monte_carlo(minimal, 30, executor="serial", progress=True,
                    replicate="fake_engine:cheap")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "rep/s" in captured.err and "30/30" in captured.err


def test_no_progress_when_not_asked(minimal, capsys):
    run_monte_carlo(minimal, 30, executor="serial", progress=None,
                    replicate="fake_engine:cheap")  # stderr is not a terminal here
    assert capsys.readouterr() == ("", "")


def _test_mark(module_name):
    """What this process's copy of `module_name` holds as `_test_mark` (None if unset)."""
    import sys

    return getattr(sys.modules.get(module_name), "_test_mark", None)


@pytest.mark.slow
def test_a_local_dask_cluster_forks_its_workers_and_their_replacements(monkeypatch):
    """Forked workers inherit this process (a mark set here); so does the replacement of
    a worker that died, which a spawned one would not (it would run the main module
    again). They have no memory limit: their resident memory counts the pages they
    share with this process, so a big parent would pause them all."""
    import os
    import signal
    import sys
    import time

    if not sys.platform.startswith("linux"):
        pytest.skip("workers are forked on Linux only")
    pytest.importorskip("distributed")
    from simulator.montecarlo import executors

    monkeypatch.setattr(executors, "_test_mark", os.getpid(), raising=False)
    name = executors.__name__
    with executors.DaskExecutor(workers=1) as executor:
        client = executor._client
        assert list(client.run(_test_mark, name).values()) == [os.getpid()]
        workers = client.scheduler_info()["workers"].values()
        assert [not w["memory_limit"] for w in workers] == [True]
        [first] = client.run(os.getpid).values()
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.5)
            pids = list(client.run(os.getpid).values())
            if pids and first not in pids:
                break
        assert pids and first not in pids, "the worker was not replaced"
        assert list(client.run(_test_mark, name).values()) == [os.getpid()]
