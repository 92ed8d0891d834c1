"""The engine: one replication of a scenario as a SimPy run.

`simulate(scenario, seed, replication)` is a module-level, side-effect-free function
returning a frozen, picklable `Replication`, so the Monte Carlo runner can ship it to any
process or Dask worker and replay any single replication alone. `simulate_history`
returns the same replication's `History`, the facts the consequence models consume.

Modules: `rng` (named random streams), `plan` (routes and uncertain inputs, compiled
once per scenario), `lanchester` (closed-form engagements), `forces` (movement and
engagements), `dam` (dam states and failure modes), `warning` (detection and
dissemination), `world` (one replication's environment and its outcomes), `history`
(the hand-over to the consequence models), `consequences_link` (History through the
flood, life-loss and grid models), `timeline` (the readable table).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..scenario.schema import Scenario
from .history import History, LineCut
from .record import Event, Replication

__all__ = ["Event", "History", "LineCut", "Replication", "simulate", "simulate_history"]


def _seed(scenario: Scenario, seed: int | None, replication: int) -> int:
    seed = scenario.scenario.seed if seed is None else seed
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    if not isinstance(replication, int) or isinstance(replication, bool) or replication < 0:
        raise ValueError(f"replication must be an integer >= 0, got {replication!r}")
    return seed


def simulate(scenario: Scenario, seed: int | None = None, replication: int = 0,
             timeline: bool = False, *, consequences: bool = True,
             pinned: Mapping[str, float] | None = None) -> Replication:
    """Run replication `replication` of `scenario` (seed defaults to the scenario's).

    The outcomes depend only on (scenario, seed, replication): each component draws from
    its own named stream, so a replication computed alone equals the same one computed
    in any batch. With ``timeline=True`` the record also carries the typed events. With
    ``consequences=False`` only the engine's own outcomes are computed (no flood, life
    loss or grid models; see `consequences_link`). `pinned` maps input paths
    (``forces.isil_column.strength``) to values used instead of their draws, every other
    input drawn as usual (branch forecasts of the tabletop exercise).
    """
    from .world import run

    seed = _seed(scenario, seed, replication)
    result = run(scenario, seed, replication, timeline, pinned)
    outcomes = result.outcomes
    if consequences:
        from .consequences_link import consequence_outcomes

        outcomes.update(consequence_outcomes(scenario, result.history))
    return Replication(seed, replication, outcomes, result.timeline)


def simulate_history(scenario: Scenario, seed: int | None = None,
                     replication: int = 0) -> History:
    """The `History` of one replication: breach, warning, outages and line cuts."""
    from .world import run

    return run(scenario, _seed(scenario, seed, replication), replication).history
