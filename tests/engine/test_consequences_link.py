"""The hand-over from the engine to the consequence models (engine/consequences_link.py):
one History in, flood, life-loss and grid outcomes out."""

from __future__ import annotations

import math

import pytest

from simulator.engine import EventKind, prepare, simulate, simulate_history
from simulator.engine.consequences_link import consequences


def test_grid_loses_the_plant_from_fords_fall_to_the_horizon(valley):
    """In the valley the city needs 200 MW and has 150 MW of its own: the other 50 MW come
    from the dam's plant over the tie line. Ford's fall cuts the tie (for a day); the
    plant is lost 1 h after the dam's capture, back 2 h later, then breached for good
    6 h after capture, all while the tie is still cut. So 50 MW go unserved from Ford's
    fall to the horizon (120 h), and nothing before."""
    o = simulate(valley).outcomes
    unserved = 50 * (120 - o["capture_h.ford"])
    assert o["unserved_energy_mwh"] == pytest.approx(unserved, rel=1e-6)
    assert o["added_unserved_energy_mwh"] == pytest.approx(unserved, rel=1e-6)
    assert o["peak_shed_mw"] == pytest.approx(50)
    assert o["generation_lost_mw"] == pytest.approx(100)


def test_flood_reaches_near_before_far_and_warning_time_is_arrival_minus_warning(valley):
    """The breach of the valley dam floods both river towns, the nearer first; the warning
    lead time of each town is its flood arrival minus the time it was warned; fatalities
    come from Graham's rate on the whole population at risk (people_exposed), of whom
    some are reported evacuated."""
    history = simulate_history(valley)
    o = simulate(valley).outcomes
    assert o["peak_outflow_m3s"] > 1000
    assert 0 < o["flood_volume_m3"] <= history.reservoir_volume_m3 + 100 * 5 * 86400
    breach_h = history.breach_s / 3600
    assert breach_h < o["arrival_h.near"] < o["arrival_h.far"]
    assert o["depth_m.near"] > 0 and o["depth_m.far"] > 0
    for town in ("near", "far"):
        warned_h = history.warning_received_s[town] / 3600
        assert o[f"warning_lead_h.{town}"] == pytest.approx(o[f"arrival_h.{town}"] - warned_h)
    assert o["people_exposed"] == pytest.approx(3000 * 0.5 + 9000 * 0.3)
    assert 0 <= o["people_evacuated"] <= o["people_exposed"]
    assert o["fatalities"] == pytest.approx(o["fatalities.near"] + o["fatalities.far"])
    assert 0 < o["fatalities"] <= o["people_exposed"]


def test_no_breach_no_flood_and_the_same_columns(uncertain):
    """Without a breach the flood outcomes are zero (times NaN), and every replication
    has the same outcome names whether or not the dam was breached."""
    seen = {}
    prepared = prepare(uncertain)
    table = prepared.inputs
    for k in range(60):
        history = simulate_history(prepared, replication=k)
        inputs = table.typed(table.draw(uncertain.scenario.seed, k))
        o = consequences(prepared.consequences, history, inputs).outcomes
        seen.setdefault(history.breached, o)
        if not history.breached:
            assert o["fatalities"] == o["peak_outflow_m3s"] == 0
            assert math.isnan(o["arrival_h.near"]) and o["depth_m.near"] == 0
    assert set(seen) == {True, False}
    assert seen[True].keys() == seen[False].keys()


def test_model_inputs_come_from_their_own_streams(uncertain):
    """The breach geometry (width factor, depth) and the fatality-rate quantiles are
    recorded as inputs and do not move when the engine's own inputs change (common
    random numbers)."""
    o = simulate(uncertain, replication=4).outcomes
    assert 0.2 < o["input.assets.dam.failure_modes.breach.width_factor"] < 5
    assert 0.3 <= o["input.assets.dam.failure_modes.partial.depth_fraction"] <= 0.5
    assert 0 <= o["input.warning.towns.far.rate_quantile"] <= 1
    shorter = uncertain.model_copy(update={"scenario": uncertain.scenario.model_copy(
        update={"horizon_s": 2 * 86400.0})})
    p = simulate(shorter, replication=4).outcomes
    for name in o:
        if name.startswith("input."):
            assert p[name] == o[name]


def test_flood_arrivals_are_timeline_events_at_the_arrival_outcomes(valley):
    """Each river town the flood reaches within the horizon gets a flood_arrival event
    at the time its arrival outcome gives, after the breach and in time order."""
    run = simulate(valley, timeline=True)
    arrivals = [e for e in run.timeline if e.kind is EventKind.FLOOD_ARRIVAL]
    assert [e.place for e in arrivals] == ["near", "far"]
    breach = next(e for e in run.timeline if e.kind is EventKind.BREACH)
    for event in arrivals:
        assert event.time_s / 3600 == pytest.approx(run.outcomes[f"arrival_h.{event.place}"])
        assert event.after_breach_s == pytest.approx(event.time_s - breach.time_s)
        assert event.depth_m == pytest.approx(run.outcomes[f"depth_m.{event.place}"])
    times = [e.time_s for e in run.timeline]
    assert times == sorted(times)


def test_the_timeline_says_what_the_grid_loses_when_the_plant_goes_out():
    """Haditha's plant counts at what its water gives (about 119 MW), not its 660 MW
    nameplate; the timeline's plant-out event says the same figure the grid uses."""
    from pathlib import Path

    from simulator.engine.consequences_link import plant_output_mw
    from simulator.scenario import load_scenario

    scenario = load_scenario(Path(__file__).parents[2] / "scenarios" / "haditha_2014.yaml")
    prepared = prepare(scenario)
    outs = []
    for replication in range(40):
        events = simulate(prepared, replication=replication, timeline=True).timeline
        outs += [e for e in events if e.kind == EventKind.PLANT_OUT]
        if outs:
            break
    assert outs, "no plant outage in 40 replications"
    available_mw = plant_output_mw(scenario)
    assert available_mw < scenario.assets.dam.plant.capacity_w / 1e6
    assert all(e.capacity_mw == pytest.approx(available_mw) for e in outs)
