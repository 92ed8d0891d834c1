"""The engine's own parts of a reference replication, apart from drawing its inputs.

`replication` (measure_replication.py) times whole replications; this splits out what
the engine adds around SimPy, with the inputs drawn beforehand so that the drawing's
cost (its own measurement) does not hide it:

- ``world``: `world.run` on drawn inputs: set-up, the SimPy processes, the History and
  the outcome row, against bare SimPy with the same mean events and processes;
- ``consequences_no_breach``: `consequences_link.consequences` on the replications
  without a breach (outcome rows of no flood, the grid with or without outages),
  averaged over every replication as a run pays it;
- ``consequences_per_breach``: the same on a breach (breach, flood routing, life loss).

CPU seconds, best of several repeats, the parts interleaved with the bare model.
"""

from __future__ import annotations

from typing import Any

from bench import Context, measurement
from measure_replication import _bare_simpy, _count_processes, cpu_us_per_replication


@measurement("engine_parts")
def engine_parts(context: Context) -> dict[str, Any]:
    """CPU per replication of the World run and of the consequences, inputs drawn
    beforehand, and the World run's ratio to bare SimPy."""
    from simulator.engine import prepare
    from simulator.engine.consequences_link import consequences
    from simulator.engine.world import run

    prepared = prepare(context.scenario())
    seed = prepared.scenario.scenario.seed
    count = 500 if context.quick else 2000
    replications = range(count)
    table = prepared.inputs
    drawn = [table.typed(table.draw(seed, k)) for k in replications]
    runs = [run(prepared, drawn[k], seed, k) for k in replications]
    events = sum(r.events for r in runs) / count
    processes = _count_processes(prepared, seed, replications)
    quiet = [(r.history, drawn[k]) for k, r in enumerate(runs) if not r.history.breached]
    breaches = [(r.history, drawn[k]) for k, r in enumerate(runs) if r.history.breached]
    models = prepared.consequences
    for history, inputs in quiet:  # warm the grid's solved states
        consequences(models, history, inputs)
    horizon_s = prepared.plan.horizon_s

    blocks = {
        "world": lambda: [run(prepared, drawn[k], seed, k) for k in replications],
        "quiet": lambda: [consequences(models, h, i) for h, i in quiet],
        "breaches": lambda: [consequences(models, h, i) for h, i in breaches],
        "bare": lambda: [_bare_simpy(round(events), round(processes), horizon_s)
                         for _ in replications],
    }
    per = cpu_us_per_replication(blocks, count, context.repeats if context.quick else 3)
    return {
        "replications": count,
        "breaches": len(breaches),
        "simpy_events_per_replication": round(events, 1),
        "simpy_processes_per_replication": round(processes, 2),
        "us_bare_simpy": round(per["bare"], 1),
        "us_world": round(per["world"], 1),
        "ratio_world_to_bare_simpy": round(per["world"] / per["bare"], 2),
        "us_consequences_no_breach": round(per["quiet"], 1),
        "ms_consequences_per_breach": round(per["breaches"] * count / len(breaches) / 1e3, 2)
        if breaches else None,
        "us_consequences_breaches_amortised": round(per["breaches"], 1),
    }
