"""The reservoir's volume over time, in closed form, as its operation moves it.

A scenario's ``assets.dam.reservoir.operation`` lets water in at a constant inflow and
out at a routine release, and may order a drawdown (a larger release from a time on,
for a while). The net rate is then constant between at most three instants (the start,
the drawdown's start, its end), so the volume is piecewise linear in time: it is worked
out at the one instant that matters (the breach) from those few pieces, never ticked
step by step. Within a piece the volume moves one way, so clipping it at the piece's
end is exact: it never falls below the dead storage by a release, nor rises above the
full reservoir by the inflow (the excess spills over the spillway; `checks` makes sure
the dam can pass the inflow and the release it is asked for). A volume drawn outside
those limits at the start is not moved to them: only the operation is held back.

The breach's reservoir then takes this volume and the level the storage curve gives
for it (`consequences_link`), so a drawdown lowers both the water that can leave and
the head that drives it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..scenario.schema import Reservoir

__all__ = ["OperationInputs", "Schedule", "full_volume_m3", "schedule", "stored_m3",
           "level_reached_s", "time_to_reach_s", "volume_at"]


@dataclass(frozen=True, slots=True)
class OperationInputs:
    """One replication's draws of the reservoir's operation (SI units)."""

    inflow_m3s: float
    release_m3s: float  # routine release (the inflow when the scenario gives none)
    drawdown_from_s: float  # inf: no drawdown
    drawdown_rate_m3s: float
    drawdown_duration_s: float  # inf: to the horizon


@dataclass(frozen=True, slots=True)
class Schedule:
    """The net inflow (m^3/s, negative when the reservoir falls) from each start time on,
    with the limits the volume keeps to."""

    steps: tuple[tuple[float, float], ...]  # (from_s, net_m3s), from_s increasing, first 0
    dead_storage_m3: float
    full_m3: float  # inf: no upper limit known


def schedule(drawn: OperationInputs, dead_storage_m3: float, full_m3: float) -> Schedule:
    """The net inflow over time of one replication's operation."""
    routine_m3s = drawn.inflow_m3s - drawn.release_m3s
    steps = [(0.0, routine_m3s)]
    start_s = drawn.drawdown_from_s
    if math.isfinite(start_s):
        steps.append((start_s, drawn.inflow_m3s - drawn.drawdown_rate_m3s))
        end_s = start_s + drawn.drawdown_duration_s
        if math.isfinite(end_s):
            steps.append((end_s, routine_m3s))
    return Schedule(tuple(steps), dead_storage_m3, full_m3)


def volume_at(start_m3: float, plan: Schedule, time_s: float) -> float:
    """The stored volume at `time_s` (s from the scenario's start) of a reservoir that
    held `start_m3` at the start and was run as `plan` says."""
    volume_m3 = start_m3
    ends = [at for at, _ in plan.steps[1:]] + [math.inf]
    for (begin_s, net_m3s), end_s in zip(plan.steps, ends, strict=True):
        if time_s <= begin_s:
            break
        moved_m3 = volume_m3 + net_m3s * (min(time_s, end_s) - begin_s)
        if net_m3s < 0:
            volume_m3 = max(moved_m3, min(volume_m3, plan.dead_storage_m3))
        elif net_m3s > 0:
            volume_m3 = min(moved_m3, max(volume_m3, plan.full_m3))
    return volume_m3


def time_to_reach_s(start_m3: float, plan: Schedule | None, threshold_m3: float) -> float:
    """When the stored volume first reaches `threshold_m3` (s from the start; 0 if it
    starts there or above, inf if it never gets there: no operation, a net outflow, or
    a threshold above the full reservoir, where the inflow spills instead)."""
    if start_m3 >= threshold_m3:
        return 0.0
    if plan is None or threshold_m3 > plan.full_m3:
        return math.inf
    volume_m3 = start_m3
    ends = [at for at, _ in plan.steps[1:]] + [math.inf]
    for (begin_s, net_m3s), end_s in zip(plan.steps, ends, strict=True):
        if net_m3s > 0 and volume_m3 + net_m3s * (end_s - begin_s) >= threshold_m3:
            return begin_s + (threshold_m3 - volume_m3) / net_m3s
        volume_m3 = volume_at(start_m3, plan, end_s) if math.isfinite(end_s) else volume_m3
    return math.inf


def level_reached_s(reservoir: Reservoir, start_m3: float, drawn: OperationInputs | None,
                    level_m: float) -> float:
    """When the water of `reservoir` (holding `start_m3` at the start, run as `drawn`
    says) first rises to `level_m` above the dam's base, read on its storage curve
    (`checks` makes a level trigger need one); inf if it never does."""
    heights = [point.height_m for point in reservoir.storage_curve]
    volumes = [point.volume_m3 for point in reservoir.storage_curve]
    threshold_m3 = float(np.interp(level_m, heights, volumes))
    plan = None
    if drawn is not None and reservoir.operation is not None:
        plan = schedule(drawn, reservoir.operation.dead_storage_m3, full_volume_m3(reservoir))
    return time_to_reach_s(start_m3, plan, threshold_m3)


def full_volume_m3(reservoir: Reservoir) -> float:
    """The full reservoir: its ``max_volume``, else its storage curve's top (inf if neither)."""
    if reservoir.max_volume_m3 is not None:
        return reservoir.max_volume_m3
    if reservoir.storage_curve:
        return reservoir.storage_curve[-1].volume_m3
    return math.inf


def stored_m3(reservoir: Reservoir, start_m3: float, drawn: OperationInputs | None,
              time_s: float) -> float:
    """The volume stored at `time_s` of `reservoir`, which held `start_m3` at the start:
    `start_m3` itself when the reservoir has no operation (`drawn` None)."""
    if drawn is None or reservoir.operation is None:
        return start_m3
    plan = schedule(drawn, reservoir.operation.dead_storage_m3, full_volume_m3(reservoir))
    return volume_at(start_m3, plan, time_s)
