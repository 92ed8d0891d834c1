"""Warning of the people downstream, set off by a breach or earlier.

What sets the warning off is the scenario's ``warning.starts_on``, one of the dam's
events in the order they can happen: ``threat`` (the first attacking force sets off on a
road to the dam: the dam's ``threatened`` event), ``capture`` (the dam's ``captured``
event) or ``breach`` (the default). A later event of that chain sets the warning off
when the chosen one never came (a dam captured without being threatened first), and a
warning goes out once. The authorities decide to warn after the scenario's detection
delay; the warning then reaches each river town after that town's own dissemination
delay (one draw per town from ``warning.dissemination_delay``, so towns are warned at
different times). A warning set off before the breach lets people leave early, and
Graham's warning time (flood arrival minus the time a town was warned) grows with it.

The times are known in closed form the moment the warning is set off and go to
`History` even when they fall past the horizon; one SimPy process puts them on the
timeline with one timeout for the decision and one per town.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from .record import EventKind

if TYPE_CHECKING:
    from .world import World

__all__ = ["TRIGGERS", "dam_event"]

ACTOR = "warning"
#: The dam's events that can set the warning off, in the order they can happen.
TRIGGERS = ("threat", "capture", "breach")


def dam_event(world: World, trigger: str) -> None:
    """The dam was threatened, captured or breached (`trigger`, one of `TRIGGERS`): set
    the warning off if the scenario warns on this event or an earlier one and no warning
    has gone out yet."""
    starts_on = world.scenario.warning.starts_on
    if TRIGGERS.index(trigger) < TRIGGERS.index(starts_on) or world.detection_s < math.inf:
        return
    inputs = world.inputs
    detection_s = world.env.now + inputs.detection_delay_s
    received = {town: detection_s + delay_s
                for town, delay_s in inputs.dissemination_delay_s.items()}
    world.detection_s = detection_s
    world.warning_received_s = received
    world.env.process(_announce(world, trigger, detection_s, received))


def _announce(world: World, trigger: str, detection_s: float,
              received: dict[str, float]) -> Generator[Any, Any, None]:
    env = world.env
    yield env.timeout(detection_s - env.now)
    world.note(EventKind.DETECT, (ACTOR,), world.scenario.assets.dam.node, count=len(received),
               warned_on=trigger)
    for town, at_s in sorted(received.items(), key=lambda item: item[1]):
        if at_s > env.now:
            yield env.timeout(at_s - env.now)
        breach_s = world.dam.breach_s
        world.note(EventKind.WARNING, (ACTOR,), town, warned_on=trigger,
                   after_breach_s=at_s - breach_s if breach_s <= at_s else None)
