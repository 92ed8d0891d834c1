"""A scenario compiled once for the engine: routes, uncertain inputs and their streams.

Everything that does not depend on the seed is worked out here and cached per
`Scenario` object, so a replication only draws its random inputs and runs its events.
Routes are fixed plans: an explicit ``route``, or the shortest path by *expected* travel
time (road time from the means of speed or travel time, plus the mean road delay and
the mean halt at every intermediate node), the path a commander would plan before
knowing how each road will go.

Each uncertain input belongs to one component, and each component has its own random
stream named by its path in the scenario (``forces.isil_column``,
``network.roads.anah_haditha``, ``assets.dam.failure_modes.breach``, ...); the inputs are
recorded as outcomes ``input.<component>.<field>`` with the model's SI field names
(``input.forces.isil_column.effectiveness_per_s``).
"""

from __future__ import annotations

import heapq
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..scenario.distributions import Distribution
from ..scenario.schema import Scenario
from .rng import StreamSet

__all__ = ["Component", "ForcePlan", "Leg", "Plan", "compile_plan", "expected_road_time_s",
           "input_specs", "sample_inputs"]

# Nodes that change hands when attackers reach them undefended; a junction does not.
CAPTURABLE_KINDS = frozenset({"town", "city", "dam", "border", "base", "checkpoint"})
TOWN_KINDS = frozenset({"town", "city"})


@dataclass(frozen=True)
class Leg:
    """One road segment of a force's route."""

    road: str
    origin: str
    destination: str


@dataclass(frozen=True)
class ForcePlan:
    """What one force will do, independent of the random draws."""

    id: str
    side: str
    start: str
    legs: tuple[Leg, ...]
    trigger_node: str | None
    trigger_time_s: float | None

    @property
    def destination(self) -> str:
        return self.legs[-1].destination if self.legs else self.start

    @property
    def is_reinforcement(self) -> bool:
        """A defender that is not in place from the start: it moves or waits a trigger."""
        return self.side == "defender" and (bool(self.legs) or self.trigger_node is not None
                                            or self.trigger_time_s is not None)


@dataclass(frozen=True)
class Component:
    """A group of uncertain inputs drawn from one named stream, in a fixed order."""

    name: str
    draws: tuple[tuple[str, Callable[[np.random.Generator], float]], ...]  # (path, draw)


@dataclass(frozen=True)
class Plan:
    scenario: Scenario
    horizon_s: float
    forces: tuple[ForcePlan, ...]
    fixed_values: dict[str, float]  # every input that is not random, by path
    components: tuple[Component, ...]  # every component with at least one random draw
    input_paths: tuple[str, ...]  # the random inputs' paths, recorded as input.<path>
    streams: StreamSet
    town_nodes: tuple[str, ...]  # nodes of kind town or city, for capture outcomes
    lines_by_node: dict[str, tuple[str, ...]]  # node -> lines cut when it is captured
    trigger_nodes: frozenset[str]
    # road -> (length in m, or None when the time is given; drive input path; delay path)
    road_inputs: dict[str, tuple[float | None, str, str]]
    input_outcomes: tuple[tuple[str, str], ...]  # (outcome name, input path)
    capture_outcomes: tuple[tuple[str, str], ...]  # (outcome name, town node)


def expected_road_time_s(scenario: Scenario, road_id: str) -> float:
    """Mean time to drive a road: length over mean speed (or mean travel time) plus the
    mean delay on it."""
    road = scenario.network.roads[road_id]
    if road.travel_time_s is not None:
        drive = road.travel_time_s.mean
    else:
        drive = road.length_m / road.speed_mps.mean
    return drive + road.delay_s.mean


def _adjacency(scenario: Scenario) -> dict[str, list[tuple[str, str]]]:
    """node -> [(neighbour, road id)], both directions of a two-way road."""
    links: dict[str, list[tuple[str, str]]] = {n: [] for n in scenario.network.nodes}
    for road_id, road in scenario.network.roads.items():
        links[road.from_node].append((road.to_node, road_id))
        if road.two_way:
            links[road.to_node].append((road.from_node, road_id))
    return links


def shortest_route(scenario: Scenario, start: str, goal: str) -> tuple[Leg, ...]:
    """The route of least expected time from `start` to `goal` (Dijkstra; ties go to
    the alphabetically first node so the plan is the same on every machine)."""
    links = _adjacency(scenario)
    nodes = scenario.network.nodes
    best = {start: 0.0}
    previous: dict[str, tuple[str, str]] = {}
    queue = [(0.0, start)]
    done: set[str] = set()
    while queue:
        cost, here = heapq.heappop(queue)
        if here in done:
            continue
        done.add(here)
        if here == goal:
            break
        halt = 0.0 if here == start else nodes[here].halt_s.mean
        for there, road_id in sorted(links[here]):
            new_cost = cost + halt + expected_road_time_s(scenario, road_id)
            if new_cost < best.get(there, math.inf):
                best[there] = new_cost
                previous[there] = (here, road_id)
                heapq.heappush(queue, (new_cost, there))
    if goal not in done:
        raise ValueError(f"no road leads from '{start}' to '{goal}'")  # checks.py prevents it
    legs = []
    node = goal
    while node != start:
        here, road_id = previous[node]
        legs.append(Leg(road_id, here, node))
        node = here
    return tuple(reversed(legs))


def explicit_route(scenario: Scenario, route: list[str]) -> tuple[Leg, ...]:
    """The legs of a route given as nodes; between two nodes the fastest road is taken."""
    links = _adjacency(scenario)
    legs = []
    for here, there in zip(route, route[1:], strict=False):
        roads = sorted(road_id for node, road_id in links[here] if node == there)
        if not roads:
            raise ValueError(f"no road from '{here}' to '{there}'")  # checks.py prevents it
        road_id = min(roads, key=lambda r: expected_road_time_s(scenario, r))
        legs.append(Leg(road_id, here, there))
    return tuple(legs)


def _plan_force(scenario: Scenario, force_id: str) -> ForcePlan:
    force = scenario.forces[force_id]
    if force.route is not None:
        legs = explicit_route(scenario, force.route)
    elif force.objective is not None and force.objective != force.start:
        legs = shortest_route(scenario, force.start, force.objective)
    else:
        legs = ()
    trigger = force.trigger
    return ForcePlan(
        id=force_id,
        side=force.side,
        start=force.start,
        legs=legs,
        trigger_node=trigger.town_falls if trigger is not None else None,
        trigger_time_s=trigger.time_s if trigger is not None else None,
    )


def _bernoulli(probability: float) -> Callable[[np.random.Generator], float]:
    def draw(rng: np.random.Generator) -> float:
        return 1.0 if rng.random() < probability else 0.0

    return draw


def _inputs(scenario: Scenario) -> list[tuple[str, list[tuple[str, Distribution | float]]]]:
    """Every input the engine samples, grouped by component, in a fixed order. A plain
    float is a probability of occurrence (a Bernoulli draw)."""
    groups: list[tuple[str, list[tuple[str, Distribution | float]]]] = []
    for force_id, force in scenario.forces.items():
        groups.append((f"forces.{force_id}", [
            ("strength", force.strength),
            ("departure_s", force.departure_s),
            ("effectiveness_per_s", force.effectiveness_per_s),
            ("defender_advantage", force.defender_advantage),
            ("withdraw_ratio", force.withdraw_ratio),
            ("mobilisation_s", force.mobilisation_s),
        ]))
    for node_id, node in scenario.network.nodes.items():
        groups.append((f"network.nodes.{node_id}", [("halt_s", node.halt_s)]))
    for road_id, road in scenario.network.roads.items():
        timing = (("travel_time_s", road.travel_time_s) if road.travel_time_s is not None
                  else ("speed_mps", road.speed_mps))
        groups.append((f"network.roads.{road_id}", [timing, ("delay_s", road.delay_s)]))
    dam = scenario.assets.dam
    groups.append(("assets.dam.reservoir", [("volume_m3", dam.reservoir.volume_m3)]))
    for mode_id, mode in dam.failure_modes.items():
        fields: list[tuple[str, Distribution | float]] = [
            ("occurs", mode.probability), ("delay_s", mode.delay_s)
        ]
        if mode.restoration_s is not None:
            fields.append(("restoration_s", mode.restoration_s))
        groups.append((f"assets.dam.failure_modes.{mode_id}", fields))
    groups.append(("warning", [("detection_delay_s", scenario.warning.detection_delay_s)]))
    for town_id in scenario.river.towns:
        # One dissemination delay per town: the warning reaches each town on its own.
        groups.append((f"warning.towns.{town_id}",
                       [("dissemination_delay_s", scenario.warning.dissemination_delay_s)]))
    groups.append(("grid", [("repair_time_s", scenario.grid.repair_time_s)]))
    return groups


def _road_inputs(scenario: Scenario) -> dict[str, tuple[float | None, str, str]]:
    out: dict[str, tuple[float | None, str, str]] = {}
    for road_id, road in scenario.network.roads.items():
        prefix = f"network.roads.{road_id}."
        if road.travel_time_s is not None:
            out[road_id] = (None, prefix + "travel_time_s", prefix + "delay_s")
        else:
            out[road_id] = (road.length_m, prefix + "speed_mps", prefix + "delay_s")
    return out


def _compile(scenario: Scenario) -> Plan:
    fixed_values: dict[str, float] = {}
    components: list[Component] = []
    input_paths: list[str] = []
    for component, fields in _inputs(scenario):
        draws = []
        for field, spec in fields:
            path = f"{component}.{field}"
            if isinstance(spec, float | int):  # probability of an event
                if spec in (0.0, 1.0):
                    fixed_values[path] = float(spec)
                    continue
                sampler = _bernoulli(float(spec))
            elif spec.is_fixed:
                fixed_values[path] = spec.mean
                continue
            else:
                sampler = spec.sample
            draws.append((path, sampler))
            input_paths.append(path)
        if draws:
            components.append(Component(component, tuple(draws)))
    lines_by_node: dict[str, list[str]] = {}
    for line_id, line in scenario.grid.lines.items():
        if line.cut_when_captured is not None:
            lines_by_node.setdefault(line.cut_when_captured, []).append(line_id)
    forces = tuple(_plan_force(scenario, force_id) for force_id in scenario.forces)
    town_nodes = tuple(n for n, node in scenario.network.nodes.items() if node.kind in TOWN_KINDS)
    return Plan(
        scenario=scenario,
        horizon_s=scenario.scenario.horizon_s,
        forces=forces,
        fixed_values=fixed_values,
        components=tuple(components),
        input_paths=tuple(input_paths),
        streams=StreamSet([c.name for c in components]),
        town_nodes=town_nodes,
        lines_by_node={node: tuple(lines) for node, lines in lines_by_node.items()},
        trigger_nodes=frozenset(f.trigger_node for f in forces if f.trigger_node),
        road_inputs=_road_inputs(scenario),
        input_outcomes=tuple(("input." + path, path) for path in input_paths),
        capture_outcomes=tuple(("capture_h." + node, node) for node in town_nodes),
    )


_CACHE: OrderedDict[int, Plan] = OrderedDict()
_CACHE_SIZE = 16
_CACHE_LOCK = threading.Lock()


def compile_plan(scenario: Scenario) -> Plan:
    """The plan of `scenario`, compiled on first use and cached per scenario object (the
    cache holds the scenario itself, so an id is never reused while cached)."""
    key = id(scenario)
    with _CACHE_LOCK:
        plan = _CACHE.get(key)
        if plan is not None and plan.scenario is scenario:
            _CACHE.move_to_end(key)
            return plan
    plan = _compile(scenario)
    with _CACHE_LOCK:
        _CACHE[key] = plan
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return plan


def sample_inputs(plan: Plan, seed: int, replication: int,
                  pinned: Mapping[str, float] | None = None) -> dict[str, float]:
    """All inputs of one replication by path: fixed ones as given, random ones drawn
    from their component's stream.

    `pinned` maps input paths to values that replace the draws (a branch forecast keeps
    what a story has already realised and draws the rest fresh). Every stream is still
    drawn in full, so the inputs that are not pinned are exactly those of the unpinned
    replication (common random numbers); an unknown path is a ValueError.
    """
    values = dict(plan.fixed_values)
    streams = plan.streams.positioned(seed, replication)
    for component, (_, generator) in zip(plan.components, streams, strict=True):
        for path, draw in component.draws:
            values[path] = draw(generator)
    if pinned:
        unknown = sorted(set(pinned) - values.keys())
        if unknown:
            raise ValueError(f"pinned inputs not in this scenario: {', '.join(unknown)}")
        values.update({path: float(value) for path, value in pinned.items()})
    return values


def input_specs(scenario: Scenario) -> dict[str, Distribution | float]:
    """Every input the engine samples, by path, with its specification (a distribution,
    or a float probability of occurrence), fixed ones included."""
    return {f"{component}.{field}": spec
            for component, fields in _inputs(scenario) for field, spec in fields}
