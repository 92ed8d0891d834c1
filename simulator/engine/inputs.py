"""The uncertain inputs of a scenario: compiled once, drawn per replication into typed values.

Each input belongs to one component, and each component has its own random stream named
by its path in the scenario (``forces.isil_column``, ``network.roads.anah_haditha``,
``assets.dam.failure_modes.breach``, ``warning``, ...), drawn in a fixed
order. `InputTable.draw` returns every input of a replication as one flat list, and
`InputTable.typed` turns that list into the typed per-force, per-road and per-asset
values (`Inputs`) that the engine and the consequence models read. Paths such as
``forces.isil_column.strength`` remain for two things only: the ``input.<path>`` outcome
columns, and pinning inputs to a story's values in the tabletop exercise.

A breach mode's geometry (depth fraction, and the width factor or the given width and
formation time) is drawn on the mode's own stream after its clock, so it is sampled,
reported and ranked like any input. Each river town's quantile in Graham's fatality-rate range is ``warning.rate_quantile``,
drawn once per town on the town's warning stream; its population and floodplain share
are ``river.towns.<town>`` inputs. Each river reach's compound section (slope, channel
and floodplain) is drawn on its own stream, ``river.reaches.<reach>``. A force's support
(its start time and effectiveness factor) is drawn on ``support.<force>``, a stream
of its own, so adding support to a force leaves its other draws as they were. Each asset
beside the dam (``assets.others.<asset>``: whether its loss happens, its delay, a power
plant's restoration time) has its own stream too, drawn after all the others.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from ..scenario.distributions import Distribution
from ..scenario.inputs import (
    BREACH_INPUT_FIELDS,
    FORCE_FIELDS,
    OPERATION,
    REACH_INPUT_FIELDS,
    SUPPORT_INPUT_FIELDS,
    Spec,
    input_components,
    is_drawn,
)
from ..scenario.schema import BREACH_KINDS, Road, Scenario
from .reservoir import OperationInputs
from .rng import StreamSet

__all__ = ["BREACH_INPUT_FIELDS", "REACH_INPUT_FIELDS", "SUPPORT_INPUT_FIELDS", "AssetInputs",
           "BreachInputs", "FailureModeInputs", "ForceInputs", "InputTable", "Inputs",
           "ReachInputs", "SupportInputs", "road_time_s"]

Sampler = Callable[[np.random.Generator], float]


def road_time_s(road: Road, drive: float, delay_s: float) -> float:
    """Time to drive `road`: its length over the speed `drive` (or `drive` itself when the
    road gives a travel time), plus the delay on it. The one road-time formula, used with
    draws in a replication and with means when routes are planned."""
    drive_s = drive if road.travel_time_s is not None else road.length_m / drive
    return drive_s + delay_s


class ForceInputs(NamedTuple):
    """One force's drawn parameters."""

    strength: float
    departure_s: float
    effectiveness_per_s: float
    defender_advantage: float
    withdraw_ratio: float
    mobilisation_s: float


class SupportInputs(NamedTuple):
    """A force's drawn support: from when (s since the start) and its factor on the
    force's effectiveness."""

    from_s: float
    effectiveness_factor: float


class BreachInputs(NamedTuple):
    """A breach mode's drawn geometry: its mechanism, the share of the dam height it
    cuts, the factor on the regression width, and the width (m) and formation time (s)
    where the scenario gives them (None: the mechanism's regression decides)."""

    mechanism: str
    depth_fraction: float
    width_factor: float
    width_m: float | None
    formation_s: float | None


class FailureModeInputs(NamedTuple):
    """Whether a failure mode of the dam happens after capture, when, for how long (loss
    of operation) and with what breach (breach modes)."""

    occurs: bool
    delay_s: float
    restoration_s: float | None  # loss of operation only
    breach: BreachInputs | None = None  # breach modes only


class AssetInputs(NamedTuple):
    """Whether an asset beside the dam is lost once its clock starts, after what delay,
    and for how long (a power plant's restoration; None for other kinds)."""

    occurs: bool
    delay_s: float
    restoration_s: float | None


class ReachInputs(NamedTuple):
    """A river reach's drawn compound section: slope, main channel (width, bankfull
    depth, Manning's n) and floodplain (width beyond the banks, Manning's n)."""

    slope: float
    channel_width_m: float
    bankfull_depth_m: float
    channel_roughness: float
    floodplain_width_m: float
    floodplain_roughness: float


@dataclass(frozen=True, slots=True)
class Inputs:
    """Every input of one replication, typed, in SI units. Its per-force, per-reach and
    per-asset records are named tuples: a replication builds a few dozen, and a tuple is
    built in less than half the time of a frozen dataclass."""

    forces: dict[str, ForceInputs]
    halt_s: dict[str, float]  # node -> halt there
    road_time_s: dict[str, float]  # road -> drive plus delay
    reservoir_volume_m3: float
    failure_modes: dict[str, FailureModeInputs]
    detection_delay_s: float
    dissemination_delay_s: dict[str, float]  # river town -> its own delay
    population_at_risk: dict[str, float]  # river town -> population x floodplain share
    repair_time_s: float
    rate_quantile: dict[str, float]  # river town -> quantile in Graham's range
    reaches: dict[str, ReachInputs]  # river reach -> its compound section
    support: dict[str, SupportInputs]  # force -> its support (forces that have one)
    assets: dict[str, AssetInputs]  # asset beside the dam (assets.others) -> its draws
    reservoir_operation: OperationInputs | None = None  # None: the volume stays as drawn
    # river town with districts -> district -> its population at risk (the town's
    # population_at_risk is their sum)
    district_at_risk: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)


_CONSEQUENCE = "input.consequences."


@dataclass(frozen=True)
class _Component:
    name: str
    draws: tuple[tuple[int, Sampler], ...]  # (index in the value list, sampler)
    # (index, draws from doubles) when each draw is one double (`Distribution.sample_doubles`),
    # so a block of replications is drawn as arrays; None: drawn one replication at a time
    by_doubles: tuple[tuple[int, Callable[[np.ndarray], np.ndarray]], ...] | None


#: Replications drawn together once `InputTable.draw` sees consecutive replications.
BLOCK = 128


class _Block(threading.local):
    """This thread's last block of drawn inputs (its seed, first replication and rows)
    and the (seed, replication) it was last asked for."""

    seed: int = -1
    first: int = 0
    rows: list[list[float]] = []
    last: tuple[int, int] | None = None


class _Columns:
    """Some drawn inputs as ``input.<path>`` outcome columns: `of(values)` picks them out
    of a replication's values (names and positions worked out once)."""

    def __init__(self, columns: list[tuple[str, int]]) -> None:
        self.names = tuple(name for name, _ in columns)
        indices = [index for _, index in columns]
        self._pick = itemgetter(*indices) if len(indices) > 1 else \
            (lambda values: tuple(values[i] for i in indices))

    def of(self, values: list[float]) -> dict[str, float]:
        """The columns' values in this replication, by column name."""
        return dict(zip(self.names, self._pick(values), strict=True))


class InputTable:
    """The inputs of one scenario, compiled: fixed values, samplers and their streams.

    `paths` lists every input (fixed ones too) in stream order; `random_paths` those
    that are drawn. `specs` maps each path to its specification (a distribution or a
    probability of occurrence; the list is the scenario's, `scenario.inputs`).
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        paths: list[str] = []
        base: list[float] = []
        specs: dict[str, Spec] = {}
        components: list[_Component] = []
        for component, fields in input_components(scenario):
            draws: list[tuple[int, Sampler]] = []
            by_doubles: list[tuple[int, Callable[[np.ndarray], np.ndarray]]] | None = []
            for field, spec in fields:
                path = f"{component}.{field}"
                specs[path] = spec
                index = len(paths)
                paths.append(path)
                base.append(math.nan)
                if not is_drawn(spec):
                    base[index] = spec.mean if isinstance(spec, Distribution) else float(spec)
                else:  # a distribution, or the probability of an event: a Bernoulli draw
                    drawn = spec if isinstance(spec, Distribution) else \
                        Distribution(kind="bernoulli", params={"p": float(spec)})
                    draws.append((index, drawn.sample))
                    if by_doubles is not None and drawn.draws_one_double:
                        by_doubles.append((index, drawn.sample_doubles))
                    else:
                        by_doubles = None
            if draws:
                components.append(_Component(component, tuple(draws),
                                             None if by_doubles is None else tuple(by_doubles)))
        self.paths = tuple(paths)
        self.specs = specs
        self.index = {path: i for i, path in enumerate(paths)}
        self._base = base
        self._components = tuple(components)
        self._streams = StreamSet([c.name for c in components])
        random = [i for c in components for i, _ in c.draws]
        self.random_paths = tuple(paths[i] for i in random)
        columns = [("input." + paths[i], i) for i in random]
        #: the outcome columns of the engine's random inputs and of the consequence
        #: models' ones, recorded with the outcomes of whoever uses them
        self.engine_columns = _Columns([c for c in columns if not c[0].startswith(_CONSEQUENCE)])
        self.consequence_columns = _Columns([c for c in columns if c[0].startswith(_CONSEQUENCE)])
        self._layout = _Layout(scenario, self.index)
        self._depth = max((len(c.by_doubles) for c in components if c.by_doubles), default=0)
        self._block = _Block()

    def draw(self, seed: int, replication: int,
             pinned: Mapping[str, float] | None = None) -> list[float]:
        """Every input of one replication, in the order of `paths`.

        `pinned` maps input paths to values that replace the draws (a branch forecast
        keeps what a story has already realised and draws the rest fresh). Every stream
        is still drawn in full, so the inputs that are not pinned are exactly those of
        the unpinned replication (common random numbers); an unknown path is a
        ValueError.
        """
        values = self._sequential(seed, replication)
        if pinned:
            unknown = sorted(set(pinned) - self.index.keys())
            if unknown:
                raise ValueError(f"pinned inputs not in this scenario: {', '.join(unknown)}")
            for path, value in pinned.items():
                values[self.index[path]] = float(value)
        return values

    def _sequential(self, seed: int, replication: int) -> list[float]:
        """Replication `replication`'s draws: from this thread's block when it holds
        them; a new block of `BLOCK` when the replication follows the last one asked
        for (a run); else drawn alone. The numbers are the same either way."""
        block = self._block
        follows = block.last == (seed, replication - 1)
        block.last = (seed, replication)
        row = replication - block.first
        if block.seed == seed and 0 <= row < len(block.rows):
            return list(block.rows[row])
        count = min(BLOCK, (1 << 32) - replication)
        if not follows or count < 2:
            return self.draw_one(seed, replication)
        block.seed, block.first = seed, replication
        block.rows = self.draw_block(seed, replication, count).tolist()
        return list(block.rows[0])

    def draw_one(self, seed: int, replication: int) -> list[float]:
        """One replication's draws, stream by stream with a numpy generator (the
        reference path, which `draw_block` reproduces)."""
        values = list(self._base)
        streams = self._streams.positioned(seed, replication)
        for component, (_, generator) in zip(self._components, streams, strict=True):
            for index, sample in component.draws:
                values[index] = sample(generator)
        return values

    def draw_block(self, seed: int, first: int, count: int) -> np.ndarray:
        """The draws of replications ``first .. first + count - 1`` (below 2**32), one row
        each: the numbers of `draw_one`. A component whose draws are one double each is
        drawn for all the rows at once from the streams' outputs (`rng.StreamBlock`); the
        others from a numpy generator positioned on each row's stream."""
        # worked on as (inputs, replications), so that each input is one contiguous row
        by_input = np.tile(np.asarray(self._base, dtype=np.float64)[:, None], (1, count))
        streams = self._streams.block(seed, first, count)
        doubles = [np.ascontiguousarray(d.T) for d in streams.doubles(self._depth)]
        for column, component in enumerate(self._components):
            if component.by_doubles is not None:
                for position, (index, sample) in enumerate(component.by_doubles):
                    by_input[index] = sample(doubles[position][column])
                continue
            for row, start in enumerate(streams.states(column)):
                generator = self._streams.at(*start)
                for index, sample in component.draws:
                    by_input[index, row] = sample(generator)
        return by_input.T

    def road_paths(self, road_id: str) -> tuple[str, str]:
        """The input paths of a road's drive (speed or travel time) and its delay."""
        prefix = f"network.roads.{road_id}."
        drive = "speed_mps" if prefix + "speed_mps" in self.index else "travel_time_s"
        return prefix + drive, prefix + "delay_s"

    def draw_by_path(self, seed: int, replication: int) -> dict[str, float]:
        """Every input of one replication keyed by its path (for pinning inputs to a
        story's values and comparing stories)."""
        return dict(zip(self.paths, self.draw(seed, replication), strict=True))

    def typed(self, values: list[float]) -> Inputs:
        """The drawn `values` as typed per-force, per-road and per-asset inputs."""
        return self._layout.typed(values)


@dataclass(frozen=True, slots=True)
class _BreachLayout:
    """Where a breach mode's geometry inputs sit (None: not an input of this mode)."""

    mechanism: str
    crest_length_m: float
    depth_fraction: int
    width_factor: int | None
    width_m: int | None
    crest_fraction: int | None
    formation_s: int | None

    def typed(self, v: list[float]) -> BreachInputs:
        width_m = None
        if self.width_m is not None:
            width_m = v[self.width_m]
        elif self.crest_fraction is not None:
            width_m = v[self.crest_fraction] * self.crest_length_m
        return BreachInputs(
            mechanism=self.mechanism,
            depth_fraction=v[self.depth_fraction],
            width_factor=1.0 if self.width_factor is None else v[self.width_factor],
            width_m=width_m,
            formation_s=None if self.formation_s is None else v[self.formation_s],
        )


class _Layout:
    """Where each typed input sits in the flat list of values, worked out once."""

    def __init__(self, scenario: Scenario, index: dict[str, int]) -> None:
        # itemgetters of several indices: one call returns a record's fields as a tuple
        self.forces = {force_id: itemgetter(*(index[f"forces.{force_id}.{name}"]
                                              for name in FORCE_FIELDS))
                       for force_id in scenario.forces}
        self.halts = {node: index[f"network.nodes.{node}.halt_s"]
                      for node in scenario.network.nodes}
        self.roads = []
        for road_id, road in scenario.network.roads.items():
            prefix = f"network.roads.{road_id}."
            drive = prefix + ("travel_time_s" if road.travel_time_s is not None else "speed_mps")
            self.roads.append((road_id, road, index[drive], index[prefix + "delay_s"]))
        dam = scenario.assets.dam
        self.volume = index["assets.dam.reservoir.volume_m3"]
        self.modes = []
        for mode_id, mode in dam.failure_modes.items():
            prefix = f"assets.dam.failure_modes.{mode_id}."
            restoration = index[prefix + "restoration_s"] if mode.restoration_s is not None \
                else None
            breach = None
            if mode.kind in BREACH_KINDS:
                breach = _BreachLayout(mode.mechanism, dam.crest_length_m, *(
                    index.get(prefix + name) for name in BREACH_INPUT_FIELDS))
            self.modes.append((mode_id, index[prefix + "occurs"], index[prefix + "delay_s"],
                               restoration, breach))
        self.detection = index["warning.detection_delay_s"]
        towns = tuple(scenario.river.towns)
        self.dissemination = {t: index[f"warning.towns.{t}.dissemination_delay_s"]
                              for t in towns}
        self.repair = index["grid.repair_time_s"]
        self.quantiles = {t: index[f"warning.towns.{t}.rate_quantile"] for t in towns}
        self.at_risk = {t: (index[f"river.towns.{t}.population"],
                            index[f"river.towns.{t}.floodplain_share"])
                        for t, town in scenario.river.towns.items() if not town.districts}
        self.districts = {
            t: {d: (index[f"river.towns.{t}.districts.{d}.population"],
                    index[f"river.towns.{t}.districts.{d}.floodplain_share"])
                for d in town.districts}
            for t, town in scenario.river.towns.items() if town.districts}
        self.operation = ({name: index.get(f"{OPERATION}.{name}")
                           for name in OperationInputs.__slots__}
                          if dam.reservoir.operation is not None else None)
        self.reaches = {r: itemgetter(*(index[f"river.reaches.{r}.{name}"]
                                        for name in REACH_INPUT_FIELDS))
                        for r in scenario.river.reaches}
        self.support = {f: itemgetter(*(index[f"support.{f}.{name}"]
                                        for name in SUPPORT_INPUT_FIELDS))
                        for f, force in scenario.forces.items() if force.support is not None}
        self.assets = {a: tuple(index.get(f"assets.others.{a}.{name}")
                                for name in ("occurs", "delay_s", "restoration_s"))
                       for a in scenario.assets.others}

    def _operation(self, v: list[float]) -> OperationInputs | None:
        at = self.operation
        if at is None:
            return None
        value = {name: math.inf if i is None else v[i] for name, i in at.items()}
        if at["release_m3s"] is None:
            value["release_m3s"] = value["inflow_m3s"]  # the level held
        return OperationInputs(**value)

    def typed(self, v: list[float]) -> Inputs:
        districts = {t: {d: v[people] * v[share] for d, (people, share) in at.items()}
                     for t, at in self.districts.items()}
        at_risk = {t: v[people] * v[share] for t, (people, share) in self.at_risk.items()}
        at_risk.update({t: sum(by_district.values()) for t, by_district in districts.items()})
        return Inputs(
            forces={force_id: ForceInputs(*fields(v)) for force_id, fields in self.forces.items()},
            halt_s={node: v[i] for node, i in self.halts.items()},
            road_time_s={road_id: road_time_s(road, v[drive], v[delay])
                         for road_id, road, drive, delay in self.roads},
            reservoir_volume_m3=v[self.volume],
            failure_modes={mode_id: FailureModeInputs(
                bool(v[occurs]), v[delay], None if restore is None else v[restore],
                None if breach is None else breach.typed(v))
                for mode_id, occurs, delay, restore, breach in self.modes},
            detection_delay_s=v[self.detection],
            dissemination_delay_s={t: v[i] for t, i in self.dissemination.items()},
            population_at_risk=at_risk,
            repair_time_s=v[self.repair],
            rate_quantile={t: v[i] for t, i in self.quantiles.items()},
            reaches={r: ReachInputs(*fields(v)) for r, fields in self.reaches.items()},
            support={f: SupportInputs(*fields(v)) for f, fields in self.support.items()},
            assets={a: AssetInputs(bool(v[occurs]), v[delay],
                                   None if restore is None else v[restore])
                    for a, (occurs, delay, restore) in self.assets.items()},
            reservoir_operation=self._operation(v),
            district_at_risk=districts,
        )
