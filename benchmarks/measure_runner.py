"""The Monte Carlo runner as a user meets it: ``infrasim run`` in a fresh interpreter.

`cli_run` times whole commands end to end (imports, loading the scenario, starting the
workers, the replications, outcomes.csv, the summary and the exhibits) on 20,000
replications of the reference scenario: one process worker, two, and two Dask workers
(a LocalCluster started by the run), interleaved, best of each. Its efficiency figure is
what a person waiting for the command sees, start-up included: t(1 worker) / (2 t(2)).
On a machine other work keeps busy, wall times say little about two workers, so it also
counts CPU seconds: the command's own process (its serial part: imports, loading, the
summary, the exhibits; it idles while workers run) and its workers', and estimates the
wall time on two idle cores as own + workers / 2 (workers evenly loaded).

`cli_startup` is the fixed serial part of a run: ``infrasim run -n 200`` end to end, and
the import of `simulator.workflows` (what the command imports before it loads the
scenario), each in a fresh interpreter, best of repeats.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import ROOT, Context, _load, measurement, script_figures


def _wall_s(command: list[str]) -> float:
    """Wall seconds of `command` run to completion (an error if it fails)."""
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


# ``infrasim ARGS`` in this interpreter, then its wall seconds and CPU seconds: its own
# (RUSAGE_SELF) and its workers' (RUSAGE_CHILDREN: pool workers are joined at the end).
_TIMED_CLI = """
import json, resource, sys, time
start = time.perf_counter()
from simulator.cli import main
status = main(sys.argv[1:])
wall = time.perf_counter() - start
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
print(json.dumps({"status": status, "wall_s": wall, "own_cpu_s": cpu(resource.RUSAGE_SELF),
                  "workers_cpu_s": cpu(resource.RUSAGE_CHILDREN)}))
"""


def _timed_run(context: Context, replications: int, *options: str) -> dict[str, float]:
    """``infrasim run SCENARIO -n N OPTIONS`` in a fresh interpreter: wall and CPU."""
    with tempfile.TemporaryDirectory() as directory:
        figures = script_figures(_TIMED_CLI, "run", str(context.scenario_path), "-n",
                                 str(replications), "--out", str(Path(directory) / "run"),
                                 "--quiet", *options)
    figures["two_idle_cores_s"] = figures["own_cpu_s"] + figures["workers_cpu_s"] / 2
    return figures


@measurement("cli_run")
def cli_run(context: Context) -> dict[str, Any]:
    """``infrasim run -n 20,000`` (2,000 with --quick) end to end: one process worker
    against two (parallel efficiency) and two Dask workers against two process workers
    (throughput ratio, the LocalCluster's start-up included); wall seconds, and the CPU
    seconds of the command and of its workers."""
    replications = 2000 if context.quick else 20_000
    options = {"one": ("--workers", "1"), "two": ("--workers", "2"),
               "dask": ("--executor", "dask", "--workers", "2")}
    best: dict[str, dict[str, float]] = {}
    for _ in range(1 if context.quick else 2):
        for name, flags in options.items():
            figures = _timed_run(context, replications, *flags)
            if name not in best or figures["wall_s"] < best[name]["wall_s"]:
                best[name] = figures
    one, two, dask = best["one"], best["two"], best["dask"]
    one_cpu_s = one["own_cpu_s"] + one["workers_cpu_s"]
    return {
        "replications": replications,
        "processes_1_worker_s": round(one["wall_s"], 2),
        "processes_2_workers_s": round(two["wall_s"], 2),
        "dask_2_workers_s": round(dask["wall_s"], 2),
        "parallel_efficiency_2_vs_1": round(one["wall_s"] / (2 * two["wall_s"]), 3),
        "own_cpu_s_2_workers": round(two["own_cpu_s"], 2),
        "workers_cpu_s_2_workers": round(two["workers_cpu_s"], 2),
        "own_cpu_s_dask": round(dask["own_cpu_s"], 2),
        "workers_cpu_s_dask": round(dask["workers_cpu_s"], 2),
        "parallel_efficiency_on_two_idle_cores": round(
            one_cpu_s / (2 * two["two_idle_cores_s"]), 3),
        "goal_parallel_efficiency": 0.9,
        "dask_throughput_ratio_to_processes": round(two["wall_s"] / dask["wall_s"], 3),
        "dask_ratio_on_two_idle_cores": round(
            two["two_idle_cores_s"] / dask["two_idle_cores_s"], 3),
        "goal_dask_throughput_ratio": 0.9,
        "replications_per_s_2_workers": round(replications / two["wall_s"]),
        "replications_per_s_2_idle_cores": round(replications / two["two_idle_cores_s"]),
        "load_average": _load(),
    }


@measurement("cli_startup")
def cli_startup(context: Context) -> dict[str, Any]:
    """The serial start-up of a run: ``infrasim run -n 200`` (2 process workers) end
    to end, wall seconds and the CPU seconds of the command's own process (nearly all
    of it serial: imports, loading, preparing, the summary, the exhibits), and
    ``import simulator.workflows`` alone; fresh interpreters, best of repeats."""
    runs = [_timed_run(context, 200, "--workers", "2") for _ in range(context.repeats)]
    import_s = min(_wall_s([sys.executable, "-c", "import simulator.workflows"])
                   for _ in range(context.repeats))
    python_s = min(_wall_s([sys.executable, "-c", "pass"]) for _ in range(context.repeats))
    return {
        "infrasim_run_200_s": round(min(run["wall_s"] for run in runs), 2),
        "infrasim_run_200_own_cpu_s": round(min(run["own_cpu_s"] for run in runs), 2),
        "import_workflows_s": round(import_s, 3),
        "bare_python_s": round(python_s, 3),
        "load_average": _load(),
    }
