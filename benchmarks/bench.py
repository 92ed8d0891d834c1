"""Benchmarks of infrasim: each measurement prints figures, all merged into one JSON object.

Usage::

    python benchmarks/bench.py                  # every measurement
    python benchmarks/bench.py engine           # only some, by name
    python benchmarks/bench.py --quick          # fewer repeats (a smoke test)
    python benchmarks/bench.py --scenario FILE  # another reference scenario

A measurement is a function ``f(context) -> dict`` registered with ``@measurement(name)``;
its figures appear under ``name`` in the output. Speeds are compared as ratios measured in
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
    from simulator.engine import simulate
    from simulator.engine.plan import compile_plan, sample_inputs
    from simulator.engine.world import run

    scenario = context.scenario()
    seed = scenario.scenario.seed
    block = 100 if context.quick else 200
    events = [run(scenario, seed, k).events for k in range(10 * block)]
    events_per_replication = sum(events) / len(events)
    plan = compile_plan(scenario)
    indices = range(block)

    def engine_block() -> None:
        for k in indices:
            simulate(scenario, seed, k, consequences=False)

    def sampling_block() -> None:
        for k in indices:
            sample_inputs(plan, seed, k)

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
        "random_streams_per_replication": len(plan.components),
        "random_inputs_per_replication": len(plan.input_paths),
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


# ------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
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
