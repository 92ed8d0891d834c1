"""The dam's state and what follows its capture.

States: ``operating`` until an attacking force sets off on a road to the dam
(``threatened``); an attack repulsed leaves it ``held`` (threatened again by the next
column); an attack won makes it ``captured``, which is final (recapture is not
modelled).

Failure modes after capture. Each mode of the scenario draws, independently and up
front from its own stream, whether it happens (its probability) and its delay after
capture. Of the breach modes that happen (full or partial) the earliest is *the* breach
(ties go to the mode listed first) and the others never occur: at most one breach per
replication. Every loss-of-operation mode that happens takes the plant off the grid from
capture + delay until its restoration time. A breach takes the plant off for good.
Outage intervals are merged in `History.plant_outages`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .warning import start_warning

if TYPE_CHECKING:
    from .world import World

__all__ = ["Dam"]

BREACH_KINDS = ("full_breach", "partial_breach")


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

    def _set_state(self, state: str, template: str, *args: object) -> None:
        self.state = state
        self.world.note(state, self.spec.name, self.node, template, *args)

    def threaten(self, by: str) -> None:
        """An attacking force sets off on a road to the dam."""
        if self.state in ("operating", "held"):
            self.threatened_s = min(self.threatened_s, self.world.env.now)
            self._set_state("threatened", "{} is on its way to the dam", by)

    def hold(self) -> None:
        """An attack on the dam was repulsed."""
        if self.state != "captured":
            self._set_state("held", "the attack on the dam is repulsed")

    def capture(self, by: str) -> None:
        """The dam falls: start the clocks of the failure modes that will happen."""
        env, values = self.world.env, self.world.values
        self.capture_s = env.now
        self._set_state("captured", "the dam is captured by {}", by)
        breaches = []
        for order, (mode_id, mode) in enumerate(self.spec.failure_modes.items()):
            prefix = "assets.dam.failure_modes." + mode_id + "."
            if not values[prefix + "occurs"]:
                continue
            delay_s = values[prefix + "delay_s"]
            if mode.kind in BREACH_KINDS:
                breaches.append((delay_s, order, mode_id))
            else:
                restoration_s = values[prefix + "restoration_s"]
                event = env.timeout(delay_s)
                event.callbacks.append(
                    lambda _e, m=mode_id, r=restoration_s: self._lose_operation(m, r))
        if breaches:
            delay_s, _, mode_id = min(breaches)
            env.timeout(delay_s).callbacks.append(lambda _e: self._breach(mode_id))

    def _breach(self, mode_id: str) -> None:
        world = self.world
        now = world.env.now
        mode = self.spec.failure_modes[mode_id]
        self.breach_s = now
        self.breach_mode_id = mode_id
        depth = mode.depth_fraction
        world.note("breach", self.spec.name, self.node, "{} ({}): breach cut to {:.0%} of the "
                   "dam height", mode.kind.replace("_", " "), mode_id, depth)
        if self.spec.plant is not None:
            self.outages.append((now, math.inf))
        start_warning(world, now)

    def _lose_operation(self, mode_id: str, restoration_s: float) -> None:
        world = self.world
        now = world.env.now
        if self.spec.plant is None:
            world.note("plant_out", self.spec.name, self.node,
                       "{}: loss of operation (the dam has no plant)", mode_id)
            return
        plant = self.spec.plant
        self.outages.append((now, now + restoration_s))
        world.note("plant_out", self.spec.name, plant.bus,
                   "{}: plant off the grid ({:.0f} MW) for {:.1f} h", mode_id,
                   plant.capacity_w / 1e6, restoration_s / 3600)
        world.env.timeout(restoration_s).callbacks.append(self._restored)

    def _restored(self, _event: Any) -> None:
        now = self.world.env.now
        if any(start <= now < end for start, end in self.outages):
            return  # a breach or another outage keeps it out
        plant = self.spec.plant
        self.world.note("plant_restored", self.spec.name, plant.bus if plant else self.node,
                        "plant back on the grid")

    @property
    def breach_depth_fraction(self) -> float:
        if self.breach_mode_id is None:
            return 0.0
        return self.spec.failure_modes[self.breach_mode_id].depth_fraction
