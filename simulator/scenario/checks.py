"""Cross-references between sections of a validated scenario.

Field validation sees one value at a time; these checks see the whole scenario: roads
and forces name existing nodes, routes are connected, the reservoir is not above the
crest, towns lie on the river, the grid has the plant's bus, nothing waits for the fall
of a place the attackers hold from the start. Each problem is returned with the path it
concerns so the loader can point at the right line.
"""

from __future__ import annotations

from collections.abc import Iterator

from .distributions import support
from .errors import did_you_mean
from .schema import ASSET_FIELDS, ASSET_KEYS, Dam, Scenario, Trigger

# (path in the document, message, whether the path's key rather than value is meant)
Finding = tuple[tuple[str | int, ...], str, bool]


def cross_check(s: Scenario) -> list[Finding]:
    """Every cross-reference problem of `s`; an empty list means the scenario is sound."""
    return [
        *_network(s),
        *_forces(s),
        *_dam(s),
        *_other_assets(s),
        *_river(s),
        *_grid(s),
        *_exercise(s),
        *_headline(s),
        *_uncertainty(s),
    ]


def _unknown(kind: str, name: str, known: dict) -> str:
    return f"unknown {kind} '{name}'; {did_you_mean(name, known)}".rstrip("; ")


def _network(s: Scenario) -> Iterator[Finding]:
    nodes = s.network.nodes
    for road_id, road in s.network.roads.items():
        for key, node in (("from", road.from_node), ("to", road.to_node)):
            if node not in nodes:
                yield ("network", "roads", road_id, key), _unknown("node", node, nodes), False
        if road.from_node == road.to_node:
            yield ("network", "roads", road_id), "a road must join two different nodes", False


def _adjacent(s: Scenario) -> dict[str, set[str]]:
    links: dict[str, set[str]] = {name: set() for name in s.network.nodes}
    for road in s.network.roads.values():
        if road.from_node in links and road.to_node in links:
            links[road.from_node].add(road.to_node)
            if road.two_way:
                links[road.to_node].add(road.from_node)
    return links


def _reachable(links: dict[str, set[str]], start: str) -> set[str]:
    seen, frontier = {start}, [start]
    while frontier:
        for nxt in links.get(frontier.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def _trigger(trigger: Trigger | None, path: tuple, s: Scenario) -> Iterator[Finding]:
    if trigger is not None and trigger.town_falls is not None:
        node = s.network.nodes.get(trigger.town_falls)
        if node is None:
            message = _unknown("node", trigger.town_falls, s.network.nodes)
            yield path + ("trigger", "town_falls"), message, False
        elif node.held_by == "attacker":
            yield (path + ("trigger", "town_falls"),
                   f"'{trigger.town_falls}' is held by the attackers from the start "
                   "(held_by: attacker), so it never falls during the run", False)


def _forces(s: Scenario) -> Iterator[Finding]:
    nodes = s.network.nodes
    links = _adjacent(s)
    for force_id, force in s.forces.items():
        at = ("forces", force_id)
        if force.start not in nodes:
            yield at + ("start",), _unknown("node", force.start, nodes), False
            continue
        if force.side == "defender" and nodes[force.start].held_by == "attacker":
            yield (at + ("start",), f"a defender force cannot start at '{force.start}': "
                   "the attackers hold it from the start (held_by: attacker)", False)
        if force.objective is not None:
            if force.objective not in nodes:
                yield at + ("objective",), _unknown("node", force.objective, nodes), False
            elif force.objective not in _reachable(links, force.start):
                yield (
                    at + ("objective",),
                    f"no road leads from '{force.start}' to '{force.objective}'",
                    False,
                )
        for i, (here, there) in enumerate(
            zip(force.route or [], (force.route or [])[1:], strict=False)
        ):
            if there not in nodes:
                yield at + ("route", i + 1), _unknown("node", there, nodes), False
            elif there not in links.get(here, ()):
                yield at + ("route", i + 1), f"no road from '{here}' to '{there}'", False
        yield from _trigger(force.trigger, at, s)


def _dam(s: Scenario) -> Iterator[Finding]:
    dam = s.assets.dam
    at = ("assets", "dam")
    for mode_id, mode in dam.failure_modes.items():
        if mode.starts_on != "level":
            continue
        where = at + ("failure_modes", mode_id, "level")
        if not dam.reservoir.storage_curve:
            yield where, ("a failure mode that starts on a reservoir level needs the "
                          "reservoir's storage_curve, to know the volume at that level"), False
        elif mode.level_m > dam.reservoir.storage_curve[-1].height_m:
            yield where, (f"the level ({mode.level_m:g} m) is above the storage curve's top "
                          f"({dam.reservoir.storage_curve[-1].height_m:g} m)"), False
    if dam.node not in s.network.nodes:
        yield at + ("node",), _unknown("node", dam.node, s.network.nodes), False
    elif s.network.nodes[dam.node].held_by == "attacker":
        yield (("network", "nodes", dam.node, "held_by"), "the dam starts in the defenders' "
               "hands (its failure clocks start on a capture during the run); start the "
               "scenario before it falls", False)
    reservoir = dam.reservoir
    if reservoir.level_m > dam.height_m:
        yield (
            at + ("reservoir", "level"),
            f"the reservoir level ({reservoir.level_m:g} m) is above the dam crest "
            f"({dam.height_m:g} m high)",
            False,
        )
    if reservoir.max_volume_m3 is not None and reservoir.volume_m3.is_fixed:
        if reservoir.volume_m3.mean > reservoir.max_volume_m3:
            yield (
                at + ("reservoir", "volume"),
                "the stored volume exceeds the reservoir's max_volume",
                False,
            )
    if dam.plant is not None and dam.plant.bus not in s.grid.buses:
        yield (
            at + ("plant", "bus"),
            "the grid has no bus "
            + repr(dam.plant.bus)
            + "; "
            + did_you_mean(dam.plant.bus, s.grid.buses),
            False,
        )
    yield from _operation(dam, at + ("reservoir", "operation"))


def _operation(dam: Dam, at: tuple[str, ...]) -> Iterator[Finding]:
    """An operated reservoir has a storage curve (its level follows its volume), a dead
    storage below the water it starts with, and asks the dam for no more than its
    spillway, bottom outlets and turbines can pass (the inflow spills when it is full)."""
    reservoir = dam.reservoir
    operation = reservoir.operation
    if operation is None:
        return
    if not reservoir.storage_curve:
        yield (at, "an operated reservoir needs a storage_curve, so that its level "
               "follows the volume the operation leaves", False)
    if operation.dead_storage_m3 >= support(reservoir.volume_m3)[0]:
        yield (at + ("dead_storage",), f"the dead storage "
               f"({operation.dead_storage_m3 / 1e9:g} km^3) must lie below every stored "
               f"volume the reservoir starts with", False)
    water = dam.plant.water if dam.plant is not None else None
    outlets_m3s = (dam.spillway_capacity_m3s + dam.bottom_outlet_capacity_m3s
                   + (water.flow_m3s if water is not None else 0.0))
    flows = [(("inflow",), "inflow", operation.inflow_m3s),
             (("release",), "release", operation.release_m3s)]
    if operation.drawdown is not None:
        flows.append((("drawdown", "rate"), "drawdown's rate", operation.drawdown.rate_m3s))
    for key, what, flow in flows:
        if flow is not None and support(flow)[1] > outlets_m3s:
            yield (at + key, f"the {what} can reach {support(flow)[1]:g} m^3/s, more than "
                   f"the dam can pass: spillway, bottom outlets and turbines together "
                   f"{outlets_m3s:g} m^3/s", False)


def _other_assets(s: Scenario) -> Iterator[Finding]:
    """The assets beside the dam name existing nodes, grid elements and roads; a clock
    started by a capture sits where a capture can happen; a bridge is on its road."""
    nodes, roads, grid = s.network.nodes, s.network.roads, s.grid
    for asset_id, asset in s.assets.others.items():
        at = ("assets", "others", asset_id)
        for name in sorted(asset.model_fields_set - set(ASSET_FIELDS[asset.kind])):
            owner = next((k for k, names in ASSET_FIELDS.items() if name in names), None)
            if owner is not None:
                yield (at + (ASSET_KEYS[name],), f"'{ASSET_KEYS[name]}' belongs to a {owner}; "
                       f"a {asset.kind} has none", True)
        node = nodes.get(asset.node)
        if node is None:
            yield at + ("node",), _unknown("node", asset.node, nodes), False
        elif asset.starts_on == "capture" and node.kind == "junction":
            yield (at + ("node",), f"'{asset.node}' is a junction, which never changes "
                   "hands, so a clock that starts_on capture never starts", False)
        elif asset.starts_on == "capture" and node.held_by == "attacker":
            yield (at + ("node",), f"'{asset.node}' is held by the attackers from the start "
                   "(held_by: attacker), so it is never captured during the run", False)
        for key, ids, known, what in (("generators", asset.generators, grid.generators,
                                       "generator"),
                                      ("lines", asset.lines, grid.lines, "line")):
            for index, element in enumerate(ids):
                if element not in known:
                    yield at + (key, index), _unknown(what, element, known), False
        if asset.road is not None:
            road = roads.get(asset.road)
            if road is None:
                yield at + ("road",), _unknown("road", asset.road, roads), False
            elif node is not None and asset.node not in (road.from_node, road.to_node):
                yield (at + ("node",), f"the bridge's node '{asset.node}' is not an end of "
                       f"its road '{asset.road}' ({road.from_node} - {road.to_node})", False)


def _river(s: Scenario) -> Iterator[Finding]:
    length_m = sum(reach.length_m for reach in s.river.reaches.values())
    for town_id, town in s.river.towns.items():
        at = ("river", "towns", town_id)
        if town.river_distance_m > length_m:
            yield (
                at + ("river_distance",),
                f"the town lies {town.river_distance_m / 1000:g} km below the dam but the "
                f"river reaches end at {length_m / 1000:g} km",
                False,
            )
        if town.node is not None and town.node not in s.network.nodes:
            yield at + ("node",), _unknown("node", town.node, s.network.nodes), False
        for district_id, district in town.districts.items():
            if district.river_distance_m > length_m:
                yield (at + ("districts", district_id, "river_distance"),
                       f"the district lies {district.river_distance_m / 1000:g} km below "
                       f"the dam but the river reaches end at {length_m / 1000:g} km", False)


def _grid(s: Scenario) -> Iterator[Finding]:
    buses = s.grid.buses
    for section, items in (
        ("lines", s.grid.lines),
        ("generators", s.grid.generators),
        ("loads", s.grid.loads),
    ):
        for item_id, item in items.items():
            at = ("grid", section, item_id)
            for key in ("from", "to", "bus"):
                name = getattr(item, {"from": "from_bus", "to": "to_bus"}.get(key, key), None)
                if name is not None and name not in buses:
                    yield at + (key,), _unknown("bus", name, buses), False
    for line_id, line in s.grid.lines.items():
        if line.cut_when_captured is not None and line.cut_when_captured not in s.network.nodes:
            yield (
                ("grid", "lines", line_id, "cut_when_captured"),
                _unknown("node", line.cut_when_captured, s.network.nodes),
                False,
            )


def _exercise(s: Scenario) -> Iterator[Finding]:
    if s.exercise is None:
        return
    for section, items in (("injects", s.exercise.injects), ("decisions", s.exercise.decisions)):
        for item_id, item in items.items():
            at = ("exercise", section, item_id)
            if (item.time_s is None) == (item.trigger is None):
                yield at, "give exactly one of 'time' or 'trigger'", False
            yield from _trigger(item.trigger, at, s)
            for index, role in enumerate(item.roles):
                if role not in s.exercise.roles:
                    yield (*at, "roles", index), _unknown("role", role, s.exercise.roles), False
            for index, node in enumerate(getattr(item, "assumes_fallen", ())):
                if node not in s.network.nodes:
                    yield ((*at, "assumes_fallen", index), _unknown("node", node, s.network.nodes),
                           False)


def _headline(s: Scenario) -> Iterator[Finding]:
    """Headline outcomes are catalogued outcomes of places the scenario has."""
    from ..analysis.catalogue import headline_problem, outcome_ids

    places = {"node": list(s.network.nodes), "town": list(s.river.towns),
              "region": sorted({bus.region for bus in s.grid.buses.values() if bus.region})}
    for i, column in enumerate(s.scenario.headline or ()):
        problem = headline_problem(column, places)
        if problem is not None:
            hint = did_you_mean(column, outcome_ids(places))
            yield ("scenario", "headline", i), f"{problem}; {hint}".rstrip("; "), False


def _uncertainty(s: Scenario) -> Iterator[Finding]:
    """Each ``scenario.uncertainty`` entry names inputs the scenario has, none twice."""
    if s.scenario.uncertainty is None:
        return
    from .inputs import random_input_paths
    from .layers import layer_problems

    for at, message in layer_problems(s, random_input_paths(s)):
        yield at, message, False
