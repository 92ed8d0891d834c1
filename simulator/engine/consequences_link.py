"""From a replication's `History` to its consequences: flood, loss of life, power.

The engine decides what happens and when; this module hands those facts to the pure
consequence models and returns their outcomes as flat named scalars:

- breach (``History.breach_mode``, ``breach_depth_fraction``, ``breach_s``) ->
  `breach.breach_hydrograph` on the reservoir as it stands at the breach
  (``History.reservoir_volume_m3``: as sampled, moved by the reservoir's operation; its
  level read off the storage curve at that volume, so the two agree) -> `flood.route_flood` down the river
  reaches, each a compound section drawn for the replication (``Inputs.reaches``) ->
  for each river town `lifeloss.town_life_loss` on its population at risk
  (``Inputs.population_at_risk``), with the time the warning reached it
  (``History.warning_received_s``) and the flood's peak depth and depth x velocity on the
  town's ground (Graham's severity is about the structures people are in);
- plant outages, generators of lost power plants and cut lines
  (``History.plant_outages``, ``generator_outages``, ``line_cuts``) ->
  `grid.unserved_energy` on the scenario's grid with the dam's plant added as a
  generator at zero marginal cost (hydro) and its available output (`plant_output_mw`).

The breach is the one of the failure mode that happened, with its mechanism and drawn
geometry (``Inputs.failure_modes[mode].breach``: depth, width factor or given width,
formation time). Each town's quantile in Graham's fatality-rate range and its
population at risk are drawn with the engine's inputs too (`inputs.Inputs`).

A large town given as ``districts`` is several river points, each routed and assessed
for loss of life on its own (its own population at risk; the town's warning time and
fatality-rate quantile). Its outcomes stay the town's, for the worst of its districts:
fatalities summed; depth, velocity, depth x velocity and time above the damaging depth
the districts' largest; arrival the earliest district's (the water first reaches the
town there, which the warning lead time counts to); peak time that of the deepest
district (where ``depth_m`` is measured). Each district also gets
``arrival_h.<town>.<district>``, ``depth_m.<town>.<district>`` and
``fatalities.<town>.<district>``.

The flood reaching each river town within the horizon is also returned as a
``flood_arrival`` event, so timelines and exercises show when the water arrives.

Outcomes (times in hours from the scenario start, NaN where there is no flood):
``peak_outflow_m3s``, ``flood_volume_m3``, ``arrival_h.<town>``, ``peak_h.<town>``,
``depth_m.<town>`` (peak stage above the pre-breach level), ``velocity_mps.<town>``,
``depth_velocity_m2s.<town>`` (on the town's ground: see `flood.TownImpact`),
``time_above_damaging_h.<town>``, ``people_exposed`` (Graham's population at risk in the towns the
flood reaches: fatalities are Graham's rate times it), ``people_evacuated`` (those of
them who left before the water came: reported, never subtracted twice),
``fatalities``, ``fatalities.<town>``, ``warning_lead_h.<town>`` (arrival minus the time
the town was warned; negative when warned after the water came, NaN without a flood);
``unserved_energy_mwh``, ``unserved_energy_mwh.<region>``, ``peak_shed_mw``,
``shedding_h`` (shortages before the attack included), ``added_unserved_energy_mwh``,
``added_peak_shed_mw``, ``added_shedding_h`` (above the same grid with nothing out at
the same hours: what the attack did), ``generation_lost_mw``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..consequences import breach as breach_model
from ..consequences import flood as flood_model
from ..consequences import grid as grid_model
from ..consequences import lifeloss, shallow_water
from ..consequences.section import CompoundSection
from ..formatting import HOUR_S
from ..scenario.schema import Scenario
from .history import History
from .inputs import Inputs
from .record import Event, EventKind

__all__ = ["ConsequenceModels", "Consequences", "consequences", "grid_result",
           "prepare_consequences"]

PLANT_GENERATOR = "dam_plant"
#: How a breach's flood is routed, by fidelity: the fast routing every replication uses
#: by default, or the reference shallow-water solver (``infrasim run --fidelity
#: reference``; seconds per breach instead of a tenth of one).
FLOOD_ROUTING: dict[str, Callable[..., list[flood_model.TownImpact]]] = {
    "fast": flood_model.route_flood,
    "reference": shallow_water.route_flood_reference,
}


@dataclass(frozen=True)
class ConsequenceModels:
    """What the consequence models need from a scenario, built once by `prepare`."""

    scenario: Scenario
    reach_lengths_m: dict[str, float]  # reach id -> length; sections are drawn per replication
    town_ids: tuple[str, ...]
    # each river town and its districts (none: the town is one river point)
    town_districts: tuple[tuple[str, tuple[str, ...]], ...]
    point_distances_m: tuple[float, ...]  # every river point, town by town
    storage_curve: tuple[tuple[float, float], ...] | None
    grid: grid_model.PreparedGrid | None
    baseline: grid_model.GridOutcome | None  # the grid with nothing out
    regions: tuple[str, ...]
    start_hour: int
    #: the flood and life-loss outcomes without a breach, in column order: every
    #: replication's row starts from a copy (most replications do not breach)
    no_flood: dict[str, float]
    #: the grid outcomes of the baseline, the row of every replication without outages
    baseline_outcomes: dict[str, float]
    route_flood: Callable[..., list[flood_model.TownImpact]] = flood_model.route_flood


@dataclass(frozen=True)
class Consequences:
    """The consequence outcomes of one replication and its flood-arrival events."""

    outcomes: dict[str, float]
    flood_events: tuple[Event, ...]


def grid_network(scenario: Scenario) -> grid_model.GridNetwork | None:
    """The grid model's network of a scenario (its generators, the dam's plant among
    them, loads and lines); None when the grid has no loads. Equal scenarios give equal,
    hashable networks, so callers may share one prepared grid among them."""
    grid = scenario.grid
    plant = scenario.assets.dam.plant
    generators = [grid_model.Generator(name, g.bus, g.capacity_w / 1e6, g.cost_per_mwh)
                  for name, g in grid.generators.items()]
    if plant is not None:
        generators.append(grid_model.Generator(PLANT_GENERATOR, plant.bus,
                                               plant_output_mw(scenario), 0.0))
    if not grid.loads:
        return None
    return grid_model.GridNetwork(
        buses=[grid_model.Bus(name, bus.region) for name, bus in grid.buses.items()],
        lines=[grid_model.Line(name, line.from_bus, line.to_bus, line.capacity_w / 1e6,
                               line.reactance_pu) for name, line in grid.lines.items()],
        generators=generators,
        loads=[grid_model.Load(load.bus, load.peak_w / 1e6, tuple(load.profile),
                               load.value_of_lost_load_per_mwh)
               for load in grid.loads.values()],
    )


def plant_output_mw(scenario: Scenario) -> float:
    """What the dam's plant delivers to the grid, MW: its sourced available capacity, or
    the output of the water through its turbines under the reservoir's head at the
    scenario's level (`grid.hydro_output_mw`, at most the nameplate), else the
    nameplate. The level is the scenario's, not each replication's sampled volume, so
    the grid keeps one plant size and its solved states stay few."""
    dam = scenario.assets.dam
    plant = dam.plant
    nameplate_mw = plant.capacity_w / 1e6
    if plant.available_capacity_w is not None:
        return plant.available_capacity_w / 1e6
    if plant.water is not None:
        head_m = dam.reservoir.level_m - plant.water.tailwater_m
        return min(nameplate_mw, grid_model.hydro_output_mw(
            plant.water.flow_m3s, head_m, plant.water.efficiency))
    return nameplate_mw


def prepare_consequences(scenario: Scenario, fidelity: str = "fast") -> ConsequenceModels:
    """River sections, towns, the reservoir's storage curve and the prepared grid of
    `scenario`, with the grid's baseline (nothing out) solved once: the states every
    replication's ``added_`` outcomes are measured against are then in the cache.
    `fidelity` names the flood routing (`FLOOD_ROUTING`)."""
    if fidelity not in FLOOD_ROUTING:
        raise ValueError(f"unknown fidelity {fidelity!r}: expected one of "
                         f"{', '.join(FLOOD_ROUTING)}")
    river = scenario.river
    reservoir = scenario.assets.dam.reservoir
    curve = None
    if reservoir.storage_curve:
        curve = tuple((p.height_m, p.volume_m3) for p in reservoir.storage_curve)
    network = grid_network(scenario)
    grid = grid_model.PreparedGrid(network) if network is not None else None
    start_hour = scenario.scenario.start.hour
    baseline = (grid_model.unserved_energy(grid, [], scenario.scenario.horizon_s / HOUR_S,
                                           start_hour) if grid is not None else None)
    regions = tuple(sorted(baseline.unserved_energy_mwh_by_region)) if baseline else ()
    town_districts = tuple((town_id, tuple(town.districts))
                           for town_id, town in river.towns.items())
    return ConsequenceModels(
        scenario=scenario,
        reach_lengths_m={reach_id: r.length_m for reach_id, r in river.reaches.items()},
        town_ids=tuple(river.towns),
        town_districts=town_districts,
        point_distances_m=tuple(
            distance_m for town in river.towns.values()
            for distance_m in ([d.river_distance_m for d in town.districts.values()]
                               or [town.river_distance_m])),
        storage_curve=curve,
        grid=grid,
        baseline=baseline,
        regions=regions,
        start_hour=start_hour,
        no_flood=_no_flood(town_districts),
        baseline_outcomes=_grid_row(baseline, regions) if baseline is not None else {},
        route_flood=FLOOD_ROUTING[fidelity],
    )


def _no_flood(town_districts: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, float]:
    """The flood and life-loss outcomes of a replication without a breach, named once per
    prepared scenario rather than once per replication: zero flow, depths and
    fatalities, NaN times (arrival, peak, warning lead)."""
    nan = math.nan
    out = {"peak_outflow_m3s": 0.0, "flood_volume_m3": 0.0, "people_exposed": 0.0,
           "people_evacuated": 0.0, "fatalities": 0.0}
    for town, _ in town_districts:
        out[f"arrival_h.{town}"] = nan
        out[f"peak_h.{town}"] = nan
        out[f"depth_m.{town}"] = 0.0
        out[f"velocity_mps.{town}"] = 0.0
        out[f"depth_velocity_m2s.{town}"] = 0.0
        out[f"time_above_damaging_h.{town}"] = 0.0
        out[f"warning_lead_h.{town}"] = nan
        out[f"fatalities.{town}"] = 0.0
    for town, districts in town_districts:
        for district in districts:
            out[f"arrival_h.{town}.{district}"] = nan
            out[f"depth_m.{town}.{district}"] = 0.0
            out[f"fatalities.{town}.{district}"] = 0.0
    return out


def _level_m(prepared: ConsequenceModels, volume_m3: float) -> float:
    """The reservoir level at the sampled volume (the storage curve, if there is one)."""
    if prepared.storage_curve is None:
        return prepared.scenario.assets.dam.reservoir.level_m
    heights, volumes = zip(*prepared.storage_curve, strict=True)
    return float(np.interp(volume_m3, volumes, heights))


def consequences(models: ConsequenceModels, history: History,
                 inputs: Inputs) -> Consequences:
    """The flood, life-loss and grid outcomes of one replication (see module doc)."""
    out = dict(models.no_flood)
    events = _flood_and_life_loss(models, history, inputs, out)
    out.update(_grid_outcomes(models, history))
    return Consequences(out, events)


def _flood_and_life_loss(prepared: ConsequenceModels, history: History, inputs: Inputs,
                         out: dict[str, float]) -> tuple[Event, ...]:
    """Write the flood and life-loss outcomes of a breach over `out` (which holds those
    of no breach, `ConsequenceModels.no_flood`); return the flood arrivals."""
    if not history.breached:
        return ()
    scenario = prepared.scenario
    nan = math.nan
    towns = prepared.town_ids
    dam = scenario.assets.dam
    base_flow = scenario.river.base_flow_m3s
    reservoir = breach_model.Reservoir(
        volume_m3=history.reservoir_volume_m3,
        level_m=_level_m(prepared, history.reservoir_volume_m3),
        dam_height_m=dam.height_m,
        storage_curve=prepared.storage_curve,
    )
    drawn = inputs.failure_modes[history.breach_mode_id].breach
    breach = breach_model.breach_geometry(
        reservoir, drawn.mechanism, depth_fraction=drawn.depth_fraction,
        width_factor=drawn.width_factor, average_width_m=drawn.width_m,
        formation_s=drawn.formation_s)
    hydrograph = breach_model.breach_hydrograph(reservoir, breach, base_flow_m3s=base_flow)
    out["peak_outflow_m3s"] = hydrograph.peak_m3s
    out["flood_volume_m3"] = hydrograph.released_m3
    if not towns:
        return ()
    impacts = prepared.route_flood(
        hydrograph.times_s, hydrograph.outflow_m3s, _reaches(prepared, inputs),
        prepared.point_distances_m, base_flow_m3s=base_flow,
        damaging_depth_m=scenario.river.damaging_depth_m,
        arrival_rise_m=scenario.river.arrival_rise_m)
    breach_h = history.breach_s / HOUR_S
    understanding = scenario.warning.understanding
    events = []
    point_impacts = iter(impacts)
    for town, districts in prepared.town_districts:
        warned_h = history.warning_received_s[town] / HOUR_S
        if districts:
            at_risk = inputs.district_at_risk[town]
            points = [(d, next(point_impacts), at_risk[d]) for d in districts]
        else:
            points = [(None, next(point_impacts), inputs.population_at_risk[town])]
        fatalities = 0.0
        for district, impact, people_at_risk in points:
            loss = lifeloss.town_life_loss(
                population_at_risk=people_at_risk,
                flood_arrival_h=breach_h + impact.arrival_s / HOUR_S,
                warning_received_h=warned_h,
                peak_depth_m=impact.peak_flood_depth_m,
                depth_velocity_m2s=impact.peak_depth_velocity_m2s,
                understanding=understanding,
                rate_quantile=inputs.rate_quantile[town],
            )
            fatalities += loss.fatalities
            out["people_exposed"] += loss.people_at_risk
            out["people_evacuated"] += loss.people_evacuated
            if district is not None:
                column = f"{town}.{district}"
                out[f"arrival_h.{column}"] = breach_h + impact.arrival_s / HOUR_S \
                    if math.isfinite(impact.arrival_s) else nan
                out[f"depth_m.{column}"] = impact.peak_depth_above_normal_m
                out[f"fatalities.{column}"] = loss.fatalities
        first = min((impact for _, impact, _ in points), key=lambda i: i.arrival_s)
        worst = max((impact for _, impact, _ in points),
                    key=lambda i: i.peak_depth_above_normal_m)
        if math.isfinite(first.arrival_s):
            arrival_s = history.breach_s + first.arrival_s
            arrival_h = breach_h + first.arrival_s / HOUR_S
            if arrival_s <= history.horizon_s:
                events.append(Event(arrival_s, EventKind.FLOOD_ARRIVAL, ("flood",), town,
                                    after_breach_s=first.arrival_s,
                                    depth_m=worst.peak_depth_above_normal_m))
            out[f"arrival_h.{town}"] = arrival_h
            out[f"peak_h.{town}"] = breach_h + worst.peak_time_s / HOUR_S
            if math.isfinite(warned_h):
                out[f"warning_lead_h.{town}"] = arrival_h - warned_h
        out[f"depth_m.{town}"] = worst.peak_depth_above_normal_m
        out[f"velocity_mps.{town}"] = max(i.peak_velocity_mps for _, i, _ in points)
        out[f"depth_velocity_m2s.{town}"] = max(i.peak_depth_velocity_m2s for _, i, _ in points)
        out[f"time_above_damaging_h.{town}"] = max(
            i.time_above_damaging_depth_s for _, i, _ in points) / HOUR_S
        out[f"fatalities.{town}"] = fatalities
        out["fatalities"] += fatalities
    return tuple(sorted(events, key=lambda e: e.time_s))


def _reaches(prepared: ConsequenceModels, inputs: Inputs) -> list[flood_model.Reach]:
    """The river's reaches with this replication's drawn compound sections (built only
    when a breach floods the river)."""
    return [flood_model.Reach(length_m, CompoundSection(
                drawn.channel_width_m, drawn.bankfull_depth_m, drawn.channel_roughness,
                drawn.floodplain_width_m, drawn.floodplain_roughness, drawn.slope))
            for (length_m, drawn) in zip(prepared.reach_lengths_m.values(),
                                         inputs.reaches.values(), strict=True)]


def grid_result(models: ConsequenceModels, history: History) -> grid_model.GridOutcome | None:
    """The grid over the horizon with the replication's plant and generator outages and
    cut lines (None when the scenario's grid has no loads). A replication with neither is the
    baseline itself, which most replications are."""
    if models.grid is None:
        return None
    outages: list[tuple[float, float, str, str]] = [
        (start_s / HOUR_S, end_s / HOUR_S, "generator", PLANT_GENERATOR)
        for start_s, end_s in history.plant_outages
    ]
    outages += [(out.start_s / HOUR_S, out.end_s / HOUR_S, "generator", out.generator)
                for out in history.generator_outages]
    outages += [(cut.cut_s / HOUR_S, cut.repaired_s / HOUR_S, "line", cut.line)
                for cut in history.line_cuts]
    if not outages and history.horizon_s == models.scenario.scenario.horizon_s:
        return models.baseline
    return grid_model.unserved_energy(models.grid, outages, history.horizon_s / HOUR_S,
                                      models.start_hour)


def _grid_outcomes(models: ConsequenceModels, history: History) -> dict[str, float]:
    result = grid_result(models, history)
    if result is None:
        return {}
    if result is models.baseline:
        return models.baseline_outcomes
    return _grid_row(result, models.regions)


def _grid_row(result: grid_model.GridOutcome, regions: tuple[str, ...]) -> dict[str, float]:
    """The grid outcomes of one replication from its `GridOutcome`."""
    out = {
        "unserved_energy_mwh": result.unserved_energy_mwh,
        "added_unserved_energy_mwh": result.added_unserved_energy_mwh,
        "peak_shed_mw": result.peak_shed_mw,
        "added_peak_shed_mw": result.added_peak_shed_mw,
        "shedding_h": result.shedding_h,
        "added_shedding_h": result.added_shedding_h,
        "generation_lost_mw": result.generation_lost_mw,
    }
    by_region = result.unserved_energy_mwh_by_region
    for region in regions:
        out[f"unserved_energy_mwh.{region}"] = by_region.get(region, 0.0)
    return out
