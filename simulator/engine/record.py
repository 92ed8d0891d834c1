"""What one replication returns: a flat table row of named outcomes, and a timeline.

Outcomes are plain floats keyed by name (``dam_captured``, ``fatalities``,
``arrival_h.ramadi``, ``input.forces.isil_column.strength``) so a run can store them as
columns and analysis never needs to know how they were produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Event(NamedTuple):
    """One thing that happened in a replication, for the timeline table and plots."""

    time_s: float
    kind: str  # e.g. "depart", "arrive", "engagement", "capture", "breach", "warning"
    actor: str  # the force, asset or system that acted
    place: str  # the node, town or bus where it happened
    detail: str  # a short human sentence


@dataclass(frozen=True)
class Replication:
    """The result of `simulate(scenario, seed, replication)`."""

    seed: int
    replication: int
    outcomes: dict[str, float]
    timeline: tuple[Event, ...] | None = field(default=None)
