"""The fixed part of a scenario for the engine: routes, triggers, towns and grid lines.

Everything that does not depend on the seed and is not an uncertain input is worked out
here once, inside `prepare`. Routes are fixed plans: an explicit ``route``, or the
shortest path by *expected* travel time (road time from the means of speed or travel
time, plus the mean road delay and the mean halt at every intermediate node), the path a
commander would plan before knowing how each road will go.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from ..scenario.schema import Scenario
from .inputs import road_time_s

__all__ = ["CAPTURABLE_KINDS", "ForcePlan", "Leg", "Plan", "expected_road_time_s",
           "make_plan"]

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
        """Where the force ends up: the end of its last leg, or its start if it does not move."""
        return self.legs[-1].destination if self.legs else self.start

    @property
    def nodes(self) -> tuple[str, ...]:
        """The nodes of the route in order, from the start (the start alone if it stays)."""
        return (self.start, *(leg.destination for leg in self.legs))

    @property
    def is_reinforcement(self) -> bool:
        """A defender that is not in place from the start: it moves or waits a trigger."""
        return self.side == "defender" and (bool(self.legs) or self.trigger_node is not None
                                            or self.trigger_time_s is not None)


@dataclass(frozen=True)
class Plan:
    """Routes and the other fixed facts the engine needs, independent of the draws."""

    horizon_s: float
    forces: tuple[ForcePlan, ...]
    town_nodes: tuple[str, ...]  # nodes of kind town or city, for capture outcomes
    lines_by_node: dict[str, tuple[str, ...]]  # node -> lines cut when it is captured
    trigger_nodes: frozenset[str]
    #: (outcome name, town node) for the towns that can fall during the run (not those
    #: the attackers hold from the start)
    capture_outcomes: tuple[tuple[str, str], ...]
    attacker_nodes: frozenset[str]  # nodes the attackers hold at the start
    #: (asset, its ``asset_lost.`` outcome, its ``asset_lost_h.`` outcome) for each asset
    #: beside the dam, in the scenario's order: named once, not in every replication
    asset_outcomes: tuple[tuple[str, str, str], ...]


def expected_road_time_s(scenario: Scenario, road_id: str) -> float:
    """Mean time to drive a road: length over mean speed (or mean travel time) plus the
    mean delay on it."""
    road = scenario.network.roads[road_id]
    drive = road.travel_time_s if road.travel_time_s is not None else road.speed_mps
    return road_time_s(road, drive.mean, road.delay_s.mean)


def _adjacency(scenario: Scenario,
               closed: frozenset[str] = frozenset()) -> dict[str, list[tuple[str, str]]]:
    """Each node's [(neighbour, road id)] links, both directions of a two-way road,
    leaving out the `closed` roads."""
    links: dict[str, list[tuple[str, str]]] = {n: [] for n in scenario.network.nodes}
    for road_id, road in scenario.network.roads.items():
        if road_id in closed:
            continue
        links[road.from_node].append((road.to_node, road_id))
        if road.two_way:
            links[road.to_node].append((road.from_node, road_id))
    return links


def shortest_route(scenario: Scenario, start: str, goal: str,
                   closed: frozenset[str] = frozenset()) -> tuple[Leg, ...]:
    """The route of least expected time from `start` to `goal` on the roads not `closed`
    (Dijkstra; ties go to the alphabetically first node so the plan is the same on every
    machine); a ValueError when no road leads there."""
    links = _adjacency(scenario, closed)
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
        # only with roads closed during a run (World.reroute): checks.py refuses the rest
        raise ValueError(f"no road leads from '{start}' to '{goal}'")
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


def make_plan(scenario: Scenario) -> Plan:
    """The plan of `scenario`: every force's route and trigger, and the nodes and lines
    the engine watches."""
    lines_by_node: dict[str, list[str]] = {}
    for line_id, line in scenario.grid.lines.items():
        if line.cut_when_captured is not None:
            lines_by_node.setdefault(line.cut_when_captured, []).append(line_id)
    forces = tuple(_plan_force(scenario, force_id) for force_id in scenario.forces)
    town_nodes = tuple(n for n, node in scenario.network.nodes.items() if node.kind in TOWN_KINDS)
    return Plan(
        horizon_s=scenario.scenario.horizon_s,
        forces=forces,
        town_nodes=town_nodes,
        lines_by_node={node: tuple(lines) for node, lines in lines_by_node.items()},
        trigger_nodes=frozenset(f.trigger_node for f in forces if f.trigger_node),
        capture_outcomes=tuple(("capture_h." + node, node) for node in town_nodes
                               if scenario.network.nodes[node].held_by != "attacker"),
        attacker_nodes=frozenset(n for n, node in scenario.network.nodes.items()
                                 if node.held_by == "attacker"),
        asset_outcomes=tuple((asset_id, f"asset_lost.{asset_id}", f"asset_lost_h.{asset_id}")
                             for asset_id in scenario.assets.others),
    )
