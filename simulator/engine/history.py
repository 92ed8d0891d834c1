"""The facts of one replication that the consequence models need, as plain data.

The engine decides *what happens and when* (capture, breach, warning, outages); the
consequence models (breach, flood, life loss, grid) decide *what it costs*. `History` is
the hand-over between the two: frozen, picklable, in seconds from the scenario start
and SI units, with ``math.inf`` for "did not happen within the horizon". Times of things
set in motion within the horizon (a warning still travelling, a line under repair) keep
their true value even past the horizon; consumers clip to ``horizon_s`` if they need to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .assets import GeneratorOutage

__all__ = ["History", "LineCut"]


class LineCut(NamedTuple):
    """A grid line out of service because the node it depends on was captured."""

    line: str  # grid.lines id
    node: str  # the captured node (the line's cut_when_captured)
    cut_s: float
    repaired_s: float  # cut_s + the replication's grid repair time (may pass the horizon)


@dataclass(frozen=True)
class History:
    """What happened in one replication, for the consequence models."""

    seed: int
    replication: int
    horizon_s: float
    # stored volume at the breach (else at the horizon): as drawn, moved by the
    # reservoir's operation where it has one (`reservoir.stored_m3`)
    reservoir_volume_m3: float
    dam_state: str  # final: "breached" once it breached, else "operating", "threatened",
    #                 "held", "captured" or "recaptured" (the last change of control)
    capture_s: float = math.inf  # when the dam was first captured
    recapture_s: float = math.inf  # when the defenders first retook it
    breach_mode: str | None = None  # "full_breach" or "partial_breach"
    breach_mode_id: str | None = None  # its key under assets.dam.failure_modes
    breach_depth_fraction: float = 0.0  # share of the dam height cut down (0: no breach)
    breach_s: float = math.inf
    # the authorities decide to warn (after a breach, or earlier: warning.starts_on)
    detection_s: float = math.inf
    # river town id -> time the warning reaches it (inf when nothing was detected)
    warning_received_s: dict[str, float] = field(default_factory=dict)
    # intervals (start_s, end_s) with the plant's capacity off the grid, merged and
    # sorted; end_s is inf after a breach. Empty when the dam has no plant.
    plant_outages: tuple[tuple[float, float], ...] = ()
    line_cuts: tuple[LineCut, ...] = ()
    # grid generators off the grid because their power plant (assets.others) was lost
    generator_outages: tuple[GeneratorOutage, ...] = ()
    captures: dict[str, float] = field(default_factory=dict)  # node -> time it first fell
    recaptures: dict[str, float] = field(default_factory=dict)  # node -> first retaken

    @property
    def breached(self) -> bool:
        """Whether the dam breached, fully or partially, in this replication."""
        return self.breach_mode is not None


def merge_intervals(intervals: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """Sorted, non-overlapping union of closed intervals."""
    merged: list[list[float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)
