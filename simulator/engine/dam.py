"""The dam's state and what follows its capture.

States: ``operating`` until an attacking force sets off on a road to the dam
(``threatened``); an attack repulsed leaves it ``held`` (threatened again by the next
column); an attack won makes it ``captured``; a counter-attack won by the defenders
(or a defender reaching it when no attacker holds it) makes it ``recaptured``, and it
may be threatened and captured again. `held` lists the intervals the attackers held it.

Failure modes. Each mode of the scenario draws, independently and up front from its own
stream, whether it happens (its probability), its delay and, for a breach, its geometry
(`inputs.BreachInputs`: mechanism, depth, width, formation time), which the consequence
models read for the breach that happens. A mode's clock starts on what its ``starts_on``
names: the dam's capture (the default; a demolition must), its first threat, or the
scenario's start (a structural failure, which needs no force at all). Of the breach modes
that happen (full or partial) the earliest is *the* breach (ties go to the mode listed
first) and the others never occur: at most one breach per replication. Every
loss-of-operation mode that happens takes the plant off the grid at its clock's start +
delay for its restoration time. A breach takes the plant off for good. Outage intervals
are merged in `History.plant_outages`.

Recapture. The *deliberate* modes need an attacker in control when they fire: a
``demolition`` breach (a charge someone lays) and a loss of operation that starts on
capture (the holder stops or wrecks the plant). A recapture before one fires stops it,
and a later capture starts its clock afresh with the same drawn delay. The *structural*
modes (``starts_on: start`` or ``threat``, and ``overtopping`` or ``piping`` breaches
whatever they start on: damage already done to the spillway gates or the foundation's
upkeep) keep running through a recapture, and their clocks start once. An outage the
holder caused keeps its drawn restoration time from the moment the plant went off: the
restoration time stands for repairing what was done, which a recapture does not undo
(recapturing sooner shortens the outage only by stopping a loss that has not happened).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .record import EventKind
from .reservoir import level_reached_s
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
        self.control = "operating"  # the last change of control (threat, hold, capture...)
        self.state = "operating"  # control, or "breached" for good once the dam breaches
        self.threatened_s = math.inf
        self.capture_s = math.inf  # first capture
        self.recapture_s = math.inf  # first recapture
        self.held: list[tuple[float, float]] = []  # (captured, recaptured or inf)
        self._control = 0  # counts captures: a deliberate mode's clock runs within one
        self.breach_s = math.inf
        self.breach_mode_id: str | None = None
        self.outages: list[tuple[float, float]] = []

    def _set_state(self, state: EventKind, by: tuple[str, ...] = ()) -> None:
        """Control of the dam changes; its state follows unless the dam has breached."""
        self.control = str(state)
        if self.state != "breached":
            self.state = self.control
        self.world.note(state, (ACTOR,), self.node, opponents=by)

    def start(self) -> None:
        """The scenario starts: the clocks of the structural failure modes run, and those
        that start on a reservoir level wait for the water to get there. The water
        reaching a mode's level is an event whether or not the mode happens (what the
        group sees must not tell them the draw)."""
        self._start_clocks("start")
        for mode_id, mode in self.spec.failure_modes.items():
            if mode.starts_on == "level":
                inputs = self.world.inputs
                reached_s = level_reached_s(self.spec.reservoir, inputs.reservoir_volume_m3,
                                            inputs.reservoir_operation, mode.level_m)
                if reached_s <= self.world.plan.horizon_s:
                    self.world.env.timeout(reached_s).callbacks.append(
                        lambda _e, mode_id=mode_id: self._level_reached(mode_id))

    def _level_reached(self, mode_id: str) -> None:
        level_m = self.spec.failure_modes[mode_id].level_m
        self.world.note(EventKind.LEVEL_REACHED, (ACTOR,), self.node, mode=mode_id,
                        depth_m=level_m)
        if self.world.inputs.failure_modes[mode_id].occurs:
            self._start_clock(mode_id)

    def threaten(self, by: str) -> None:
        """An attacking force sets off on a road to the dam."""
        if self.control in ("operating", "held", "recaptured"):
            first = self.threatened_s == math.inf
            self.threatened_s = min(self.threatened_s, self.world.env.now)
            self._set_state(EventKind.THREATENED, (by,))
            dam_event(self.world, "threat")
            if first:
                self._start_clocks("threat")

    def hold(self) -> None:
        """An attack on the dam was repulsed."""
        if self.control != "captured":
            self._set_state(EventKind.HELD)

    def capture(self, by: tuple[str, ...]) -> None:
        """The dam falls: start the clocks of the failure modes that start on capture
        (on a later capture, those of the deliberate modes only)."""
        now = self.world.env.now
        first = self.capture_s == math.inf
        self.capture_s = min(self.capture_s, now)
        self.held.append((now, math.inf))
        self._control += 1
        self._set_state(EventKind.CAPTURED, by)
        dam_event(self.world, "capture")
        self._start_clocks("capture", deliberate_only=not first)

    def recapture(self, by: tuple[str, ...]) -> None:
        """The defenders retake the dam: the deliberate modes still to fire never do."""
        now = self.world.env.now
        self.recapture_s = min(self.recapture_s, now)
        self.held[-1] = (self.held[-1][0], now)
        self._control += 1
        self._set_state(EventKind.RECAPTURED, by)

    def deliberate(self, mode_id: str) -> bool:
        """Whether failure mode `mode_id` needs an attacker in control when it fires."""
        mode = self.spec.failure_modes[mode_id]
        return mode.mechanism == "demolition" or (
            mode.kind == "loss_of_operation" and mode.starts_on == "capture")

    def _start_clocks(self, starts_on: str, deliberate_only: bool = False) -> None:
        """Start the clocks of the failure modes that happen and start on `starts_on`.
        Breach modes are scheduled in the order listed, so at equal times the first
        listed breaches and the others find the dam already breached."""
        drawn = self.world.inputs.failure_modes
        for mode_id, mode in self.spec.failure_modes.items():
            if mode.starts_on != starts_on or not drawn[mode_id].occurs:
                continue
            if deliberate_only and not self.deliberate(mode_id):
                continue
            self._start_clock(mode_id)

    def _start_clock(self, mode_id: str) -> None:
        """Start failure mode `mode_id`'s clock now (it happens: its draw said so)."""
        inputs = self.world.inputs.failure_modes[mode_id]
        fire = FAILURE_MODES[self.spec.failure_modes[mode_id].kind](self, mode_id, inputs)
        if self.deliberate(mode_id):
            fire = self._in_control(fire)
        self.world.env.timeout(inputs.delay_s).callbacks.append(fire)

    def _in_control(self, fire: Callable[[Any], None]) -> Callable[[Any], None]:
        """`fire`, but only if the attackers who started the clock still hold the dam."""
        control = self._control

        def fire_if_held(event: Any) -> None:
            if self._control == control:
                fire(event)

        return fire_if_held

    def breach(self, mode_id: str) -> None:
        """Breach mode `mode_id`'s clock has run out: the dam breaches, unless it has."""
        if self.breach_mode_id is not None:
            return  # an earlier breach mode has happened; the dam breaches once
        world = self.world
        now = world.env.now
        mode = self.spec.failure_modes[mode_id]
        self.breach_s = now
        self.breach_mode_id = mode_id
        self.state = "breached"
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
        self.outages.append((now, now + restoration_s))
        if world.timeline is not None:
            # What the grid loses is the plant's available output, not its nameplate.
            from .consequences_link import plant_output_mw

            world.note(EventKind.PLANT_OUT, (ACTOR,), self.spec.plant.bus, mode=mode_id,
                       capacity_mw=plant_output_mw(self.world.scenario),
                       duration_s=restoration_s)
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


def _breach_candidate(dam: Dam, mode_id: str,
                      inputs: FailureModeInputs) -> Callable[[Any], None]:
    """A breach mode enters the race for the earliest breach: it breaches the dam when
    its clock runs out, unless another mode breached it first."""
    return lambda _e: dam.breach(mode_id)


def _loss_of_operation(dam: Dam, mode_id: str,
                       inputs: FailureModeInputs) -> Callable[[Any], None]:
    """A loss-of-operation mode takes the plant off the grid when its clock runs out."""
    restoration_s = inputs.restoration_s
    return lambda _e: dam.lose_operation(mode_id, restoration_s)


#: What each failure-mode kind of the scenario language does when its clock runs out
#: (the callback its clock's timeout fires).
FAILURE_MODES: dict[str, Callable[[Dam, str, FailureModeInputs], Callable[[Any], None]]] = {
    "full_breach": _breach_candidate,
    "partial_breach": _breach_candidate,
    "loss_of_operation": _loss_of_operation,
}
