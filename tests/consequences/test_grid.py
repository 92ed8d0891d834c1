"""Checks of the DC dispatch against flows worked by hand and against the published DC OPF
solution of the PJM 5-bus system (Li and Bo 2010), and of the unserved-energy integration:
energy balance, islands, line limits, hourly profiles and the per-process cache."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.consequences.grid import (
    Bus,
    Generator,
    GridNetwork,
    Line,
    Load,
    dc_dispatch,
    unserved_energy,
)


def triangle(capacity_13_mw=math.inf, generator_at_3_mw=0.0):
    """Three buses, three lines of equal reactance, a generator at bus 1, 90 MW at bus 3."""
    generators = [Generator("g1", "1", 500.0, 10.0)]
    if generator_at_3_mw:
        generators.append(Generator("g3", "3", generator_at_3_mw, 50.0))
    return GridNetwork(
        buses=[Bus("1"), Bus("2"), Bus("3")],
        lines=[Line("12", "1", "2", math.inf, 0.1), Line("23", "2", "3", math.inf, 0.1),
               Line("13", "1", "3", capacity_13_mw, 0.1)],
        generators=generators,
        loads=[Load("3", 90.0)],
    )


def pjm_5_bus():
    """PJM 5-bus system as published by Li and Bo (2010) and distributed as MATPOWER
    case5: reactances in p.u. on 100 MVA, limits 400 MW on A-B and 240 MW on D-E."""
    lines = [("AB", "A", "B", 0.0281, 400.0), ("AD", "A", "D", 0.0304, math.inf),
             ("AE", "A", "E", 0.0064, math.inf), ("BC", "B", "C", 0.0108, math.inf),
             ("CD", "C", "D", 0.0297, math.inf), ("DE", "D", "E", 0.0297, 240.0)]
    return GridNetwork(
        buses=[Bus(name) for name in "ABCDE"],
        lines=[Line(name, a, b, capacity, x) for name, a, b, x, capacity in lines],
        generators=[Generator("Alta", "A", 40.0, 14.0), Generator("Park City", "A", 170.0, 15.0),
                    Generator("Solitude", "C", 520.0, 30.0),
                    Generator("Sundance", "D", 200.0, 40.0),
                    Generator("Brighton", "E", 600.0, 10.0)],
        loads=[Load("B", 300.0), Load("C", 300.0), Load("D", 400.0)],
    )


def test_flows_split_by_reactance_on_a_triangle():
    """Worked by hand: with equal reactances the direct path 1-3 has half the reactance of
    the path 1-2-3, so it carries 2/3 of the 90 MW (60 MW) and the other path 1/3 (30 MW).
    The angle across line 1-3 is then 60 MW * 0.1 p.u. / 100 MVA = 0.06 rad."""
    result = dc_dispatch(triangle(), ["g1"], [], (0.0, 0.0, 90.0))
    assert result.generation_mw == pytest.approx((90.0,))
    assert result.flow_mw == pytest.approx((30.0, 30.0, 60.0))
    assert result.shed_mw == pytest.approx((0.0, 0.0, 0.0))


def test_line_limit_forces_shedding():
    """With 1-3 limited to 40 MW and the flow split fixed at 2:1 by the reactances, bus 3
    can receive at most 60 MW (40 direct, 20 round), so 30 of its 90 MW are shed."""
    result = dc_dispatch(triangle(capacity_13_mw=40.0), ["g1"], [], (0.0, 0.0, 90.0))
    assert result.flow_mw == pytest.approx((20.0, 20.0, 40.0))
    assert result.shed_mw == pytest.approx((0.0, 0.0, 30.0))
    assert result.total_generation_mw == pytest.approx(60.0)


def test_line_limit_calls_on_a_dearer_local_generator_before_shedding():
    result = dc_dispatch(triangle(capacity_13_mw=40.0, generator_at_3_mw=50.0), ["g1", "g3"],
                         [], (0.0, 0.0, 90.0))
    assert result.generation_mw == pytest.approx((60.0, 30.0))
    assert result.total_shed_mw == pytest.approx(0.0)


def test_island_without_generation_sheds_all_its_load():
    result = dc_dispatch(triangle(), ["g1"], ["13", "23"], (0.0, 0.0, 90.0))
    assert result.shed_mw == pytest.approx((0.0, 0.0, 90.0))
    assert result.generation_mw == pytest.approx((0.0,))
    assert result.flow_mw == pytest.approx((0.0, 0.0, 0.0))


def test_island_with_its_own_generator_balances_itself():
    result = dc_dispatch(triangle(generator_at_3_mw=50.0), ["g1", "g3"], ["13", "23"],
                         (0.0, 0.0, 90.0))
    assert result.generation_mw == pytest.approx((0.0, 50.0))
    assert result.shed_mw == pytest.approx((0.0, 0.0, 40.0))


def test_pjm_5_bus_matches_published_dc_opf():
    """Li and Bo, "Small Test Systems for Power System Economic Studies", IEEE PES General
    Meeting 2010: the DC OPF of the PJM 5-bus system dispatches Alta 40 MW, Park City
    170 MW, Solitude 323.49 MW, Sundance 0 MW and Brighton 466.51 MW (the Pg column of
    MATPOWER's case5.m), with line D-E at its 240 MW limit."""
    network = pjm_5_bus()
    result = dc_dispatch(network, [g.name for g in network.generators], [],
                         (0.0, 300.0, 300.0, 400.0, 0.0))
    assert result.generation_mw == pytest.approx((40.0, 170.0, 323.49, 0.0, 466.51), abs=0.01)
    assert abs(result.flow_mw[5]) == pytest.approx(240.0)
    assert result.total_shed_mw == pytest.approx(0.0, abs=1e-6)


def two_bus(profile=(1.0,) * 24):
    """A plant bus with a 100 MW and a 50 MW unit feeding 120 MW of load over one line."""
    return GridNetwork(
        buses=[Bus("plant", region="north"), Bus("city", region="south")],
        lines=[Line("tie", "plant", "city", math.inf, 0.05)],
        generators=[Generator("big", "plant", 100.0, 5.0),
                    Generator("small", "plant", 50.0, 20.0)],
        loads=[Load("city", 120.0, profile)],
    )


def test_generator_outage_integrates_to_unserved_energy():
    """Losing the 100 MW unit from 10.5 h to 20 h leaves 50 MW for 120 MW of load: 70 MW
    shed for 9.5 h is 665 MWh, half an hour of it in hour 10."""
    outcome = unserved_energy(two_bus(), [(10.5, 20.0, "generator", "big")], horizon_h=24.0)
    assert outcome.unserved_energy_mwh == pytest.approx(665.0)
    assert outcome.unserved_energy_mwh_by_bus == pytest.approx({"plant": 0.0, "city": 665.0})
    assert outcome.unserved_energy_mwh_by_region == pytest.approx({"north": 0.0, "south": 665.0})
    assert outcome.peak_shed_mw == pytest.approx(70.0)
    assert outcome.shedding_h == pytest.approx(9.5)
    assert outcome.generation_lost_mw == 100.0
    expected_hourly = np.zeros(24)
    expected_hourly[10] = 35.0
    expected_hourly[11:20] = 70.0
    np.testing.assert_allclose(outcome.hourly_unserved_mwh, expected_hourly, atol=1e-6)
    assert outcome.demand_mwh == pytest.approx(24 * 120.0)
    assert outcome.served_energy_mwh == pytest.approx(24 * 120.0 - 665.0)


def test_load_follows_the_clock_from_the_start_hour():
    """Load is 120 MW from 18:00 to 21:59 and 48 MW otherwise. Starting at 16:00 with the
    100 MW unit out for good, the 50 MW unit covers all but the evening peaks (hours 2-5
    and 26-29 of the horizon), when 70 MW are shed."""
    profile = tuple(1.0 if 18 <= hour < 22 else 0.4 for hour in range(24))
    outcome = unserved_energy(two_bus(profile), [(-1.0, math.inf, "generator", "big")],
                              horizon_h=30.0, start_hour_of_day=16)
    assert np.flatnonzero(outcome.hourly_unserved_mwh > 1e-9).tolist() == [2, 3, 4, 5, 26, 27,
                                                                            28, 29]
    assert outcome.unserved_energy_mwh == pytest.approx(8 * 70.0)
    assert outcome.demand_mwh == pytest.approx(8 * 120.0 + 22 * 48.0)


def test_line_outage_islands_the_load():
    outcome = unserved_energy(two_bus(), [(0.0, 2.5, "line", "tie")], horizon_h=4.0)
    assert outcome.unserved_energy_mwh == pytest.approx(2.5 * 120.0)
    assert outcome.generation_lost_mw == 0.0


outage = st.tuples(
    st.floats(-5.0, 40.0), st.floats(0.0, 40.0),
    st.sampled_from([("generator", "Brighton"), ("generator", "Solitude"), ("line", "DE"),
                     ("line", "AE")]),
).map(lambda o: (o[0], o[0] + o[1], *o[2]))


@settings(max_examples=25, deadline=None)
@given(outages=st.lists(outage, max_size=3), horizon_h=st.floats(1.0, 36.0),
       start_hour_of_day=st.integers(0, 23))
def test_served_plus_unserved_is_demand(outages, horizon_h, start_hour_of_day):
    """Energy balance: the energy generated (lossless DC flow) plus the energy shed equals
    the demand, every hour's shedding adds up to the total, and so do the buses."""
    profile = tuple(0.6 + 0.5 * math.sin(math.pi * hour / 24) for hour in range(24))
    network = pjm_5_bus()
    network = GridNetwork(network.buses, network.lines, network.generators,
                          [Load(load.bus, load.peak_mw, profile) for load in network.loads])
    outcome = unserved_energy(network, outages, horizon_h, start_hour_of_day)
    assert outcome.served_energy_mwh + outcome.unserved_energy_mwh == pytest.approx(
        outcome.demand_mwh, rel=1e-7)
    assert outcome.hourly_unserved_mwh.sum() == pytest.approx(outcome.unserved_energy_mwh,
                                                              abs=1e-6)
    assert sum(outcome.unserved_energy_mwh_by_bus.values()) == pytest.approx(
        outcome.unserved_energy_mwh, abs=1e-6)
    assert outcome.unserved_energy_mwh >= -1e-9
    assert len(outcome.hourly_unserved_mwh) == math.ceil(horizon_h)


@pytest.mark.parametrize(("out", "lines_out"), [(set(), set()), ({"Brighton"}, set()),
                                                ({"Solitude"}, {"DE"}), (set(), {"AE", "AD"})])
def test_generation_equals_served_load_in_each_state(out, lines_out):
    network = pjm_5_bus()
    load = (0.0, 300.0, 300.0, 400.0, 0.0)
    available = {g.name for g in network.generators} - out
    result = dc_dispatch(network, available, lines_out, load)
    assert result.total_generation_mw == pytest.approx(sum(load) - result.total_shed_mw)


def test_cache_returns_identical_results():
    """A second call with the same state, even on an equal network built afresh, returns
    the cached solution; unserved_energy repeats itself exactly."""
    first = dc_dispatch(pjm_5_bus(), ["Alta", "Brighton"], ["DE"], (0.0, 300.0, 300.0, 400.0, 0.0))
    again = dc_dispatch(pjm_5_bus(), ["Brighton", "Alta"], {"DE"}, [0, 300, 300, 400, 0])
    assert again is first
    outages = [(3.2, 9.7, "generator", "Brighton"), (5.0, 30.0, "line", "AE")]
    one, two = (unserved_energy(pjm_5_bus(), outages, 24.0, 7) for _ in range(2))
    np.testing.assert_array_equal(one.hourly_unserved_mwh, two.hourly_unserved_mwh)
    assert one.unserved_energy_mwh == two.unserved_energy_mwh
    assert one.unserved_energy_mwh_by_bus == two.unserved_energy_mwh_by_bus


def test_bad_names_and_inputs_are_rejected_with_a_hint():
    network = pjm_5_bus()
    with pytest.raises(ValueError, match="did you mean 'Brighton'"):
        unserved_energy(network, [(0.0, 1.0, "generator", "Brigton")], 4.0)
    with pytest.raises(ValueError, match="kind"):
        unserved_energy(network, [(0.0, 1.0, "dam", "Brighton")], 4.0)
    with pytest.raises(ValueError, match="did you mean 'DE'"):
        dc_dispatch(network, [], ["D-E"], (0.0,) * 5)
    with pytest.raises(ValueError, match="one per bus"):
        dc_dispatch(network, [], [], (0.0,) * 4)
    with pytest.raises(ValueError, match="start_hour_of_day"):
        unserved_energy(network, [], 4.0, start_hour_of_day=24)
    with pytest.raises(ValueError, match="unknown bus"):
        GridNetwork([Bus("A")], [], [Generator("g", "B", 1.0, 1.0)], [])
