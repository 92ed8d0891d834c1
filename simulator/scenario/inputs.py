"""The uncertain inputs a scenario declares: every field that may be drawn, as a path.

Each input belongs to one component, and each component is drawn on its own random
stream named by its path in the scenario (``forces.isil_column``, ``river.reaches.<id>``,
``assets.dam.failure_modes.<id>``, ...), in the fixed order `input_components` gives.
The list is the scenario language's: the engine compiles it into samplers and typed
values (`simulator.engine.inputs.InputTable`), and the checks of ``scenario.uncertainty``
and the Monte Carlo layer's knowledge design read it without the engine.

A specification is a `Distribution`, or a plain number that is the probability of an
event (a failure mode's ``occurs``); `is_drawn` says which ones a replication draws.
"""

from __future__ import annotations

from .distributions import Distribution
from .schema import BREACH_KINDS, FailureMode, ReservoirOperation, Scenario

__all__ = ["BREACH_INPUT_FIELDS", "FORCE_FIELDS", "OPERATION", "REACH_INPUT_FIELDS",
           "SUPPORT_INPUT_FIELDS", "Spec", "breach_fields", "input_components", "input_specs",
           "is_drawn", "operation_fields", "random_input_paths"]

Spec = Distribution | float  # a float is a probability of occurrence

#: A force's inputs, in the engine's `ForceInputs` order (the schema's field names).
FORCE_FIELDS = ("strength", "departure_s", "effectiveness_per_s", "defender_advantage",
                 "withdraw_ratio", "mobilisation_s")

#: A force's support inputs, in the engine's `SupportInputs` order (the schema's field names).
SUPPORT_INPUT_FIELDS = ("from_s", "effectiveness_factor")

#: A reach's inputs, in the engine's `ReachInputs` order (the schema's field names).
REACH_INPUT_FIELDS = ("slope", "channel_width_m", "bankfull_depth_m", "channel_roughness",
                      "floodplain_width_m", "floodplain_roughness")

#: Every input a breach mode may have, in the engine's `_BreachLayout` field order.
BREACH_INPUT_FIELDS = ("depth_fraction", "width_factor", "width_m", "crest_fraction",
                       "formation_s")


def breach_fields(mode: FailureMode) -> list[tuple[str, Distribution]]:
    """A breach mode's geometry inputs, in stream order (after its clock's draws, so
    adding them left the occurrence and delay draws unchanged)."""
    fields = [("depth_fraction", mode.depth_fraction)]
    if mode.width_m is not None:
        fields.append(("width_m", mode.width_m))
    elif mode.crest_fraction is not None:
        fields.append(("crest_fraction", mode.crest_fraction))
    else:
        fields.append(("width_factor", mode.width_factor))
    if mode.formation_s is not None:
        fields.append(("formation_s", mode.formation_s))
    return fields

def input_components(scenario: Scenario) -> list[tuple[str, list[tuple[str, Spec]]]]:
    """Every input, grouped by component, in the fixed order of the streams."""
    groups: list[tuple[str, list[tuple[str, Spec]]]] = []
    for force_id, force in scenario.forces.items():
        groups.append((f"forces.{force_id}",
                       [(name, getattr(force, name)) for name in FORCE_FIELDS]))
    for node_id, node in scenario.network.nodes.items():
        groups.append((f"network.nodes.{node_id}", [("halt_s", node.halt_s)]))
    for road_id, road in scenario.network.roads.items():
        timing = (("travel_time_s", road.travel_time_s) if road.travel_time_s is not None
                  else ("speed_mps", road.speed_mps))
        groups.append((f"network.roads.{road_id}", [timing, ("delay_s", road.delay_s)]))
    dam = scenario.assets.dam
    groups.append(("assets.dam.reservoir", [("volume_m3", dam.reservoir.volume_m3)]))
    for mode_id, mode in dam.failure_modes.items():
        fields: list[tuple[str, Spec]] = [("occurs", mode.probability), ("delay_s", mode.delay_s)]
        if mode.restoration_s is not None:
            fields.append(("restoration_s", mode.restoration_s))
        if mode.kind in BREACH_KINDS:
            fields.extend(breach_fields(mode))
        groups.append((f"assets.dam.failure_modes.{mode_id}", fields))
    groups.append(("warning", [("detection_delay_s", scenario.warning.detection_delay_s)]))
    for town_id in scenario.river.towns:
        # One dissemination delay per town: the warning reaches each town on its own.
        groups.append((f"warning.towns.{town_id}",
                       [("dissemination_delay_s", scenario.warning.dissemination_delay_s),
                        ("rate_quantile", scenario.warning.rate_quantile)]))
    for town_id, town in scenario.river.towns.items():
        if not town.districts:
            groups.append((f"river.towns.{town_id}",
                           [("population", town.population),
                            ("floodplain_share", town.floodplain_share)]))
    groups.append(("grid", [("repair_time_s", scenario.grid.repair_time_s)]))
    for reach_id, reach in scenario.river.reaches.items():
        groups.append((f"river.reaches.{reach_id}",
                       [(name, getattr(reach, name)) for name in REACH_INPUT_FIELDS]))
    for force_id, force in scenario.forces.items():
        if force.support is not None:
            groups.append((f"support.{force_id}",
                           [(name, getattr(force.support, name))
                            for name in SUPPORT_INPUT_FIELDS]))
    for asset_id, asset in scenario.assets.others.items():
        fields = [("occurs", asset.probability), ("delay_s", asset.delay_s)]
        if asset.restoration_s is not None:
            fields.append(("restoration_s", asset.restoration_s))
        groups.append((f"assets.others.{asset_id}", fields))
    # Drawn after every older component, each on a stream of its own, so scenarios
    # without districts or an operation keep their draws and their column order.
    for town_id, town in scenario.river.towns.items():
        for district_id, district in town.districts.items():
            groups.append((f"river.towns.{town_id}.districts.{district_id}",
                           [("population", district.population),
                            ("floodplain_share", district.floodplain_share)]))
    operation = dam.reservoir.operation
    if operation is not None:
        groups.append((OPERATION, operation_fields(operation)))
    return groups


OPERATION = "assets.dam.reservoir.operation"


def operation_fields(operation: ReservoirOperation) -> list[tuple[str, Spec]]:
    """The reservoir operation's inputs, in stream order (the engine's `OperationInputs` names)."""
    fields: list[tuple[str, Spec]] = [("inflow_m3s", operation.inflow_m3s)]
    if operation.release_m3s is not None:
        fields.append(("release_m3s", operation.release_m3s))
    drawdown = operation.drawdown
    if drawdown is not None:
        fields += [("drawdown_from_s", drawdown.from_s),
                   ("drawdown_rate_m3s", drawdown.rate_m3s)]
        if drawdown.duration_s is not None:
            fields.append(("drawdown_duration_s", drawdown.duration_s))
    return fields


def is_drawn(spec: Spec) -> bool:
    """Whether a replication draws this input: a distribution that is not a fixed value,
    or a probability strictly between 0 and 1."""
    if isinstance(spec, Distribution):
        return not spec.is_fixed
    return spec not in (0.0, 1.0)


def input_specs(scenario: Scenario) -> dict[str, Spec]:
    """Every input of `scenario` by its path, fixed ones too, in stream order."""
    return {f"{component}.{field}": spec
            for component, fields in input_components(scenario) for field, spec in fields}


def random_input_paths(scenario: Scenario) -> tuple[str, ...]:
    """The paths of the inputs a replication of `scenario` draws, in stream order."""
    return tuple(path for path, spec in input_specs(scenario).items() if is_drawn(spec))
