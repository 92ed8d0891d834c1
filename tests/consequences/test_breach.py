"""Breach models against published dam failures and worked examples, plus the
invariants the engine relies on: exactly the water above the breach bottom comes out,
the peak is the ODE's, and a bigger reservoir or a wider breach never gives a smaller
peak."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from simulator.consequences.breach import (
    MECHANISMS,
    WEIR_COEFF_BOTTOM,
    WEIR_COEFF_SIDES,
    Breach,
    Hydrograph,
    Reservoir,
    breach_formation_time_froehlich_2008,
    breach_geometry,
    breach_hydrograph,
    breach_width_froehlich_2008,
    eroded_volume_macdonald_1984,
    formation_time_macdonald_1984,
    peak_outflow_froehlich_1995,
    peak_outflow_macdonald_1984,
)

# Teton Dam, Idaho, failed by piping on 5 June 1976, as listed in the Froehlich (1995)
# data set and Wahl (1998, USBR DSO-98-004) case-study table: V_w = 3.10e8 m^3 of water
# 77.4 m deep above the breach bottom. Observed peak 2,300,000 ft^3/s = 65,120 m^3/s
# (USGS Professional Paper 1028, slope-area measurement 14.5 km downstream).
TETON_VOLUME_M3 = 3.10e8
TETON_HEAD_M = 77.4
TETON_PEAK_M3S = 65_120.0
# 305 ft above the streambed (ASDSO, damsafety.org Teton case study); the breach cut
# down to the valley floor, so this is also taken as the breach height.
TETON_DAM_HEIGHT_M = 93.0
# Wahl (1998) table row for Teton: average breach width 151 m, formation time 1.25 h.
TETON_BREACH_WIDTH_M = 151.0
TETON_FORMATION_S = 1.25 * 3600.0


def test_froehlich_2008_width_and_time_match_teton():
    """Froehlich (2008) regressions against the Teton failure, which is in its data set.

    Observed: average width 151 m and formation time 1.25 h (Wahl 1998, DSO-98-004,
    case-study table, Teton row, as quoted in a public Teton benchmark note found with
    the code search). Froehlich reports prediction intervals several tens of percent
    wide, so the check is agreement within a factor 1.5, not equality.
    """
    width_m = breach_width_froehlich_2008(TETON_VOLUME_M3, TETON_DAM_HEIGHT_M, "piping")
    formation_s = breach_formation_time_froehlich_2008(TETON_VOLUME_M3, TETON_DAM_HEIGHT_M)
    assert width_m == pytest.approx(168.8, rel=0.01)  # 0.27 x 3.1e8^0.32 x 93^0.04
    assert 1 / 1.5 < width_m / TETON_BREACH_WIDTH_M < 1.5
    assert 1 / 1.5 < formation_s / TETON_FORMATION_S < 1.5
    overtopping_m = breach_width_froehlich_2008(TETON_VOLUME_M3, TETON_DAM_HEIGHT_M)
    assert overtopping_m / width_m == pytest.approx(1.3)


def test_froehlich_1995_peak_matches_worked_examples_and_teton():
    """Froehlich (1995) peak-outflow regression.

    Worked examples from a public French dam-safety lesson (code search, lesson module
    34 'Ruptures de barrages'): V_w = 10e6 m^3, H_w = 20 m gives 2,894 m^3/s, and
    V_w = 50e6 m^3, H_w = 35 m about 9,300 m^3/s. Teton (in the regression's data set)
    observed 65,120 m^3/s; the regression gives about 42,700, inside its scatter of a
    factor 2 (Wahl 2004).
    """
    assert peak_outflow_froehlich_1995(10e6, 20.0) == pytest.approx(2894.0, rel=1e-3)
    assert peak_outflow_froehlich_1995(50e6, 35.0) == pytest.approx(9300.0, rel=0.01)
    teton_m3s = peak_outflow_froehlich_1995(TETON_VOLUME_M3, TETON_HEAD_M)
    assert 0.5 < teton_m3s / TETON_PEAK_M3S < 2.0


def test_macdonald_1984_against_teton():
    """MacDonald & Langridge-Monopolis (1984) earthfill curves against Teton.

    The peak curve gives 21,800 m^3/s against the observed 65,120 m^3/s: low by a
    factor 3, within the factor 2-4 by which Wahl (2004) finds such predictions miss.
    The formation time (hours in the paper, seconds here) from the eroded volume is
    3.8 h against the observed 1.25 h, again within a factor 4 (Wahl 2004 notes these
    relations are conservative on time).
    """
    peak_m3s = peak_outflow_macdonald_1984(TETON_VOLUME_M3, TETON_HEAD_M)
    assert 0.25 < peak_m3s / TETON_PEAK_M3S < 4.0
    eroded_m3 = eroded_volume_macdonald_1984(TETON_VOLUME_M3, TETON_HEAD_M)
    formation_s = formation_time_macdonald_1984(eroded_m3)
    assert 0.25 < formation_s / TETON_FORMATION_S < 4.0


def test_teton_hydrograph_peak_agrees_with_observation_and_froehlich_1995():
    """The parametric breach of Teton (piping, full depth) peaks within a factor 2 of
    both the observed 65,120 m^3/s and the Froehlich (1995) regression, and close to
    the end of the Froehlich (2008) formation time, as it should for a large reservoir.
    """
    reservoir = Reservoir(TETON_VOLUME_M3, TETON_HEAD_M, TETON_DAM_HEIGHT_M)
    hydrograph = breach_hydrograph(reservoir, breach_geometry(reservoir, "piping"))
    assert 0.5 < hydrograph.peak_m3s / TETON_PEAK_M3S < 2.0
    regression_m3s = peak_outflow_froehlich_1995(TETON_VOLUME_M3, TETON_HEAD_M)
    assert 0.5 < hydrograph.peak_m3s / regression_m3s < 2.0
    peak_time_s = hydrograph.times_s[np.argmax(hydrograph.outflow_m3s)]
    formation_s = breach_formation_time_froehlich_2008(TETON_VOLUME_M3, TETON_DAM_HEIGHT_M)
    assert 0.5 * formation_s <= peak_time_s <= 1.05 * formation_s
    assert hydrograph.volume_m3 == pytest.approx(TETON_VOLUME_M3, rel=1e-9)


def test_haditha_peak_agrees_with_published_hypothetical_failure():
    """Haditha Dam as operated (7 km^3, 50 m of water, 57 m high, earthfill).
    Khassaf, Abeed & Mohammed Saleh, 'Predicting the breach hydrograph resulting due to
    hypothetical failure of Haditha dam', Jordan J. Civil Eng. (abstract): peak outflow
    202,547 m^3/s about 3.5 h after failure, reservoir depleted after about 65 h. Ours
    should be of the same order (within a factor 2)."""
    reservoir = Reservoir(7e9, 50.0, 57.0)
    hydrograph = breach_hydrograph(reservoir, breach_geometry(reservoir, "overtopping"))
    assert 0.5 < hydrograph.peak_m3s / 202_547.0 < 2.0
    assert hydrograph.volume_m3 == pytest.approx(7e9, rel=1e-9)


def full(reservoir, mechanism="overtopping", **options):
    """The hydrograph of `reservoir` breaching by `mechanism` (geometry options too)."""
    base_flow_m3s = options.pop("base_flow_m3s", 0.0)
    breach = breach_geometry(reservoir, mechanism, **options)
    return breach_hydrograph(reservoir, breach, base_flow_m3s=base_flow_m3s)


def releasable_m3(reservoir, depth_fraction=1.0):
    bottom_m = reservoir.dam_height_m * (1.0 - depth_fraction)
    return reservoir.volume_m3 - float(reservoir.volume_at_level_m3(bottom_m))


def test_overtopping_and_piping_use_froehlich_2008_mode_coefficients():
    """Froehlich (2008): K_o = 1.3 for overtopping and 1.0 for piping on the width,
    side slopes 1.0 and 0.7, the same formation time for both (no mode factor)."""
    reservoir = Reservoir(TETON_VOLUME_M3, TETON_HEAD_M, TETON_DAM_HEIGHT_M)
    over = breach_geometry(reservoir, "overtopping")
    piping = breach_geometry(reservoir, "piping")
    assert over.average_width_m / piping.average_width_m == pytest.approx(1.3)
    assert (over.side_slope, piping.side_slope) == (1.0, 0.7)
    assert over.formation_s == piping.formation_s
    assert piping.average_width_m == pytest.approx(168.8, rel=0.01)  # the Teton case above


# Eder dam, Germany, bombed on 17 May 1943 (Wikipedia "Edersee Dam", as read in the
# page store): a gap 70 m wide and 22 m deep in the 48 m high, 400 m long wall of a full
# reservoir of 199.3e6 m^3, 41.7 m deep and 11.8 km^2 in area; "water emptied at the
# rate of 8,000 m^3/s ... a total of about 160 hm^3" (8,500 m^3/s in the Pacific
# Institute's Water Conflict Chronology).
EDER_VOLUME_M3 = 199.3e6
EDER_LEVEL_M = 41.7
EDER_HEIGHT_M = 48.0
EDER_AREA_M2 = 11.8e6
EDER_GAP_WIDTH_M = 70.0
EDER_GAP_DEPTH_M = 22.0
EDER_PEAK_M3S = 8_000.0


def eder_reservoir():
    """A valley-shaped lake V = V_full (h / h_full)^m with m = A h / V from the full
    lake's area, depth and volume (m = 2.47), so it holds the published area at the top."""
    exponent = EDER_AREA_M2 * EDER_LEVEL_M / EDER_VOLUME_M3
    heights_m = np.linspace(0.0, EDER_HEIGHT_M, 25)
    curve = tuple(
        (float(h), float(EDER_VOLUME_M3 * (h / EDER_LEVEL_M) ** exponent)) for h in heights_m
    )
    return Reservoir(EDER_VOLUME_M3, EDER_LEVEL_M, EDER_HEIGHT_M, storage_curve=curve)


def test_demolition_of_the_eder_dam_matches_the_1943_outflow():
    """A demolition breach with the Eder's published gap, formed in 10 minutes, peaks
    within 25 % of the published 8,000 m^3/s, and releases the water above its bottom
    (about 140 hm^3 on this storage curve; 160 hm^3 published, within 20 %)."""
    reservoir = eder_reservoir()
    fraction = EDER_GAP_DEPTH_M / EDER_HEIGHT_M
    hydrograph = full(reservoir, "demolition", depth_fraction=fraction,
                      average_width_m=EDER_GAP_WIDTH_M, formation_s=600.0)
    assert 0.75 < hydrograph.peak_m3s / EDER_PEAK_M3S < 1.25
    released_m3 = releasable_m3(reservoir, fraction)
    assert hydrograph.volume_m3 == pytest.approx(released_m3, rel=1e-9)
    assert 0.8 < released_m3 / 160e6 < 1.2
    assert hydrograph.times_s[np.argmax(hydrograph.outflow_m3s)] <= 600.0 + 1e-6


def test_demolition_needs_its_width_and_time():
    reservoir = eder_reservoir()
    with pytest.raises(ValueError, match="needs its width"):
        breach_geometry(reservoir, "demolition", formation_s=600.0)
    with pytest.raises(ValueError, match="needs its formation time"):
        breach_geometry(reservoir, "demolition", average_width_m=70.0)
    assert MECHANISMS["demolition"].side_slope == 0.0


def test_given_width_and_time_override_the_regression():
    reservoir = Reservoir(3e8, 40.0, 45.0)
    breach = breach_geometry(reservoir, "piping", width_factor=3.0, average_width_m=55.0,
                             formation_s=1800.0)
    assert (breach.average_width_m, breach.formation_s) == (55.0, 1800.0)


def test_partial_breach_releases_only_water_above_its_bottom():
    reservoir = Reservoir(7e9, 50.0, 57.0)
    half = full(reservoir, depth_fraction=0.5)
    assert half.volume_m3 == pytest.approx(releasable_m3(reservoir, 0.5), rel=1e-9)
    assert half.peak_m3s < full(reservoir).peak_m3s


def test_breach_above_the_water_releases_nothing():
    dry = full(Reservoir(1e6, 5.0, 20.0), depth_fraction=0.5)
    assert dry.peak_m3s == 0.0 and dry.volume_m3 == 0.0


def test_base_flow_is_added():
    reservoir = Reservoir(3e8, 40.0, 45.0)
    bare = full(reservoir)
    hydrograph = full(reservoir, base_flow_m3s=250.0)
    assert hydrograph.outflow_m3s[0] == pytest.approx(250.0)
    assert np.allclose(hydrograph.outflow_m3s - 250.0, bare.outflow_m3s)
    assert hydrograph.released_m3 == pytest.approx(bare.volume_m3, rel=1e-9)


def test_the_remainder_leaves_as_a_linear_recession():
    """After 99 % of the water is out the weir tail would never end; the series closes
    with one straight fall to zero that carries the rest and never rises."""
    reservoir = Reservoir(3e8, 40.0, 45.0)
    hydrograph = full(reservoir)
    flows = hydrograph.outflow_m3s
    assert flows[-1] == 0.0 and flows[-2] < 0.01 * hydrograph.peak_m3s
    closing_m3 = 0.5 * flows[-2] * (hydrograph.times_s[-1] - hydrograph.times_s[-2])
    assert closing_m3 == pytest.approx(0.01 * releasable_m3(reservoir), rel=0.05)
    after_peak = flows[np.argmax(flows):]
    assert np.all(np.diff(after_peak) <= 0.0)


def test_storage_curve_valley_drains_faster_than_prism():
    """A valley-shaped reservoir (V ~ h^2.5) loses head faster than the prism with the
    same volume and level, so its hydrograph recedes sooner."""
    heights_m = np.linspace(0.0, 57.0, 12)
    curve = tuple((float(h), float(7e9 * (h / 50.0) ** 2.5)) for h in heights_m)
    valley = full(Reservoir(7e9, 50.0, 57.0, storage_curve=curve))
    prism = full(Reservoir(7e9, 50.0, 57.0))
    assert valley.volume_m3 <= 7e9 * 1.02  # the curve may hold up to 2 % more
    assert valley.times_s[-1] < prism.times_s[-1]


def test_wider_breach_gives_higher_peak():
    reservoir = Reservoir(3e8, 40.0, 45.0)
    peaks = [full(reservoir, width_factor=f).peak_m3s for f in (0.5, 1.0, 2.0)]
    assert peaks[0] < peaks[1] < peaks[2]


def reference_peak_m3s(reservoir, breach):
    """Peak outflow of the same breach ODE solved by scipy (Radau, rtol 1e-10) on a
    prism reservoir, read on a dense grid over the formation time: the growing breach
    is where the peak lies (afterwards the opening is fixed and the head only falls)."""
    area_m2 = reservoir.volume_m3 / reservoir.level_m
    top_m = min(reservoir.level_m, reservoir.dam_height_m)
    bottom_m = reservoir.dam_height_m - breach.height_m
    bottom_width_m = max(breach.average_width_m - breach.side_slope * breach.height_m, 0.0)

    def outflow(time_s, volume_m3):
        progress = min(time_s / breach.formation_s, 1.0)
        head_m = max(volume_m3 / area_m2 - top_m + (top_m - bottom_m) * progress, 0.0)
        return head_m**1.5 * (WEIR_COEFF_BOTTOM * bottom_width_m * progress
                              + WEIR_COEFF_SIDES * breach.side_slope * head_m)

    solution = solve_ivp(lambda t, v: [-outflow(t, v[0])], (0.0, breach.formation_s),
                         [reservoir.volume_m3], method="Radau", rtol=1e-10, atol=1e-6,
                         dense_output=True)
    times_s = np.linspace(0.0, breach.formation_s, 20_001)
    volumes_m3 = solution.sol(times_s)[0]
    return max(outflow(t, v) for t, v in zip(times_s, volumes_m3, strict=True))


@pytest.mark.parametrize(
    ("reservoir", "mechanism", "options"),
    [
        (Reservoir(10_000.0, 5.0, 5.78125), "piping",
         {"depth_fraction": 0.53125, "width_factor": 0.25}),  # the CI failure below
        (Reservoir(7e9, 50.0, 57.0), "overtopping", {}),  # peak at the end of formation
        (Reservoir(1e5, 30.0, 30.0), "overtopping", {"width_factor": 4.0}),  # drains early
        (Reservoir(1e4, 150.0, 150.0), "piping", {}),  # drains in 1 % of the formation
        (Reservoir(2e7, 12.0, 15.0), "demolition",
         {"average_width_m": 60.0, "formation_s": 300.0}),
        (Reservoir(2.9e5, 135.8, 123.6), "overtopping",
         {"depth_fraction": 0.34}),  # water above the crest flows at t = 0
    ],
)
def test_peak_is_the_ode_peak_within_half_a_percent(reservoir, mechanism, options):
    breach = breach_geometry(reservoir, mechanism, **options)
    hydrograph = breach_hydrograph(reservoir, breach)
    assert hydrograph.peak_m3s == pytest.approx(reference_peak_m3s(reservoir, breach), rel=5e-3)


def test_breach_geometry_checks_its_arguments():
    reservoir = Reservoir(1e6, 10.0, 12.0)
    for bad in ({"depth_fraction": 0.0}, {"depth_fraction": 1.5}, {"width_factor": 0.0}):
        with pytest.raises(ValueError):
            breach_geometry(reservoir, **bad)
    with pytest.raises(ValueError, match="unknown breach mechanism"):
        breach_geometry(reservoir, "sabotage")
    with pytest.raises(ValueError):
        Breach(height_m=5.0, average_width_m=0.0, side_slope=1.0, formation_s=60.0)
    with pytest.raises(ValueError):
        breach_hydrograph(reservoir, breach_geometry(reservoir), base_flow_m3s=-1.0)
    with pytest.raises(ValueError, match="deeper than the dam"):
        breach_hydrograph(reservoir, Breach(13.0, 20.0, 1.0, 600.0))


def test_bad_reservoirs_are_rejected():
    with pytest.raises(ValueError):
        Reservoir(-1.0, 10.0, 12.0)
    with pytest.raises(ValueError):
        Reservoir(1e6, 10.0, 0.0)
    with pytest.raises(ValueError, match="below level_m"):
        Reservoir(1e6, 10.0, 12.0, storage_curve=((0.0, 0.0), (5.0, 1e6)))
    with pytest.raises(ValueError, match="volume_m3 says"):
        Reservoir(1e6, 10.0, 12.0, storage_curve=((0.0, 0.0), (10.0, 2e6)))
    with pytest.raises(ValueError, match="must increase"):
        Reservoir(1e6, 10.0, 12.0, storage_curve=((0.0, 0.0), (10.0, 1e6), (10.0, 2e6)))


def test_hydrograph_is_read_only_and_integrates_by_trapezoid():
    hydrograph = Hydrograph(np.array([0.0, 10.0, 20.0]), np.array([0.0, 4.0, 0.0]))
    assert hydrograph.volume_m3 == pytest.approx(40.0)
    assert hydrograph.peak_m3s == 4.0
    with pytest.raises(ValueError):
        hydrograph.outflow_m3s[0] = 1.0


reservoirs = st.builds(
    lambda volume_m3, level_m, height_ratio: (volume_m3, level_m, level_m * height_ratio),
    st.floats(1e4, 1e11),
    st.floats(1.0, 150.0),
    st.floats(0.9, 1.5),
)
breach_options = st.fixed_dictionaries(
    {
        "depth_fraction": st.floats(0.05, 1.0),
        "mechanism": st.sampled_from(["overtopping", "piping"]),
        "width_factor": st.floats(0.25, 4.0),
        "base_flow_m3s": st.floats(0.0, 2000.0),
    }
)


def reservoir_with_curve(volume_m3, level_m, dam_height_m, curve_exponent):
    curve = None
    if curve_exponent is not None:
        top_m = max(level_m, dam_height_m)
        heights_m = np.union1d(np.linspace(0.0, top_m, 9), [level_m])
        curve = tuple(
            (float(h), float(volume_m3 * (h / level_m) ** curve_exponent)) for h in heights_m
        )
    return Reservoir(volume_m3, level_m, dam_height_m, storage_curve=curve)


@settings(max_examples=50, deadline=None)
@given(
    reservoir=reservoirs,
    options=breach_options,
    curve_exponent=st.one_of(st.none(), st.floats(1.0, 3.0)),
)
def test_released_volume_is_the_releasable_volume(reservoir, options, curve_exponent):
    """Every drop above the breach bottom comes out, and no more: the series' volume
    less the base flow equals the stored volume above the bottom within 1e-6."""
    reservoir = reservoir_with_curve(*reservoir, curve_exponent)
    hydrograph = full(reservoir, **dict(options))
    base_flow_m3s = options["base_flow_m3s"]
    duration_s = hydrograph.times_s[-1] - hydrograph.times_s[0]
    expected_m3 = max(releasable_m3(reservoir, options["depth_fraction"]), 0.0)
    rounding_m3 = 1e-9 * (1.0 + base_flow_m3s * duration_s)  # of the base flow's volume
    assert hydrograph.released_m3 == pytest.approx(expected_m3, rel=1e-6, abs=rounding_m3)
    assert np.all(hydrograph.outflow_m3s >= base_flow_m3s * (1.0 - 1e-12))
    assert np.all(np.diff(hydrograph.times_s) > 0.0)


@settings(max_examples=50, deadline=None)
@given(reservoir=reservoirs, options=breach_options, growth=st.floats(1.0, 20.0))
@example(
    reservoir=(10000.0, 5.0, 5.78125),
    options={"depth_fraction": 0.53125, "mechanism": "piping", "width_factor": 0.25,
             "base_flow_m3s": 0.0},
    growth=1.25,
)  # CI failure: the old uniform grid gave the rise 1-2 samples (4.51 vs 4.70 m^3/s)
def test_larger_reservoir_never_lowers_peak(reservoir, options, growth):
    """Same level and dam, more water (a wider valley): the breach is at least as wide,
    the head falls more slowly, so the peak cannot drop (each peak is the ODE's within
    0.5 %, hence the 1 % tolerance)."""
    volume_m3, level_m, dam_height_m = reservoir
    base_m3s = options["base_flow_m3s"]
    small = full(Reservoir(volume_m3, level_m, dam_height_m), **dict(options))
    large = full(Reservoir(volume_m3 * growth, level_m, dam_height_m), **dict(options))
    assert large.peak_m3s - base_m3s >= 0.99 * (small.peak_m3s - base_m3s)
    assert math.isfinite(large.peak_m3s)


@settings(max_examples=50, deadline=None)
@given(reservoir=reservoirs, options=breach_options, growth=st.floats(1.0, 8.0))
def test_wider_breach_never_lowers_peak(reservoir, options, growth):
    """A larger width factor (the sampled regression uncertainty) opens a wider breach
    over the same time: more flow at every head, so the peak cannot drop."""
    volume_m3, level_m, dam_height_m = reservoir
    reservoir = Reservoir(volume_m3, level_m, dam_height_m)
    base_m3s = options["base_flow_m3s"]
    narrow = full(reservoir, **dict(options))
    wide = full(reservoir, **{**options, "width_factor": options["width_factor"] * growth})
    assert wide.peak_m3s - base_m3s >= 0.99 * (narrow.peak_m3s - base_m3s)
