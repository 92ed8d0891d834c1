"""The compound section: Manning's rectangle in its limit, the divided-channel conveyance
written out by hand, and the invariants the routing relies on (monotone rating, exact
inverse, celerity as dQ/dA)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.consequences.section import CompoundSection


def test_rectangle_matches_ponce_worked_examples():
    """V.M. Ponce, SDSU CIVE 530 worked solutions (the same cases as test_flood's
    Manning check): rectangular channels, S = 0.0025, n = 0.015; b = 5 m, y = 0.8 m
    carries 9.548 m^3/s, and b = 6 m, y = 1.6 m carries 32.91 m^3/s."""
    five = CompoundSection.rectangle(5.0, 0.015, 0.0025)
    six = CompoundSection.rectangle(6.0, 0.015, 0.0025)
    assert five.discharge_m3s(0.8) == pytest.approx(9.548, rel=1e-3)
    assert six.discharge_m3s(1.6) == pytest.approx(32.91, rel=1e-3)
    assert five.depth_m(9.548) == pytest.approx(0.8, rel=1e-3)


def test_rectangle_limit_is_the_manning_rectangle_at_any_depth():
    """With no floodplain the banks go up for ever: Q = (1/n) A R^(2/3) S^(1/2) with
    A = b y, R = b y / (b + 2 y) (Chow 1959, ch. 5), also far above 'bankfull'."""
    section = CompoundSection(40.0, 2.0, 0.03, 0.0, 0.06, 4e-4)
    depths_m = np.array([0.1, 1.0, 2.0, 5.0, 30.0])
    area_m2 = 40.0 * depths_m
    expected = area_m2 * (area_m2 / (40.0 + 2 * depths_m)) ** (2 / 3) * 0.02 / 0.03
    assert section.discharge_m3s(depths_m) == pytest.approx(expected, rel=1e-12)
    assert np.all(section.top_width_m(depths_m) == 40.0)
    assert math.isinf(section.bankfull_discharge_m3s)


def test_divided_channel_conveyance_written_out():
    """Above bankfull: channel K = (b y)^(5/3) (b + 2h)^(-2/3) / n_c (the vertical
    interface is not wetted) plus floodplain K = (B d)^(5/3) (B + 2d)^(-2/3) / n_f
    (HEC-RAS Hydraulic Reference Manual, conveyance subdivision, eqs. 1-2)."""
    section = CompoundSection(100.0, 5.0, 0.03, 2000.0, 0.06, 1e-4)
    depth_m, overbank_m = 7.0, 2.0
    channel = (100 * depth_m) ** (5 / 3) * (100 + 2 * 5.0) ** (-2 / 3) / 0.03
    floodplain = (2000 * overbank_m) ** (5 / 3) * (2000 + 2 * overbank_m) ** (-2 / 3) / 0.06
    assert section.conveyance(depth_m) == pytest.approx(channel + floodplain, rel=1e-12)
    assert section.discharge_m3s(depth_m) == pytest.approx((channel + floodplain) * 0.01)
    channel_m3s, floodplain_m3s = section.subsection_discharges_m3s(depth_m)
    assert floodplain_m3s == pytest.approx(floodplain * 0.01)
    assert section.floodplain_velocity_mps(depth_m) == pytest.approx(
        floodplain * 0.01 / (2000 * overbank_m))
    assert section.area_m2(depth_m) == pytest.approx(100 * 7 + 2000 * 2)
    assert section.top_width_m(4.0) == 100.0 and section.top_width_m(7.0) == 2100.0
    assert section.overbank_depth_m(4.0) == 0.0 and section.floodplain_velocity_mps(4.0) == 0.0


def test_celerity_drops_where_the_flow_spills_onto_the_floodplain():
    """c = dQ/dA: in bank about 5/3 of the velocity, then a sharp drop just above
    bankfull, where a little more discharge needs a whole floodplain's width of area."""
    section = CompoundSection(150.0, 6.0, 0.03, 3000.0, 0.06, 1e-4)
    bankfull_m3s = section.bankfull_discharge_m3s
    in_bank = section.celerity_mps(0.9 * bankfull_m3s)
    spilled = section.celerity_mps(1.05 * bankfull_m3s)
    assert spilled < 0.2 * in_bank
    for discharge_m3s in (0.5 * bankfull_m3s, 1.5 * bankfull_m3s, 20 * bankfull_m3s):
        depth_m = section.depth_m(discharge_m3s)
        up, down = depth_m * (1 + 1e-6), depth_m * (1 - 1e-6)
        finite_difference = (section.discharge_m3s(up) - section.discharge_m3s(down)) / (
            section.area_m2(up) - section.area_m2(down))
        assert section.celerity_mps(discharge_m3s) == pytest.approx(finite_difference, rel=1e-5)


def test_bad_sections_are_refused():
    with pytest.raises(ValueError, match="floodplain_width_m"):
        CompoundSection(10.0, 1.0, 0.03, -1.0, 0.05, 1e-3)
    with pytest.raises(ValueError, match="bankfull_depth_m"):
        CompoundSection(10.0, 0.0, 0.03, 100.0, 0.05, 1e-3)


sections = st.builds(
    CompoundSection,
    channel_width_m=st.floats(5.0, 2000.0),
    bankfull_depth_m=st.floats(0.5, 20.0),
    channel_n=st.floats(0.015, 0.08),
    floodplain_width_m=st.one_of(st.just(0.0), st.floats(1.0, 20_000.0)),
    floodplain_n=st.floats(0.02, 0.15),
    slope=st.floats(1e-5, 1e-2),
)


@settings(max_examples=50, deadline=None)
@given(section=sections, depths=st.lists(st.floats(0.0, 60.0), min_size=2, max_size=20))
def test_rating_is_monotone_and_inverts_exactly(section, depths):
    depths_m = np.sort(np.array(depths))
    discharges_m3s = section.discharge_m3s(depths_m)
    assert np.all(np.diff(discharges_m3s) >= 0)
    assert np.all(np.diff(section.area_m2(depths_m)) >= 0)
    assert section.depth_m(discharges_m3s) == pytest.approx(depths_m, rel=1e-9, abs=1e-12)
    for depth_m, discharge_m3s in zip(depths_m, discharges_m3s, strict=True):
        assert section.depth_m(float(discharge_m3s)) == pytest.approx(depth_m, rel=1e-9,
                                                                     abs=1e-12)
    assert np.all(section.celerity_mps(discharges_m3s) >= 0)


@settings(max_examples=30, deadline=None)
@given(section=sections, depths=st.lists(st.floats(0.0, 60.0), min_size=1, max_size=10))
def test_one_depth_and_a_table_of_depths_give_the_same_bits(section, depths):
    """The routing tabulates the rating on arrays and sizes reaches with single values;
    numpy's power of a scalar and of an array can differ in the last bit, so both go
    through the array form. `rating_at_depth` is the three methods at once."""
    depths_m = np.array(depths)
    discharge_m3s, celerity_mps, top_width_m = section.rating_at_depth(depths_m)
    assert discharge_m3s.tobytes() == section.discharge_m3s(depths_m).tobytes()
    assert celerity_mps.tobytes() == section.celerity_at_depth_mps(depths_m).tobytes()
    assert top_width_m.tobytes() == section.top_width_m(depths_m).tobytes()
    for depth_m, discharge in zip(depths, discharge_m3s, strict=True):
        assert section.discharge_m3s(depth_m) == discharge
        assert section.conveyance(np.array([depth_m]))[0] == section.conveyance(depth_m)
