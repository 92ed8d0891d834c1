"""The assets at risk beside the dam (``assets.others``) and what their loss does.

Each asset has a clock, like a failure mode of the dam: it starts on what its
``starts_on`` names (the capture of its node, the first arrival of an attacking force
there, or the scenario's start), runs for the asset's drawn delay and, if the drawn
occurrence says the loss happens (its ``probability``), the asset is lost. A clock
started by a capture runs within that capture, like a deliberate failure mode of the
dam (`Dam._in_control`): it needs the same holders still in control of the node when it
runs out (a recapture first saves the asset: the holders did the damage), and each new
capture of the node starts it again. The others start once and run regardless, like the
dam's structural modes. What a loss does depends on the
asset's kind, one entry per kind in `ASSET_KINDS`:

- ``power_plant``: its generators (``grid.generators``) go off the grid for its drawn
  restoration time (`History.generator_outages`, which `consequences_link.grid_result`
  hands to the grid model with the dam plant's outages);
- ``substation``: its lines are cut and repaired like those a capture cuts
  (``cut_when_captured``: `World.cut_lines`, the grid's repair time);
- ``bridge``: its road closes. Routes are planned once (`plan`), so a force whose next
  road is closed plans again where it stands, by least expected time on the roads still
  open, to its destination (an explicit ``route`` loses its remaining waypoints); with
  no way left it stays where it is. A force already on the road when the bridge goes
  finishes crossing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from .record import EventKind

if TYPE_CHECKING:
    from ..scenario.schema import Asset
    from .world import World

__all__ = ["ASSET_KINDS", "Assets", "GeneratorOutage"]


class GeneratorOutage(NamedTuple):
    """A grid generator off the grid because the power plant it belongs to was lost."""

    generator: str  # grid.generators id
    asset: str  # the assets.others id of its plant
    start_s: float
    end_s: float  # start_s + the plant's drawn restoration time (may pass the horizon)


class Assets:
    """The assets beside the dam in one replication: their clocks and their losses."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.specs = world.scenario.assets.others
        self._waiting: dict[tuple[str, str], list[str]] = {}  # (starts_on, node) -> assets
        for asset_id, spec in self.specs.items():
            if spec.starts_on != "start":
                self._waiting.setdefault((spec.starts_on, spec.node), []).append(asset_id)
        self._control: dict[str, int] = {}  # node -> changes of control (capture, recapture)
        self.lost_s: dict[str, float] = {}  # asset -> when it was lost
        self.generator_outages: list[GeneratorOutage] = []
        self.closed_roads: set[str] = set()

    def start(self) -> None:
        """The scenario starts: the clocks that start on it run."""
        for asset_id, spec in self.specs.items():
            if spec.starts_on == "start":
                self._start_clock(asset_id)

    def captured(self, node: str) -> None:
        """`node` falls to the attackers: the clocks that start on its capture start
        (again, after a recapture), to run within this capture."""
        self._control[node] = self._control.get(node, 0) + 1
        for asset_id in self._waiting.get(("capture", node), ()):
            if asset_id not in self.lost_s:
                self._start_clock(asset_id)

    def recaptured(self, node: str) -> None:
        """The defenders retake `node`: the clocks its capture started never run out."""
        self._control[node] = self._control.get(node, 0) + 1

    def reached(self, node: str) -> None:
        """An attacking force reaches `node`: the clocks waiting for it start."""
        if self._waiting:
            for asset_id in self._waiting.pop(("arrival", node), ()):
                self._start_clock(asset_id)

    def _start_clock(self, asset_id: str) -> None:
        """Start `asset_id`'s clock now. A zero delay loses it at once, not in a later
        event of the same instant: a bridge blown as a column reaches it is down before
        the column (which may have no halt) looks at its next road."""
        drawn = self.world.inputs.assets[asset_id]
        node = self.specs[asset_id].node
        control = self._control.get(node, 0)
        if not drawn.occurs:
            return
        if drawn.delay_s == 0:
            self._lose(asset_id, control)
        else:
            self.world.env.timeout(drawn.delay_s).callbacks.append(
                lambda _e: self._lose(asset_id, control))

    def _lose(self, asset_id: str, control: int) -> None:
        spec = self.specs[asset_id]
        if spec.starts_on == "capture" and self._control.get(spec.node, 0) != control:
            return  # retaken before the holders did the damage
        if asset_id in self.lost_s:
            return  # lost already (an asset is lost once)
        self.lost_s[asset_id] = self.world.env.now
        ASSET_KINDS[spec.kind](self, asset_id, spec)


def _power_plant_lost(assets: Assets, asset_id: str, spec: Asset) -> None:
    """A power plant is lost: its generators are off the grid for its restoration time."""
    world = assets.world
    now = world.env.now
    restoration_s = world.inputs.assets[asset_id].restoration_s
    assert restoration_s is not None  # the schema requires it of a power plant
    for generator in spec.generators:
        assets.generator_outages.append(
            GeneratorOutage(generator, asset_id, now, now + restoration_s))
    generators = world.scenario.grid.generators
    world.note(EventKind.GENERATORS_OUT, (asset_id,), spec.node, count=len(spec.generators),
               capacity_mw=sum(generators[g].capacity_w for g in spec.generators) / 1e6,
               duration_s=restoration_s)
    world.env.timeout(restoration_s).callbacks.append(
        lambda _e: world.note(EventKind.GENERATORS_RESTORED, (asset_id,), spec.node))


def _substation_lost(assets: Assets, asset_id: str, spec: Asset) -> None:
    """A substation is lost: its lines are cut, and repaired in the grid's repair time."""
    world = assets.world
    world.note(EventKind.SUBSTATION_LOST, (asset_id,), spec.node, count=len(spec.lines))
    world.cut_lines(tuple(spec.lines), spec.node)


def _bridge_destroyed(assets: Assets, asset_id: str, spec: Asset) -> None:
    """A bridge is destroyed: its road closes to every force that has not set off on it."""
    assert spec.road is not None  # the schema requires it of a bridge
    assets.closed_roads.add(spec.road)
    assets.world.note(EventKind.BRIDGE_DESTROYED, (asset_id,), spec.node, road=spec.road)


#: What the loss of each asset kind of the scenario language does (called when its
#: clock runs out and the loss happens).
ASSET_KINDS: dict[str, Callable[[Assets, str, Asset], None]] = {
    "power_plant": _power_plant_lost,
    "substation": _substation_lost,
    "bridge": _bridge_destroyed,
}

