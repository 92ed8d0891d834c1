"""From a replication's `History` to its consequences: flood, loss of life, power.

The engine decides what happens and when; this module hands those facts to the pure
consequence models and returns their outcomes as flat named scalars:

- breach (``History.breach_mode``, ``breach_depth_fraction``, ``breach_s``) ->
  `breach.breach_hydrograph` on the reservoir as sampled (its level read off the storage
  curve at the sampled volume, so the two agree) -> `flood.route_flood` down the river
  reaches -> for each river town `lifeloss.town_life_loss`, with the time the warning
  reached it (``History.warning_received_s``);
- plant outages and cut lines (``History.plant_outages``, ``line_cuts``) ->
  `grid.unserved_energy` on the scenario's grid with the dam's plant added as a
  generator at zero marginal cost (hydro).

Two uncertainties of the models have no scenario field yet, so they are drawn here from
their own named streams and recorded as ``input.*`` outcomes like the engine's inputs:
the breach width factor (stream ``consequences.breach``: lognormal, median 1, 95 % within
a factor of 2; Wahl 2004, J. Hydraulic Eng. 130(5):389-397, finds breach-parameter
predictions off by factors of 2 to 4) and each town's quantile in Graham's fatality-rate
range (stream ``consequences.lifeloss.<town>``, uniform on [0, 1]). A deliberate breach
is treated as an overtopping-type failure (Froehlich's wider breach) and no flood as
"swept clean" (Graham reserves that for near-instant failures; an embankment breach forms
over minutes to hours).

Outcomes (times in hours from the scenario start, NaN where there is no flood):
``peak_outflow_m3s``, ``flood_volume_m3``, ``arrival_h.<town>``, ``peak_h.<town>``,
``depth_m.<town>``, ``people_exposed``, ``people_evacuated``, ``fatalities``,
``fatalities.<town>``, ``warning_h.<town>``; ``unserved_energy_mwh``,
``added_unserved_energy_mwh`` (above the same grid with nothing out),
``unserved_energy_mwh.<region>``, ``peak_shed_mw``, ``shedding_h``,
``generation_lost_mw``.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from ..consequences import breach as breach_model
from ..consequences import flood as flood_model
from ..consequences import grid as grid_model
from ..consequences import lifeloss
from ..scenario.schema import Scenario
from .history import History
from .rng import StreamSet

__all__ = ["consequence_outcomes"]

HOUR_S = 3600.0
BREACH_STREAM = "consequences.breach"
WIDTH_FACTOR_SIGMA = math.log(2.0) / 1.96  # lognormal: 95 % of draws within a factor 2
OVERTOPPING = True
PLANT_GENERATOR = "dam_plant"


@dataclass(frozen=True)
class _Prepared:
    """What the consequence models need from a scenario, built once per scenario."""

    scenario: Scenario
    reaches: tuple[flood_model.Reach, ...]
    town_ids: tuple[str, ...]
    town_distances_m: tuple[float, ...]
    population_at_risk: tuple[float, ...]
    storage_curve: tuple[tuple[float, float], ...] | None
    network: grid_model.GridNetwork | None
    baseline_unserved_mwh: float
    regions: tuple[str, ...]
    streams: StreamSet  # consequences.breach, then consequences.lifeloss.<town>
    start_hour: int


def _network(scenario: Scenario) -> grid_model.GridNetwork | None:
    grid = scenario.grid
    plant = scenario.assets.dam.plant
    generators = [grid_model.Generator(name, g.bus, g.capacity_w / 1e6, g.cost_per_mwh)
                  for name, g in grid.generators.items()]
    if plant is not None:
        generators.append(grid_model.Generator(PLANT_GENERATOR, plant.bus,
                                               plant.capacity_w / 1e6, 0.0))
    if not grid.loads:
        return None
    return grid_model.GridNetwork(
        buses=[grid_model.Bus(name, bus.region) for name, bus in grid.buses.items()],
        lines=[grid_model.Line(name, line.from_bus, line.to_bus, line.capacity_w / 1e6,
                               line.reactance_pu) for name, line in grid.lines.items()],
        generators=generators,
        loads=[grid_model.Load(load.bus, load.peak_w / 1e6, tuple(load.profile))
               for load in grid.loads.values()],
    )


def _prepare(scenario: Scenario) -> _Prepared:
    river = scenario.river
    reservoir = scenario.assets.dam.reservoir
    curve = None
    if reservoir.storage_curve:
        curve = tuple((p.height_m, p.volume_m3) for p in reservoir.storage_curve)
    network = _network(scenario)
    horizon_h = scenario.scenario.horizon_s / HOUR_S
    start_hour = scenario.scenario.start.hour
    baseline = (grid_model.unserved_energy(network, [], horizon_h, start_hour)
                if network is not None else None)
    regions = tuple(sorted(baseline.unserved_energy_mwh_by_region)) if baseline else ()
    town_ids = tuple(river.towns)
    return _Prepared(
        scenario=scenario,
        reaches=tuple(flood_model.Reach(r.length_m, r.slope, r.width_m, r.roughness)
                      for r in river.reaches.values()),
        town_ids=town_ids,
        town_distances_m=tuple(t.river_distance_m for t in river.towns.values()),
        population_at_risk=tuple(t.population * t.floodplain_share
                                 for t in river.towns.values()),
        storage_curve=curve,
        network=network,
        baseline_unserved_mwh=baseline.unserved_energy_mwh if baseline else 0.0,
        regions=regions,
        streams=StreamSet([BREACH_STREAM, *(f"consequences.lifeloss.{t}" for t in town_ids)]),
        start_hour=start_hour,
    )


_CACHE: dict[int, _Prepared] = {}
_CACHE_LOCK = threading.Lock()


def _prepared(scenario: Scenario) -> _Prepared:
    key = id(scenario)
    with _CACHE_LOCK:
        prepared = _CACHE.get(key)
    if prepared is not None and prepared.scenario is scenario:
        return prepared
    prepared = _prepare(scenario)
    with _CACHE_LOCK:
        if len(_CACHE) >= 16:
            _CACHE.clear()
        _CACHE[key] = prepared
    return prepared


def _level_m(prepared: _Prepared, volume_m3: float) -> float:
    """The reservoir level at the sampled volume (the storage curve, if there is one)."""
    if prepared.storage_curve is None:
        return prepared.scenario.assets.dam.reservoir.level_m
    heights, volumes = zip(*prepared.storage_curve, strict=True)
    return float(np.interp(volume_m3, volumes, heights))


def consequence_outcomes(scenario: Scenario, history: History) -> dict[str, float]:
    """The flood, life-loss and grid outcomes of one replication (see module doc)."""
    prepared = _prepared(scenario)
    streams = prepared.streams.positioned(history.seed, history.replication)
    _, generator = next(streams)
    width_factor = float(np.exp(WIDTH_FACTOR_SIGMA * generator.standard_normal()))
    quantiles = [float(g.random()) for _, g in streams]
    out: dict[str, float] = {}
    out.update(_flood_and_life_loss(prepared, history, width_factor, quantiles))
    out.update(_grid(prepared, history))
    out["input.consequences.breach.width_factor"] = width_factor
    for town, quantile in zip(prepared.town_ids, quantiles, strict=True):
        out[f"input.consequences.lifeloss.{town}.rate_quantile"] = quantile
    return out


def _flood_and_life_loss(prepared: _Prepared, history: History, width_factor: float,
                         quantiles: list[float]) -> dict[str, float]:
    scenario = prepared.scenario
    nan = math.nan
    towns = prepared.town_ids
    out = {"peak_outflow_m3s": 0.0, "flood_volume_m3": 0.0, "people_exposed": 0.0,
           "people_evacuated": 0.0, "fatalities": 0.0}
    for town in towns:
        out[f"arrival_h.{town}"] = nan
        out[f"peak_h.{town}"] = nan
        out[f"depth_m.{town}"] = 0.0
        out[f"warning_h.{town}"] = nan
        out[f"fatalities.{town}"] = 0.0
    if not history.breached:
        return out
    dam = scenario.assets.dam
    base_flow = scenario.river.base_flow_m3s
    reservoir = breach_model.Reservoir(
        volume_m3=history.reservoir_volume_m3,
        level_m=_level_m(prepared, history.reservoir_volume_m3),
        dam_height_m=dam.height_m,
        storage_curve=prepared.storage_curve,
    )
    hydrograph = breach_model.breach_hydrograph(
        reservoir, breach_depth_fraction=history.breach_depth_fraction,
        overtopping=OVERTOPPING, base_flow_m3s=base_flow, width_factor=width_factor)
    out["peak_outflow_m3s"] = hydrograph.peak_m3s
    out["flood_volume_m3"] = hydrograph.volume_m3
    if not towns:
        return out
    impacts = flood_model.route_flood(
        hydrograph.times_s, hydrograph.outflow_m3s, prepared.reaches,
        prepared.town_distances_m, base_flow_m3s=base_flow,
        damaging_depth_m=scenario.river.damaging_depth_m)
    breach_h = history.breach_s / HOUR_S
    understanding = scenario.warning.understanding
    for town, impact, at_risk, quantile in zip(towns, impacts, prepared.population_at_risk,
                                               quantiles, strict=True):
        arrival_h = breach_h + impact.arrival_s / HOUR_S
        loss = lifeloss.town_life_loss(
            population_at_risk=at_risk,
            flood_arrival_h=arrival_h,
            warning_received_h=history.warning_received_s[town] / HOUR_S,
            peak_depth_m=impact.peak_depth_above_normal_m,
            understanding=understanding,
            rate_quantile=quantile,
        )
        if math.isfinite(impact.arrival_s):
            out[f"arrival_h.{town}"] = arrival_h
            out[f"peak_h.{town}"] = breach_h + impact.peak_time_s / HOUR_S
            out[f"warning_h.{town}"] = loss.warning_h
        out[f"depth_m.{town}"] = impact.peak_depth_above_normal_m
        out[f"fatalities.{town}"] = loss.fatalities
        out["people_exposed"] += loss.people_exposed
        out["people_evacuated"] += loss.people_evacuated
        out["fatalities"] += loss.fatalities
    return out


def _grid(prepared: _Prepared, history: History) -> dict[str, float]:
    if prepared.network is None:
        return {}
    outages: list[tuple[float, float, str, str]] = [
        (start_s / HOUR_S, end_s / HOUR_S, "generator", PLANT_GENERATOR)
        for start_s, end_s in history.plant_outages
    ]
    outages += [(cut.cut_s / HOUR_S, cut.repaired_s / HOUR_S, "line", cut.line)
                for cut in history.line_cuts]
    result = grid_model.unserved_energy(prepared.network, outages,
                                        history.horizon_s / HOUR_S, prepared.start_hour)
    out = {
        "unserved_energy_mwh": result.unserved_energy_mwh,
        "added_unserved_energy_mwh": result.unserved_energy_mwh - prepared.baseline_unserved_mwh,
        "peak_shed_mw": result.peak_shed_mw,
        "shedding_h": result.shedding_h,
        "generation_lost_mw": result.generation_lost_mw,
    }
    by_region = result.unserved_energy_mwh_by_region
    for region in prepared.regions:
        out[f"unserved_energy_mwh.{region}"] = by_region.get(region, 0.0)
    return out
