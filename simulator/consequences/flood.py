"""Flood routing below a breached dam.

The breach hydrograph is routed down a chain of river reaches, each a compound section
(a main channel with its floodplain, `section.CompoundSection`), with the
variable-parameter Muskingum-Cunge method (Ponce & Chaganti 1994): the wave's celerity
and diffusion follow the discharge, so a flood that spills onto the floodplain slows
and flattens there. Each town downstream gets its flood's arrival (the first time the
water rises a stated depth above its pre-breach level), peak, depths, velocity and time
under damaging water. Pure numpy/scipy, SI units throughout.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.linalg.lapack import dtbtrs

from .section import CompoundSection

#: Arrival: the first time the water surface stands this much above its pre-breach
#: level. One foot (0.3 m) is the usual definition in dam-break inundation studies:
#: FLO-2D's dam-breach flood-wave report for California OES hazard maps takes the time
#: "the channel flow depth becomes one foot higher than the base flow", and BOSS
#: DAMBRK records arrival "when the WSEL rises by 1 foot" over its initial level.
DEFAULT_ARRIVAL_RISE_M = 0.3
#: Default damaging depth of water on a town's ground, m. An assumption: about a metre
#: of water floods ground floors on the banks and stops vehicles.
DEFAULT_DAMAGING_DEPTH_M = 1.0

#: Routing grid: at least this many steps over the rising limb of the inflow, the whole
#: run between these bounds of steps.
_RISE_STEPS = 20
_MIN_STEPS = 200
_MAX_STEPS = 4000
#: The run lasts the inflow, the mean travel time and this many standard deviations of
#: the wave's spreading; if water is still in the channel at the end it is lengthened.
_SPREAD_SIGMAS = 6.0
_MAX_LENGTHENINGS = 5
_RESIDUAL_SHARE = 1e-3
#: Sweeps of each sub-reach: the first takes its routing parameters from the inflow
#: alone, the second from the cell means of inflow and the first sweep's outflow (a
#: third moves arrivals and peaks on the bundled rivers by less than the time grid does).
_SWEEPS = 2
#: Each sub-reach keeps every Muskingum coefficient non-negative for discharges from base
#: flow plus this share of the peak rise entering it up to that peak.
_LOW_FLOW_SHARE = 0.03
#: The routing parameters are those of at least base flow plus the first share of the
#: peak rise at the dam, and at least the second share of the peak discharge: on a dry
#: or nearly dry bed the kinematic celerity goes to zero with the discharge and the
#: tail of the wave would never drain, so it moves at the celerity of this floor.
_RATING_FLOOR_SHARES = (1e-4, 1e-3)
#: Most sub-reaches in one reach (bounds the cost on very shallow flow, see below).
_MAX_SUBREACHES = 48
#: Points of the rating table (depth, discharge, celerity) a reach is routed with.
_RATING_POINTS = 128
_SHORTEST_PIECE_M = 1e-3
_NO_RISE_M3S = 1e-9


@dataclass(frozen=True)
class Reach:
    """A river reach: its length and its compound cross-section."""

    length_m: float
    section: CompoundSection

    def __post_init__(self) -> None:
        if not (math.isfinite(self.length_m) and self.length_m > 0):
            raise ValueError(f"Reach.length_m must be > 0, got {self.length_m}")


@dataclass(frozen=True)
class TownImpact:
    """What the flood does at one town.

    Stages are normal depths of the section of the reach the town lies in. Times are
    from breach initiation; inf when the water never rises `arrival_rise_m` there.

    - `arrival_s`: first time the stage stands the arrival rise above its pre-breach
      (base-flow) level;
    - `peak_time_s`, `peak_discharge_m3s`: at the largest discharge (and stage);
    - `peak_depth_above_normal_m`: peak stage minus pre-breach stage;
    - `peak_flood_depth_m`, `peak_velocity_mps`, `peak_depth_velocity_m2s`: on the
      town's ground, the floodplain beside the channel (its level the bank top, or the
      pre-breach water surface if that is higher): the water's depth there, the mean
      floodplain velocity, and their product, the severity measure of dam-break life-loss
      methods; with no floodplain in the section, the ground is the pre-breach water
      surface and the velocity the section's mean. All three grow with the discharge,
      so they peak with it;
    - `time_above_damaging_depth_s`: how long the depth on the town's ground exceeds
      the damaging depth.
    """

    arrival_s: float
    peak_time_s: float
    peak_discharge_m3s: float
    peak_depth_above_normal_m: float
    peak_flood_depth_m: float
    peak_velocity_mps: float
    peak_depth_velocity_m2s: float
    time_above_damaging_depth_s: float


@dataclass(frozen=True)
class RoutedFlood:
    """Discharge at each town on a uniform time grid that starts half a step before
    the inflow: `discharge_m3s[i]` is the series at the i-th requested town (base flow
    included)."""

    times_s: np.ndarray
    discharge_m3s: np.ndarray


def muskingum_coefficients(storage_constant_s, weighting, dt_s: float):
    """Routing coefficients (C0, C1, C2) of O[n+1] = C0 I[n+1] + C1 I[n] + C2 O[n].

    Muskingum storage S = K (X I + (1 - X) O) discretised centrally (McCarthy 1938; as
    in Chow, Maidment & Mays 1988, Applied Hydrology, section 8.4): with
    den = 2K(1 - X) + dt, C0 = (dt - 2KX)/den, C1 = (dt + 2KX)/den,
    C2 = (2K(1 - X) - dt)/den; they sum to one. Elementwise on arrays.
    """
    twice_kx, lag_s, per_denominator = _muskingum_terms(storage_constant_s, weighting, dt_s)
    return ((dt_s - twice_kx) * per_denominator, (dt_s + twice_kx) * per_denominator,
            (lag_s - dt_s) * per_denominator)


def _muskingum_terms(storage_constant_s, weighting, dt_s: float, out=(None, None, None)):
    """2KX, the lag 2K(1 - X) and 1/den of `muskingum_coefficients`: the routing
    builds its recursion from these without forming C0 and C1, into the arrays `out`
    (2KX, lag, 1/den) when given."""
    twice_kx_out, lag_out, per_denominator_out = out
    twice_k_s = np.multiply(2.0, storage_constant_s, out=lag_out)
    twice_kx = np.multiply(twice_k_s, weighting, out=twice_kx_out)
    lag_s = np.subtract(twice_k_s, twice_kx, out=lag_out)
    denominator_s = np.add(lag_s, dt_s, out=per_denominator_out)
    return twice_kx, lag_s, np.divide(1.0, denominator_s, out=per_denominator_out)


def route_hydrograph(
    hydrograph_times_s: Sequence[float] | np.ndarray,
    inflow_m3s: Sequence[float] | np.ndarray,
    reaches: Sequence[Reach],
    town_distances_m: Sequence[float],
    base_flow_m3s: float = 0.0,
) -> RoutedFlood:
    """Route the dam outflow down `reaches` and return the discharge at each town.

    Method: variable-parameter Muskingum-Cunge (Ponce & Chaganti 1994, J. Hydraulic
    Eng. 120(5):539-551; after Cunge 1969 and Ponce & Yevjevich 1978). A Muskingum
    sub-reach of length dx has storage constant K = dx/c and weighting X = (1 - D)/2,
    with c the kinematic celerity dQ/dA and D = Q/(T S c dx) the cell Reynolds number
    (T top width, S slope), so the scheme's numerical diffusion equals the diffusion
    Q/(2 T S) of the diffusion-wave equation. Here c, T and so K and X are taken, for
    every step, from the compound section's rating at the mean discharge of the
    step's cell (inflow and outflow at both ends of the step: Ponce & Chaganti's
    iterative four-point variant, iterated here over the whole series by sweeping each
    sub-reach twice, the first from its inflow alone). In bank the celerity is the
    channel's; once the flood spills, the top width jumps to the floodplain's and both
    celerity and peak drop. Parameters
    that change from step to step lose or create a little water (the storage
    K (X I + (1 - X) O) at the end of one step differs from the next step's start;
    Ponce & Chaganti measure the loss, Todini 2007, Hydrol. Earth Syst. Sci.
    11:1645-1659, traces it to this); each sub-reach sums that water and scales its
    outflow to return it, so volume is conserved exactly (a remedy of our own, not
    Todini's).

    The uniform time grid resolves the inflow's rising limb with 20 steps and lasts the
    inflow plus the wave's mean travel time and six standard deviations of its spreading
    (lengthened if water is still in the channel); the inflow is averaged over each step
    (so its volume is kept exactly) and taken as zero rise after its last sample. Each
    reach is split at towns and into equal sub-reaches short enough that every
    coefficient stays non-negative for discharges between base flow plus 3 % of the
    peak rise and the peak, dx <= c dt + Q/(T S c) (so on a rising inflow no town sees
    water before the towns above it), and no longer than Ponce & Theurer's (1982, J.
    Hydraulics Div. 108(HY6):747-757) accuracy bound (c dt + Q/(T S c))/2 at the peak;
    at most 48 per reach (then, and for the lowest flows, X is lowered to keep C0 >= 0,
    which over-diffuses). A piece shorter than the wave travels in one step gets K
    raised to dt/(1 + D), delaying the wave there by less than one step.

    Limits: the diffusion wave has no finite front speed. Where the diffusion length
    Q/(T S c) is long against a sub-reach (deep floods on flat rivers), a small share of
    a sudden rise passes through it at once, so the first centimetres of the wave come
    early. Where it exceeds c dt plus the sub-reach (so X < 0; a reach, or the river
    between two towns, shorter than the diffusion length forces it), the coefficient C1
    is negative, so the outflow is no longer a weighted mean of the inflow and can
    overshoot it (see `_route_subreach`), and the changing parameters create or lose
    more water, which the volume correction takes back by scaling the whole outflow: the
    volume stays exact but the peak is not reliable there and need not grow with the
    inflow. Example: 10 m^3/s rising over half an hour and falling over an hour, down
    10.3 km of a 25 m channel 1 m deep in a 54 m floodplain at slope 1e-5, peaks at
    7.2 m^3/s at the reach's end, and the same flood x1.5 at 5.3 m^3/s, where the
    shallow-water solver (`shallow_water`) gives 0.056 and 0.107 m^3/s. The diffusion
    wave itself stands for the full equations only on waves long enough: Ponce, Li &
    Simons (1978, J. Hydraulics Div. 104(HY3):353-360) require T S0 (g/d0)^(1/2) >= 30
    (T the wave period, d0 the flow depth), written t_r S0 (g/d0)^(1/2) >= 15 with the
    rise time t_r in Ponce (1989, Engineering Hydrology, Eq. 9-60). Breach floods are
    far shorter: that number (rise time, each reach's slope, normal depth at the dam's
    peak) is 0.04 in the example above and only 0.13-8.8 on the bundled scenarios'
    floods, so there the routing is a diffusion-wave estimate outside that range;
    `--fidelity reference` routes with the shallow-water solver instead.
    """
    return _route(hydrograph_times_s, inflow_m3s, reaches, town_distances_m, base_flow_m3s)[0]


def route_flood(
    hydrograph_times_s: Sequence[float] | np.ndarray,
    inflow_m3s: Sequence[float] | np.ndarray,
    reaches: Sequence[Reach],
    town_distances_m: Sequence[float],
    base_flow_m3s: float = 0.0,
    damaging_depth_m: float = DEFAULT_DAMAGING_DEPTH_M,
    arrival_rise_m: float = DEFAULT_ARRIVAL_RISE_M,
) -> list[TownImpact]:
    """Flood impact at each town (river distance below the dam, m), in input order.

    Discharge from `route_hydrograph`; stages are normal depths of the section of the
    reach the town lies in (Manning, steady uniform flow at each instant, so the looped
    rating of a real flood wave is ignored). Stage, depth on the town's ground and
    floodplain velocity all grow with discharge, so each threshold (arrival rise,
    damaging depth) is a discharge, found once on the rating and crossed on the routed
    series. See `TownImpact` for the fields.
    """
    if not arrival_rise_m > 0:
        raise ValueError(f"arrival_rise_m must be > 0, got {arrival_rise_m}")
    routed, reach_ends_m, _ = _route(
        hydrograph_times_s, inflow_m3s, reaches, town_distances_m, base_flow_m3s
    )
    if not len(town_distances_m):
        return []
    times_s, discharge_m3s = routed.times_s, routed.discharge_m3s
    peak_indices = np.argmax(discharge_m3s, axis=1)
    peak_m3s = discharge_m3s[np.arange(len(peak_indices)), peak_indices]
    reach_of = [min(bisect.bisect_left(reach_ends_m, d), len(reaches) - 1)
                for d in town_distances_m]
    # Stages reach by reach: one Newton solve gives the pre-breach stage and the peak
    # stages of the towns on the reach, one rating call its two threshold discharges.
    peak_stage_m = np.empty(len(reach_of))
    velocity_mps = np.empty(len(reach_of))
    levels = {}
    for j in sorted(set(reach_of)):
        section = reaches[j].section
        towns = [i for i, r in enumerate(reach_of) if r == j]
        stage_m = section.depth_m(np.append(float(base_flow_m3s), peak_m3s[towns]))
        base_stage_m = float(stage_m[0])
        ground_m = base_stage_m
        if section.floodplain_width_m > 0:
            ground_m = max(section.bankfull_depth_m, base_stage_m)
        arrival_m3s, damaging_m3s = section.discharge_m3s(
            np.array([base_stage_m + arrival_rise_m, ground_m + damaging_depth_m]))
        peak_stage_m[towns] = stage_m[1:]
        velocity_mps[towns] = np.where(stage_m[1:] > ground_m,
                                       section.floodplain_velocity_mps(stage_m[1:]), 0.0)
        levels[j] = (base_stage_m, ground_m, float(arrival_m3s), float(damaging_m3s))
    impacts = []
    for i, j in enumerate(reach_of):
        base_stage_m, ground_m, arrival_m3s, damaging_m3s = levels[j]
        series = discharge_m3s[i]
        # Not before the inflow starts (the first grid cell ends there).
        arrival_s = max(_first_crossing_s(times_s, series, arrival_m3s),
                        float(times_s[0]) + 0.5 * float(times_s[1] - times_s[0]))
        flood_depth_m = max(float(peak_stage_m[i]) - ground_m, 0.0)
        impacts.append(
            TownImpact(
                arrival_s=arrival_s,
                peak_time_s=float(times_s[peak_indices[i]]) if math.isfinite(arrival_s)
                else math.inf,
                peak_discharge_m3s=float(peak_m3s[i]),
                peak_depth_above_normal_m=max(float(peak_stage_m[i]) - base_stage_m, 0.0),
                peak_flood_depth_m=flood_depth_m,
                peak_velocity_mps=float(velocity_mps[i]),
                peak_depth_velocity_m2s=flood_depth_m * float(velocity_mps[i]),
                time_above_damaging_depth_s=_time_above_s(times_s, series, damaging_m3s),
            )
        )
    return impacts


@dataclass(frozen=True)
class _Rating:
    """A reach's section tabulated over the discharges of one flood: discharge (m^3/s,
    increasing), kinematic celerity (m/s) and diffusion length Q/(T S c) (m).

    Celerity and diffusion length are also held as one complex table (celerity the real
    part), so one `np.interp` finds both with one search of the table per discharge
    (the routing's commonest operation)."""

    discharge_m3s: np.ndarray
    celerity_mps: np.ndarray
    diffusion_length_m: np.ndarray

    @classmethod
    def build(cls, section: CompoundSection, low_m3s: float, high_m3s: float) -> _Rating:
        """Tabulate from `low_m3s` to `high_m3s`, geometric in depth, with both sides of
        the bank top (where the top width jumps) when it lies in between."""
        low_m, high_m = section.depth_m(np.array([low_m3s, max(high_m3s, low_m3s * 1.001)]))
        depths_m = np.exp(np.linspace(math.log(low_m), math.log(high_m), _RATING_POINTS))
        bank_m = section.bankfull_depth_m
        if section.floodplain_width_m > 0 and low_m < bank_m < high_m:
            depths_m = np.sort(np.append(depths_m, [bank_m, bank_m * (1 + 1e-9)]))
        discharge_m3s, celerity_mps, top_width_m = section.rating_at_depth(depths_m)
        diffusion_m = discharge_m3s / (top_width_m * section.slope * celerity_mps)
        return cls(discharge_m3s, celerity_mps, diffusion_m)

    @cached_property
    def _both(self) -> np.ndarray:
        return self.celerity_mps + 1j * self.diffusion_length_m

    def at(self, discharge_m3s):
        """(celerity, diffusion length) at discharges, linear between table points and
        held at the ends."""
        both = np.interp(discharge_m3s, self.discharge_m3s, self._both)
        return both.real, both.imag

def _route(
    hydrograph_times_s: Sequence[float] | np.ndarray,
    inflow_m3s: Sequence[float] | np.ndarray,
    reaches: Sequence[Reach],
    town_distances_m: Sequence[float],
    base_flow_m3s: float,
) -> tuple[RoutedFlood, list[float], float]:
    """`route_hydrograph`, also returning the reach ends (m) and the rise at the dam."""
    times_in_s = np.asarray(hydrograph_times_s, dtype=float)
    rise_in_m3s = np.asarray(inflow_m3s, dtype=float) - base_flow_m3s
    if times_in_s.ndim != 1 or times_in_s.shape != rise_in_m3s.shape or times_in_s.size < 2:
        raise ValueError("hydrograph_times_s and inflow_m3s must be 1-d of equal length >= 2")
    min_step_s = float(np.min(np.diff(times_in_s)))
    if min_step_s <= 0.0:
        raise ValueError("hydrograph_times_s must increase")
    if base_flow_m3s < 0:
        raise ValueError("base_flow_m3s must be >= 0")
    reach_ends_m = _reach_ends_m(reaches, town_distances_m)
    towns_m = [float(d) for d in town_distances_m]

    peak_index = int(np.argmax(rise_in_m3s))
    peak_rise_m3s = float(rise_in_m3s[peak_index])
    if peak_rise_m3s <= _NO_RISE_M3S or not towns_m:
        flat = np.full((len(towns_m), times_in_s.size), float(base_flow_m3s))
        return RoutedFlood(times_in_s.copy(), flat), reach_ends_m, max(peak_rise_m3s, 0.0)

    peak_m3s = base_flow_m3s + peak_rise_m3s
    low_m3s = max(base_flow_m3s + _RATING_FLOOR_SHARES[0] * peak_rise_m3s,
                  _RATING_FLOOR_SHARES[1] * peak_m3s)
    ratings = [_Rating.build(reach.section, low_m3s, peak_m3s) for reach in reaches]
    start_s = float(times_in_s[0])
    rise_s = max(float(times_in_s[peak_index]) - start_s, min_step_s)
    travel_s, spread_variance_s2 = 0.0, 0.0
    for reach, rating in zip(reaches, ratings, strict=True):
        celerity_mps, diffusion_m = (float(v) for v in rating.at(peak_m3s))
        travel_s += reach.length_m / celerity_mps
        spread_variance_s2 += reach.length_m * diffusion_m / celerity_mps**2
    run_s = (
        float(times_in_s[-1]) - start_s + travel_s + _SPREAD_SIGMAS * math.sqrt(spread_variance_s2)
    )
    dt_s = min(rise_s / _RISE_STEPS, run_s / _MIN_STEPS)
    if run_s / dt_s > _MAX_STEPS:
        dt_s = run_s / _MAX_STEPS

    inflow_so_far_m3 = np.concatenate(
        [[0.0], np.cumsum(0.5 * (rise_in_m3s[1:] + rise_in_m3s[:-1]) * np.diff(times_in_s))]
    )
    for _ in range(_MAX_LENGTHENINGS + 1):
        steps = math.ceil(run_s / dt_s) + 1
        times_s = start_s - 0.5 * dt_s + np.arange(steps + 1) * dt_s
        # Each grid value is the mean inflow over the step centred on it; the first cell
        # ends where the inflow starts, so the volume routed is exactly the inflow's
        # and the first value (zero) starts the reaches from rest.
        edges_s = np.append(times_s - 0.5 * dt_s, times_s[-1] + 0.5 * dt_s)
        rise_m3s = np.diff(np.interp(edges_s, times_in_s, inflow_so_far_m3)) / dt_s
        rises = _route_rise(rise_m3s, dt_s, reaches, ratings, reach_ends_m, towns_m,
                            base_flow_m3s)
        if rises[max(towns_m)].sum() >= (1.0 - _RESIDUAL_SHARE) * rise_m3s.sum():
            break
        run_s *= 2.0
        dt_s = max(dt_s, run_s / (2 * _MAX_STEPS))
    discharge_m3s = np.array([rises[d] for d in towns_m])
    discharge_m3s += base_flow_m3s
    return RoutedFlood(times_s, discharge_m3s), reach_ends_m, peak_rise_m3s


def _reach_ends_m(reaches: Sequence[Reach], town_distances_m: Sequence[float]) -> list[float]:
    """Cumulative reach ends (m below the dam), after checking the towns lie on them."""
    if not reaches:
        raise ValueError("at least one reach is needed")
    ends_m = list(itertools.accumulate(reach.length_m for reach in reaches))
    if len(town_distances_m):
        nearest_m, farthest_m = min(town_distances_m), max(town_distances_m)
        if nearest_m < 0 or farthest_m > ends_m[-1] * (1 + 1e-9):
            raise ValueError(
                f"town distances must lie between 0 and the river's length {ends_m[-1]} m"
            )
        ends_m[-1] = max(ends_m[-1], float(farthest_m))
    return ends_m


def _step_spans_m(rating: _Rating, dt_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Spans c dt + Q/(T S c) and c dt - Q/(T S c) (m) at each discharge of the table:
    the bounds on a sub-reach's length that keep C0 and C2 >= 0, tabulated once per
    reach and time step for `_subreach_length_m`."""
    reach_per_step_m = rating.celerity_mps * dt_s
    return (reach_per_step_m + rating.diffusion_length_m,
            reach_per_step_m - rating.diffusion_length_m)


def _subreach_length_m(rating: _Rating, spans_m: tuple[np.ndarray, np.ndarray],
                       peak_m3s: float, base_flow_m3s: float, dt_s: float) -> float:
    """The sub-reach length for a wave peaking at `peak_m3s`: the longest that keeps
    C0 >= 0 for discharges from base flow plus 3 % of the rise up to the peak,
    dx <= min (c dt + Q/(T S c)), and within Ponce & Theurer's accuracy bound at the
    peak, but never so short that C2 < 0 (dx >= max (c dt - Q/(T S c)), a Courant
    number near one on kinematic reaches, which wins when the two conflict). The
    bounds are taken at both ends of that range of discharges and at the table's
    points inside it (`spans_m`, from `_step_spans_m`)."""
    low_m3s = base_flow_m3s + _LOW_FLOW_SHARE * (peak_m3s - base_flow_m3s)
    (low_c, peak_c), (low_d, peak_d) = (v.tolist() for v in
                                        rating.at(np.array([low_m3s, peak_m3s])))
    ahead_m, behind_m = spans_m
    # The table increases, so the points strictly between the two discharges are a slice.
    inside = slice(int(np.searchsorted(rating.discharge_m3s, low_m3s, side="right")),
                   int(np.searchsorted(rating.discharge_m3s, peak_m3s, side="left")))
    low_step_m, peak_step_m = low_c * dt_s, peak_c * dt_s
    positive_m = min(low_step_m + low_d, peak_step_m + peak_d,
                     float(ahead_m[inside].min(initial=math.inf)))
    accurate_m = 0.5 * (peak_step_m + peak_d)
    return max(min(positive_m, accurate_m), low_step_m - low_d, peak_step_m - peak_d,
               float(behind_m[inside].max(initial=-math.inf)))


def _route_rise(
    rise_m3s: np.ndarray,
    dt_s: float,
    reaches: Sequence[Reach],
    ratings: Sequence[_Rating],
    reach_ends_m: list[float],
    towns_m: list[float],
    base_flow_m3s: float,
) -> dict[float, np.ndarray]:
    """Rise above base flow at each distinct town distance, routing sub-reach by
    sub-reach; each sub-reach's length follows the peak entering it (the wave flattens
    on its way, and a long flat wave needs fewer sub-reaches), rounded so that the
    sub-reaches end at the towns and the reach ends. Pieces of river shorter than a
    millimetre are not routed."""
    rises = {0.0: rise_m3s}
    buffers = _SweepBuffers(rise_m3s.size - 1)
    pending = sorted(set(towns_m) - {0.0})
    flow_m3s, start_m = rise_m3s, 0.0
    for rating, end_m in zip(ratings, reach_ends_m, strict=True):
        if not pending:
            break
        spans_m = _step_spans_m(rating, dt_s)
        per_reach = _MAX_SUBREACHES
        stops_m = [d for d in pending if d <= end_m]
        if len(stops_m) < len(pending):
            stops_m.append(end_m)
        for stop_m in stops_m:
            while stop_m - start_m > _SHORTEST_PIECE_M:
                peak_m3s = base_flow_m3s + float(flow_m3s.max())
                if peak_m3s - base_flow_m3s <= _NO_RISE_M3S:
                    break
                length_m = _subreach_length_m(rating, spans_m, peak_m3s, base_flow_m3s, dt_s)
                pieces = max(math.ceil((stop_m - start_m) / length_m - 1e-9), 1)
                if pieces > per_reach:  # the cost cap: the rest in equal pieces
                    length_m = (stop_m - start_m) / max(per_reach, 1)
                else:
                    length_m = (stop_m - start_m) / pieces
                flow_m3s = _route_subreach(flow_m3s, length_m, rating, dt_s, base_flow_m3s,
                                           buffers)
                per_reach -= 1
                start_m = start_m + length_m if pieces > 1 else stop_m
            start_m = max(start_m, stop_m)
            if pending and stop_m == pending[0]:
                rises[pending.pop(0)] = flow_m3s
    return rises


class _SweepBuffers:
    """Work arrays for routing one time grid through sub-reach after sub-reach: every
    sub-reach of a flood has the same steps, so one set serves them all and the sweeps
    run in place instead of allocating a dozen arrays each."""

    def __init__(self, steps: int) -> None:
        # The recursion's bidiagonal band, Fortran-ordered for LAPACK: a unit diagonal
        # and the subdiagonal -C2, rewritten by each sweep (its last entry is unused).
        self.banded = np.ones((2, steps), order="F")
        self.banded[1, -1] = 0.0
        (self.inflow_sum_m3s, self.inflow_fall_m3s, self.driven_m3s, self.mean_m3s,
         self.cell_reynolds, self.storage_s, self.weighting, self.scratch, self.twice_kx,
         self.lag_s, self.per_denominator) = np.empty((11, steps))


def _route_subreach(
    inflow_m3s: np.ndarray, length_m: float, rating: _Rating, dt_s: float,
    base_flow_m3s: float, buffers: _SweepBuffers,
) -> np.ndarray:
    """Route a rise above base flow through one sub-reach (variable-parameter
    Muskingum-Cunge, see `route_hydrograph`).

    Each sweep takes K and X for every step from the mean discharge of its cell (the
    four corners: inflow and outflow at both ends of the step; the previous sweep's
    outflow, the inflow alone at first), with K = max(dx/c, dt/(1 + D)) and
    X = min((1 - D)/2, dt/(2K)) so that C0 >= 0, and solves the recursion
    O[n+1] = C0 I[n+1] + C1 I[n] + C2 O[n] from rest as one bidiagonal triangular
    system (LAPACK dtbtrs). The coefficients of each step sum to one, but only C0 is kept
    non-negative: C1 = (dt + 2KX)/den is negative where the diffusion length exceeds
    c dt plus the sub-reach (X < 0), and C2 where the sub-reach is shorter than c dt
    minus it (the sub-reach length keeps that out from 3 % of the rise up), so the
    outflow is not bound to the inflow's range: a sub-reach's outflow peaks up to 4 %
    above its inflow's on Mosul's bundled floods, and by more than the inflow's peak on
    small floods down short flat reaches, and it can dip below base flow. The water the
    changing parameters create or lose (the storage K(X I + (1 - X) O) of one step's end
    differs from the next step's start) is summed and the outflow scaled to return it,
    so volume is conserved; the scale moves the peak with it."""
    # The recursion in Muskingum's coefficients (`muskingum_coefficients`), written with
    # the lag term 2K(1 - X) and the denominator once per sweep: C2 = (lag - dt)/den and
    # C0 I[n+1] + C1 I[n] = (dt (I[n] + I[n+1]) + 2KX (I[n] - I[n+1]))/den. The
    # outflow is solved in place (one array for both sweeps, the subdiagonal -C2 in the
    # Fortran-ordered band).
    b = buffers
    inflow_sum_m3s = np.add(inflow_m3s[:-1], inflow_m3s[1:], out=b.inflow_sum_m3s)
    inflow_fall_m3s = np.subtract(inflow_m3s[:-1], inflow_m3s[1:], out=b.inflow_fall_m3s)
    driven_m3s = np.multiply(dt_s, inflow_sum_m3s, out=b.driven_m3s)
    mean_m3s = np.multiply(0.5, inflow_sum_m3s, out=b.mean_m3s)
    mean_m3s += base_flow_m3s  # the first sweep: outflow = inflow
    outflow_m3s = np.zeros(inflow_m3s.size)
    solved = outflow_m3s[1:]
    subdiagonal = b.banded[1, :-1]
    for sweep in range(_SWEEPS):
        if sweep:
            np.add(outflow_m3s[:-1], outflow_m3s[1:], out=mean_m3s)
            mean_m3s += inflow_sum_m3s
            mean_m3s *= 0.25
            mean_m3s += base_flow_m3s
        celerity_mps, diffusion_m = rating.at(mean_m3s)
        cell_reynolds = np.divide(diffusion_m, length_m, out=b.cell_reynolds)
        storage_s = np.divide(length_m, celerity_mps, out=b.storage_s)
        shortest_s = np.add(1.0, cell_reynolds, out=b.scratch)
        np.divide(dt_s, shortest_s, out=shortest_s)
        np.maximum(storage_s, shortest_s, out=storage_s)
        weighting = np.subtract(1.0, cell_reynolds, out=b.weighting)
        weighting *= 0.5
        np.minimum(weighting, np.divide(0.5 * dt_s, storage_s, out=b.scratch), out=weighting)
        twice_kx, lag_s, per_denominator = _muskingum_terms(
            storage_s, weighting, dt_s, out=(b.twice_kx, b.lag_s, b.per_denominator))
        np.subtract(dt_s, lag_s[1:], out=subdiagonal)
        subdiagonal *= per_denominator[1:]
        np.multiply(twice_kx, inflow_fall_m3s, out=solved)
        solved += driven_m3s
        solved *= per_denominator
        solution, _ = dtbtrs(b.banded, solved[:, None], uplo="L", diag="U", overwrite_b=1)
        solved[:] = solution[:, 0]
    return _returning_created_water(inflow_m3s, outflow_m3s, storage_s, weighting, dt_s)


def _returning_created_water(inflow_m3s: np.ndarray, outflow_m3s: np.ndarray,
                             storage_s: np.ndarray, weighting: np.ndarray,
                             dt_s: float) -> np.ndarray:
    """The outflow scaled so that the sub-reach passes its inflow's volume: the water
    the step-to-step change of parameters created (storage at each step's end with its
    own parameters, and at the next step's start) is taken back."""
    blend_m3s = weighting * inflow_m3s[1:] + (1.0 - weighting) * outflow_m3s[1:]
    created_m3 = float(np.dot(storage_s[1:] - storage_s[:-1], blend_m3s[:-1])
                       + np.dot(storage_s[1:], (weighting[1:] - weighting[:-1])
                                * (inflow_m3s[1:-1] - outflow_m3s[1:-1])))
    passed_m3 = (float(outflow_m3s.sum()) - 0.5 * float(outflow_m3s[-1])) * dt_s
    if passed_m3 > 0.0:
        outflow_m3s = outflow_m3s * max((passed_m3 - created_m3) / passed_m3, 0.0)
    return outflow_m3s


def _first_crossing_s(times_s: np.ndarray, series: np.ndarray, threshold: float) -> float:
    """The time the series first exceeds `threshold`, linearly interpolated between
    samples; inf if never."""
    first = int(np.argmax(series > threshold))
    after = float(series[first])
    if after <= threshold:
        return math.inf
    if first == 0:
        return float(times_s[0])
    before = float(series[first - 1])
    t0, t1 = float(times_s[first - 1]), float(times_s[first])
    return t0 + (threshold - before) / (after - before) * (t1 - t0)


def _time_above_s(times_s: np.ndarray, series: np.ndarray, threshold: float) -> float:
    """Total time the piecewise-linear series on a uniform grid spends above
    `threshold` (s): whole steps above it plus the interpolated part of each step that
    crosses it."""
    excess = series - threshold
    above = excess > 0.0
    steps = float(np.count_nonzero(above[:-1] & above[1:]))
    crossing = np.nonzero(above[:-1] != above[1:])[0]
    left, right = excess[crossing], excess[crossing + 1]
    high = np.maximum(left, right)
    steps += float(np.sum(high / (high - np.minimum(left, right))))
    return steps * float(times_s[1] - times_s[0])
