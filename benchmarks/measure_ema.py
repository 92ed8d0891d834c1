"""infrasim against EMA Workbench running the same model with the same number of processes.

The model is infrasim's reference replication: `simulator.engine.simulate` on the
prepared reference scenario, with the scenario's seed, returning a handful of headline
outcomes (`HEADLINE`). EMA Workbench runs it as a function `Model` whose one uncertainty
is the replication index; infrasim runs it with `run_monte_carlo` and the same outcomes.

Both do the same work: EMA is given the explicit design ``replication = 0 .. N-1`` (one
`Scenario` each), which is what infrasim runs, so both see the same breaching
replications (a breach costs tens of times a replication without one). Sampling
the index instead (LHS over an `IntegerParameter`) would repeat some indices and miss
others and so change the work. In both, each worker process prepares the scenario once,
on its first replication, and both pools fork from this process with the engine already
imported. Wall times include starting and stopping the workers; the runs are
interleaved, best of repeats.

EMA Workbench is a benchmark-only dependency (``pip install -e .[bench]``); without it
the measurement says so in its figures.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from typing import Any

from bench import Context, _load, cpu_split_s, measurement

HEADLINE = ("dam_captured", "breach_started", "fatalities", "unserved_energy_mwh",
            "peak_shed_mw")
WORKERS = 2


def headline_outcomes(prepared: Any, seed: int, replication: int) -> dict[str, float]:
    """The headline outcomes of one reference replication (the work both tools run)."""
    from simulator.engine import simulate

    outcomes = simulate(prepared, seed, replication).outcomes
    return {name: outcomes[name] for name in HEADLINE}


def headline_replication(prepared: Any, seed: int, replication: int) -> Any:
    """`simulate` with only the headline outcomes: infrasim's replication function here
    (``replicate=``), so that both tools collect the same outcomes."""
    from simulator.engine.record import Replication

    return Replication(seed, replication, headline_outcomes(prepared, seed, replication))


class ReferenceReplication:
    """The EMA model function: ``replication=k`` in, headline outcomes out.

    EMA calls a model function with keyword arguments only, so the scenario travels with
    the function; like an infrasim worker, each process prepares it on its first call
    and keeps it (the pool forks after this object is built, before any call)."""

    def __init__(self, scenario: Any) -> None:
        self.scenario = scenario
        self.seed = int(scenario.scenario.seed)
        self._prepared: Any = None

    def __call__(self, replication: int) -> dict[str, float]:
        if self._prepared is None:
            from simulator.engine import prepare

            self._prepared = prepare(self.scenario)
        return headline_outcomes(self._prepared, self.seed, int(replication))


def ema_model(scenario: Any, replications: int) -> Any:
    """The reference replication as an EMA function `Model`."""
    from ema_workbench import IntegerParameter, Model, ScalarOutcome

    model = Model("infrasim", function=ReferenceReplication(scenario))
    model.uncertainties = [IntegerParameter("replication", 0, replications - 1)]
    model.outcomes = [ScalarOutcome(name) for name in HEADLINE]
    return model


def ema_run(scenario: Any, replications: int) -> dict[str, Any]:
    """Run replications 0..N-1 with EMA's MultiprocessingEvaluator: outcomes, timings."""
    from ema_workbench import MultiprocessingEvaluator
    from ema_workbench import Scenario as EmaScenario

    with _Clock() as clock:
        model = ema_model(scenario, replications)
        design = [EmaScenario(replication=k) for k in range(replications)]
        with MultiprocessingEvaluator(model, n_processes=WORKERS) as evaluator:
            # log_progress: a log line every N/10 experiments (to no handler) instead of
            # a progress bar, as infrasim runs without one
            experiments, outcomes = evaluator.perform_experiments(scenarios=design,
                                                                  log_progress=True)
    order = experiments["replication"].to_numpy().argsort()
    return {**clock.figures, "outcomes": {name: outcomes[name][order] for name in HEADLINE}}


def infrasim_run(scenario: Any, replications: int) -> dict[str, Any]:
    """Run replications 0..N-1 with infrasim's process pool: outcomes, timings."""
    from simulator.montecarlo import run_monte_carlo

    with _Clock() as clock:
        result = run_monte_carlo(scenario, replications, executor="processes",
                                 workers=WORKERS, replicate=headline_replication)
        outcomes = {name: result.outcomes[name] for name in HEADLINE}
    return {**clock.figures, "outcomes": outcomes}


class _Clock:
    """Wall time of a block, and the CPU time this process and the worker processes it
    waited for spent in it (where a tool's time goes: its driver or its workers)."""

    def __enter__(self) -> _Clock:
        self._start = self._now()
        return self

    def __exit__(self, *exc: object) -> None:
        end = self._now()
        self.figures = {key: end[key] - self._start[key] for key in end}

    @staticmethod
    def _now() -> dict[str, float]:
        driver_s, workers_s = cpu_split_s()
        return {"wall_s": time.perf_counter(), "driver_cpu_s": driver_s,
                "workers_cpu_s": workers_s}


def plain_loop_s(scenario: Any, replications: int) -> float:
    """CPU seconds per replication of the model alone: a loop in this process, warm."""
    from simulator.engine import prepare

    prepared = prepare(scenario)
    seed = int(scenario.scenario.seed)
    headline_outcomes(prepared, seed, 0)
    start = time.process_time()
    for k in range(replications):
        headline_outcomes(prepared, seed, k)
    return (time.process_time() - start) / replications


def same_outcomes(ema: dict[str, Any], infrasim: dict[str, Any]) -> bool:
    """Whether both runs returned the same headline outcomes (so did the same work)."""
    import numpy as np

    return all(np.array_equal(np.asarray(ema[name], float), np.asarray(infrasim[name], float),
                              equal_nan=True) for name in HEADLINE)


def _cpu_us(run: dict[str, Any], replications: int, model_s: float) -> dict[str, float]:
    """CPU per replication in the driver and in the workers, and their sum less the model
    alone (the tool's own cost; both tools pay the same worker start-up in it)."""
    driver, workers = (run[key] / replications * 1e6 for key in ("driver_cpu_s",
                                                                  "workers_cpu_s"))
    return {"driver_cpu_us_per_replication": round(driver, 1),
            "workers_cpu_us_per_replication": round(workers, 1),
            "cpu_us_per_replication_over_plain_loop": round(driver + workers - model_s * 1e6, 1)}


def _cpu_s(run: dict[str, Any]) -> float:
    return run["driver_cpu_s"] + run["workers_cpu_s"]


def _best_runs(scenario: Any, replications: int, repeats: int) -> dict[str, Any]:
    """The fastest of `repeats` runs of each tool and of the plain loop, interleaved so
    that all three see the same machine."""
    timed = {"infrasim": infrasim_run, "ema": ema_run}
    best: dict[str, Any] = {"plain_loop_s": math.inf}
    for _ in range(repeats):
        for name, run in timed.items():
            figures = run(scenario, replications)
            if name not in best or figures["wall_s"] < best[name]["wall_s"]:
                best[name] = figures
        best["plain_loop_s"] = min(best["plain_loop_s"],
                                   plain_loop_s(scenario, min(replications, 2000)))
    return best


def _import_ema_workbench() -> Any:
    """The `ema_workbench` module, or None where it is not installed; quiet about the
    optional evaluator (ipyparallel) that this comparison does not use."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed")
        try:
            import ema_workbench
        except ImportError:
            return None
    return ema_workbench


@measurement("ema_workbench")
def ema_workbench(context: Context) -> dict[str, Any]:
    """Throughput (replications per second) of infrasim and of EMA Workbench on the
    reference replication, 2 worker processes each, start-up included: 10,000
    replications (2,000 with --quick), interleaved, best of 2. Also the
    CPU each spends per replication in its driver process and in its workers, against
    the model alone in a plain loop: the difference is the tool's own overhead. The
    ratio of their CPU (driver and workers) moves less with other work on the machine
    than the ratio of wall times, which an oversubscribed machine skews: there EMA's
    three busy processes get a bigger share of the cores than infrasim's two."""
    ema = _import_ema_workbench()
    if ema is None:
        return {"skipped": "ema_workbench is not installed (pip install -e .[bench])"}
    scenario = context.scenario()
    replications = 2000 if context.quick else 10_000
    infrasim_run(scenario, 200)  # import what both pools fork with
    best = _best_runs(scenario, replications, repeats=2)  # the full run within 2 minutes
    infrasim, ema_best, model_s = best["infrasim"], best["ema"], best["plain_loop_s"]
    return {
        "ema_workbench_version": ema.__version__,
        "replications": replications,
        "workers": WORKERS,
        "outcomes": list(HEADLINE),
        "same_outcomes": same_outcomes(ema_best["outcomes"], infrasim["outcomes"]),
        "infrasim_replications_per_s": round(replications / infrasim["wall_s"]),
        "ema_replications_per_s": round(replications / ema_best["wall_s"]),
        "throughput_ratio_infrasim_to_ema": round(ema_best["wall_s"] / infrasim["wall_s"], 2),
        "goal_throughput_ratio": 3.0,
        "cpu_ratio_ema_to_infrasim": round(_cpu_s(ema_best) / _cpu_s(infrasim), 2),
        "infrasim_wall_s": round(infrasim["wall_s"], 2),
        "ema_wall_s": round(ema_best["wall_s"], 2),
        "model_cpu_us_per_replication_plain_loop": round(model_s * 1e6, 1),
        "infrasim": _cpu_us(infrasim, replications, model_s),
        "ema": _cpu_us(ema_best, replications, model_s),
        "cpu_cores": os.cpu_count(),
        "load_average": _load(),
    }
