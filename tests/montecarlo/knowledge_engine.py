"""A stand-in engine for two-layer tests whose outcome can be worked out by hand: the
breach width factor (a knowledge input) plus the road speed (a chance input), drawn by
the real `InputTable` so pinning and streams are the engine's own."""

from __future__ import annotations

from simulator.engine.inputs import InputTable
from simulator.engine.record import Replication

WIDTH = "assets.dam.failure_modes.breach.width_factor"
SPEED = "network.roads.border_dam.speed_mps"


def compile_inputs(scenario):
    """What each worker prepares once: the scenario's input table."""
    return InputTable(scenario)


def additive(table, seed, replication=0, timeline=False, pinned=None):
    """Outcome ``total`` = width factor + speed (m/s); both also as input columns."""
    values = dict(zip(table.paths, table.draw(seed, replication, pinned), strict=True))
    outcomes = {"total": values[WIDTH] + values[SPEED], "input." + WIDTH: values[WIDTH],
                "input." + SPEED: values[SPEED]}
    return Replication(seed, replication, outcomes, None)
