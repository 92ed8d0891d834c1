"""The board's map: the scenario's nodes, roads and river as coordinates for an SVG.

The page draws the map itself (so forces can move and towns change colour without a new
picture); this module gives it the geometry, in the projection of `plotting.plot_map`:
equirectangular at the nodes' mean latitude, north up, `plotting.KM_PER_DEGREE` km to a
degree. Coordinates are kilometres from the map's north-west corner, so a distance on the
board is `plotting.map_distance_km` and the page can draw a true scale bar.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ...plotting import KM_PER_DEGREE
from ...scenario.schema import Scenario

__all__ = ["map_layout"]

TOWN_KINDS = ("town", "city")
PAD_KM = 25.0  # margin around the outermost nodes, room for their labels


def _short(name: str) -> str:
    """A map label: the name without its parentheses ("Haditha (Qadisiya) Dam" ->
    "Haditha Dam")."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def map_layout(scenario: Scenario) -> dict[str, Any]:
    """The map as plain data: ``nodes`` (id, name, kind, population, x_km, y_km), ``roads``
    (id, from, to), ``river`` (node ids from the dam down through the river towns, in
    order of river distance) and the extent ``width_km`` x ``height_km``; no nodes with
    coordinates gives an empty map."""
    located = {node_id: node for node_id, node in scenario.network.nodes.items()
               if node.lat is not None and node.lon is not None}
    if not located:
        return {"nodes": [], "roads": [], "river": [], "width_km": 0.0, "height_km": 0.0}
    mean_lat = sum(node.lat for node in located.values()) / len(located)
    scale = math.cos(math.radians(mean_lat))
    west = min(node.lon for node in located.values())
    north = max(node.lat for node in located.values())

    def x_km(lon: float) -> float:
        return PAD_KM + (lon - west) * scale * KM_PER_DEGREE

    def y_km(lat: float) -> float:
        return PAD_KM + (north - lat) * KM_PER_DEGREE

    nodes = [{"id": node_id, "name": _short(node.name or node_id), "kind": node.kind,
              "population": node.population or 0, "x_km": round(x_km(node.lon), 3),
              "y_km": round(y_km(node.lat), 3)} for node_id, node in located.items()]
    roads = [{"id": road_id, "from": road.from_node, "to": road.to_node}
             for road_id, road in scenario.network.roads.items()
             if road.from_node in located and road.to_node in located]
    river: list[str] = []
    dam = scenario.assets.dam
    if dam is not None and scenario.river is not None:
        towns = sorted(scenario.river.towns.values(), key=lambda town: town.river_distance_m)
        river = [n for n in [dam.node, *(town.node for town in towns)] if n in located]
    return {"nodes": nodes, "roads": roads, "river": river if len(river) > 1 else [],
            "width_km": round(max(n["x_km"] for n in nodes) + PAD_KM, 3),
            "height_km": round(max(n["y_km"] for n in nodes) + PAD_KM, 3)}
