"""Reference 1-D shallow-water (Saint-Venant) solver for a dam-break flood down a river.

A finite-volume scheme on a chain of prismatic reaches, written to check the fast routing
(flood.py) and to reproduce analytical and published dam breaks, not to run in every
Monte Carlo replication. Cross-sections are tabulated once from any section with a top
width and a conveyance (a trapezoid, or the compound channel-and-floodplain section of
section.py), so the scheme itself only interpolates tables. Pure numpy, SI units.

Scheme (first order in space and time):
- Equations in conservative area form for a prismatic channel (Cunge, Holly & Verwey 1980,
  Practical Aspects of Computational River Hydraulics, Pitman): A_t + Q_x = 0,
  Q_t + (Q^2/A + g I1(h))_x = g A (S0 - Sf), with I1 the first moment of the wetted
  area about the free surface (dI1/dh = A) and Sf = Q|Q| / K(h)^2 (Manning conveyance K).
- HLL approximate Riemann solver with the wave-speed estimates of Toro (2001),
  Shock-Capturing Methods for Free-Surface Shallow Flows, Wiley, including his
  dry-bed speeds u -/+ 2c at a wet/dry front.
- Bed slope: the bed is continuous and straight within each reach, so it has no steps at
  cell interfaces and its slope enters as the cell-centred source g A S0. With the
  semi-implicit friction below, steady uniform flow (the river before the breach) is
  kept exactly at Manning's normal depth.
  The hydrostatic reconstruction of Audusse, Bouchut, Bristeau, Klein & Perthame (2004),
  SIAM J. Sci. Comput. 25(6):2050-2065, was tried first: it keeps a lake at rest, but on a
  piecewise-constant bed its interface depths lose the bed step S0 dx, which on a wide
  floodplain is a large share of the area (Delestre, Cordier, Darboux & James 2012,
  C. R. Acad. Sci. Paris, Ser. I, 350:677-681, describe this limit). Tried here on a
  compound channel (250 m cells, S0 = 0.001, 600 m^3/s out of bank, from base flow),
  it had still not settled after a day of simulated time (8 % too shallow and the flow
  25 % short at mid-reach), where the centred source had reached Manning's normal
  depth to 0.03 %. The price of
  the centred source is that a pool at rest against a sloping bank is not kept exactly
  still (a flat pool is, across section changes too). Depths stay non-negative under the
  CFL condition (HLL's mass update), and wet/dry fronts need no special case.
- Where two reaches of different section meet, both interface states are taken in the
  narrower of the two sections (at their own depth and velocity), and each cell's
  momentum flux swaps that section's hydrostatic force for its own (the force of the
  width change on the flow, Cunge et al.'s I2 term, concentrated at the junction), so a
  flat pool stays at rest across it; this junction rule is this module's own. It suits
  gradual changes and widenings (a gorge opening onto a plain). An abrupt narrowing in
  the flow direction is not resolved: the wide cell above it has to run at the narrow
  section's velocity to pass the flow, so water piles up there (tried here: a 600 m
  wide reservoir reach onto a 120 m gorge). Carrying the discharge instead of the
  velocity fixes that side but gives absurd velocities at a widening, and a proper
  junction (energy kept through a contraction, momentum through an expansion) is not
  built; give such a channel a tapered transition, or start it below the narrowing with
  an inflow hydrograph.
- Friction semi-implicit (the friction factor taken at the old discharge, the new
  discharge implicit): Q_new = Q* / (1 + dt g A |Q_old| / K^2). It cannot reverse the
  flow, stays stable on shallow fronts, and its steady state is exactly Manning's normal
  flow.
- Time step dt = CFL dx / max(|u| + c) with c = sqrt(g A / T).

Boundaries: upstream, a discharge hydrograph imposed as the mass flux, with the momentum
flux taken at the larger of the first cell's depth and the critical depth of the inflow
(breach outflow passes critical depth at the breach, Fread's weir), or a wall; downstream,
free outflow (the last cell's own flux) or a wall.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import flood

GRAVITY_M_S2 = 9.81
#: Depth (m) below which a cell counts as dry: its velocity is zero.
DRY_DEPTH_M = 1e-6
#: Depth nodes of a tabulated section between these bounds (a geometric ladder, plus the
#: section's own breakpoints); above the last node the top width stays constant.
_SMALLEST_NODE_M = 1e-3
_NODES = 96
#: A width step (a floodplain opening at bankfull) becomes a ramp this deep.
_BREAKPOINT_RAMP_M = 1e-3


class TrapezoidalSection:
    """A trapezoidal channel or valley: bottom width `bottom_width_m`, banks
    `side_slope` horizontal to 1 vertical (0: a rectangle), Manning roughness
    `manning_n` (0: frictionless). Conveyance K = A R^(2/3) / n with A = (b + z h) h and
    R = A / (b + 2 h sqrt(1 + z^2)) (Manning's formula, Chow 1959, Open-Channel
    Hydraulics, ch. 5). The valley approximation of simplified dam-break routing is of
    this kind (Wetmore & Fread, The NWS Simplified Dam-Break Flood Forecasting Model:
    a prismatic valley whose top width grows with depth)."""

    def __init__(self, bottom_width_m: float, side_slope: float = 0.0, manning_n: float = 0.0):
        if not bottom_width_m > 0 or not side_slope >= 0 or not manning_n >= 0:
            raise ValueError(
                "a trapezoidal section needs bottom_width_m > 0, side_slope >= 0, manning_n >= 0"
            )
        self.bottom_width_m = float(bottom_width_m)
        self.side_slope = float(side_slope)
        self.manning_n = float(manning_n)

    def top_width_m(self, depth_m):
        """Top width (m) at a depth."""
        depth = np.maximum(np.asarray(depth_m, dtype=float), 0.0)
        return self.bottom_width_m + 2.0 * self.side_slope * depth

    def conveyance(self, depth_m):
        """Manning conveyance K (m^3/s) at a depth; inf if frictionless."""
        depth = np.maximum(np.asarray(depth_m, dtype=float), 0.0)
        if self.manning_n == 0.0:
            return np.full_like(depth, np.inf)
        area = (self.bottom_width_m + self.side_slope * depth) * depth
        perimeter = self.bottom_width_m + 2.0 * depth * math.sqrt(1.0 + self.side_slope**2)
        return area * (area / perimeter) ** (2.0 / 3.0) / self.manning_n


@dataclass(frozen=True)
class Reach:
    """A prismatic reach: length (m), bed slope (drop per length) and cross-section (any
    object with `top_width_m(depth)` and `conveyance(depth)`; a `bankfull_depth_m`
    attribute, if present, is kept as a table breakpoint)."""

    length_m: float
    slope: float
    section: object

    def __post_init__(self) -> None:
        if not self.length_m > 0 or not self.slope >= 0:
            raise ValueError("a reach needs length_m > 0 and slope >= 0")


class Wetted(NamedTuple):
    """Wetted geometry of sections at given depths (arrays)."""

    area_m2: np.ndarray
    top_width_m: np.ndarray
    moment_m3: np.ndarray


@dataclass(frozen=True)
class SectionTables:
    """Sections tabulated on shared depth nodes, one row per section.

    Top width is piecewise linear in depth between nodes (exact for rectangles,
    trapezoids and channels with vertical or straight banks), so area and the first
    moment I1 are exact piecewise quadratics and cubics. Conveyance is interpolated as
    K^(3/5), which is linear in depth for a wide rectangle.
    """

    depths_m: np.ndarray
    widths_m: np.ndarray
    width_slopes: np.ndarray
    areas_m2: np.ndarray
    moments_m3: np.ndarray
    conveyance_roots: np.ndarray
    frictionless: np.ndarray

    @classmethod
    def build(cls, sections: Sequence[object], max_depth_m: float) -> SectionTables:
        """Tabulate `sections` from 0 to `max_depth_m` (widths constant beyond)."""
        ladder = np.geomspace(_SMALLEST_NODE_M, max(max_depth_m, 10 * _SMALLEST_NODE_M), _NODES)
        nodes = [0.0, *ladder.tolist()]
        for section in sections:
            bankfull = getattr(section, "bankfull_depth_m", None)
            if bankfull is not None and 0.0 < float(bankfull) < max_depth_m:
                nodes += [float(bankfull), float(bankfull) + _BREAKPOINT_RAMP_M]
        depths = np.unique(np.asarray(nodes))
        widths = np.array([_evaluate(s.top_width_m, depths) for s in sections])
        if np.any(widths <= 0.0):
            raise ValueError("every section needs a positive top width at every depth")
        steps = np.diff(depths)
        slopes = np.diff(widths, axis=1) / steps
        area_steps = widths[:, :-1] * steps + 0.5 * slopes * steps**2
        areas = np.concatenate([np.zeros((len(sections), 1)), np.cumsum(area_steps, axis=1)], 1)
        moment_steps = (
            areas[:, :-1] * steps + 0.5 * widths[:, :-1] * steps**2 + slopes * steps**3 / 6.0
        )
        moments = np.concatenate(
            [np.zeros((len(sections), 1)), np.cumsum(moment_steps, axis=1)], axis=1
        )
        conveyances = np.array([_evaluate(s.conveyance, depths) for s in sections])
        frictionless = np.all(np.isinf(conveyances[:, 1:]), axis=1)
        conveyances[frictionless] = 1.0
        slopes = np.concatenate([slopes, slopes[:, -1:] * 0.0], axis=1)
        return cls(
            depths_m=depths,
            widths_m=widths,
            width_slopes=slopes,
            areas_m2=areas,
            moments_m3=moments,
            conveyance_roots=np.maximum(conveyances, 0.0) ** 0.6,
            frictionless=frictionless,
        )

    def _segment(self, depth_m: np.ndarray):
        """Node index below each depth and the depth above that node."""
        index = np.searchsorted(self.depths_m, depth_m, side="right") - 1
        index = np.minimum(np.maximum(index, 0), self.depths_m.size - 1)
        return index, depth_m - self.depths_m[index]

    def _at_segment(self, rows: np.ndarray, k: np.ndarray, d: np.ndarray) -> Wetted:
        flat = rows * self.depths_m.size + k
        width_k = self.widths_m.take(flat)
        slope_k = self.width_slopes.take(flat)
        area_k = self.areas_m2.take(flat)
        return Wetted(
            area_m2=area_k + d * (width_k + 0.5 * slope_k * d),
            top_width_m=width_k + slope_k * d,
            moment_m3=self.moments_m3.take(flat)
            + d * (area_k + d * (0.5 * width_k + slope_k * d / 6.0)),
        )

    def wetted(self, rows: np.ndarray, depth_m: np.ndarray) -> Wetted:
        """Area (m^2), top width (m) and first moment I1 of the wetted area about the
        surface (m^3; g I1 is the hydrostatic force per unit weight density) of each
        row's section at each depth."""
        k, d = self._segment(depth_m)
        return self._at_segment(rows, k, d)

    def area_m2(self, rows: np.ndarray, depth_m: np.ndarray) -> np.ndarray:
        """Wetted area (m^2) of each row's section at each depth."""
        return self.wetted(rows, depth_m).area_m2

    def conveyance(self, rows: np.ndarray, depth_m: np.ndarray) -> np.ndarray:
        """Manning conveyance K (m^3/s) at each depth (rows without friction: 1)."""
        k, d = self._segment(depth_m)
        upper = np.minimum(k + 1, self.depths_m.size - 1)
        step = np.maximum(self.depths_m[upper] - self.depths_m[k], 1e-300)
        root = self.conveyance_roots[rows, k] + (
            self.conveyance_roots[rows, upper] - self.conveyance_roots[rows, k]
        ) * np.where(upper > k, d / step, 0.0)
        return root ** (5.0 / 3.0)

    def from_area(self, rows: np.ndarray, area_m2: np.ndarray) -> tuple[np.ndarray, Wetted]:
        """Depth (m) holding each area, and the wetted geometry there: a vectorised
        bisection over each row's nodes, then the exact root of the segment's quadratic
        area."""
        nodes = self.depths_m.size
        base = rows * nodes
        low = np.zeros(area_m2.shape, dtype=np.intp)
        high = np.full(area_m2.shape, nodes - 1, dtype=np.intp)
        while True:
            open_ = high - low > 1
            if not open_.any():
                break
            middle = (low + high) // 2
            below = self.areas_m2.take(base + middle) <= area_m2
            low = np.where(open_ & below, middle, low)
            high = np.where(open_ & ~below, middle, high)
        beyond = self.areas_m2.take(base + nodes - 1) <= area_m2
        k = np.where(beyond, nodes - 1, low)
        flat = base + k
        extra = np.maximum(area_m2 - self.areas_m2.take(flat), 0.0)
        width, slope = self.widths_m.take(flat), self.width_slopes.take(flat)
        rise = 2.0 * extra / (width + np.sqrt(width**2 + 2.0 * slope * extra))
        return self.depths_m[k] + rise, self._at_segment(rows, k, rise)

    def normal_depth_m(self, rows: np.ndarray, discharge_m3s: float, slopes: np.ndarray):
        """Uniform-flow depth (m) of each row at a discharge and bed slope (Manning)."""
        depths = np.empty(len(rows))
        for i, (row, slope) in enumerate(zip(rows.tolist(), slopes.tolist(), strict=True)):
            if discharge_m3s <= 0.0 or self.frictionless[row] or slope <= 0.0:
                depths[i] = 0.0
                continue
            target = (discharge_m3s / math.sqrt(slope)) ** 0.6
            depths[i] = np.interp(target, self.conveyance_roots[row], self.depths_m)
        return depths


def _evaluate(function: Callable, depths_m: np.ndarray) -> np.ndarray:
    """A section function at every node, whether it takes arrays or only floats."""
    try:
        values = np.asarray(function(depths_m), dtype=float)
        if values.shape == depths_m.shape:
            return values
    except (TypeError, ValueError):
        pass
    return np.array([float(function(float(d))) for d in depths_m])


@dataclass(frozen=True)
class Channel:
    """A chain of reaches cut into cells of about `cell_m` (each reach a whole number
    of cells): cell centres `x_m` and lengths `dx_m` (m from the upstream end), each
    cell's section row in `tables` and bed slope; sections tabulated up to
    `max_depth_m`."""

    reaches: tuple[Reach, ...]
    cell_m: float
    max_depth_m: float
    x_m: np.ndarray = field(init=False)
    dx_m: np.ndarray = field(init=False)
    rows: np.ndarray = field(init=False)
    slopes: np.ndarray = field(init=False)
    tables: SectionTables = field(init=False)

    def __post_init__(self) -> None:
        if not self.reaches or not self.cell_m > 0:
            raise ValueError("a channel needs at least one reach and cell_m > 0")
        counts = [max(1, round(r.length_m / self.cell_m)) for r in self.reaches]
        dx = np.concatenate([np.full(n, r.length_m / n)
                             for r, n in zip(self.reaches, counts, strict=True)])
        rows = np.repeat(np.arange(len(self.reaches)), counts)
        slopes = np.array([r.slope for r in self.reaches])[rows]
        edges = np.concatenate([[0.0], np.cumsum(dx)])
        object.__setattr__(self, "reaches", tuple(self.reaches))
        object.__setattr__(self, "x_m", 0.5 * (edges[1:] + edges[:-1]))
        object.__setattr__(self, "dx_m", dx)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "slopes", slopes)
        sections = [r.section for r in self.reaches]
        object.__setattr__(self, "tables", SectionTables.build(sections, self.max_depth_m))

    @property
    def cells(self) -> int:
        """Number of cells."""
        return int(self.x_m.size)

    def normal_depth_m(self, discharge_m3s: float) -> np.ndarray:
        """Manning normal depth (m) of each cell at a steady discharge."""
        per_reach = self.tables.normal_depth_m(
            np.arange(len(self.reaches)), discharge_m3s, np.array([r.slope for r in self.reaches])
        )
        return per_reach[self.rows]

    def area_m2(self, depth_m: np.ndarray) -> np.ndarray:
        """Wetted area (m^2) of each cell at its depth."""
        return self.tables.area_m2(self.rows, np.asarray(depth_m, dtype=float))


@dataclass(frozen=True)
class Inflow:
    """Discharge hydrograph (m^3/s) imposed at the upstream end; linear between
    samples, the last value held after the end."""

    times_s: np.ndarray
    discharge_m3s: np.ndarray

    def at(self, time_s: float) -> float:
        """Discharge at a time (s)."""
        return float(np.interp(time_s, self.times_s, self.discharge_m3s))


@dataclass(frozen=True)
class ShallowWaterRun:
    """What a run recorded: depth (m) and discharge (m^3/s) at the gauges after every
    step (`times_s` from 0), the final state, each cell's largest depth, and the cost."""

    times_s: np.ndarray
    gauge_x_m: np.ndarray
    gauge_depth_m: np.ndarray
    gauge_discharge_m3s: np.ndarray
    x_m: np.ndarray
    depth_m: np.ndarray
    discharge_m3s: np.ndarray
    max_depth_m: np.ndarray
    steps: int

    def arrival_s(self, rise_m: float) -> np.ndarray:
        """Per gauge, the first time the depth exceeds its initial depth by `rise_m`,
        interpolated between steps; inf if never."""
        excess = self.gauge_depth_m - self.gauge_depth_m[0] - rise_m
        arrivals = np.full(excess.shape[1], math.inf)
        for g in range(excess.shape[1]):
            above = np.flatnonzero(excess[:, g] > 0.0)
            if above.size:
                i = int(above[0])
                if i == 0:
                    arrivals[g] = self.times_s[0]
                else:
                    e0, e1 = excess[i - 1, g], excess[i, g]
                    t0, t1 = self.times_s[i - 1], self.times_s[i]
                    arrivals[g] = t0 + (0.0 - e0) / (e1 - e0) * (t1 - t0)
        return arrivals

    def peak_depth_rise_m(self) -> np.ndarray:
        """Per gauge, the largest depth above its initial depth (m)."""
        return self.gauge_depth_m.max(axis=0) - self.gauge_depth_m[0]

    def peak_discharge_m3s(self) -> np.ndarray:
        """Per gauge, the largest discharge (m^3/s)."""
        return self.gauge_discharge_m3s.max(axis=0)

    def peak_time_s(self) -> np.ndarray:
        """Per gauge, the time of the largest discharge (s)."""
        return self.times_s[np.argmax(self.gauge_discharge_m3s, axis=0)]


def simulate(
    channel: Channel,
    initial_depth_m: np.ndarray | float,
    initial_discharge_m3s: np.ndarray | float,
    end_s: float,
    inflow: Inflow | None = None,
    gauges_m: Sequence[float] = (),
    cfl: float = 0.9,
    upstream_wall: bool = False,
    downstream_wall: bool = False,
) -> ShallowWaterRun:
    """Run the scheme from the initial state to `end_s` seconds (see the module
    docstring for the scheme). Without `inflow` the upstream end is a wall if
    `upstream_wall`, else free (the first cell's own flux); the downstream end is free
    outflow unless `downstream_wall`. Gauges sit in the cells holding the given
    distances (m from the upstream end)."""
    if not 0.0 < cfl <= 1.0:
        raise ValueError("cfl must be in (0, 1]")
    if not end_s > 0.0:
        raise ValueError("end_s must be > 0")
    tables, rows, dx = channel.tables, channel.rows, channel.dx_m
    cells = rows.size
    depth = np.broadcast_to(np.asarray(initial_depth_m, dtype=float), (cells,)).copy()
    if np.any(depth < 0.0):
        raise ValueError("initial depths must be >= 0")
    geometry = tables.wetted(rows, depth)
    area = geometry.area_m2
    discharge = np.broadcast_to(np.asarray(initial_discharge_m3s, dtype=float), (cells,)).copy()
    discharge[depth <= DRY_DEPTH_M] = 0.0
    edges = np.concatenate([[0.0], np.cumsum(dx)])
    gauges = np.searchsorted(edges, np.asarray(gauges_m, dtype=float), side="right") - 1
    gauges = np.minimum(np.maximum(gauges, 0), cells - 1)
    # Interfaces between reaches of different section (the only ones needing the
    # narrower-section states and the junction force).
    junctions = np.flatnonzero(rows[:-1] != rows[1:])
    gravity_slope = GRAVITY_M_S2 * channel.slopes
    friction = ~tables.frictionless[rows]
    min_dx = float(np.min(dx))

    times, gauge_depths, gauge_flows = [0.0], [depth[gauges]], [discharge[gauges]]
    max_depth = depth.copy()
    time_s, steps = 0.0, 0
    while time_s < end_s:
        wet = depth > DRY_DEPTH_M
        velocity = np.where(wet, discharge / np.where(wet, area, 1.0), 0.0)
        celerity = np.sqrt(GRAVITY_M_S2 * area / geometry.top_width_m)
        speed = float(np.max(np.where(wet, np.abs(velocity) + celerity, 0.0)))
        inflow_m3s = inflow.at(time_s) if inflow is not None else 0.0
        if inflow is not None:
            boundary = tables.wetted(
                rows[:1], _inflow_depth_m(tables, rows[0], depth[:1], inflow_m3s))
            if boundary.area_m2[0] > 0.0:
                speed = max(speed, abs(inflow_m3s) / boundary.area_m2[0] + math.sqrt(
                    GRAVITY_M_S2 * boundary.area_m2[0] / boundary.top_width_m[0]))
        longest_s = end_s - time_s
        if inflow is not None:
            # Never step over a sample of the inflow hydrograph (nor start a dry channel
            # with one step to the end).
            upcoming = np.searchsorted(inflow.times_s, time_s, side="right")
            if upcoming < inflow.times_s.size:
                longest_s = min(longest_s, float(inflow.times_s[upcoming]) - time_s)
        dt = longest_s if speed <= 0.0 else min(cfl * min_dx / speed, longest_s)

        left = _State(geometry.area_m2[:-1], geometry.top_width_m[:-1], geometry.moment_m3[:-1],
                      velocity[:-1], wet[:-1])
        right = _State(geometry.area_m2[1:], geometry.top_width_m[1:], geometry.moment_m3[1:],
                       velocity[1:], wet[1:])
        force_on_left = force_on_right = 0.0
        if junctions.size:
            left, right, force_on_left, force_on_right = _junction_states(
                tables, rows, depth, junctions, left, right)
        mass, momentum = _hll_flux(left, right)
        out_mass = np.empty(cells)
        out_momentum = np.empty(cells)
        in_mass = np.empty(cells)
        in_momentum = np.empty(cells)
        out_mass[:-1] = mass
        out_momentum[:-1] = momentum + force_on_left
        in_mass[1:] = mass
        in_momentum[1:] = momentum + force_on_right

        if inflow is not None:
            in_mass[0] = inflow_m3s
            in_momentum[0] = GRAVITY_M_S2 * boundary.moment_m3[0] + (
                inflow_m3s**2 / boundary.area_m2[0] if boundary.area_m2[0] > 0 else 0.0)
        elif upstream_wall:
            in_mass[0] = 0.0
            in_momentum[0] = GRAVITY_M_S2 * geometry.moment_m3[0]
        else:
            in_mass[0] = discharge[0]
            in_momentum[0] = discharge[0] * velocity[0] + GRAVITY_M_S2 * geometry.moment_m3[0]
        if downstream_wall:
            out_mass[-1] = 0.0
            out_momentum[-1] = GRAVITY_M_S2 * geometry.moment_m3[-1]
        else:
            out_mass[-1] = max(discharge[-1], 0.0)
            out_momentum[-1] = discharge[-1] * velocity[-1] + GRAVITY_M_S2 * geometry.moment_m3[-1]

        ratio = dt / dx
        old_discharge = discharge
        discharge = discharge - ratio * (out_momentum - in_momentum) + dt * gravity_slope * area
        area = np.maximum(area - ratio * (out_mass - in_mass), 0.0)
        depth, geometry = tables.from_area(rows, area)
        dry = depth <= DRY_DEPTH_M
        if friction.any():
            resistance = np.where(friction & ~dry, tables.conveyance(rows, depth), 1.0) ** 2
            damping = dt * GRAVITY_M_S2 * area * np.abs(old_discharge) / resistance
            discharge = np.where(friction, discharge / (1.0 + damping), discharge)
        discharge[dry] = 0.0
        time_s += dt
        steps += 1
        np.maximum(max_depth, depth, out=max_depth)
        times.append(time_s)
        gauge_depths.append(depth[gauges])
        gauge_flows.append(discharge[gauges])
    return ShallowWaterRun(
        times_s=np.array(times),
        gauge_x_m=channel.x_m[gauges],
        gauge_depth_m=np.array(gauge_depths),
        gauge_discharge_m3s=np.array(gauge_flows),
        x_m=channel.x_m,
        depth_m=depth,
        discharge_m3s=discharge,
        max_depth_m=max_depth,
        steps=steps,
    )


#: Settling a steady flow: run in pieces this long until no depth moves more than
#: the tolerance over one, or for at most the longest time.
_SETTLE_PIECE_S = 6 * 3600.0
_SETTLED_M = 1e-3
_LONGEST_SETTLING_S = 10 * 86400.0


def steady_flow(channel: Channel, discharge_m3s: float) -> tuple[np.ndarray, np.ndarray]:
    """(depth m, discharge m^3/s) of each cell in steady flow at `discharge_m3s`: the
    river before a breach. Manning's normal depth is steady only within a reach; where
    the slope or section changes, the water backs up (a few decimetres on the Euphrates
    at Hit and Ramadi), which would read as the flood's arrival. So the scheme itself
    is run with that inflow, from normal depth, in 6 h pieces until no depth moves by a
    millimetre over one (at most ten days)."""
    depth = channel.normal_depth_m(discharge_m3s)
    flows = np.full(channel.cells, float(discharge_m3s))
    if discharge_m3s <= 0.0:
        return depth, flows * 0.0
    inflow = Inflow(np.array([0.0, 1.0]), np.array([discharge_m3s, discharge_m3s]))
    settled_s = 0.0
    while settled_s < _LONGEST_SETTLING_S:
        run = simulate(channel, depth, flows, _SETTLE_PIECE_S, inflow=inflow)
        moved_m = float(np.max(np.abs(run.depth_m - depth)))
        depth, flows = run.depth_m, run.discharge_m3s
        settled_s += _SETTLE_PIECE_S
        if moved_m < _SETTLED_M:
            break
    return depth, flows


class _State(NamedTuple):
    """One side of every interface: area, top width, first moment, velocity, wet."""

    area_m2: np.ndarray
    top_width_m: np.ndarray
    moment_m3: np.ndarray
    velocity: np.ndarray
    wet: np.ndarray


def _junction_states(tables, rows, depth, junctions, left, right):
    """At interfaces between reaches of different section, both states in the narrower
    section (at the deeper side's depth), and the force each cell's own section adds:
    g (I1_own(h) - I1_narrower(h))."""
    below, above = depth[junctions], depth[junctions + 1]
    deeper = np.maximum(below, above)
    left_rows, right_rows = rows[junctions], rows[junctions + 1]
    narrower = np.where(
        tables.wetted(left_rows, deeper).top_width_m
        <= tables.wetted(right_rows, deeper).top_width_m,
        left_rows, right_rows,
    )
    left_in = tables.wetted(narrower, below)
    right_in = tables.wetted(narrower, above)
    left_fields = [field_.copy() for field_ in left[:3]]
    right_fields = [field_.copy() for field_ in right[:3]]
    for fields, inside in ((left_fields, left_in), (right_fields, right_in)):
        for field_, value in zip(fields, inside, strict=True):
            field_[junctions] = value
    force_on_left = np.zeros(depth.size - 1)
    force_on_right = np.zeros(depth.size - 1)
    force_on_left[junctions] = GRAVITY_M_S2 * (left.moment_m3[junctions] - left_in.moment_m3)
    force_on_right[junctions] = GRAVITY_M_S2 * (right.moment_m3[junctions] - right_in.moment_m3)
    return (_State(*left_fields, left.velocity, left.wet),
            _State(*right_fields, right.velocity, right.wet),
            force_on_left, force_on_right)


def _hll_flux(left: _State, right: _State):
    """HLL flux (mass m^3/s, momentum m^4/s^2) between the two states of every
    interface, with Toro's (2001) wave speeds and dry-bed speeds u -/+ 2c."""
    left_velocity = np.where(left.wet, left.velocity, 0.0)
    right_velocity = np.where(right.wet, right.velocity, 0.0)
    left_c = np.sqrt(GRAVITY_M_S2 * left.area_m2 / left.top_width_m)
    right_c = np.sqrt(GRAVITY_M_S2 * right.area_m2 / right.top_width_m)
    slow = np.minimum(left_velocity - left_c, right_velocity - right_c)
    fast = np.maximum(left_velocity + left_c, right_velocity + right_c)
    slow = np.where(right.wet, slow, left_velocity - left_c)
    fast = np.where(right.wet, fast, left_velocity + 2.0 * left_c)
    slow = np.where(left.wet, slow, right_velocity - 2.0 * right_c)
    fast = np.where(left.wet, fast, right_velocity + right_c)
    left_q = left.area_m2 * left_velocity
    right_q = right.area_m2 * right_velocity
    left_m = left_q * left_velocity + GRAVITY_M_S2 * left.moment_m3
    right_m = right_q * right_velocity + GRAVITY_M_S2 * right.moment_m3
    span = np.where(fast > slow, fast - slow, 1.0)
    mass = (fast * left_q - slow * right_q + slow * fast * (right.area_m2 - left.area_m2)) / span
    momentum = (fast * left_m - slow * right_m + slow * fast * (right_q - left_q)) / span
    mass = np.where(slow >= 0.0, left_q, np.where(fast <= 0.0, right_q, mass))
    momentum = np.where(slow >= 0.0, left_m, np.where(fast <= 0.0, right_m, momentum))
    both_dry = ~left.wet & ~right.wet
    return np.where(both_dry, 0.0, mass), np.where(both_dry, 0.0, momentum)


def _inflow_depth_m(tables, row: int, first_depth_m: np.ndarray, inflow_m3s: float) -> np.ndarray:
    """Depth at the inflow boundary: the first cell's depth, or the critical depth of
    the inflow (Q^2 T = g A^3) if that is larger."""
    if inflow_m3s <= 0.0:
        return first_depth_m
    force = GRAVITY_M_S2 * tables.areas_m2[row] ** 3 / tables.widths_m[row]
    critical = float(np.interp(inflow_m3s**2, force, tables.depths_m))
    return np.maximum(first_depth_m, critical)


#: Reference routing of a whole river: about this many cells, none shorter than this.
_RIVER_CELLS = 200
_SHORTEST_CELL_M = 50.0
#: The run follows the inflow for at most this long after its peak, then goes on for
#: this many kinematic travel times of the peak down the river, at most this long.
_LONGEST_INFLOW_S = 10 * 86400.0
_TRAVEL_TIMES = 3.0
_LONGEST_TAIL_S = 10 * 86400.0


def route_flood_reference(
    hydrograph_times_s: Sequence[float] | np.ndarray,
    inflow_m3s: Sequence[float] | np.ndarray,
    reaches: Sequence[flood.Reach],
    town_distances_m: Sequence[float],
    base_flow_m3s: float = 0.0,
    damaging_depth_m: float = flood.DEFAULT_DAMAGING_DEPTH_M,
    arrival_rise_m: float = flood.DEFAULT_ARRIVAL_RISE_M,
    cells: int = _RIVER_CELLS,
) -> list[flood.TownImpact]:
    """`flood.route_flood` computed with this module's shallow-water solver instead of
    the diffusion wave: the same arguments, the same `flood.TownImpact` per town, in
    input order (the ``--fidelity reference`` mode of a run).

    The river (each reach a compound section) is cut into about `cells` cells (none
    shorter than 50 m), starts in steady flow at the base flow (`steady_flow`), and
    takes the hydrograph as its upstream inflow; the run lasts the hydrograph (at most
    ten days past its peak: the long tail of a slowly draining reservoir) and three
    kinematic travel times of its peak down the river (at most ten days more). At each
    town (a town on a reach's end belongs to the reach above, as in `route_flood`):
    arrival, the first time the stage stands `arrival_rise_m` above its starting level;
    peak discharge and its time; peak stage rise; depth on the town's ground (the bank
    top, or the starting water surface with no floodplain, as in `route_flood`) and
    time above `damaging_depth_m` there.
    Floodplain velocity: the section's divided-channel floodplain velocity at the peak
    stage (`section.CompoundSection.floodplain_velocity_mps`) scaled by the computed over
    the uniform-flow discharge at that stage, so the split between channel and
    floodplain is Manning's while the flow is the solver's.
    """
    times_in_s = np.asarray(hydrograph_times_s, dtype=float)
    flows_in_m3s = np.asarray(inflow_m3s, dtype=float)
    if not arrival_rise_m > 0:
        raise ValueError(f"arrival_rise_m must be > 0, got {arrival_rise_m}")
    towns_m = [float(d) for d in town_distances_m]
    if not towns_m:
        return []
    total_m = sum(reach.length_m for reach in reaches)
    if min(towns_m) < 0 or max(towns_m) > total_m * (1 + 1e-9):
        raise ValueError(f"town distances must lie between 0 and the river's length {total_m} m")
    peak_m3s = float(flows_in_m3s.max())
    travel_s = sum(reach.length_m / max(float(reach.section.celerity_mps(max(peak_m3s, 1e-6))),
                                        1e-3) for reach in reaches)
    inflow_end_s = min(float(times_in_s[-1]),
                       float(times_in_s[int(np.argmax(flows_in_m3s))]) + _LONGEST_INFLOW_S)
    end_s = inflow_end_s + min(_TRAVEL_TIMES * travel_s, _LONGEST_TAIL_S)
    max_depth_m = max(float(reach.section.depth_m(max(peak_m3s, 1.0))) for reach in reaches)
    channel = Channel(tuple(Reach(reach.length_m, reach.section.slope, reach.section)
                            for reach in reaches),
                      cell_m=max(total_m / cells, _SHORTEST_CELL_M),
                      max_depth_m=2.0 * max_depth_m)
    depth_m, flows_m3s = steady_flow(channel, base_flow_m3s)
    run = simulate(channel, depth_m, flows_m3s, end_s, inflow=Inflow(times_in_s, flows_in_m3s),
                   gauges_m=[max(d - 1.0, 0.0) for d in towns_m])
    arrivals_s = run.arrival_s(arrival_rise_m)
    steps_s = np.diff(run.times_s)
    impacts = []
    for i, x_m in enumerate(run.gauge_x_m.tolist()):
        section = channel.reaches[int(np.searchsorted(np.cumsum([r.length_m for r in reaches]),
                                                      x_m))].section
        stage_m = run.gauge_depth_m[:, i]
        flows_m3s = run.gauge_discharge_m3s[:, i]
        start_m = float(stage_m[0])
        ground_m = max(section.bankfull_depth_m, start_m) if section.floodplain_width_m > 0 \
            else start_m
        peak = int(np.argmax(flows_m3s))
        peak_stage_m = float(stage_m.max())
        flood_depth_m = max(peak_stage_m - ground_m, 0.0)
        velocity_mps = 0.0
        if flood_depth_m > 0:
            uniform_m3s = float(section.discharge_m3s(peak_stage_m))
            velocity_mps = float(section.floodplain_velocity_mps(peak_stage_m)) * (
                float(flows_m3s[int(np.argmax(stage_m))]) / uniform_m3s)
        above = (stage_m - ground_m > damaging_depth_m)
        arrived = math.isfinite(float(arrivals_s[i]))
        impacts.append(flood.TownImpact(
            arrival_s=float(arrivals_s[i]),
            peak_time_s=float(run.times_s[peak]) if arrived else math.inf,
            peak_discharge_m3s=float(flows_m3s[peak]),
            peak_depth_above_normal_m=max(peak_stage_m - start_m, 0.0),
            peak_flood_depth_m=flood_depth_m,
            peak_velocity_mps=velocity_mps,
            peak_depth_velocity_m2s=flood_depth_m * velocity_mps,
            time_above_damaging_depth_s=float(np.sum(steps_s[above[1:] & above[:-1]])),
        ))
    return impacts
