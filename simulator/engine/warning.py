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

if TYPE_CHECKING:
    from .world import World

__all__ = ["start_warning"]

ACTOR = "warning"


def start_warning(world: World, breach_s: float) -> None:
    """Work out when the breach is detected and each town warned; start the process."""
    values = world.values
    detection_s = breach_s + values["warning.detection_delay_s"]
    received = {
        town: detection_s + values["warning.towns." + town + ".dissemination_delay_s"]
        for town in world.scenario.river.towns
    }
    world.detection_s = detection_s
    world.warning_received_s = received
    world.env.process(_announce(world, detection_s, received))


def _announce(world: World, detection_s: float,
              received: dict[str, float]) -> Generator[Any, Any, None]:
    env = world.env
    yield env.timeout(detection_s - env.now)
    world.note("detect", ACTOR, world.scenario.assets.dam.node,
               "breach detected; warning goes out to {} towns", len(received))
    for town, at_s in sorted(received.items(), key=lambda item: item[1]):
        if at_s > env.now:
            yield env.timeout(at_s - env.now)
        world.note("warning", ACTOR, town, "warning received ({:.0f} min after the breach)",
                   (at_s - world.dam.breach_s) / 60)
