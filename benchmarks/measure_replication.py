"""One reference replication against bare SimPy running the same events in as many processes.

The issue's goal: a replication of the reference scenario (engine and consequence
models, warm) costs at most 4x bare SimPy running the same number of events and
processes. The bare model is the least any SimPy model of the scenario could cost: an
environment, its processes started, and that many timeouts processed, nothing else.
Both are timed as CPU seconds over the same replications, interleaved and best of
several repeats, so the ratio holds on a shared machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench import Context, measurement


def _bare_simpy(events: int, processes: int, horizon_s: float) -> None:
    """A SimPy environment with `processes` processes sharing `events` timeouts."""
    import simpy

    env = simpy.Environment()
    share, extra = divmod(events, processes)

    def process(count: int):
        step = horizon_s / (count + 1)
        for _ in range(count):
            yield env.timeout(step)

    for p in range(processes):
        env.process(process(share + (1 if p < extra else 0)))
    env.run(until=horizon_s)


def _count_processes(prepared, seed: int, replications: range) -> float:
    """Mean SimPy processes started per replication (Environment.process calls)."""
    import simpy

    from simulator.engine import simulate

    calls = 0
    original = simpy.Environment.__dict__["process"]  # the descriptor, restored as it was

    def counting(env, generator):
        nonlocal calls
        calls += 1
        return simpy.Process(env, generator)

    simpy.Environment.process = counting
    try:
        for k in replications:
            simulate(prepared, seed, k, consequences=False)
    finally:
        simpy.Environment.process = original
    return calls / len(replications)


def cpu_us_per_replication(blocks: dict[str, Callable[[], Any]], count: int,
                           rounds: int) -> dict[str, float]:
    """CPU microseconds per replication of each block of `count` replications: the
    blocks interleaved `rounds` times, the best of each kept (the least disturbed)."""
    best = dict.fromkeys(blocks, float("inf"))
    for _ in range(rounds):
        for name, block in blocks.items():
            start = time.process_time()
            block()
            best[name] = min(best[name], time.process_time() - start)
    return {name: seconds / count * 1e6 for name, seconds in best.items()}


@measurement("replication")
def replication(context: Context) -> dict[str, Any]:
    """CPU per reference replication (with and without the consequence models, inputs
    drawn as a run draws them) over bare SimPy with the same mean events and processes."""
    from simulator.engine import prepare, simulate
    from simulator.engine.world import run

    prepared = prepare(context.scenario())
    seed = prepared.scenario.scenario.seed
    count = 500 if context.quick else 3000
    replications = range(count)
    table = prepared.inputs
    events = sum(run(prepared, table.typed(table.draw(seed, k)), seed, k).events
                 for k in replications) / count
    processes = _count_processes(prepared, seed, replications)
    horizon_s = prepared.plan.horizon_s
    for k in replications:  # warm the grid's solved states
        simulate(prepared, seed, k)

    blocks = {
        "full": lambda: [simulate(prepared, seed, k) for k in replications],
        "engine": lambda: [simulate(prepared, seed, k, consequences=False)
                           for k in replications],
        "bare": lambda: [_bare_simpy(round(events), round(processes), horizon_s)
                         for _ in replications],
    }
    per = cpu_us_per_replication(blocks, count, context.repeats if context.quick else 3)
    return {
        "replications": count,
        "simpy_events_per_replication": round(events, 1),
        "simpy_processes_per_replication": round(processes, 2),
        "us_bare_simpy": round(per["bare"], 1),
        "us_engine_only": round(per["engine"], 1),
        "us_with_consequences": round(per["full"], 1),
        "ratio_engine_only_to_bare_simpy": round(per["engine"] / per["bare"], 2),
        "ratio_with_consequences_to_bare_simpy": round(per["full"] / per["bare"], 2),
        "goal_ratio_with_consequences": 4.0,
    }
