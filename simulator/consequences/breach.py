"""Dam breach outflow. Empirical breach parameters and peak-flow regressions from the
dam-failure literature (Froehlich 1995 and 2008, MacDonald & Langridge-Monopolis 1984),
breach mechanisms (`MECHANISMS`: overtopping and piping by Froehlich's regressions, a
demolition by its given gap) and a parametric breach hydrograph: a trapezoidal opening
that deepens and widens over its formation time, broad-crested weir flow through it
(Fread's DAMBRK/BREACH form) and level-pool drawdown of the reservoir behind it until
all the water above the breach bottom is out. Everything is SI (m, m^3, s, m^3/s),
numpy, and cheap enough to call once per breaching Monte Carlo replication."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from math import sqrt

import numpy as np

GRAVITY_M_S2 = 9.81
#: Broad-crested weir coefficients for a trapezoidal breach in SI units (m^0.5/s):
#: Fread's DAMBRK uses 3.1 and 2.45 in ft^0.5/s, i.e. 3.1/sqrt(3.281) and 2.45/sqrt(3.281).
WEIR_COEFF_BOTTOM = 1.7
WEIR_COEFF_SIDES = 1.35

#: Formation is stepped at least this many times (the breach grows linearly, so this
#: resolves the rising limb) and each step is at most _STEP_RATE_SHARE of the drawdown
#: time scale A / (dQ/dH), so that the peak is within 0.5 % of the ODE's (measured
#: against scipy's solve_ivp at rtol 1e-10 in the tests). Past _MAX_FORMATION_STEPS
#: (a reservoir that drains in a small fraction of the formation time) the steps grow
#: longer; the implicit trapezoid rule stays stable there and still conserves volume.
_MIN_FORMATION_STEPS = 32
_STEP_RATE_SHARE = 0.1
_MAX_FORMATION_STEPS = 4000
_NEWTON_ITERATIONS = 8
#: Heads, as fractions of the head at the end of formation, at which the drawdown
#: through the finished breach is tabulated (3.9 % apart, down to 1e-4).
_DRAWDOWN_HEAD_FRACTIONS = np.geomspace(1.0, 1e-4, 240)
#: The drawdown is resolved until this share of the releasable volume is out; the rest
#: leaves as a linear recession (see `breach_hydrograph`).
_RESOLVED_SHARE = 0.99


@dataclass(frozen=True)
class Mechanism:
    """How a breach of one failure mechanism forms.

    `width_mode_factor` is Froehlich's (2008) K_o for the regression width, None when
    the mechanism has no width regression (the scenario must give the width);
    `regression_time` says whether the Froehlich (2008) formation time applies (else
    the scenario must give it); `side_slope` is horizontal : vertical.
    """

    name: str
    side_slope: float
    width_mode_factor: float | None
    regression_time: bool


#: The breach mechanisms a failure mode may name.
#:
#: overtopping, piping: Froehlich (2008), J. Hydraulic Eng. 134(12):1708-1721, from 74
#: embankment failures: average width B = 0.27 K_o V_w^0.32 h_b^0.04 with K_o = 1.3
#: for overtopping and 1.0 otherwise; side slopes 1.0 (overtopping) and 0.7 (other
#: modes); formation time t_f = 63.2 sqrt(V_w / (g h_b^2)), the same for every mode
#: (the paper's formation-time regression has no mode factor).
#:
#: demolition (explosives, or a deliberate cut): no regression exists for it, so the
#: scenario gives the width (metres, or a share of the crest) and the formation time.
#: The precedents are the 1943 bombing of the Moehne (a gap 77 m wide and 22 m deep in
#: a 650 m crest) and Eder dams (70 m wide, 22 m deep, in a 400 m crest; about
#: 8,000 m^3/s; Wikipedia "Moehne Reservoir" and "Edersee Dam"), whose gaps opened
#: within minutes of the charge. The gap is taken as vertical-sided (side slope 0):
#: its given width is then both its average and its bottom width.
MECHANISMS: dict[str, Mechanism] = {
    "overtopping": Mechanism("overtopping", side_slope=1.0, width_mode_factor=1.3,
                             regression_time=True),
    "piping": Mechanism("piping", side_slope=0.7, width_mode_factor=1.0,
                        regression_time=True),
    "demolition": Mechanism("demolition", side_slope=0.0, width_mode_factor=None,
                            regression_time=False),
}


def breach_width_froehlich_2008(
    volume_m3: float, breach_height_m: float, mechanism: str = "overtopping"
) -> float:
    """Average width (m) of the final trapezoidal breach, B = 0.27 K_o V_w^0.32 h_b^0.04.

    Froehlich, D.C. (2008), "Embankment dam breach parameters and their uncertainties",
    J. Hydraulic Eng. 134(12):1708-1721, regression for the average breach width, with
    K_o = 1.3 for overtopping and 1.0 for piping (`MECHANISMS`). V_w is the volume
    above the breach bottom (m^3), h_b the breach height (m). Works elementwise.
    """
    mode_factor = MECHANISMS[mechanism].width_mode_factor
    if mode_factor is None:
        raise ValueError(f"the {mechanism} mechanism has no width regression")
    return 0.27 * mode_factor * volume_m3**0.32 * breach_height_m**0.04


def breach_formation_time_froehlich_2008(volume_m3: float, breach_height_m: float) -> float:
    """Breach formation time in seconds, t_f = 63.2 sqrt(V_w / (g h_b^2)).

    Froehlich (2008), J. Hydraulic Eng. 134(12):1708-1721, regression for the
    formation time (dimensionally homogeneous form, so the result is in seconds).
    """
    return 63.2 * (volume_m3 / (GRAVITY_M_S2 * breach_height_m**2)) ** 0.5


def peak_outflow_froehlich_1995(volume_m3: float, head_m: float) -> float:
    """Peak breach outflow (m^3/s), Q_p = 0.607 V_w^0.295 h_w^1.24.

    Froehlich, D.C. (1995), "Peak outflow from breached embankment dam", J. Water
    Resources Planning and Management 121(1):90-97, the paper's regression of peak
    outflow on reservoir volume V_w (m^3) and head h_w above the breach bottom (m).
    """
    return 0.607 * volume_m3**0.295 * head_m**1.24


def peak_outflow_macdonald_1984(volume_m3: float, head_m: float) -> float:
    """Peak breach outflow (m^3/s) of an earthfill dam, Q_p = 1.154 (V_w h_w)^0.412.

    MacDonald, T.C. and Langridge-Monopolis, J. (1984), "Breaching characteristics of
    dam failures", J. Hydraulic Eng. 110(5):567-586, best-fit curve for earthfill dams
    against the breach formation factor V_w h_w (m^4).
    """
    return 1.154 * (volume_m3 * head_m) ** 0.412


def eroded_volume_macdonald_1984(volume_m3: float, head_m: float) -> float:
    """Volume of embankment eroded by the breach (m^3), V_er = 0.0261 (V_w h_w)^0.769.

    MacDonald & Langridge-Monopolis (1984), J. Hydraulic Eng. 110(5):567-586,
    earthfill dams.
    """
    return 0.0261 * (volume_m3 * head_m) ** 0.769


def formation_time_macdonald_1984(eroded_volume_m3: float) -> float:
    """Breach formation time in seconds for an earthfill dam.

    MacDonald & Langridge-Monopolis (1984), J. Hydraulic Eng. 110(5):567-586, give
    t_f = 0.0179 V_er^0.364 in hours with V_er in m^3; this returns it in seconds.
    """
    return 3600.0 * 0.0179 * eroded_volume_m3**0.364


@dataclass(frozen=True)
class Reservoir:
    """The water behind the dam at the moment it starts to fail.

    `level_m` is the water level above the dam toe (the lowest possible breach bottom),
    so it is also the head on a full-depth breach. `storage_curve` holds
    (height above toe m, volume m^3) pairs with increasing heights; without it the
    reservoir is a prism (constant surface area volume_m3 / level_m, so volume
    proportional to depth), which keeps the level up longer than a real valley does
    and so errs towards higher peaks. A curve not starting at the toe gets (0, 0)
    prepended; it must reach level_m and agree with volume_m3 there within 2 %.
    """

    volume_m3: float
    level_m: float
    dam_height_m: float
    storage_curve: tuple[tuple[float, float], ...] | None = None

    def __post_init__(self) -> None:
        if not (self.volume_m3 >= 0 and self.level_m >= 0):
            raise ValueError("reservoir volume_m3 and level_m must be >= 0")
        if not self.dam_height_m > 0:
            raise ValueError("dam_height_m must be > 0")
        if self.storage_curve is None:
            return
        heights, volumes = _curve_arrays(self.storage_curve)
        heights.setflags(write=False)
        volumes.setflags(write=False)
        object.__setattr__(self, "_curve_heights_m", heights)
        object.__setattr__(self, "_curve_volumes_m3", volumes)
        if np.any(np.diff(heights) <= 0) or np.any(np.diff(volumes) < 0):
            raise ValueError("storage_curve heights must increase and volumes must not fall")
        if heights[-1] < self.level_m:
            raise ValueError(
                f"storage_curve ends at {heights[-1]} m, below level_m {self.level_m} m"
            )
        curve_volume_m3 = float(np.interp(self.level_m, heights, volumes))
        if abs(curve_volume_m3 - self.volume_m3) > 0.02 * max(self.volume_m3, 1.0):
            raise ValueError(
                f"storage_curve gives {curve_volume_m3:.4g} m^3 at level_m, "
                f"volume_m3 says {self.volume_m3:.4g} m^3"
            )

    def volume_at_level_m3(self, level_m: np.ndarray | float) -> np.ndarray | float:
        """Stored volume (m^3) at a water level above the toe (m); elementwise."""
        if self.storage_curve is None:
            return np.maximum(level_m, 0.0) * self._prism_area_m2()
        return np.interp(level_m, self._curve_heights_m, self._curve_volumes_m3)

    def _prism_area_m2(self) -> float:
        return self.volume_m3 / self.level_m if self.level_m > 0 else 0.0


@dataclass(frozen=True)
class Hydrograph:
    """Discharge series below the dam: times from breach initiation (s) and flow
    (m^3/s, the river's `base_flow_m3s` included). Arrays are made read-only."""

    times_s: np.ndarray
    outflow_m3s: np.ndarray
    base_flow_m3s: float = 0.0

    def __post_init__(self) -> None:
        times_s = np.array(self.times_s, dtype=float)
        outflow_m3s = np.array(self.outflow_m3s, dtype=float)
        if times_s.shape != outflow_m3s.shape or times_s.ndim != 1 or times_s.size < 2:
            raise ValueError("times_s and outflow_m3s must be 1-d arrays of equal length >= 2")
        times_s.setflags(write=False)
        outflow_m3s.setflags(write=False)
        object.__setattr__(self, "times_s", times_s)
        object.__setattr__(self, "outflow_m3s", outflow_m3s)

    @property
    def peak_m3s(self) -> float:
        """Largest discharge in the series (m^3/s)."""
        return float(self.outflow_m3s.max())

    @property
    def volume_m3(self) -> float:
        """Volume passed over the series, trapezoid rule (m^3), base flow included."""
        return _trapezoid(self.outflow_m3s, self.times_s)

    @property
    def released_m3(self) -> float:
        """Volume the breach released (m^3): the series' volume less the base flow's."""
        duration_s = float(self.times_s[-1] - self.times_s[0])
        return self.volume_m3 - self.base_flow_m3s * duration_s


@dataclass(frozen=True)
class Breach:
    """The final breach opening and the time it takes to form.

    `height_m` is the depth the breach cuts below the crest, `average_width_m` the
    mean width of its trapezoid, `side_slope` horizontal : vertical.
    """

    height_m: float
    average_width_m: float
    side_slope: float
    formation_s: float

    def __post_init__(self) -> None:
        if not (self.height_m > 0 and self.average_width_m > 0 and self.formation_s > 0):
            raise ValueError("breach height, width and formation time must be > 0")
        if not self.side_slope >= 0:
            raise ValueError("breach side_slope must be >= 0")


def breach_geometry(
    reservoir: Reservoir,
    mechanism: str = "overtopping",
    depth_fraction: float = 1.0,
    width_factor: float = 1.0,
    average_width_m: float | None = None,
    formation_s: float | None = None,
) -> Breach:
    """The breach a failure of `mechanism` opens in the dam holding `reservoir`.

    Height: `depth_fraction` x dam height, so a partial breach stops at
    (1 - fraction) x dam height above the toe. Width: `average_width_m` when given,
    else the Froehlich (2008) regression on the volume above the breach bottom times
    `width_factor` (the regression's uncertainty, sampled by the engine). Formation
    time: `formation_s` when given, else Froehlich (2008). A mechanism without a
    regression (`demolition`) needs both given. See `MECHANISMS` for the sources.
    """
    if mechanism not in MECHANISMS:
        raise ValueError(f"unknown breach mechanism {mechanism!r}")
    if not 0.0 < depth_fraction <= 1.0:
        raise ValueError("depth_fraction must be in (0, 1]")
    if not width_factor > 0.0:
        raise ValueError("width_factor must be > 0")
    rules = MECHANISMS[mechanism]
    height_m = depth_fraction * reservoir.dam_height_m
    bottom_m = reservoir.dam_height_m - height_m
    # Volume above the final bottom; at least a litre, so a breach above the water
    # still has a (harmless) size: it releases nothing.
    above_m3 = max(reservoir.volume_m3 - float(reservoir.volume_at_level_m3(bottom_m)), 1e-3)
    if average_width_m is None:
        if rules.width_mode_factor is None:
            raise ValueError(f"a {mechanism} breach needs its width")
        average_width_m = width_factor * breach_width_froehlich_2008(above_m3, height_m, mechanism)
    if formation_s is None:
        if not rules.regression_time:
            raise ValueError(f"a {mechanism} breach needs its formation time")
        formation_s = breach_formation_time_froehlich_2008(above_m3, height_m)
    return Breach(height_m, float(average_width_m), rules.side_slope, float(formation_s))


def breach_hydrograph(
    reservoir: Reservoir, breach: Breach | None = None, base_flow_m3s: float = 0.0
) -> Hydrograph:
    """Outflow hydrograph of `breach` growing while `reservoir` drains (by default a
    full-depth overtopping breach, `breach_geometry(reservoir)`).

    Opening: over the formation time t_f the breach bottom falls linearly from the
    water level (or the crest, if lower) to its final level and the bottom width grows
    linearly from zero to the average width less side slope x height (Froehlich 2008,
    J. Hydraulic Eng. 134(12):1708-1721, trapezoidal breach).

    Flow (Fread, NWS DAMBRK, broad-crested trapezoidal breach weir, SI coefficients):
    Q = 1.7 b H^1.5 + 1.35 z H^2.5 with b the bottom width, z the side slope and H the
    head over the breach bottom; tailwater submergence is ignored, which errs high.

    Drawdown: dV/dt = -Q with the level from `reservoir` (storage curve or prism); the
    river's base flow is passed through and added to the outflow.

    Numerics. The series is sampled on its own nodes, not a uniform grid, and every
    interval carries by the trapezoid rule exactly the volume the reservoir lost in it:
    - during formation, implicit trapezoid steps (V1 = V0 - h (Q0 + Q1) / 2, solved
      by Newton), at least 32 of them and none longer than a tenth of the drawdown time
      scale A / (dQ/dH), so the peak, which lies on a node, is the ODE's within 0.5 %;
    - after formation the breach is fixed and the nodes are heads 3.9 % apart, each
      reached after dt = 2 dV / (Q0 + Q1), until 99 % of the releasable volume is out.
    The weir law drains the rest in infinite time (Q falls like t^-3 on a prism), so
    the last 1 % leaves as a linear recession from the last computed flow to zero,
    lasting 2 x remainder / last flow: the flow stays continuous, never exceeds that
    last flow (about 0.1 % of the peak on a prism) and the series ends. The released
    volume (`Hydrograph.released_m3`) is then exactly the volume above the breach
    bottom, to rounding.
    """
    if not base_flow_m3s >= 0.0:
        raise ValueError("base_flow_m3s must be >= 0")
    if breach is None:
        breach = breach_geometry(reservoir)
    if breach.height_m > reservoir.dam_height_m * (1.0 + 1e-12):
        raise ValueError("the breach cannot be deeper than the dam is high")
    initial_volume_m3 = float(reservoir.volume_m3)
    formation_s = breach.formation_s
    bottom_final_m = max(reservoir.dam_height_m - breach.height_m, 0.0)
    breach_top_m = min(reservoir.level_m, reservoir.dam_height_m)
    bottom_volume_m3 = float(reservoir.volume_at_level_m3(bottom_final_m))
    releasable_m3 = initial_volume_m3 - bottom_volume_m3
    if releasable_m3 <= 0.0 or breach_top_m <= bottom_final_m:
        return Hydrograph(np.array([0.0, 3600.0]), np.full(2, float(base_flow_m3s)),
                          base_flow_m3s)

    drop_m = breach_top_m - bottom_final_m
    bottom_width_m = max(breach.average_width_m - breach.side_slope * breach.height_m, 0.0)
    bottom_coeff = WEIR_COEFF_BOTTOM * bottom_width_m
    sides_coeff = WEIR_COEFF_SIDES * breach.side_slope
    level_of_volume, volume_of_level, area_at_level = _scalar_storage_functions(reservoir)

    def outflow(volume_m3: float, time_s: float) -> tuple[float, float]:
        """Breach outflow (m^3/s) and its derivative by stored volume (1/s)."""
        progress = min(time_s / formation_s, 1.0)
        level_m = level_of_volume(volume_m3)
        head_m = level_m - breach_top_m + drop_m * progress
        if head_m <= 0.0:
            return 0.0, 0.0
        root_m = sqrt(head_m)
        bottom = bottom_coeff * progress
        flow = head_m * root_m * (bottom + sides_coeff * head_m)
        by_head = root_m * (1.5 * bottom + 2.5 * sides_coeff * head_m)
        return flow, by_head / area_at_level(level_m)

    # A level above the crest already flows over the breach's sides at t = 0.
    volume_m3 = initial_volume_m3
    time_s, flow_m3s = 0.0, outflow(volume_m3, 0.0)[0]
    times_s = [time_s]
    flows_m3s = [flow_m3s]
    longest_s = formation_s / _MIN_FORMATION_STEPS
    shortest_s = formation_s / _MAX_FORMATION_STEPS
    # Each step is sized on the drawdown rate dQ/dV where the last one ended (the first
    # on the breach it will end with: at t = 0 the breach has no width yet).
    _, rate_1_s = outflow(volume_m3, min(longest_s, formation_s))
    while time_s < formation_s:
        step_s = longest_s if rate_1_s <= 0.0 else min(longest_s, _STEP_RATE_SHARE / rate_1_s)
        step_s = max(step_s, shortest_s)
        next_s = formation_s if time_s + 1.5 * step_s >= formation_s else time_s + step_s
        half_s = 0.5 * (next_s - time_s)
        target_m3 = volume_m3 - half_s * flow_m3s
        low_m3 = min(volume_of_level(breach_top_m - drop_m * next_s / formation_s), volume_m3)
        guess_m3 = min(max(target_m3 - half_s * flow_m3s, low_m3), volume_m3)
        high_m3 = volume_m3
        for _ in range(_NEWTON_ITERATIONS):
            next_flow, slope = outflow(guess_m3, next_s)
            residual_m3 = guess_m3 + half_s * next_flow - target_m3
            if residual_m3 > 0.0:
                high_m3 = guess_m3
            else:
                low_m3 = guess_m3
            newton_m3 = guess_m3 - residual_m3 / (1.0 + half_s * slope)
            if not low_m3 <= newton_m3 <= high_m3:
                newton_m3 = 0.5 * (low_m3 + high_m3)
            if abs(newton_m3 - guess_m3) <= 1e-13 * initial_volume_m3:
                guess_m3 = newton_m3
                break
            guess_m3 = newton_m3
        next_flow, rate_1_s = outflow(guess_m3, next_s)
        # Book the step's volume by the trapezoid rule, so the series conserves it.
        volume_m3 = max(volume_m3 - half_s * (flow_m3s + next_flow), bottom_volume_m3)
        time_s, flow_m3s = next_s, next_flow
        times_s.append(time_s)
        flows_m3s.append(flow_m3s)

    # Drawdown through the finished breach: nodes at falling heads.
    head_end_m = level_of_volume(volume_m3) - bottom_final_m
    resolved_m3 = bottom_volume_m3 + (1.0 - _RESOLVED_SHARE) * releasable_m3
    if head_end_m > 0.0 and volume_m3 > resolved_m3:
        heads_m = head_end_m * _DRAWDOWN_HEAD_FRACTIONS
        volumes_m3 = reservoir.volume_at_level_m3(bottom_final_m + heads_m)
        volumes_m3 = np.minimum(volumes_m3 - volumes_m3[0] + volume_m3, volume_m3)
        last = min(int(np.searchsorted(-volumes_m3, -resolved_m3)), volumes_m3.size - 1)
        heads_m, volumes_m3 = heads_m[: last + 1], volumes_m3[: last + 1]
        flows = heads_m * np.sqrt(heads_m) * (bottom_coeff + sides_coeff * heads_m)
        flows[0] = flow_m3s
        steps_s = 2.0 * (volumes_m3[:-1] - volumes_m3[1:]) / (flows[:-1] + flows[1:])
        times_s.extend((time_s + np.cumsum(steps_s)).tolist())
        flows_m3s.extend(flows[1:].tolist())
        volume_m3 = float(volumes_m3[-1])

    # The remainder leaves as a linear recession from the last flow to zero.
    remainder_m3 = volume_m3 - bottom_volume_m3
    if remainder_m3 > 0.0:
        last_flow = flows_m3s[-1]
        closing_s = 2.0 * remainder_m3 / last_flow if last_flow > 0.0 else 1.0
        times_s.append(times_s[-1] + closing_s)
        flows_m3s.append(0.0)
        if last_flow <= 0.0:  # cannot happen with water above the bottom; kept exact
            flows_m3s[-1] = 2.0 * remainder_m3 / closing_s
    outflow_m3s = np.asarray(flows_m3s) + base_flow_m3s
    return Hydrograph(np.asarray(times_s), outflow_m3s, base_flow_m3s)


def _scalar_storage_functions(reservoir: Reservoir):
    """Fast scalar (volume -> level, level -> volume, level -> surface area) functions
    for the formation loop; the area is dV/dh of the curve's segment (m^2)."""
    if reservoir.storage_curve is None:
        area_m2 = reservoir._prism_area_m2()
        return ((lambda volume_m3: volume_m3 / area_m2), (lambda level_m: level_m * area_m2),
                (lambda level_m: area_m2))
    heights = reservoir._curve_heights_m.tolist()
    volumes = reservoir._curve_volumes_m3.tolist()
    areas = [max((v1 - v0) / (h1 - h0), 1e-9)
             for h0, h1, v0, v1 in zip(heights, heights[1:], volumes, volumes[1:], strict=False)]

    def level_m(volume_m3: float) -> float:
        return _interp_scalar(volume_m3, volumes, heights)

    def volume_m3(level_m: float) -> float:
        return _interp_scalar(level_m, heights, volumes)

    def area_m2(level_m: float) -> float:
        return areas[min(max(bisect.bisect_right(heights, level_m), 1), len(areas)) - 1]

    return level_m, volume_m3, area_m2


def _interp_scalar(x: float, xs: list[float], ys: list[float]) -> float:
    """np.interp for one float on a short increasing table, without numpy overhead."""
    i = min(max(bisect.bisect_right(xs, x), 1), len(xs) - 1)
    x0, x1 = xs[i - 1], xs[i]
    if x1 <= x0:
        return ys[i]
    share = min(max((x - x0) / (x1 - x0), 0.0), 1.0)
    return ys[i - 1] + (ys[i] - ys[i - 1]) * share


def _curve_arrays(storage_curve: tuple[tuple[float, float], ...]) -> tuple[np.ndarray, np.ndarray]:
    curve = np.asarray(storage_curve, dtype=float)
    if curve.ndim != 2 or curve.shape[1] != 2 or curve.shape[0] < 2:
        raise ValueError("storage_curve must hold at least two (height_m, volume_m3) pairs")
    if curve[0, 0] > 0.0:
        curve = np.vstack([[0.0, 0.0], curve])
    return curve[:, 0], curve[:, 1]


def _trapezoid(values: np.ndarray, times: np.ndarray) -> float:
    return float(0.5 * np.sum((values[1:] + values[:-1]) * np.diff(times)))
