"""Benchmarks of infrasim: each measurement prints figures, all merged into one JSON object.

Usage::

    python benchmarks/bench.py                  # every measurement
    python benchmarks/bench.py engine           # only some, by name
    python benchmarks/bench.py --quick          # fewer repeats (a smoke test)
    python benchmarks/bench.py --scenario FILE  # another reference scenario

A measurement is a function ``f(context) -> dict`` registered with ``@measurement(name)``,
here or in a ``benchmarks/measure_<topic>.py`` module (imported at start); its figures
appear under ``name`` in the output. Speeds are compared as ratios measured in
the same run (DESIGN.md), because absolute times vary from machine to machine and with
whatever else is running. To add figures (Monte Carlo runner, consequence models), write
another registered function in this file; nothing else needs to change.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_SCENARIO = ROOT / "scenarios" / "haditha_2014.yaml"
FALLBACK_SCENARIO = ROOT / "tests" / "data" / "engine_uncertain.yaml"


@dataclass(frozen=True)
class Context:
    """What every measurement may use."""

    scenario_path: Path
    quick: bool

    def scenario(self, variant: str | None = None):
        from simulator.scenario import load_scenario

        return load_scenario(self.scenario_path, variant=variant)

    @property
    def repeats(self) -> int:
        return 2 if self.quick else 5


Measurement = Callable[[Context], dict[str, Any]]
MEASUREMENTS: dict[str, Measurement] = {}


def measurement(name: str) -> Callable[[Measurement], Measurement]:
    """Register a measurement under `name` (its figures go under that key)."""

    def register(function: Measurement) -> Measurement:
        MEASUREMENTS[name] = function
        return function

    return register


def cpu_split_s() -> tuple[float, float]:
    """CPU seconds of this process, and of its child processes that have ended and been
    waited for (a pool's workers once the pool is joined): a driver's and its workers'."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def best_time_s(function: Callable[[], Any], repeats: int) -> float:
    """The fastest of `repeats` timed calls (the least disturbed by other work)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


# ------------------------------------------------------------------------------ simpy


def bare_simpy_timeouts_per_s(timeouts: int = 200_000, repeats: int = 5) -> float:
    """Bare SimPy: one process yielding `timeouts` timeouts; events per second."""
    import simpy

    def run() -> None:
        env = simpy.Environment()

        def ticker(env):
            for _ in range(timeouts):
                yield env.timeout(1.0)

        env.process(ticker(env))
        env.run()

    return timeouts / best_time_s(run, repeats)


@measurement("simpy")
def simpy_baseline(context: Context) -> dict[str, Any]:
    import simpy

    return {
        "bare_timeouts_per_s": round(bare_simpy_timeouts_per_s(repeats=context.repeats)),
        "simpy_version": simpy.__version__,
    }


def script_figures(script: str, *arguments: str) -> dict[str, Any]:
    """Run the Python `script` with `arguments` in a fresh interpreter (in the
    repository, so it imports this checkout) and return the JSON object its last line
    prints: what a measurement that needs a process of its own reports back."""
    import subprocess

    output = subprocess.run([sys.executable, "-c", script, *arguments], check=True,
                            capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- engine


@measurement("engine")
def engine(context: Context) -> dict[str, Any]:
    """One replication's cost: SimPy events, replications per second on one core, and
    the engine's event rate against bare SimPy timeouts measured in the same run. The
    event rate counts the whole engine replication (drawing the inputs from their named
    streams, the SimPy run, the History and the outcomes) without the consequence
    models; `run_phase` also leaves out the input draws, to show the cost of the
    processes themselves. `*_with_consequences` is `simulate` as the Monte Carlo runner
    calls it (flood, life loss and grid included, grid cache warm).

    Timings are the best of several short blocks, engine and bare SimPy interleaved, so
    that both see the same machine (other work on it slows both alike)."""
    from simulator.engine import prepare, simulate
    from simulator.engine.world import run

    scenario = prepare(context.scenario())
    seed = scenario.scenario.scenario.seed
    block = 100 if context.quick else 200
    table = scenario.inputs
    events = [run(scenario, table.typed(table.draw(seed, k)), seed, k).events
              for k in range(10 * block)]
    events_per_replication = sum(events) / len(events)
    indices = range(block)

    def engine_block() -> None:
        for k in indices:
            simulate(scenario, seed, k, consequences=False)

    def sampling_block() -> None:
        for k in indices:
            table.typed(table.draw(seed, k))

    def full_block() -> None:
        for k in indices:
            simulate(scenario, seed, k)

    def bare_block() -> None:
        bare_simpy_timeouts_per_s(timeouts=50_000, repeats=1)

    full_block()  # warm the grid model's per-process cache of dispatch states
    best = {"engine": math.inf, "sampling": math.inf, "full": math.inf, "bare": math.inf}
    for _ in range(4 * context.repeats):
        for name, function in (("bare", bare_block), ("engine", engine_block),
                               ("sampling", sampling_block), ("full", full_block)):
            best[name] = min(best[name], best_time_s(function, 1))
    total_s = best["engine"] / block
    sampling_s = best["sampling"] / block
    full_s = best["full"] / block
    bare = 50_000 / best["bare"]
    rate = events_per_replication / total_s
    run_phase_rate = events_per_replication / (total_s - sampling_s)
    return {
        "scenario": str(context.scenario_path.relative_to(ROOT)),
        "replications_per_block": block,
        "simpy_events_per_replication": round(events_per_replication, 1),
        "simpy_events_per_replication_max": max(events),
        "random_streams_per_replication": len({p.rsplit(".", 1)[0]
                                                for p in table.random_paths}),
        "random_inputs_per_replication": len(table.random_paths),
        "us_per_replication": round(total_s * 1e6, 1),
        "us_drawing_inputs_per_replication": round(sampling_s * 1e6, 1),
        "replications_per_s_one_core": round(1 / total_s),
        "engine_events_per_s": round(rate),
        "bare_simpy_timeouts_per_s": round(bare),
        "event_rate_ratio_to_bare_simpy": round(rate / bare, 3),
        "run_phase_event_rate_ratio_to_bare_simpy": round(run_phase_rate / bare, 3),
        "goal_event_rate_ratio": 0.4,
        "us_per_replication_with_consequences": round(full_s * 1e6, 1),
        "replications_per_s_one_core_with_consequences": round(1 / full_s),
    }


@measurement("flood_routing")
def flood_routing(context: Context) -> dict[str, Any]:
    """The fast flood routing's cost per breach replication: `simulate` (consequences
    included) of the first replications that breach against as many that do not, best
    of several blocks. The difference is the breach hydrograph, the routing of the flood
    down the river's compound sections (variable-parameter Muskingum-Cunge) and the
    life loss, which only breach replications pay."""
    from simulator.engine import prepare, simulate

    scenario = prepare(context.scenario())
    seed = scenario.scenario.scenario.seed
    breaching, dry, scanned = breaching_replications(scenario, seed, 5 if context.quick else 20)
    if not breaching:
        return {"breach_replications_found": 0}

    def block(indices: list[int]) -> Callable[[], None]:
        def run() -> None:
            for k in indices:
                simulate(scenario, seed, k)

        return run

    replay = _route_flood_replay(scenario, seed, breaching)
    best = {"breach": math.inf, "dry": math.inf, "routing": math.inf}
    for _ in range(2 * context.repeats):  # interleaved, so all three see the same machine
        for name, function in (("breach", block(breaching)), ("dry", block(dry)),
                               ("routing", replay)):
            best[name] = min(best[name], best_time_s(function, 1))
    breach_s = best["breach"] / len(breaching)
    dry_s = best["dry"] / len(dry)
    routing_s = best["routing"] / len(breaching)
    return {
        "scenario": str(context.scenario_path.relative_to(ROOT)),
        "breach_replications_timed": len(breaching),
        "ms_per_breach_replication": round(breach_s * 1e3, 2),
        "ms_per_replication_without_breach": round(dry_s * 1e3, 3),
        "ms_flood_and_life_loss_per_breach": round((breach_s - dry_s) * 1e3, 2),
        "breach_to_no_breach_ratio": round(breach_s / dry_s, 1),
        "ms_route_flood_per_breach": round(routing_s * 1e3, 2),
        "route_flood_share_of_breach_replication": round(routing_s / breach_s, 3),
        "breach_share_of_replications": round(len(breaching) / scanned, 4),
        "ms_route_flood_amortised_per_replication": round(
            routing_s * len(breaching) / scanned * 1e3, 3),
        "route_flood_amortised_to_no_breach_replication": round(
            routing_s * len(breaching) / scanned / dry_s, 3),
    }


def breaching_replications(scenario, seed: int, wanted: int) -> tuple[list[int], list[int], int]:
    """The first `wanted` replications of the prepared `scenario` that breach, as many
    that do not, and how many replications were scanned to find them."""
    from simulator.engine import simulate

    breaching: list[int] = []
    dry: list[int] = []
    scanned = 0
    for k in range(20_000):
        if len(breaching) >= wanted and len(dry) >= wanted:
            break
        scanned = k + 1
        breached = simulate(scenario, seed, k).outcomes.get("breach_started", 0.0) > 0.5
        group = breaching if breached else dry
        if len(group) < wanted:
            group.append(k)
    return breaching, dry, scanned


def route_flood_calls(scenario, seed: int, replications: list[int]) -> list[tuple[tuple, dict]]:
    """The arguments of each `flood.route_flood` call `simulate` makes on `replications`
    of the prepared `scenario`, recorded to replay."""
    import dataclasses

    from simulator.engine import simulate

    calls: list[tuple[tuple, dict]] = []
    fast = scenario.consequences.route_flood

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return fast(*args, **kwargs)

    recorded = dataclasses.replace(scenario, consequences=dataclasses.replace(
        scenario.consequences, route_flood=recording))
    for k in replications:
        simulate(recorded, seed, k)
    return calls


def _route_flood_replay(scenario, seed: int, replications: list[int]) -> Callable[[], None]:
    """A call of `flood.route_flood` alone on each breach of `replications`."""
    calls = route_flood_calls(scenario, seed, replications)
    fast = scenario.consequences.route_flood

    def replay() -> None:
        for args, kwargs in calls:
            fast(*args, **kwargs)

    return replay


# ------------------------------------------------------------------------- start-up

_WORKER_SCRIPT = """
import json, pickle, sys, time
start = time.perf_counter()
from simulator.montecarlo.batch import run_batch
imported = time.perf_counter()
with open(sys.argv[1], "rb") as handle:
    first, more = pickle.load(handle)
run_batch(first)
ready = time.perf_counter()
run_batch(more)
done = time.perf_counter()
heavy = ("scipy.stats", "scipy.signal", "pint", "dask", "pandas", "matplotlib")
print(json.dumps({"import_s": imported - start, "ready_s": ready - start,
                  "replication_s": (done - ready) / len(more.replications),
                  "imported": [name for name in heavy if name in sys.modules]}))
"""


@measurement("worker_startup")
def worker_startup(context: Context) -> dict[str, Any]:
    """What a fresh worker process pays before its first replication (a Dask worker, or
    a process pool that cannot fork): importing `simulator.montecarlo.batch`, unpickling
    the scenario, preparing it and running one replication, in a fresh interpreter; best
    of repeats. Compared with the cost of one replication in that warm worker: the
    start-up is worth that many replications, and with N replications per worker it caps
    parallel efficiency at N t / (N t + start). Also lists the heavy modules a worker
    should not import (none expected)."""
    import pickle
    import tempfile

    import numpy as np

    from simulator.montecarlo.batch import BatchTask

    scenario = context.scenario()
    seed = int(scenario.scenario.seed)

    def task(indices: np.ndarray) -> BatchTask:
        return BatchTask(scenario=scenario, scenario_key="bench", seed=seed,
                         replications=indices.astype(np.int64))

    more = 100 if context.quick else 400
    best: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as directory:
        tasks = Path(directory) / "tasks.pickle"
        tasks.write_bytes(pickle.dumps((task(np.arange(1)), task(np.arange(1, 1 + more)))))
        for _ in range(context.repeats):
            figures = script_figures(_WORKER_SCRIPT, str(tasks))
            if not best or figures["ready_s"] < best["ready_s"]:
                best = figures
    per_worker = 10_000  # 20,000 replications on 2 workers
    work_s = per_worker * best["replication_s"]
    return {
        "worker_import_s": round(best["import_s"], 3),
        "worker_ready_s": round(best["ready_s"], 3),
        "ms_per_replication_in_worker": round(best["replication_s"] * 1e3, 3),
        "start_up_in_replications": round(best["ready_s"] / best["replication_s"]),
        "efficiency_cap_10000_per_worker": round(work_s / (work_s + best["ready_s"]), 3),
        "heavy_modules_imported": best["imported"],
        "load_average": _load(),
    }


# ------------------------------------------------------------------------- montecarlo


def _monte_carlo_s(scenario, replications: int, **options: Any) -> tuple[float, dict]:
    """Wall time of one stored run (workers started inside) and its manifest."""
    import tempfile

    from simulator.montecarlo import run_monte_carlo

    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        result = run_monte_carlo(scenario, replications, out=Path(directory) / "run",
                                 **options)
        return time.perf_counter() - start, result.manifest


def _load() -> list[float]:
    import os

    return [round(x, 2) for x in os.getloadavg()]


@measurement("montecarlo_overhead")
def montecarlo_overhead(context: Context) -> dict[str, Any]:
    """The runner against a plain loop over `simulate()` in the same process, in CPU
    seconds (other work on the machine does not change them; wall seconds do). The serial
    executor plans batches, stores each as a chunk file and writes manifest.json and
    outcomes.csv; `without_store` is the same run without ``out`` (chunks in a temporary
    directory, no manifest and no outcomes.csv text). Best of interleaved repeats, caches
    warm."""
    import tempfile

    from simulator.engine import prepare, simulate
    from simulator.montecarlo import run_monte_carlo

    scenario = context.scenario()
    prepared = prepare(scenario)
    seed = scenario.scenario.seed
    replications = 400 if context.quick else 3000
    for k in range(600):  # warm the prepared grid's solved states
        simulate(prepared, seed, k)

    def cpu_s(function: Callable[[], Any]) -> float:
        start = time.process_time()
        function()
        return time.process_time() - start

    def plain() -> None:
        for k in range(replications):
            simulate(prepared, seed, k)

    def stored() -> None:
        with tempfile.TemporaryDirectory() as directory:
            run_monte_carlo(scenario, replications, executor="serial",
                            out=Path(directory) / "run")

    def in_memory() -> None:
        run_monte_carlo(scenario, replications, executor="serial")

    best = {"plain": float("inf"), "stored": float("inf"), "in_memory": float("inf")}
    for _ in range(context.repeats if context.quick else 3):
        for name, function in (("plain", plain), ("stored", stored), ("in_memory", in_memory)):
            best[name] = min(best[name], cpu_s(function))
    return {
        "replications": replications,
        "plain_loop_cpu_s": round(best["plain"], 3),
        "runner_serial_cpu_s": round(best["stored"], 3),
        "runner_serial_without_store_cpu_s": round(best["in_memory"], 3),
        "overhead": round(best["stored"] / best["plain"] - 1, 4),
        "overhead_without_store": round(best["in_memory"] / best["plain"] - 1, 4),
        "goal_overhead": 0.05,
        "load_average": _load(),
    }


@measurement("montecarlo_parallel")
def montecarlo_parallel(context: Context) -> dict[str, Any]:
    """Process executor with 2 workers against 1 (efficiency = t1 / (2 t2), wall time
    including starting the workers), and the Dask executor (LocalCluster, 2 workers)
    against the process executor: throughput ratio with and without starting workers.
    20,000 replications, as issue 18's goals are stated (1,500 with --quick); the
    command's own start-up (imports, loading) is in `cli_run` (measure_runner.py)."""
    scenario = context.scenario()
    replications = 1500 if context.quick else 20_000
    _monte_carlo_s(scenario, 50, executor="processes", workers=2)  # import the engine first
    one_s = two_s = dask_s = float("inf")
    for _ in range(1 if context.quick else 2):  # interleaved, best of each
        one_s = min(one_s, _monte_carlo_s(scenario, replications, executor="processes",
                                          workers=1)[0])
        time_s, manifest = _monte_carlo_s(scenario, replications, executor="processes",
                                          workers=2)
        if time_s < two_s:
            two_s, two = time_s, manifest
        time_s, manifest = _monte_carlo_s(scenario, replications, executor="dask", workers=2)
        if time_s < dask_s:
            dask_s, dask = time_s, manifest

    def start_s(manifest: dict) -> float:
        return float(manifest["sessions"][-1].get("executor_start_s", 0.0))

    two_run = two_s - start_s(two)
    dask_run = dask_s - start_s(dask)
    return {
        "replications": replications,
        "processes_1_worker_s": round(one_s, 2),
        "processes_2_workers_s": round(two_s, 2),
        "parallel_efficiency_2_vs_1": round(one_s / (2 * two_s), 3),
        "goal_parallel_efficiency": 0.9,
        "dask_2_workers_s": round(dask_s, 2),
        "dask_start_s": round(start_s(dask), 2),
        "dask_throughput_ratio_to_processes": round(two_s / dask_s, 3),
        "dask_throughput_ratio_to_processes_after_start": round(two_run / dask_run, 3),
        "goal_dask_throughput_ratio": 0.9,
        "replications_per_s_2_workers": round(replications / two_s),
        "load_average": _load(),
    }


_PEAK_SCRIPT = """
import json, resource, sys, tempfile, time
from pathlib import Path
from simulator.montecarlo import run_monte_carlo
from simulator.scenario import load_scenario
if __name__ == "__main__":
    scenario = load_scenario(sys.argv[1])
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        result = run_monte_carlo(scenario, int(sys.argv[2]), out=Path(directory) / "run")
        wall = time.perf_counter() - start
        csv_mb = (Path(directory) / "run" / "outcomes.csv").stat().st_size / 1e6
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (bigger) parent
    # through fork and exec, VmHWM belongs to this program's own memory map.
    status = Path("/proc/self/status")
    if status.exists():
        line = next(l for l in status.read_text().splitlines() if l.startswith("VmHWM"))
        peak_mb = int(line.split()[1]) / 1024
    else:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "done": result.done, "outcomes": len(result.outcomes),
                      "workers": result.manifest["workers"], "csv_mb": csv_mb,
                      "peak_rss_mb": peak_mb}))
"""


@measurement("montecarlo_scale")
def montecarlo_scale(context: Context) -> dict[str, Any]:
    """A big run of the reference scenario on all cores (processes executor), each in a
    fresh interpreter: wall time, and the driver's peak resident memory for a small and a
    big run (`montecarlo_memory` measures memory against run size). 100,000 replications
    (10,000 with --quick)."""
    def run(replications: int) -> dict[str, Any]:
        return script_figures(_PEAK_SCRIPT, str(context.scenario_path), str(replications))

    big_n = 10_000 if context.quick else 100_000
    small, big = run(1000), run(big_n)
    columns_mb = big["outcomes"] * 8 * (big_n - 1000) / 1e6
    return {
        "workers": big["workers"],
        "outcomes_per_replication": big["outcomes"],
        f"wall_s_{big_n}": round(big["wall_s"], 1),
        f"replications_per_s_{big_n}": round(big_n / big["wall_s"]),
        "goal_wall_s_100000": 60,
        "wall_s_1000": round(small["wall_s"], 1),
        "peak_rss_mb_1000": round(small["peak_rss_mb"], 1),
        f"peak_rss_mb_{big_n}": round(big["peak_rss_mb"], 1),
        "peak_rss_growth_mb": round(big["peak_rss_mb"] - small["peak_rss_mb"], 1),
        "outcome_columns_growth_mb": round(columns_mb, 1),
        f"outcomes_csv_mb_{big_n}": round(big["csv_mb"], 1),
        "load_average": _load(),
    }


@measurement("two_layer")
def two_layer(context: Context) -> dict[str, Any]:
    """A two-layer run (64 knowledge samples x 500 chance replications; 16 x 100 with
    --quick) and a Sobol run (Saltelli's design, 8 base samples over the knowledge
    inputs, 20 chance replications per point) of the reference scenario on all cores,
    each against a plain run of the same number of replications in this process."""
    from simulator.analysis.sobol import saltelli_points
    from simulator.montecarlo.knowledge import KnowledgeDesign, quantiles
    from simulator.scenario.inputs import input_specs, random_input_paths
    from simulator.scenario.layers import Layers

    scenario = context.scenario()
    samples, chance = (16, 100) if context.quick else (64, 500)
    layered_s, manifest = _monte_carlo_s(scenario, chance, knowledge=samples)
    plain_s, _ = _monte_carlo_s(scenario, samples * chance)
    paths = Layers.of(scenario, random_input_paths(scenario)).knowledge
    seed = int(scenario.scenario.seed)
    design = KnowledgeDesign(tuple(paths), quantiles(
        input_specs(scenario), paths, saltelli_points(paths, 8, seed), seed), 20, method="saltelli")
    sobol_s, _ = _monte_carlo_s(scenario, 20, knowledge=design)
    sobol_plain_s, _ = _monte_carlo_s(scenario, design.replications)
    return {
        "workers": manifest["workers"],
        "knowledge_inputs": len(paths),
        f"two_layer_wall_s_{samples}x{chance}": round(layered_s, 1),
        "two_layer_over_plain": round(layered_s / plain_s, 2),
        f"sobol_wall_s_{design.samples}x20": round(sobol_s, 1),
        "sobol_over_plain": round(sobol_s / sobol_plain_s, 2),
        "load_average": _load(),
    }


# ----------------------------------------------------------------------------- report


def _report_s(run: Path, out: Path) -> float:
    """Wall time of ``infrasim report RUN`` in a fresh interpreter, as a user runs it."""
    import subprocess

    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "simulator", "report", str(run), "-o", str(out)],
                   check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


@measurement("report")
def report(context: Context) -> dict[str, Any]:
    """``infrasim report`` on a stored 5,000-replication run of the reference scenario,
    made by the run workflow (so with its exhibits: timelines, load-shed sample), in a
    fresh interpreter each time (imports included): wall seconds, best of repeats, and
    as a ratio to the wall time of the run itself (workflow included). Also the report
    of the same run stored without exhibits, which the report makes first (a run made
    before they were stored, or by run_monte_carlo alone)."""
    import shutil
    import tempfile

    from simulator.report.exhibits import EXHIBITS
    from simulator.workflows import run_scenario

    replications = 5000
    with tempfile.TemporaryDirectory() as directory:
        run, bare = Path(directory) / "run", Path(directory) / "bare"
        start = time.perf_counter()
        result = run_scenario(context.scenario(), replications=replications, out=run)
        run_s = time.perf_counter() - start
        shutil.copytree(run, bare, ignore=shutil.ignore_patterns(EXHIBITS))
        without_s = _report_s(bare, Path(directory) / "bare.html")
        report_s = min(_report_s(run, Path(directory) / "report.html")
                       for _ in range(context.repeats))
        page_mb = (Path(directory) / "report.html").stat().st_size / 1e6
    return {
        "replications": replications,
        "workers": result.manifest["workers"],
        "run_s": round(run_s, 2),
        "report_s": round(report_s, 2),
        "goal_report_s": 3.0,
        "report_ratio_to_run": round(report_s / run_s, 3),
        "report_without_exhibits_s": round(without_s, 2),
        "report_mb": round(page_mb, 2),
        "load_average": _load(),
    }


_CHILD_PEAK_SCRIPT = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
run = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
print(json.dumps({"status": run.returncode, "stderr": run.stderr[-2000:],
                  "wall_s": time.perf_counter() - start,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def _child_peak(command: list[str]) -> dict[str, Any]:
    """Run `command` under a small interpreter of its own and return its wall time and
    peak resident memory: ``getrusage(RUSAGE_CHILDREN)`` there is the largest resident
    set of that one child (with any children it waited for), and a parent this small
    adds nothing to it (Linux carries a parent's peak over to a child it starts)."""
    figures = script_figures(_CHILD_PEAK_SCRIPT, *command)
    if figures["status"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {figures['stderr']}")
    return figures


@measurement("montecarlo_memory")
def montecarlo_memory(context: Context) -> dict[str, Any]:
    """Peak resident memory of ``infrasim run`` against the number of replications: the
    reference scenario with ``--executor serial --workers 1``, so one process runs,
    stores, summarises and makes the exhibits, each run in a fresh interpreter. Memory
    should be flat in N (outcomes go to chunk files; the summary and exhibits read their
    columns back one at a time, from a scratch file of them for a big run): the goal is
    1,000,000 replications under 500 MB. Runs 10k, 100k and 1M replications (1k, 10k and
    100k with --quick); 1M takes a quarter of an hour and about 6 GB of disk (chunks and
    the scratch columns), removed afterwards."""
    import shutil
    import tempfile

    sizes = (1_000, 10_000, 100_000) if context.quick else (10_000, 100_000, 1_000_000)
    figures: dict[str, Any] = {"executor": "serial"}
    with tempfile.TemporaryDirectory() as directory:
        for n in sizes:
            out = Path(directory) / f"run-{n}"
            run = _child_peak([sys.executable, "-m", "simulator", "run",
                               str(context.scenario_path), "-n", str(n), "--executor", "serial",
                               "--workers", "1", "--seed", "1", "--out", str(out), "--quiet"])
            shutil.rmtree(out)
            figures[f"peak_rss_mb_{n}"] = round(run["peak_rss_mb"], 1)
            figures[f"wall_s_{n}"] = round(run["wall_s"], 1)
    smallest, largest = figures[f"peak_rss_mb_{sizes[0]}"], figures[f"peak_rss_mb_{sizes[-1]}"]
    figures[f"peak_rss_ratio_{sizes[-1]}_to_{sizes[0]}"] = round(largest / smallest, 3)
    figures["goal_peak_rss_mb_1000000"] = 500
    figures["load_average"] = _load()
    return figures


# ------------------------------------------------------------------------------- main


def load_measurement_modules() -> None:
    """Import every ``benchmarks/measure_*.py``: each registers its own measurements with
    ``from bench import measurement`` (this module, under that name even when run as a
    script, so there is one registry)."""
    import importlib

    here = Path(__file__).resolve().parent
    sys.modules.setdefault("bench", sys.modules[__name__])
    if str(here) not in sys.path:
        sys.path.insert(0, str(here))
    for path in sorted(here.glob("measure_*.py")):
        importlib.import_module(path.stem)


def main(argv: list[str] | None = None) -> int:
    load_measurement_modules()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"measurements to run (default: all of {', '.join(MEASUREMENTS)})")
    parser.add_argument("--scenario", type=Path, default=None,
                        help="reference scenario (default: scenarios/haditha_2014.yaml)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller runs")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in MEASUREMENTS]
    if unknown:
        parser.error(f"unknown measurement(s) {unknown}; choose from {list(MEASUREMENTS)}")
    scenario_path = args.scenario or (REFERENCE_SCENARIO if REFERENCE_SCENARIO.exists()
                                      else FALLBACK_SCENARIO)
    context = Context(scenario_path=scenario_path.resolve(), quick=args.quick)
    figures: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    for name in args.names or MEASUREMENTS:
        figures[name] = MEASUREMENTS[name](context)
    json.dump(figures, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
