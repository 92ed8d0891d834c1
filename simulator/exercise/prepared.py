"""The scenarios of one exercise session, each prepared once, sharing what they can.

A session meets many scenarios: the story's as it stands and, at every decision, one
per option (the story's with the option's overrides). Each is prepared once, when it
first runs (its story replay at the option check), and the same preparation serves the
option's refusal checks, its story, its branch forecast and, once chosen, the story's
next decisions and forecasts; a scenario is never prepared again.

Equal parts are shared. Options seldom change the power grid, and each preparation
builds its own `grid.PreparedGrid`, whose cache of solved dispatch states starts
cold: a few hundred linear programs, milliseconds each, solved again per option and
decision. Every scenario whose grid network is equal (same buses, lines, generators,
plant output and loads) uses the first such preparation's grid instead, so a state
solved for one option or decision is solved for all. And options run the same branches
(common random numbers), so a branch often breaches alike under several options (an
option that acts on the warning, or one that does not touch what happens at the dam):
the flood routing of each distinct breach (hydrograph, drawn river sections, towns) is
kept and reused. Both are pure functions of their arguments, so every outcome is what
the scenario prepared on its own gives, to the last bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..engine import PreparedScenario, prepare
from ..engine.consequences_link import grid_network
from ..scenario.schema import Scenario

__all__ = ["FloodMemo", "Preparations"]

FLOODS_KEPT = 512  # distinct breaches whose routing is kept before the memo starts over


class FloodMemo:
    """A flood routing (`consequences_link.FLOOD_ROUTING`) that remembers its answers:
    the town impacts of each distinct set of arguments are routed once."""

    def __init__(self, route_flood: Callable[..., list[Any]]) -> None:
        self.route_flood = route_flood
        self._impacts: dict[tuple, tuple[Any, ...]] = {}

    def __call__(self, times_s: Sequence[float] | np.ndarray,
                 inflow_m3s: Sequence[float] | np.ndarray, reaches: Sequence[Any],
                 distances_m: Sequence[float], **options: float) -> list[Any]:
        """The town impacts of `route_flood` with these arguments (a fresh list)."""
        key = (_array_key(times_s), _array_key(inflow_m3s), tuple(reaches),
               tuple(distances_m), tuple(sorted(options.items())))
        impacts = self._impacts.get(key)
        if impacts is None:
            if len(self._impacts) >= FLOODS_KEPT:
                self._impacts.clear()
            impacts = self._impacts[key] = tuple(
                self.route_flood(times_s, inflow_m3s, reaches, distances_m, **options))
        return list(impacts)


def _array_key(values: Sequence[float] | np.ndarray) -> tuple[str, tuple[int, ...], bytes]:
    array = np.asarray(values)
    return array.dtype.str, array.shape, array.tobytes()


class Preparations:
    """Each scenario of a session prepared once (`__call__`), with the grid of equal
    networks and the flood routing shared among them (see the module docstring)."""

    def __init__(self) -> None:
        self._prepared: dict[int, tuple[Scenario, PreparedScenario]] = {}
        self._grids: dict[Any, Any] = {}
        self._floods: dict[Callable[..., list[Any]], FloodMemo] = {}

    def __call__(self, scenario: Scenario | PreparedScenario) -> PreparedScenario:
        """`scenario` prepared with its consequence models, the first time it is asked
        for; the same object after that (a prepared scenario is returned as it is)."""
        if isinstance(scenario, PreparedScenario):
            return scenario
        found = self._prepared.get(id(scenario))
        if found is not None and found[0] is scenario:
            return found[1]
        prepared = self._shared(prepare(scenario))
        self._prepared[id(scenario)] = (scenario, prepared)  # kept: the id stays unique
        return prepared

    def _shared(self, prepared: PreparedScenario) -> PreparedScenario:
        models = prepared.consequences
        network = grid_network(prepared.scenario)
        grid = models.grid if network is None else self._grids.setdefault(network, models.grid)
        route_flood = self._floods.setdefault(models.route_flood, FloodMemo(models.route_flood))
        return replace(prepared, consequences=replace(models, grid=grid, route_flood=route_flood))
