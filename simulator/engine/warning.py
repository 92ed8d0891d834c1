"""Warning of the people downstream after a breach.

The authorities detect the breach after the scenario's detection delay; the warning
then reaches each river town after that town's own dissemination delay (one draw per
town from ``warning.dissemination_delay``, so towns are warned at different times). The
times are known in closed form the moment the breach starts and go to `History` even
when they fall past the horizon; one SimPy process puts them on the timeline with one
timeout for the detection and one per town.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from .record import EventKind

if TYPE_CHECKING:
    from .world import World

__all__ = ["start_warning"]

ACTOR = "warning"


def start_warning(world: World, breach_s: float) -> None:
    """Work out when the breach is detected and each town warned; start the process."""
    inputs = world.inputs
    detection_s = breach_s + inputs.detection_delay_s
    received = {town: detection_s + delay_s
                for town, delay_s in inputs.dissemination_delay_s.items()}
    world.detection_s = detection_s
    world.warning_received_s = received
    world.env.process(_announce(world, detection_s, received))


def _announce(world: World, detection_s: float,
              received: dict[str, float]) -> Generator[Any, Any, None]:
    env = world.env
    yield env.timeout(detection_s - env.now)
    world.note(EventKind.DETECT, (ACTOR,), world.scenario.assets.dam.node, count=len(received))
    for town, at_s in sorted(received.items(), key=lambda item: item[1]):
        if at_s > env.now:
            yield env.timeout(at_s - env.now)
        world.note(EventKind.WARNING, (ACTOR,), town, after_breach_s=at_s - world.dam.breach_s)
