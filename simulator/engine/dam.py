"""The dam's state and what follows its capture.

States: ``operating`` until an attacking force sets off on a road to the dam
(``threatened``); an attack repulsed leaves it ``held`` (threatened again by the next
column); an attack won makes it ``captured``, which is final (recapture is not
modelled).

Failure modes. Each mode of the scenario draws, independently and up front from its own
stream, whether it happens (its probability), its delay and, for a breach, its geometry
(`inputs.BreachInputs`: mechanism, depth, width, formation time), which the consequence
models read for the breach that happens. A mode's clock starts on what its ``starts_on``
names: the dam's capture (the default; a demolition must), its first threat, or the
scenario's start (a structural failure, which needs no force at all). Of the breach modes
that happen (full or partial) the earliest is *the* breach (ties go to the mode listed
first) and the others never occur: at most one breach per replication. Every loss-of-operation mode that happens takes the plant off the grid from
capture + delay until its restoration time. A breach takes the plant off for good.
Outage intervals are merged in `History.plant_outages`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .record import EventKind
from .warning import dam_event

if TYPE_CHECKING:
    from .inputs import FailureModeInputs
    from .world import World

__all__ = ["ACTOR", "Dam"]

ACTOR = "dam"  # the dam's id on the timeline (the asset under ``assets.dam``)


class Dam:
    """The dam asset of one replication."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.spec = world.scenario.assets.dam
        self.node = self.spec.node
        self.state = "operating"
        self.threatened_s = math.inf
        self.capture_s = math.inf
        self.breach_s = math.inf
        self.breach_mode_id: str | None = None
        self.outages: list[tuple[float, float]] = []

    def _set_state(self, state: EventKind, by: tuple[str, ...] = ()) -> None:
        self.state = str(state)
        self.world.note(state, (ACTOR,), self.node, opponents=by)

    def start(self) -> None:
        """The scenario starts: the clocks of the structural failure modes run."""
        self._start_clocks("start")

    def threaten(self, by: str) -> None:
        """An attacking force sets off on a road to the dam."""
        if self.state in ("operating", "held"):
            first = self.threatened_s == math.inf
            self.threatened_s = min(self.threatened_s, self.world.env.now)
            self._set_state(EventKind.THREATENED, (by,))
            dam_event(self.world, "threat")
            if first:
                self._start_clocks("threat")

    def hold(self) -> None:
        """An attack on the dam was repulsed."""
        if self.state != "captured":
            self._set_state(EventKind.HELD)

    def capture(self, by: tuple[str, ...]) -> None:
        """The dam falls: start the clocks of the failure modes that start on capture."""
        self.capture_s = self.world.env.now
        self._set_state(EventKind.CAPTURED, by)
        dam_event(self.world, "capture")
        self._start_clocks("capture")

    def _start_clocks(self, starts_on: str) -> None:
        """Start the clocks of the failure modes that happen and start on `starts_on`.
        Breach modes are scheduled in the order listed, so at equal times the first
        listed breaches and the others find the dam already breached."""
        env, drawn = self.world.env, self.world.inputs.failure_modes
        for mode_id, mode in self.spec.failure_modes.items():
            inputs = drawn[mode_id]
            if mode.starts_on != starts_on or not inputs.occurs:
                continue
            breach_delay_s = FAILURE_MODES[mode.kind](self, mode_id, inputs)
            if breach_delay_s is not None:
                env.timeout(breach_delay_s).callbacks.append(
                    lambda _e, mode_id=mode_id: self._breach(mode_id))

    def _breach(self, mode_id: str) -> None:
        if self.breach_mode_id is not None:
            return  # an earlier breach mode has happened; the dam breaches once
        world = self.world
        now = world.env.now
        mode = self.spec.failure_modes[mode_id]
        self.breach_s = now
        self.breach_mode_id = mode_id
        world.note(EventKind.BREACH, (ACTOR,), self.node, mode=mode_id, breach_kind=mode.kind,
                   depth_fraction=self.breach_depth_fraction)
        if self.spec.plant is not None:
            self.outages.append((now, math.inf))
        dam_event(world, "breach")

    def lose_operation(self, mode_id: str, restoration_s: float) -> None:
        """Failure mode `mode_id` takes the plant off the grid for `restoration_s`."""
        world = self.world
        now = world.env.now
        if self.spec.plant is None:
            world.note(EventKind.PLANT_OUT, (ACTOR,), self.node, mode=mode_id)
            return
        plant = self.spec.plant
        self.outages.append((now, now + restoration_s))
        world.note(EventKind.PLANT_OUT, (ACTOR,), plant.bus, mode=mode_id,
                   capacity_mw=plant.capacity_w / 1e6, duration_s=restoration_s)
        world.env.timeout(restoration_s).callbacks.append(self._restored)

    def _restored(self, _event: Any) -> None:
        now = self.world.env.now
        if any(start <= now < end for start, end in self.outages):
            return  # a breach or another outage keeps it out
        plant = self.spec.plant
        self.world.note(EventKind.PLANT_RESTORED, (ACTOR,), plant.bus if plant else self.node)

    @property
    def breach_depth_fraction(self) -> float:
        """Share of the dam height the breach cut down (as drawn for its mode); 0 while
        the dam has not breached."""
        if self.breach_mode_id is None:
            return 0.0
        return self.world.inputs.failure_modes[self.breach_mode_id].breach.depth_fraction


def _breach_candidate(dam: Dam, mode_id: str, inputs: FailureModeInputs) -> float:
    """A breach mode enters the race for the earliest breach with its delay."""
    return inputs.delay_s


def _loss_of_operation(dam: Dam, mode_id: str, inputs: FailureModeInputs) -> None:
    """A loss-of-operation mode takes the plant off the grid after its delay."""
    restoration_s = inputs.restoration_s
    dam.world.env.timeout(inputs.delay_s).callbacks.append(
        lambda _e: dam.lose_operation(mode_id, restoration_s))


#: What each failure-mode kind of the scenario language does when the dam is captured:
#: start its clock, and return its delay if it is a candidate for *the* breach.
FAILURE_MODES: dict[str, Callable[[Dam, str, FailureModeInputs], float | None]] = {
    "full_breach": _breach_candidate,
    "partial_breach": _breach_candidate,
    "loss_of_operation": _loss_of_operation,
}
