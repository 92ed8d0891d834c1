"""The engine: one replication of a scenario as a SimPy run.

`prepare(scenario)` compiles a scenario once (routes, samplers, river sections, the
grid's prepared network); `simulate(prepared, seed, replication)` is a module-level,
side-effect-free function returning a frozen, picklable `Replication`, so the Monte
Carlo runner can ship it to any process or Dask worker and replay any single replication
alone. `simulate_history` returns the same replication's `History`, the facts the
consequence models consume.

Modules: `rng` (named random streams), `inputs` (uncertain inputs, drawn into typed
values), `plan` (routes and triggers), `prepare` (the two, plus the consequence models),
`lanchester` (closed-form engagements), `forces` (movement and engagements), `dam` (dam
states and failure modes), `warning` (detection and dissemination), `world` (one
replication's environment and its outcomes), `history` (the hand-over to the consequence
models), `consequences_link` (History through the flood, life-loss and grid models),
`record` (typed events and the replication record), `timeline` (events rendered as
text, the readable tables).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Mapping, Sequence

import numpy as np

from ..scenario.schema import Scenario
from .history import History, LineCut
from .prepare import PreparedScenario, prepare
from .record import Event, EventKind, Replication

__all__ = ["Event", "EventKind", "History", "LineCut", "PreparedScenario", "Replication",
           "hourly_load_shed", "hourly_load_shed_of", "prepare", "simulate",
           "simulate_history"]


def _seed(scenario: Scenario, seed: int | None, replication: int) -> int:
    seed = scenario.scenario.seed if seed is None else seed
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    if not isinstance(replication, int) or isinstance(replication, bool) or replication < 0:
        raise ValueError(f"replication must be an integer >= 0, got {replication!r}")
    return seed


def simulate(scenario: Scenario | PreparedScenario, seed: int | None = None,
             replication: int = 0, timeline: bool = False, *, consequences: bool = True,
             pinned: Mapping[str, float] | None = None) -> Replication:
    """Run replication `replication` of a scenario (seed defaults to the scenario's).

    Pass a `PreparedScenario` (from `prepare`) when running many replications; a plain
    `Scenario` is prepared for this one call. The outcomes depend only on (scenario,
    seed, replication): each component draws from its own named stream, so a replication
    computed alone equals the same one computed in any batch. With ``timeline=True`` the
    record also carries the typed events, the flood's arrival at each town included.
    With ``consequences=False`` only the engine's own outcomes are computed (no flood,
    life loss or grid models; see `consequences_link`). `pinned` maps input paths
    (``forces.isil_column.strength``) to values used instead of their draws, every other
    input drawn as usual (branch forecasts of the tabletop exercise).
    """
    from .consequences_link import consequences as consequence_outcomes
    from .world import run

    prepared = prepare(scenario, consequences=consequences)
    seed = _seed(prepared.scenario, seed, replication)
    table = prepared.inputs
    values = table.draw(seed, replication, pinned)
    inputs = table.typed(values)
    result = run(prepared, inputs, seed, replication, timeline)
    outcomes = result.outcomes
    outcomes.update(table.engine_columns.of(values))
    events = result.timeline
    if consequences:
        found = consequence_outcomes(prepared.consequences, result.history, inputs)
        outcomes.update(found.outcomes)
        outcomes.update(table.consequence_columns.of(values))
        if events is not None and found.flood_events:
            merged = list(events)
            for event in found.flood_events:  # after the engine's events of the same time
                insort(merged, event, key=lambda e: e.time_s)
            events = tuple(merged)
    return Replication(seed, replication, outcomes, events)


def simulate_history(scenario: Scenario | PreparedScenario, seed: int | None = None,
                     replication: int = 0) -> History:
    """The `History` of one replication: breach, warning, outages and line cuts."""
    from .world import run

    prepared = prepare(scenario, consequences=False)
    seed = _seed(prepared.scenario, seed, replication)
    table = prepared.inputs
    return run(prepared, table.typed(table.draw(seed, replication)), seed, replication).history


def hourly_load_shed(scenario: Scenario | PreparedScenario, seed: int,
                     replications: Sequence[int]) -> tuple[np.ndarray, np.ndarray] | None:
    """Load shed, MWh in each hour of the horizon (the mean MW over the hour), for each
    of `replications` (an array of replications x hours), and the same for the grid with
    nothing out (the shortage before any attack); None when the grid has no loads.

    The run store keeps one number per outcome per replication; this is the series a
    fan chart of load shed needs, for a sample of replications.
    """
    prepared = prepare(scenario)
    if prepared.consequences.baseline is None:  # no loads: nothing to rerun
        return None
    return hourly_load_shed_of(prepared, [simulate_history(prepared, seed, int(k))
                                          for k in replications])


def hourly_load_shed_of(scenario: Scenario | PreparedScenario, histories: Sequence[History]
                        ) -> tuple[np.ndarray, np.ndarray] | None:
    """`hourly_load_shed` of replications whose `History` is at hand (from
    `simulate_history`), so a caller that also reads other facts of the same replications
    (their plant outages, say) runs each of them once."""
    from .consequences_link import grid_result

    models = prepare(scenario).consequences
    if models.baseline is None:
        return None
    rows = [grid_result(models, history).hourly_unserved_mwh for history in histories]
    baseline = np.asarray(models.baseline.hourly_unserved_mwh, dtype=np.float64)
    if not rows:
        return np.empty((0, baseline.size)), baseline
    return np.stack(rows).astype(np.float64), baseline
