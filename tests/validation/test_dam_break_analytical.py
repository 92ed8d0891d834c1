"""The reference shallow-water solver against the exact ideal dam breaks, and the
properties its scheme promises (a flat pool stays at rest across a section change,
volume is conserved, uniform flow is Manning's normal flow and stays so).

Exact solutions (instantaneous removal of a dam on a horizontal frictionless bed, depth
h_l upstream of x0, h_r downstream, both at rest), as compiled by Delestre et al. (2013),
"SWASHES: a compilation of shallow water analytic solutions for hydraulic and
environmental studies", Int. J. Numer. Meth. Fluids 72(3):269-300, section 4.1:

- dry bed (h_r = 0), Ritter (1892), Z. Vereines Deutscher Ingenieure 36:947-954: still
  water h_l for x <= x0 - t sqrt(g h_l); the centred rarefaction
  h = (4 / 9g) (sqrt(g h_l) - (x - x0) / 2t)^2, u = (2/3) ((x - x0)/t + sqrt(g h_l)) up to
  the front x0 + 2 t sqrt(g h_l); dry beyond.
- wet bed (h_r > 0), Stoker (1957), Water Waves, Interscience: the same
  rarefaction down to a constant state h_m = c_m^2 / g, u_m = 2 (sqrt(g h_l) - c_m) from
  x0 + t (2 sqrt(g h_l) - 3 c_m), then a bore at x0 + t 2 c_m^2 (sqrt(g h_l) - c_m) /
  (c_m^2 - g h_r), with c_m the root of
  -8 g h_r c_m^2 (sqrt(g h_l) - c_m)^2 + (c_m^2 - g h_r)^2 (c_m^2 + g h_r) = 0
  (the Riemann invariant across the rarefaction and the bore's Rankine-Hugoniot
  conditions; checked below).

Tolerances (first-order scheme, 5 m cells over 2 km, 30 s): mean absolute depth error
below 0.5 % of h_l; the Stoker bore within two cells of its exact position; the Ritter
front (where the depth falls to 5 % of h_l) within 2 % of its exact travel; and the errors
fall when the cells are halved (the scheme converges).
"""

import functools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from simulator.consequences import flood
from simulator.consequences.section import CompoundSection
from simulator.consequences.shallow_water import (
    GRAVITY_M_S2 as G,
)
from simulator.consequences.shallow_water import (
    Channel,
    Inflow,
    Reach,
    TrapezoidalSection,
    route_flood_reference,
    simulate,
)

UPSTREAM_DEPTH_M = 10.0
WET_DOWNSTREAM_DEPTH_M = 2.0
DAM_AT_M = 1000.0
LENGTH_M = 2000.0
AT_S = 30.0


def stoker_middle_celerity(upstream_m: float, downstream_m: float) -> float:
    """c_m of the Stoker solution: the root of SWASHES eq. (4.1.1)'s polynomial between
    sqrt(g h_r) and sqrt(g h_l)."""
    up = math.sqrt(G * upstream_m)

    def polynomial(c: float) -> float:
        return (-8.0 * G * downstream_m * c**2 * (up - c) ** 2
                + (c**2 - G * downstream_m) ** 2 * (c**2 + G * downstream_m))

    return brentq(polynomial, math.sqrt(G * downstream_m) * (1 + 1e-12), up)


def exact_dam_break(x_m, time_s, upstream_m, downstream_m, dam_m):
    """(depth m, velocity m/s, front m) of the Ritter (h_r = 0) or Stoker solution."""
    up = math.sqrt(G * upstream_m)
    if downstream_m > 0.0:
        middle = stoker_middle_celerity(upstream_m, downstream_m)
        front = dam_m + time_s * 2.0 * middle**2 * (up - middle) / (middle**2 - G * downstream_m)
    else:
        middle, front = 0.0, dam_m + 2.0 * up * time_s
    tail = dam_m - up * time_s
    head = dam_m + time_s * (2.0 * up - 3.0 * middle)
    fan_depth = 4.0 / (9.0 * G) * (up - (x_m - dam_m) / (2.0 * time_s)) ** 2
    fan_velocity = 2.0 / 3.0 * ((x_m - dam_m) / time_s + up)
    depth = np.select([x_m <= tail, x_m <= head, x_m <= front],
                      [upstream_m, fan_depth, middle**2 / G], downstream_m)
    velocity = np.select([x_m <= tail, x_m <= head, x_m <= front],
                         [0.0, fan_velocity, 2.0 * (up - middle)], 0.0)
    return depth, velocity, front


@functools.cache
def _dam_break(cell_m: float, downstream_m: float):
    channel = Channel((Reach(LENGTH_M, 0.0, TrapezoidalSection(1.0)),), cell_m=cell_m,
                      max_depth_m=2 * UPSTREAM_DEPTH_M)
    initial = np.where(channel.x_m < DAM_AT_M, UPSTREAM_DEPTH_M, downstream_m)
    return channel, simulate(channel, initial, 0.0, AT_S)


def test_stoker_middle_state_satisfies_the_bore_conditions():
    """The analytical helper itself: c_m gives a middle state joined to the still water
    upstream by the rarefaction's Riemann invariant u + 2c = 2 sqrt(g h_l), and to the
    still water downstream by a bore conserving mass and momentum (Stoker 1957)."""
    middle = stoker_middle_celerity(UPSTREAM_DEPTH_M, WET_DOWNSTREAM_DEPTH_M)
    depth_m, velocity = middle**2 / G, 2.0 * (math.sqrt(G * UPSTREAM_DEPTH_M) - middle)
    x = np.array([DAM_AT_M])
    _, _, front = exact_dam_break(x, 1.0, UPSTREAM_DEPTH_M, WET_DOWNSTREAM_DEPTH_M, 0.0)
    bore_speed = front
    mass = bore_speed * (depth_m - WET_DOWNSTREAM_DEPTH_M) - depth_m * velocity
    momentum = (bore_speed * depth_m * velocity - depth_m * velocity**2
                - 0.5 * G * (depth_m**2 - WET_DOWNSTREAM_DEPTH_M**2))
    assert abs(mass) < 1e-9 * depth_m * velocity
    assert abs(momentum) < 1e-9 * depth_m * velocity**2
    # Textbook value of this classic case: h_m ~ 5.08 m for 10 m on 2 m.
    assert depth_m == pytest.approx(5.0787, abs=1e-3)


@pytest.mark.parametrize("downstream_m", [0.0, WET_DOWNSTREAM_DEPTH_M], ids=["ritter", "stoker"])
def test_depth_matches_the_exact_dam_break(downstream_m):
    """Mean absolute depth error under 0.5 % of h_l on 5 m cells, and smaller on 2.5 m
    cells than on 5 m cells."""
    errors = []
    for cell_m in (5.0, 2.5):
        channel, run = _dam_break(cell_m, downstream_m)
        exact, _, _ = exact_dam_break(channel.x_m, AT_S, UPSTREAM_DEPTH_M, downstream_m,
                                      DAM_AT_M)
        errors.append(float(np.mean(np.abs(run.depth_m - exact))) / UPSTREAM_DEPTH_M)
    assert errors[0] < 0.005
    assert errors[1] < 0.8 * errors[0]


def test_stoker_bore_position():
    """The bore (where the depth is halfway between h_m and h_r) is within two cells of
    its exact position after 30 s, and the middle state's depth within 1 %."""
    channel, run = _dam_break(5.0, WET_DOWNSTREAM_DEPTH_M)
    exact, _, front = exact_dam_break(channel.x_m, AT_S, UPSTREAM_DEPTH_M,
                                      WET_DOWNSTREAM_DEPTH_M, DAM_AT_M)
    middle_m = stoker_middle_celerity(UPSTREAM_DEPTH_M, WET_DOWNSTREAM_DEPTH_M) ** 2 / G
    halfway = 0.5 * (middle_m + WET_DOWNSTREAM_DEPTH_M)
    bore = channel.x_m[np.flatnonzero(run.depth_m > halfway).max()]
    assert abs(bore - front) <= 2 * 5.0
    plateau = (channel.x_m > front - 100.0) & (channel.x_m < front - 30.0)
    assert np.all(np.abs(run.depth_m[plateau] - middle_m) < 0.01 * middle_m)


def test_ritter_front_position():
    """Where the wave's depth falls to a level h, exact: x0 + 2t (sqrt(g h_l) -
    1.5 sqrt(g h)). At 5 % of h_l the model is within 2 % of the distance travelled.
    The thin tip lags on a first-order scheme (at 1 % of h_l: 9 % of the travel on 5 m
    cells); that lag shrinks as the cells are halved."""
    lags = []
    for cell_m in (5.0, 2.5):
        channel, run = _dam_break(cell_m, 0.0)
        for share in (0.05, 0.01):
            level_m = share * UPSTREAM_DEPTH_M
            exact = DAM_AT_M + 2 * AT_S * (math.sqrt(G * UPSTREAM_DEPTH_M)
                                           - 1.5 * math.sqrt(G * level_m))
            model = channel.x_m[np.flatnonzero(run.depth_m > level_m).max()]
            lags.append((exact - model) / (exact - DAM_AT_M))
    at_5_percent, at_1_percent, _, at_1_percent_fine = lags
    assert abs(at_5_percent) < 0.02
    assert 0.0 < at_1_percent_fine < 0.6 * at_1_percent < 0.06


def test_flat_pool_stays_at_rest_across_a_section_change():
    """A still pool over a flat bed, from a rectangle into a channel with a flooded
    floodplain, does not move: the junction's force balances the change in hydrostatic
    force between the two sections."""
    reaches = (
        Reach(500.0, 0.0, TrapezoidalSection(50.0, manning_n=0.03)),
        Reach(500.0, 0.0, CompoundSection(80.0, 3.0, 0.03, 600.0, 0.06, 0.001)),
    )
    channel = Channel(reaches, cell_m=25.0, max_depth_m=20.0)
    run = simulate(channel, 4.0, 0.0, 600.0, upstream_wall=True, downstream_wall=True)
    assert np.max(np.abs(run.depth_m - 4.0)) < 1e-12
    assert np.max(np.abs(run.discharge_m3s)) < 1e-9


def test_uniform_flow_stays_uniform():
    """Manning's normal flow out of bank on a sloping compound channel is a steady
    state of the scheme: slope and friction balance exactly (to the section table's
    interpolation of the conveyance)."""
    section = CompoundSection(60.0, 2.0, 0.035, 400.0, 0.07, 0.001)
    channel = Channel((Reach(10_000.0, 0.001, section),), cell_m=250.0, max_depth_m=20.0)
    depth = channel.normal_depth_m(600.0)
    assert depth[0] == pytest.approx(float(section.depth_m(600.0)), rel=1e-3)
    inflow = Inflow(np.array([0.0, 1.0]), np.array([600.0, 600.0]))
    run = simulate(channel, depth, 600.0, 3600.0, inflow=inflow)
    assert np.max(np.abs(run.depth_m - depth)) < 1e-9
    assert np.max(np.abs(run.discharge_m3s - 600.0)) < 1e-6


def test_volume_is_conserved_in_a_closed_channel():
    """A dam break between two walls over a sloping compound channel keeps its volume to
    round-off."""
    reaches = (Reach(3000.0, 0.002, CompoundSection(60.0, 2.0, 0.035, 400.0, 0.07, 0.002)),)
    channel = Channel(reaches, cell_m=50.0, max_depth_m=30.0)
    depth = np.where(channel.x_m < 800.0, 12.0, 0.0)
    before = float(np.sum(channel.area_m2(depth) * channel.dx_m))
    run = simulate(channel, depth, 0.0, 900.0, upstream_wall=True, downstream_wall=True)
    after = float(np.sum(channel.area_m2(run.depth_m) * channel.dx_m))
    assert after == pytest.approx(before, rel=1e-10)
    assert run.depth_m[-1] > 0.0


def test_steady_inflow_settles_to_manning_normal_depth():
    """A constant inflow into a sloping compound channel at low flow settles to the
    section's own normal depth (section.py's Manning inverse), out of bank."""
    section = CompoundSection(60.0, 2.0, 0.035, 400.0, 0.07, 0.001)
    discharge_m3s = 600.0
    channel = Channel((Reach(20_000.0, 0.001, section),), cell_m=500.0, max_depth_m=20.0)
    inflow = Inflow(np.array([0.0, 1.0]), np.array([discharge_m3s, discharge_m3s]))
    run = simulate(channel, channel.normal_depth_m(50.0), 50.0, 24 * 3600.0, inflow=inflow,
                   gauges_m=[10_000.0])
    expected_m = float(section.depth_m(discharge_m3s))
    assert expected_m > section.bankfull_depth_m
    assert run.gauge_depth_m[-1, 0] == pytest.approx(expected_m, rel=1e-3)
    assert run.gauge_discharge_m3s[-1, 0] == pytest.approx(discharge_m3s, rel=1e-6)


def test_section_tables_are_exact_for_a_trapezoid():
    """Area (b + z h) h, first moment b h^2/2 + z h^3/3 and the inverse depth of a
    trapezoid from the tables, at depths between the nodes; above the deepest node
    (10 m) the banks go up vertically."""
    section = TrapezoidalSection(30.0, 2.0, 0.04)
    channel = Channel((Reach(1000.0, 0.001, section),), cell_m=500.0, max_depth_m=10.0)
    tables, rows = channel.tables, np.zeros(5, dtype=int)
    depth_m = np.array([0.0005, 0.37, 2.0, 9.99, 14.0])
    wetted = tables.wetted(rows, depth_m)
    inside = depth_m[:4]
    assert wetted.area_m2[:4] == pytest.approx((30.0 + 2.0 * inside) * inside, rel=1e-12)
    assert wetted.moment_m3[:4] == pytest.approx(30.0 * inside**2 / 2 + 2.0 * inside**3 / 3,
                                                 rel=1e-12)
    assert wetted.top_width_m[:4] == pytest.approx(30.0 + 4.0 * inside, rel=1e-12)
    assert wetted.top_width_m[4] == pytest.approx(70.0)
    assert wetted.area_m2[4] == pytest.approx(500.0 + 70.0 * 4.0)
    back_m, _ = tables.from_area(rows, wetted.area_m2)
    assert back_m == pytest.approx(depth_m, rel=1e-9)


def test_reference_routing_answers_like_the_fast_routing():
    """`route_flood_reference` takes `route_flood`'s arguments and returns its
    `TownImpact`s: on a short compound river with a moderate flood, the towns flood in
    order, the peak flows are within 35 % of the fast routing's (the reference
    attenuates more, never less), and the first town is under damaging water a while."""
    section = CompoundSection(80.0, 3.0, 0.035, 1500.0, 0.06, 5e-4)
    reaches = [flood.Reach(15_000.0, section)]
    times_s = np.array([0.0, 1800.0, 2 * 3600.0, 4 * 3600.0])
    flows_m3s = np.array([100.0, 3000.0, 1000.0, 100.0])
    towns_m = [3_000.0, 8_000.0, 15_000.0]
    reference = route_flood_reference(times_s, flows_m3s, reaches, towns_m, base_flow_m3s=100.0,
                                      cells=50)
    fast = flood.route_flood(times_s, flows_m3s, reaches, towns_m, base_flow_m3s=100.0)
    assert [type(town) for town in reference] == [flood.TownImpact] * 3
    arrivals_s = [town.arrival_s for town in reference]
    assert arrivals_s == sorted(arrivals_s) and np.all(np.isfinite(arrivals_s))
    for ours, theirs in zip(reference, fast, strict=True):
        assert 0.65 < ours.peak_discharge_m3s / theirs.peak_discharge_m3s < 1.0
    assert reference[0].peak_flood_depth_m > 1.0
    assert reference[0].time_above_damaging_depth_s > 3600.0


@settings(max_examples=25, deadline=None)
@given(discharge_m3s=st.floats(1.0, 5000.0), minutes=st.floats(1.0, 60.0),
       floodplain_m=st.floats(0.0, 2000.0), slope=st.floats(1e-4, 1e-2))
def test_an_inflow_into_a_closed_channel_stays_in_it(discharge_m3s, minutes, floodplain_m, slope):
    """Volume: a constant inflow Q for T seconds into a dry channel closed downstream
    leaves exactly Q T in it (hypothesis over flow, time, floodplain and slope)."""
    section = CompoundSection(40.0, 2.0, 0.035, floodplain_m, 0.06, slope)
    channel = Channel((Reach(5000.0, slope, section),), cell_m=250.0, max_depth_m=30.0)
    end_s = 60.0 * minutes
    inflow = Inflow(np.array([0.0, end_s]), np.array([discharge_m3s, discharge_m3s]))
    run = simulate(channel, 0.0, 0.0, end_s, inflow=inflow, downstream_wall=True)
    stored_m3 = float(np.sum(channel.area_m2(run.depth_m) * channel.dx_m))
    assert stored_m3 == pytest.approx(discharge_m3s * end_s, rel=1e-9)
