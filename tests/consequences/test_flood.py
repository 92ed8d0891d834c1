"""Flood routing checked against textbook values (Muskingum coefficients, the kinematic
celerity), against its own invariants (volume, order of arrival, stage-based arrival)
and against the physics it is meant to add: a wave that spills onto a wider floodplain
comes later and lower; a bigger breach floods deeper."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.consequences.breach import Reservoir, breach_geometry, breach_hydrograph
from simulator.consequences.flood import (
    DEFAULT_ARRIVAL_RISE_M,
    Reach,
    TownImpact,
    muskingum_coefficients,
    route_flood,
    route_hydrograph,
)
from simulator.consequences.section import CompoundSection


def _volume_m3(times_s, discharge_m3s):
    return float(0.5 * np.sum((discharge_m3s[1:] + discharge_m3s[:-1]) * np.diff(times_s)))


def _rectangle(length_m, slope, width_m, manning_n):
    return Reach(length_m, CompoundSection.rectangle(width_m, manning_n, slope))


def _valley(length_m, floodplain_width_m, slope=2e-4):
    """A 200 m wide, 5 m deep channel (n 0.03) in a floodplain (n 0.06)."""
    return Reach(length_m, CompoundSection(200.0, 5.0, 0.03, floodplain_width_m, 0.06, slope))


def _triangle(peak_m3s, rise_s, fall_s, base_m3s=0.0, steps=200):
    times_s = np.linspace(0.0, rise_s + fall_s, steps + 1)
    rise_m3s = np.interp(times_s, [0.0, rise_s, rise_s + fall_s], [0.0, peak_m3s, 0.0])
    return times_s, rise_m3s + base_m3s


def test_muskingum_coefficients_match_chow_example():
    """Chow, Maidment & Mays (1988), Applied Hydrology, Example 8.4.1: K = 2.3 h,
    X = 0.15, dt = 1 h give C1 = 0.0631, C2 = 0.3442, C3 = 0.5927 (their C1..C3 are our
    C0..C2). Recalled from the book, which the search corpora do not hold, so they are
    also checked against Ponce's Courant/cell-Reynolds form of the Muskingum-Cunge
    coefficients, C0 = (-1 + C + D)/(1 + C + D) etc. with C = dt/K, D = 1 - 2X
    (onlinecalc.sdsu.edu/onlinerouting05.php)."""
    c0, c1, c2 = muskingum_coefficients(2.3 * 3600.0, 0.15, 3600.0)
    assert (c0, c1, c2) == pytest.approx((0.0631, 0.3442, 0.5927), abs=5e-5)
    courant, cell_reynolds = 1.0 / 2.3, 1.0 - 2.0 * 0.15
    total = 1.0 + courant + cell_reynolds
    assert c0 == pytest.approx((-1.0 + courant + cell_reynolds) / total)
    assert c1 == pytest.approx((1.0 + courant - cell_reynolds) / total)
    assert c2 == pytest.approx((1.0 - courant + cell_reynolds) / total)


def test_variable_parameters_conserve_volume_exactly():
    """A breach-like flood that spills onto the floodplain (so the parameters change
    widely from step to step) leaves the river with exactly the volume that entered."""
    times_s, inflow_m3s = _triangle(40_000.0, 2 * 3600.0, 20 * 3600.0, base_m3s=300.0)
    routed = route_hydrograph(times_s, inflow_m3s, [_valley(60e3, 4000.0, 3e-4)], [60e3], 300.0)
    assert routed.discharge_m3s[0, -1] - 300.0 < 1e-6 * 40_000.0  # drained
    released_m3 = _volume_m3(times_s, inflow_m3s - 300.0)
    passed_m3 = _volume_m3(routed.times_s, routed.discharge_m3s[0] - 300.0)
    assert passed_m3 == pytest.approx(released_m3, rel=1e-6)


def test_small_wave_travels_at_the_kinematic_celerity():
    """Muskingum-Cunge sets K = dx/c (Cunge 1969): the centroid of a small wave on a
    steady flow moves at the kinematic celerity c = dQ/dA of that flow."""
    section = CompoundSection.rectangle(200.0, 0.03, 0.005)
    times_s = np.linspace(0.0, 12 * 3600.0, 721)
    base_m3s = 2000.0
    inflow_m3s = base_m3s + 20.0 * np.exp(-0.5 * ((times_s - 4 * 3600.0) / 2400.0) ** 2)
    routed = route_hydrograph(times_s, inflow_m3s, [Reach(30e3, section)], [30e3], base_m3s)
    rise_out = routed.discharge_m3s[0] - base_m3s
    rise_in = inflow_m3s - base_m3s
    shift_s = (np.sum(routed.times_s * rise_out) / np.sum(rise_out)
               - np.sum(times_s * rise_in) / np.sum(rise_in))
    assert shift_s == pytest.approx(30e3 / section.celerity_mps(base_m3s), rel=0.01)


def test_wave_slows_and_flattens_where_it_spills_onto_the_floodplain():
    """The same flood down a channel with and without a 3 km floodplain: out of bank
    the top width and storage jump and the celerity drops, so the peak comes later and
    lower, and the stage rises far less."""
    times_s, inflow_m3s = _triangle(30_000.0, 3 * 3600.0, 24 * 3600.0, base_m3s=300.0)
    walls = route_flood(times_s, inflow_m3s, [_valley(100e3, 0.0)], [100e3], 300.0)[0]
    plain = route_flood(times_s, inflow_m3s, [_valley(100e3, 3000.0)], [100e3], 300.0)[0]
    assert plain.peak_time_s > walls.peak_time_s + 3600.0
    assert plain.peak_discharge_m3s < 0.9 * walls.peak_discharge_m3s
    assert plain.peak_depth_above_normal_m < 0.5 * walls.peak_depth_above_normal_m
    assert plain.arrival_s >= walls.arrival_s


def test_flat_reach_attenuates_more_than_steep_reach():
    times_s, inflow_m3s = _triangle(50_000.0, 3 * 3600.0, 20 * 3600.0)
    flat = route_flood(times_s, inflow_m3s, [_rectangle(100e3, 1e-4, 2000.0, 0.035)], [100e3])[0]
    steep = route_flood(times_s, inflow_m3s, [_rectangle(100e3, 1e-3, 2000.0, 0.035)], [100e3])[0]
    assert flat.peak_discharge_m3s < steep.peak_discharge_m3s < 50_000.0


def test_town_impacts_are_in_input_order_with_depths_velocity_and_damage_time():
    reaches = [_valley(40e3, 500.0, 5e-4), _valley(60e3, 1500.0, 2e-4)]
    times_s, inflow_m3s = _triangle(20_000.0, 2 * 3600.0, 30 * 3600.0, base_m3s=300.0)
    far, dam, near = route_flood(
        times_s, inflow_m3s, reaches, [100e3, 0.0, 20e3], base_flow_m3s=300.0
    )
    assert isinstance(far, TownImpact)
    assert 0.97 * inflow_m3s.max() <= dam.peak_discharge_m3s <= inflow_m3s.max()
    assert dam.arrival_s <= near.arrival_s <= far.arrival_s
    assert dam.peak_discharge_m3s > near.peak_discharge_m3s > far.peak_discharge_m3s
    section = reaches[1].section
    base_stage_m = section.depth_m(300.0)
    peak_stage_m = section.depth_m(far.peak_discharge_m3s)
    assert far.peak_depth_above_normal_m == pytest.approx(peak_stage_m - base_stage_m)
    assert far.peak_flood_depth_m == pytest.approx(peak_stage_m - 5.0)
    assert far.peak_velocity_mps == pytest.approx(section.floodplain_velocity_mps(peak_stage_m))
    assert far.peak_depth_velocity_m2s == pytest.approx(
        far.peak_flood_depth_m * far.peak_velocity_mps)
    shallow = route_flood(times_s, inflow_m3s, reaches, [20e3], 300.0, damaging_depth_m=0.5)
    deep = route_flood(times_s, inflow_m3s, reaches, [20e3], 300.0, damaging_depth_m=3.0)
    assert shallow[0].time_above_damaging_depth_s > deep[0].time_above_damaging_depth_s > 0.0
    never = route_flood(times_s, inflow_m3s, reaches, [20e3], 300.0, damaging_depth_m=100.0)
    assert never[0].time_above_damaging_depth_s == 0.0


def test_arrival_is_the_first_time_the_stage_rises_the_arrival_rise():
    """Arrival is a stage, not a share of the discharge: the time the routed discharge
    first carries the stage 0.3 m (one foot) above its pre-breach level; a flood too
    small to raise it that much never arrives."""
    reach = _valley(50e3, 2000.0)
    times_s, inflow_m3s = _triangle(5000.0, 3600.0, 10 * 3600.0, base_m3s=300.0)
    impact = route_flood(times_s, inflow_m3s, [reach], [50e3], 300.0)[0]
    routed = route_hydrograph(times_s, inflow_m3s, [reach], [50e3], 300.0)
    stage_rise_m = reach.section.depth_m(routed.discharge_m3s[0]) - reach.section.depth_m(300.0)
    first = int(np.argmax(stage_rise_m > DEFAULT_ARRIVAL_RISE_M))
    assert routed.times_s[first - 1] <= impact.arrival_s <= routed.times_s[first]
    higher = route_flood(times_s, inflow_m3s, [reach], [50e3], 300.0, arrival_rise_m=1.0)[0]
    assert higher.arrival_s > impact.arrival_s
    ripple = route_flood(times_s, 300.0 + 0.01 * (inflow_m3s - 300.0), [reach], [50e3], 300.0)
    assert math.isinf(ripple[0].arrival_s) and math.isinf(ripple[0].peak_time_s)
    assert 0.0 < ripple[0].peak_depth_above_normal_m < DEFAULT_ARRIVAL_RISE_M


def test_no_flood_means_no_arrival():
    times_s = np.array([0.0, 3600.0, 7200.0])
    impact = route_flood(
        times_s, np.full(3, 500.0), [_rectangle(10e3, 1e-3, 100.0, 0.03)], [5e3],
        base_flow_m3s=500.0,
    )[0]
    assert math.isinf(impact.arrival_s) and math.isinf(impact.peak_time_s)
    assert impact.peak_depth_above_normal_m == 0.0 and impact.peak_depth_velocity_m2s == 0.0


@pytest.mark.parametrize(
    "towns_m, reaches",
    [
        ([11e3], [_rectangle(10e3, 1e-3, 100.0, 0.03)]),
        ([-1.0], [_rectangle(10e3, 1e-3, 100.0, 0.03)]),
        ([5e3], []),
    ],
)
def test_bad_towns_and_rivers_are_rejected(towns_m, reaches):
    times_s, inflow_m3s = _triangle(1000.0, 3600.0, 7200.0)
    with pytest.raises(ValueError):
        route_flood(times_s, inflow_m3s, reaches, towns_m)


def test_reach_must_be_physical():
    with pytest.raises(ValueError, match="length_m"):
        Reach(0.0, CompoundSection.rectangle(100.0, 0.03, 1e-3))


def test_haditha_breach_routed_to_fallujah():
    """The reference case end to end: Haditha Dam as operated (7 km^3 behind 50 m of
    water, 57 m earthfill dam) breaches by overtopping; the wave runs down the Euphrates
    (a 250 m channel 7 m deep in a floodplain 2.5-6 km wide) past Haditha town (10 km),
    Hit (110 km), Ramadi (180 km) and Fallujah (245 km). Expected: a dam-site peak of
    order 1e5 m^3/s (Khassaf et al., Jordan J. Civil Eng., give 202,547 m^3/s), peaks
    falling and arrivals growing downstream, the wave at Ramadi within days, and all
    the released water passing Fallujah."""
    base_m3s = 300.0
    reservoir = Reservoir(7e9, 50.0, 57.0)
    hydrograph = breach_hydrograph(reservoir, breach_geometry(reservoir), base_flow_m3s=base_m3s)

    def reach(length_m, floodplain_m, slope):
        return Reach(length_m, CompoundSection(250.0, 7.0, 0.03, floodplain_m, 0.06, slope))

    reaches = [reach(110e3, 2500.0, 3e-4), reach(70e3, 6000.0, 2e-4), reach(75e3, 6000.0, 1e-4)]
    towns_m = [10e3, 110e3, 180e3, 245e3]
    assert 1e5 <= hydrograph.peak_m3s <= 5e5
    impacts = route_flood(hydrograph.times_s, hydrograph.outflow_m3s, reaches, towns_m, base_m3s)
    arrivals_s = [impact.arrival_s for impact in impacts]
    peaks_m3s = [impact.peak_discharge_m3s for impact in impacts]
    assert arrivals_s == sorted(arrivals_s)
    assert peaks_m3s == sorted(peaks_m3s, reverse=True)
    ramadi = impacts[2]
    assert ramadi.arrival_s < 3 * 86_400.0 and ramadi.peak_time_s < 5 * 86_400.0
    assert ramadi.peak_depth_above_normal_m > 3.0
    assert ramadi.time_above_damaging_depth_s > 12 * 3600.0

    routed = route_hydrograph(
        hydrograph.times_s, hydrograph.outflow_m3s, reaches, towns_m, base_m3s
    )
    released_m3 = _volume_m3(hydrograph.times_s, hydrograph.outflow_m3s - base_m3s)
    passed_m3 = _volume_m3(routed.times_s, routed.discharge_m3s[-1] - base_m3s)
    assert passed_m3 == pytest.approx(released_m3, rel=0.01)
    assert released_m3 <= 7e9 * (1 + 1e-9)


#: Breach-like outflows: a rise over half an hour to half a day, a longer fall.
unimodal_inflows = st.tuples(
    st.floats(10.0, 3e5),  # peak rise, m^3/s
    st.floats(1800.0, 12 * 3600.0),  # rise time, s
    st.floats(2.0, 20.0),  # fall / rise
    st.floats(0.0, 2000.0),  # base flow, m^3/s
)
sections = st.builds(
    CompoundSection,
    channel_width_m=st.floats(20.0, 1000.0),
    bankfull_depth_m=st.floats(1.0, 12.0),
    channel_n=st.floats(0.02, 0.06),
    floodplain_width_m=st.one_of(st.just(0.0), st.floats(50.0, 10_000.0)),
    floodplain_n=st.floats(0.03, 0.12),
    slope=st.floats(1e-5, 3e-3),
)
rivers = st.lists(st.builds(Reach, length_m=st.floats(1e3, 100e3), section=sections),
                  min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(
    inflow=unimodal_inflows,
    reaches=rivers,
    shares=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5),
)
def test_wave_never_reaches_a_lower_town_first_and_volume_is_conserved(inflow, reaches, shares):
    peak_m3s, rise_s, fall_ratio, base_m3s = inflow
    times_s, inflow_m3s = _triangle(peak_m3s, rise_s, fall_ratio * rise_s, base_m3s)
    length_m = sum(reach.length_m for reach in reaches)
    towns_m = sorted(share * length_m for share in shares)
    routed = route_hydrograph(times_s, inflow_m3s, reaches, towns_m, base_m3s)
    wet = routed.discharge_m3s > base_m3s + 1e-3 * peak_m3s
    first_s = [routed.times_s[np.argmax(row)] if row.any() else math.inf for row in wet]
    assert first_s == sorted(first_s)
    released_m3 = _volume_m3(times_s, inflow_m3s - base_m3s)
    passed_m3 = _volume_m3(routed.times_s, routed.discharge_m3s[-1] - base_m3s)
    assert passed_m3 == pytest.approx(released_m3, rel=0.01)
    assert np.all(routed.discharge_m3s >= base_m3s - 1e-6 * peak_m3s)


def _euphrates(floodplain_factor):
    """The bundled Haditha river's shape: a 250 m, 7 m deep channel in a floodplain
    2.5-6 km wide (times a factor), slopes 3e-4 to 1e-4 (scenarios/haditha_2014.yaml)."""
    return [Reach(110e3, CompoundSection(250.0, 7.0, 0.03, 2500.0 * floodplain_factor, 0.06, 3e-4)),
            Reach(70e3, CompoundSection(250.0, 7.0, 0.03, 6000.0 * floodplain_factor, 0.06, 2e-4)),
            Reach(75e3, CompoundSection(250.0, 7.0, 0.03, 6000.0 * floodplain_factor, 0.06, 1e-4))]


@settings(max_examples=20, deadline=None)
@given(
    peak_m3s=st.floats(3e4, 3e5),
    rise_s=st.floats(1800.0, 6 * 3600.0),
    volume_m3=st.floats(1e9, 8e9),
    base_m3s=st.floats(100.0, 1000.0),
    factor=st.floats(0.2, 2.0),
    wider=st.floats(1.05, 3.0),
)
def test_wider_floodplain_floods_later_and_lower(peak_m3s, rise_s, volume_m3, base_m3s,
                                                 factor, wider):
    """Breaches of Haditha's size (1-8 km^3, peaks of 30,000-300,000 m^3/s, a
    triangle of that volume) down the Euphrates below the dam: with a wider floodplain
    every town's flood rises no higher (to within a centimetre) and arrives no earlier.
    The first foot of water comes in bank, where the two rivers are alike, and may come
    up to about 1 % earlier with the wider floodplain (found by hypothesis: a 1 km^3
    flood that shrinks to bankfull by Fallujah), so arrival is held to 2 % and one
    routing step (the resolution of a crossing time). The time of the peak is not
    compared: near the dam the peak is flat and its time moves by several steps either
    way. Not
    true of every river: for floods that barely leave the bank the diffusion wave can
    bring the first foot a few per cent earlier, and on very flat rivers peak a few
    millimetres higher, with a wider floodplain (its diffusivity Q/(2 T S) falls as T
    grows)."""
    fall_s = max(2.0 * volume_m3 / peak_m3s - rise_s, 2.0 * rise_s)
    times_s, inflow_m3s = _triangle(peak_m3s, rise_s, fall_s, base_m3s)
    towns_m = [10e3, 60e3, 110e3, 180e3, 245e3]
    narrow = route_flood(times_s, inflow_m3s, _euphrates(factor), towns_m, base_m3s)
    wide = route_flood(times_s, inflow_m3s, _euphrates(factor * wider), towns_m, base_m3s)
    step_s = float(np.diff(route_hydrograph(times_s, inflow_m3s, _euphrates(factor), towns_m[:1],
                                            base_m3s).times_s[:2])[0])
    for before, after in zip(narrow, wide, strict=True):
        assert after.peak_depth_above_normal_m <= before.peak_depth_above_normal_m + 0.01
        assert after.arrival_s >= 0.98 * before.arrival_s - step_s


@settings(max_examples=25, deadline=None)
@given(inflow=unimodal_inflows, reaches=rivers, larger=st.floats(1.05, 5.0))
def test_bigger_breach_floods_deeper(inflow, reaches, larger):
    """The same river below a bigger outflow (every discharge above base flow scaled
    up): the peak stage at the river's end is no lower."""
    peak_m3s, rise_s, fall_ratio, base_m3s = inflow
    times_s, inflow_m3s = _triangle(peak_m3s, rise_s, fall_ratio * rise_s, base_m3s)
    end_m = sum(reach.length_m for reach in reaches)
    small = route_flood(times_s, inflow_m3s, reaches, [end_m], base_m3s)[0]
    big = route_flood(times_s, base_m3s + larger * (inflow_m3s - base_m3s), reaches, [end_m],
                      base_m3s)[0]
    assert big.peak_depth_above_normal_m >= small.peak_depth_above_normal_m
    assert big.peak_discharge_m3s >= small.peak_discharge_m3s


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="known defect, route_hydrograph's Limits: far outside "
                   "the diffusion-wave range the volume correction can give the bigger "
                   "flood the lower peak")
def test_bigger_flood_down_a_flat_short_reach_peaks_higher():
    """The counterexample Hypothesis found for `test_bigger_breach_floods_deeper`: a
    small flood down 10 km of a very flat river (Ponce's t_r S0 (g/d0)^(1/2) = 0.04,
    against >= 15 for the diffusion wave) peaks at 7.2 m^3/s, and the same x1.5 at
    5.3 (the shallow-water solver: 0.056 and 0.107). Kept as a strict xfail so that a
    fix shows up here."""
    times_s, inflow_m3s = _triangle(10.0, 1800.0, 3600.0, 0.0)
    reaches = [Reach(10340.0, CompoundSection(25.0, 1.0, 0.03125, 54.0, 0.0625, 1e-5))]
    small = route_flood(times_s, inflow_m3s, reaches, [10340.0], 0.0)[0]
    big = route_flood(times_s, 1.5 * inflow_m3s, reaches, [10340.0], 0.0)[0]
    assert big.peak_discharge_m3s >= small.peak_discharge_m3s
