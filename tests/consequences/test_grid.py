"""Checks of the DC dispatch against flows worked by hand and against the published DC OPF
solution of the PJM 5-bus system (Li and Bo 2010), and of the unserved-energy integration:
energy balance, islands, line limits, hourly profiles and the per-process cache."""

import math
from pathlib import Path

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
    hydro_output_mw,
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


PJM_LOAD_MW = (300.0, 300.0, 400.0)


def test_flows_split_by_reactance_on_a_triangle():
    """Worked by hand: with equal reactances the direct path 1-3 has half the reactance of
    the path 1-2-3, so it carries 2/3 of the 90 MW (60 MW) and the other path 1/3 (30 MW).
    The angle across line 1-3 is then 60 MW * 0.1 p.u. / 100 MVA = 0.06 rad."""
    result = dc_dispatch(triangle(), ["g1"], [], (90.0,))
    assert result.generation_mw == pytest.approx((90.0,))
    assert result.flow_mw == pytest.approx((30.0, 30.0, 60.0))
    assert result.shed_mw == pytest.approx((0.0, 0.0, 0.0))


def test_line_limit_forces_shedding():
    """With 1-3 limited to 40 MW and the flow split fixed at 2:1 by the reactances, bus 3
    can receive at most 60 MW (40 direct, 20 round), so 30 of its 90 MW are shed."""
    result = dc_dispatch(triangle(capacity_13_mw=40.0), ["g1"], [], (90.0,))
    assert result.flow_mw == pytest.approx((20.0, 20.0, 40.0))
    assert result.shed_mw == pytest.approx((0.0, 0.0, 30.0))
    assert result.total_generation_mw == pytest.approx(60.0)


def test_line_limit_calls_on_a_dearer_local_generator_before_shedding():
    result = dc_dispatch(triangle(capacity_13_mw=40.0, generator_at_3_mw=50.0), ["g1", "g3"],
                         [], (90.0,))
    assert result.generation_mw == pytest.approx((60.0, 30.0))
    assert result.total_shed_mw == pytest.approx(0.0)


def test_island_without_generation_sheds_all_its_load():
    result = dc_dispatch(triangle(), ["g1"], ["13", "23"], (90.0,))
    assert result.shed_mw == pytest.approx((0.0, 0.0, 90.0))
    assert result.generation_mw == pytest.approx((0.0,))
    assert result.flow_mw == pytest.approx((0.0, 0.0, 0.0))


def test_island_with_its_own_generator_balances_itself():
    result = dc_dispatch(triangle(generator_at_3_mw=50.0), ["g1", "g3"], ["13", "23"],
                         (90.0,))
    assert result.generation_mw == pytest.approx((0.0, 50.0))
    assert result.shed_mw == pytest.approx((0.0, 0.0, 40.0))


def test_pjm_5_bus_matches_published_dc_opf():
    """Li and Bo, "Small Test Systems for Power System Economic Studies", IEEE PES General
    Meeting 2010: the DC OPF of the PJM 5-bus system dispatches Alta 40 MW, Park City
    170 MW, Solitude 323.49 MW, Sundance 0 MW and Brighton 466.51 MW (the Pg column of
    MATPOWER's case5.m), with line D-E at its 240 MW limit."""
    network = pjm_5_bus()
    result = dc_dispatch(network, [g.name for g in network.generators], [], PJM_LOAD_MW)
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
    the demand, every hour's shedding adds up to the total, and so do the buses; what the
    outages add lies between nothing and the whole."""
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
    # Outages only take things away, so they never shed less than the grid with nothing
    # out (one value of lost load for every load: the MW shed is what is minimised).
    assert outcome.added_unserved_energy_mwh >= -1e-3 * horizon_h
    assert outcome.added_peak_shed_mw <= outcome.peak_shed_mw + 1e-6
    assert outcome.added_shedding_h <= outcome.shedding_h + 1e-9


@pytest.mark.parametrize(("out", "lines_out"), [(set(), set()), ({"Brighton"}, set()),
                                                ({"Solitude"}, {"DE"}), (set(), {"AE", "AD"})])
def test_generation_equals_served_load_in_each_state(out, lines_out):
    network = pjm_5_bus()
    available = {g.name for g in network.generators} - out
    result = dc_dispatch(network, available, lines_out, PJM_LOAD_MW)
    assert result.total_generation_mw == pytest.approx(sum(PJM_LOAD_MW) - result.total_shed_mw)


def test_cache_returns_identical_results():
    """A second call with the same state, even on an equal network built afresh, returns
    the cached solution; unserved_energy repeats itself exactly."""
    first = dc_dispatch(pjm_5_bus(), ["Alta", "Brighton"], ["DE"], PJM_LOAD_MW)
    again = dc_dispatch(pjm_5_bus(), ["Brighton", "Alta"], {"DE"}, [300, 300, 400])
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
        dc_dispatch(network, [], ["D-E"], (0.0,) * 3)
    with pytest.raises(ValueError, match="one per load"):
        dc_dispatch(network, [], [], (0.0,) * 5)
    with pytest.raises(ValueError, match="start_hour_of_day"):
        unserved_energy(network, [], 4.0, start_hour_of_day=24)
    with pytest.raises(ValueError, match="unknown bus"):
        GridNetwork([Bus("A")], [], [Generator("g", "B", 1.0, 1.0)], [])


# ------------------------------------------------------------------ fair shedding


RADIAL_LOADS = (Load("2", 60.0), Load("3", 90.0))


def radial(line_13_mw=math.inf, generator_mw=100.0, loads=RADIAL_LOADS):
    """A generator at bus 1 feeding buses 2 and 3 over one line each (equal reactance)."""
    return GridNetwork(
        buses=[Bus("1"), Bus("2"), Bus("3")],
        lines=[Line("12", "1", "2", math.inf, 0.1), Line("13", "1", "3", line_13_mw, 0.1)],
        generators=[Generator("g", "1", generator_mw, 10.0)],
        loads=list(loads),
    )


def test_shortfall_is_shared_in_proportion_to_demand():
    """100 MW for 60 + 90 MW of load: 50 MW short, a third of the demand, so each load
    loses a third (20 and 30 MW) rather than whichever the solver picks."""
    result = dc_dispatch(radial(), ["g"], [], (60.0, 90.0))
    assert result.shed_mw_by_load == pytest.approx((20.0, 30.0), abs=1e-4)
    assert result.shed_mw == pytest.approx((0.0, 20.0, 30.0), abs=1e-4)
    assert result.generation_mw == pytest.approx((100.0,))


def test_a_load_behind_a_limit_sheds_what_it_must_and_the_other_shares_the_rest():
    """80 MW for 60 + 90 MW, line 1-3 limited to 40 MW: bus 3 must lose 50 of its 90 MW
    (a share of 5/9), which no dispatch can lower. That leaves 40 MW for bus 2, which
    loses 20 of its 60 MW (1/3), not more: the second round of max-min fairness."""
    result = dc_dispatch(radial(line_13_mw=40.0, generator_mw=80.0), ["g"], [], (60.0, 90.0))
    assert result.shed_mw_by_load == pytest.approx((20.0, 50.0), abs=1e-4)
    assert result.flow_mw == pytest.approx((40.0, 40.0), abs=1e-4)


def test_an_island_without_generation_does_not_lift_the_others_share():
    """Cutting line 1-3 leaves bus 3 without generation: it loses all 90 MW, and bus 2
    still loses only what 40 MW of plant cannot give it (20 of 60 MW), not more to
    bring the shares closer."""
    result = dc_dispatch(radial(generator_mw=40.0), ["g"], ["13"], (60.0, 90.0))
    assert result.shed_mw_by_load == pytest.approx((20.0, 90.0), abs=1e-4)
    assert result.flow_mw == pytest.approx((40.0, 0.0), abs=1e-4)


def test_loads_at_one_bus_share_its_shortfall_too():
    network = radial(generator_mw=50.0, loads=(Load("2", 30.0), Load("2", 70.0)))
    result = dc_dispatch(network, ["g"], [], (30.0, 70.0))
    assert result.shed_mw_by_load == pytest.approx((15.0, 35.0), abs=1e-4)
    assert result.shed_mw == pytest.approx((0.0, 50.0, 0.0), abs=1e-4)


def test_a_load_valued_higher_is_served_first():
    """With its own value of lost load above the default, bus 2 is served in full and
    bus 3 loses the whole 50 MW shortfall."""
    loads = (Load("2", 60.0, value_of_lost_load_per_mwh=30_000.0), Load("3", 90.0))
    result = dc_dispatch(radial(loads=loads), ["g"], [], (60.0, 90.0))
    assert result.shed_mw_by_load == pytest.approx((0.0, 50.0), abs=1e-4)


def test_a_generator_dearer_than_a_loads_value_is_refused():
    with pytest.raises(ValueError, match="lowest value of lost load 5.0"):
        radial(loads=(Load("2", 60.0, value_of_lost_load_per_mwh=5.0),))


@settings(max_examples=30, deadline=None)
@given(demand_mw=st.lists(st.floats(1.0, 500.0), min_size=1, max_size=5),
       buses=st.lists(st.sampled_from("123"), min_size=5, max_size=5),
       supply_share=st.floats(0.0, 1.2))
def test_without_binding_limits_every_load_loses_the_same_share(demand_mw, buses, supply_share):
    """On lines without limits the only constraint is the supply, so every load loses the
    same share of its demand: the shortfall over the total demand."""
    total_mw = sum(demand_mw)
    network = radial(generator_mw=supply_share * total_mw,
                     loads=[Load(bus, mw) for bus, mw in zip(buses, demand_mw, strict=False)])
    result = dc_dispatch(network, ["g"], [], demand_mw)
    share = max(0.0, 1.0 - supply_share)
    assert result.shed_mw_by_load == pytest.approx([share * mw for mw in demand_mw], abs=1e-3)


# ------------------------------------------------------- the attack's own effect


def evening_peak():
    """The two-bus grid with a 160 MW evening peak (18:00-21:59) and 80 MW otherwise:
    150 MW of plant leaves 10 MW short at the peak before anything goes out."""
    profile = tuple(1.0 if 18 <= hour < 22 else 0.5 for hour in range(24))
    network = two_bus()
    return GridNetwork(network.buses, network.lines, network.generators,
                       [Load("city", 160.0, profile)])


def test_added_figures_leave_out_the_shortage_before_the_attack():
    """Without outages 10 MW are shed for the 4 peak hours (40 MWh). Losing the 100 MW
    unit from 19.5 h to 22.5 h sheds 110 MW until 22 h (100 MW more than without the
    outage, for 2.5 h) and then 30 of the 80 MW for half an hour (30 MW more):
    265 MWh, 100 MW and 3 h added, against 305 MWh, 110 MW and 4.5 h in all."""
    outcome = unserved_energy(evening_peak(), [(19.5, 22.5, "generator", "big")], 24.0)
    assert outcome.unserved_energy_mwh == pytest.approx(305.0)
    assert outcome.added_unserved_energy_mwh == pytest.approx(265.0)
    assert outcome.peak_shed_mw == pytest.approx(110.0)
    assert outcome.added_peak_shed_mw == pytest.approx(100.0)
    assert outcome.shedding_h == pytest.approx(4.5)
    assert outcome.added_shedding_h == pytest.approx(3.0)


def test_nothing_out_adds_nothing():
    outcome = unserved_energy(evening_peak(), [], 48.0, start_hour_of_day=12)
    assert outcome.unserved_energy_mwh == pytest.approx(80.0)
    assert outcome.shedding_h == pytest.approx(8.0)
    assert (outcome.added_unserved_energy_mwh, outcome.added_peak_shed_mw,
            outcome.added_shedding_h) == (0.0, 0.0, 0.0)


# ------------------------------------------------------------------ plant output


def test_hydro_output_matches_the_published_example():
    """Engineering ToolBox, "Hydropower", eq. (1): 1 m^3/s falling 100 m carries
    981 kW; eq. (2) scales it by the efficiency."""
    assert hydro_output_mw(1.0, 100.0, 1.0) == pytest.approx(0.981)
    assert hydro_output_mw(300.0, 45.0, 0.9) == pytest.approx(0.9 * 0.981 * 300 * 0.45)
    with pytest.raises(ValueError, match="head >= 0"):
        hydro_output_mw(300.0, -1.0, 0.9)


# ------------------------------------------------- cross-checks with pandapower
# pandapower's DC OPF (PYPOWER's solver) is an independent implementation of the same
# model; it takes about 3 s to import, so these checks are marked slow.


def pandapower_shed(network, available, load_mw, fixed_load_mw=None):
    """Solve `network` with pandapower's DC OPF: loads controllable between 0 and their
    demand at minus their value of lost load per MWh (or fixed at `fixed_load_mw`).
    Returns the MW shed by load and the generation cost per hour."""
    pp = pytest.importorskip("pandapower")
    net = pp.create_empty_network(sn_mva=100.0)
    kv = 400.0
    ohm_per_pu = kv**2 / 100.0
    bus = {b.name: pp.create_bus(net, vn_kv=kv) for b in network.buses}
    for line in network.lines:
        limit_mw = line.capacity_mw if math.isfinite(line.capacity_mw) else 1e5
        pp.create_line_from_parameters(
            net, bus[line.from_bus], bus[line.to_bus], length_km=1.0, r_ohm_per_km=0.0,
            x_ohm_per_km=line.reactance_pu * ohm_per_pu, c_nf_per_km=0.0,
            max_i_ka=limit_mw / (math.sqrt(3) * kv), max_loading_percent=100.0)
    for k, generator in enumerate(network.generators):
        on = generator.name in available
        index = pp.create_gen(net, bus[generator.bus], p_mw=0.0, vm_pu=1.0, min_p_mw=0.0,
                              max_p_mw=generator.capacity_mw if on else 0.0,
                              controllable=True, slack=k == 0)
        pp.create_poly_cost(net, index, "gen", cp1_eur_per_mw=generator.cost_per_mwh)
    served = fixed_load_mw if fixed_load_mw is not None else load_mw
    for load, demand, fixed in zip(network.loads, load_mw, served, strict=True):
        if fixed_load_mw is not None:
            pp.create_load(net, bus[load.bus], p_mw=fixed, controllable=False)
            continue
        index = pp.create_load(net, bus[load.bus], p_mw=demand, controllable=True,
                               min_p_mw=0.0, max_p_mw=demand)
        pp.create_poly_cost(net, index, "load",
                            cp1_eur_per_mw=-network.lost_load_value(load))
    pp.rundcopp(net)
    cost = float(sum(g.cost_per_mwh * p for g, p in zip(network.generators, net.res_gen.p_mw,
                                                         strict=True)))
    if fixed_load_mw is not None:
        return None, cost
    return np.asarray(load_mw) - net.res_load.p_mw.to_numpy(), cost


@pytest.mark.slow
@pytest.mark.parametrize(("out", "lines_out"), [({"Brighton"}, set()), ({"Brighton"}, {"AE"}),
                                                ({"Solitude", "Sundance"}, set())])
def test_fair_dispatch_sheds_what_pandapower_sheds_at_its_cost(out, lines_out):
    """In PJM 5-bus states that must shed, pandapower's DC OPF with loads valued at the
    value of lost load sheds the same MW in all as the fair dispatch; served as the fair
    dispatch serves them, pandapower finds the same least generation cost."""
    pytest.importorskip("pandapower")
    base = pjm_5_bus()
    network = GridNetwork(base.buses, [line for line in base.lines if line.name not in lines_out],
                          base.generators, base.loads)
    available = {g.name for g in network.generators} - out
    result = dc_dispatch(network, available, [], PJM_LOAD_MW)
    shed, _ = pandapower_shed(network, available, PJM_LOAD_MW)
    assert result.total_shed_mw > 1.0
    assert result.total_shed_mw == pytest.approx(shed.sum(), abs=1e-3)
    served = np.asarray(PJM_LOAD_MW) - np.asarray(result.shed_mw_by_load)
    _, cost = pandapower_shed(network, available, PJM_LOAD_MW, fixed_load_mw=served)
    ours = sum(g.cost_per_mwh * p for g, p in zip(network.generators, result.generation_mw,
                                                   strict=True))
    assert ours == pytest.approx(cost, rel=1e-5)


@pytest.mark.slow
def test_values_of_lost_load_shed_what_pandapower_sheds():
    """With a different value of lost load at each PJM load the cheapest shedding is
    unique, and both solvers find it load by load."""
    pytest.importorskip("pandapower")
    base = pjm_5_bus()
    loads = [Load(load.bus, load.peak_mw, value_of_lost_load_per_mwh=value)
             for load, value in zip(base.loads, (12_000.0, 30_000.0, 20_000.0), strict=True)]
    network = GridNetwork(base.buses, base.lines, base.generators, loads)
    available = {g.name for g in network.generators} - {"Brighton"}
    result = dc_dispatch(network, available, [], PJM_LOAD_MW)
    shed, _ = pandapower_shed(network, available, PJM_LOAD_MW)
    assert result.shed_mw_by_load == pytest.approx(shed.tolist(), abs=1e-3)


# ------------------------------------------------------------ the bundled grid


@pytest.fixture(scope="module")
def haditha():
    from simulator.scenario import load_scenario

    return load_scenario(Path(__file__).parents[2] / "scenarios" / "haditha_2014.yaml")


def test_haditha_plant_counts_at_what_its_water_gives(haditha):
    """0.9 x 1000 kg/m^3 x 9.81 m/s^2 x 300 m^3/s x (50 m level - 5 m tailwater) =
    119.2 MW, not the 660 MW nameplate (scenarios/SOURCES.md, A:plant-output)."""
    from simulator.engine.consequences_link import PLANT_GENERATOR, grid_network, plant_output_mw

    assert plant_output_mw(haditha) == pytest.approx(119.1915)
    plant = next(g for g in grid_network(haditha).generators if g.name == PLANT_GENERATOR)
    assert plant.capacity_mw == pytest.approx(119.1915)


def test_haditha_shortage_falls_on_every_region_by_its_demand(haditha):
    """Before any attack the grid is short at every hour. No line binds, so each region
    loses the same share of its energy (Anbar about 6 % of the shortfall, its share of
    demand) instead of whatever the LP happened to pick (Anbar lost 95 % of its energy
    before); losing the plant adds its 119 MW, spread the same way."""
    from simulator.engine.consequences_link import PLANT_GENERATOR, grid_network

    network = grid_network(haditha)
    base = unserved_energy(network, [], 48.0, 6)
    demand_share = {load.bus: load.peak_mw / 16_000.0 for load in network.loads}
    for region, share in demand_share.items():
        assert base.unserved_energy_mwh_by_region[region] == pytest.approx(
            share * base.unserved_energy_mwh, rel=1e-4)
    out = unserved_energy(network, [(0.0, 48.0, "generator", PLANT_GENERATOR)], 48.0, 6)
    assert out.added_peak_shed_mw == pytest.approx(119.1915, rel=1e-4)
    assert out.added_unserved_energy_mwh == pytest.approx(48 * 119.1915, rel=1e-4)


def test_a_line_limit_of_almost_nothing_still_gives_a_balanced_dispatch():
    """A 1e-36 MW limit (the extreme-number test puts such values in) makes HiGHS round
    one fairness LP into infeasibility; the dispatch falls back to the last solution
    found instead of raising, and still balances."""
    lines = [Line("ab", "anbar", "baghdad", 1e-36, 0.03), Line("an", "anbar", "north", 500, 0.05),
             Line("bn", "baghdad", "north", 2000, 0.02), Line("bs", "baghdad", "south", 4000, 0.01),
             Line("ib", "iran", "baghdad", 700, 0.05), Line("is", "iran", "south", 700, 0.05)]
    generators = [Generator("bt", "baghdad", 3000, 55), Generator("st", "south", 4500, 45),
                  Generator("nt", "north", 1500, 50), Generator("ii", "iran", 1200, 80),
                  Generator("plant", "anbar", 119.19, 0)]
    demand_mw = (5500.0, 6500.0, 3000.0, 1000.0)
    loads = [Load(bus, mw) for bus, mw in zip(("baghdad", "south", "north", "anbar"), demand_mw,
                                              strict=True)]
    network = GridNetwork([Bus(name) for name in ("anbar", "baghdad", "north", "south", "iran")],
                          lines, generators, loads)
    result = dc_dispatch(network, [g.name for g in generators], [], demand_mw)
    assert result.total_generation_mw + result.total_shed_mw == pytest.approx(sum(demand_mw))
    assert all(0.0 <= shed <= mw + 1e-6
               for shed, mw in zip(result.shed_mw_by_load, demand_mw, strict=True))
