"""The engine's processes on tests/data/engine_valley.yaml, where every number is fixed
and every event time can be worked out by hand (times below are in hours)."""

from __future__ import annotations

import math

import pytest

from simulator.engine import LineCut, prepare, simulate, simulate_history
from simulator.engine.lanchester import resolve, strengths_at
from simulator.scenario.schema import Trigger

H = 3600.0
ALPHA = 0.1 / H  # every force's effectiveness in the valley
BETA = 2 * ALPHA  # defenders: effectiveness times a defender advantage of 2


def ford_fight():
    """The column (400) against Ford's guard (50): defenders to the last, attackers
    withdraw below 0.2."""
    return resolve(400, 50, ALPHA, BETA, 0.2, 0.0)


def test_column_takes_ford_then_the_dam(valley, log):
    """The column leaves at 1 h; the border road takes 2 h plus a 1 h checkpoint delay, so
    it reaches Ford at 4 h and fights. Ford falls (cutting the tie line and sending the
    relief), the column halts 1 h, drives 100 km at 50 km/h and fights the dam garrison
    with its survivors. The dam falls before the relief arrives (2 h mobilisation + 4 h),
    so the relief counter-attacks the column holding it: the roles swap, the relief's 300
    assault (no defender advantage), the column holds with its own (1) and withdraws
    below 0.2; the relief fights to the last and is destroyed."""
    ford = ford_fight()
    falls = 4 + ford.duration_s / H
    dam = resolve(ford.attackers_left, 100, ALPHA, BETA, 0.2, 0.0)
    captured = falls + 3 + dam.duration_s / H
    counter = resolve(300, dam.attackers_left, ALPHA, ALPHA, 0.0, 0.2)
    assert counter.winner == "defender"  # the holders (the column) win
    r = simulate(valley, timeline=True)
    expected = [
        (0, "garrison", "ford_guard", "ford"),
        (0, "garrison", "dam_garrison", "dam"),
        (1, "depart", "column", "border"),
        (4, "arrive", "column", "ford"),
        (4, "engage", "column", "ford"),
        (falls, "defeat", "ford_guard", "ford"),
        (falls, "capture", "column", "ford"),
        (falls, "line_cut", "tie", "ford"),
        (falls, "dispatch", "relief", "capital"),
        (falls + 1, "depart", "column", "ford"),
        (falls + 1, "threatened", "dam", "dam"),
        (falls + 2, "depart", "relief", "capital"),
        (falls + 3, "arrive", "column", "dam"),
        (falls + 3, "engage", "column", "dam"),
        (captured, "defeat", "dam_garrison", "dam"),
        (captured, "captured", "dam", "dam"),
        (falls + 6, "arrive", "relief", "dam"),
        (falls + 6, "engage", "relief", "dam"),
    ]
    assert log(r)[:len(expected)] == [(pytest.approx(t, abs=1e-9), *rest)
                                      for t, *rest in expected]
    o = r.outcomes
    assert o["dam_captured"] == 1 and o["dam_held"] == 0 and o["dam_threatened"] == 1
    assert o["time_to_capture_h"] == pytest.approx(captured)
    assert o["towns_captured"] == 1 and o["capture_h.ford"] == pytest.approx(falls)
    assert math.isnan(o["capture_h.capital"])  # never captured: empty, not the horizon
    assert o["reinforcements_arrived"] == 1
    assert o["reinforcements_arrival_h"] == pytest.approx(falls + 6)
    repulse = [(t, kind, actor) for t, kind, actor, _ in log(r, {"repulse"})]
    assert repulse == [(pytest.approx(falls + 6 + counter.duration_s / H), "repulse", "relief")]
    assert o["dam_recaptured"] == 0 and math.isnan(o["time_to_recapture_h"])
    assert o["dam_time_held_h"] == pytest.approx(5 * 24 - captured)
    assert o["defender_losses"] == pytest.approx(150 + 300)
    assert o["attacker_losses"] == pytest.approx(400 - counter.defenders_left)


def test_failure_modes_warning_and_grid(valley, log):
    """After capture every mode happens (probability 1): the plant is lost at +1 h for
    2 h; of the two breaches the quicker (partial, +6 h) wins and the full one (+10 h)
    never happens; detection 30 min later, each town warned 1 h after that. The tie
    line, cut when Ford fell, is repaired a day later."""
    history = simulate_history(valley)
    r = simulate(valley, timeline=True)
    cap = r.outcomes["time_to_capture_h"]
    falls = r.outcomes["capture_h.ford"]
    after = log(r, {"plant_out", "plant_restored", "breach", "detect", "warning",
                    "line_repaired"})
    assert after == [
        (pytest.approx(cap + 1), "plant_out", "dam", "valley"),
        (pytest.approx(cap + 3), "plant_restored", "dam", "valley"),
        (pytest.approx(cap + 6), "breach", "dam", "dam"),
        (pytest.approx(cap + 6.5), "detect", "warning", "dam"),
        (pytest.approx(cap + 7.5), "warning", "warning", "near"),
        (pytest.approx(cap + 7.5), "warning", "warning", "far"),
        (pytest.approx(falls + 24), "line_repaired", "tie", "ford"),
    ]
    assert history.breach_mode == "partial_breach" and history.breach_mode_id == "quick_breach"
    assert history.breach_depth_fraction == 0.5
    assert history.breach_s == pytest.approx((cap + 6) * H)
    assert history.detection_s == pytest.approx((cap + 6.5) * H)
    assert history.warning_received_s == {"near": pytest.approx((cap + 7.5) * H),
                                          "far": pytest.approx((cap + 7.5) * H)}
    assert history.plant_outages == (
        (pytest.approx((cap + 1) * H), pytest.approx((cap + 3) * H)),
        (pytest.approx((cap + 6) * H), math.inf),
    )
    assert history.line_cuts == (LineCut("tie", "ford", pytest.approx(falls * H),
                                         pytest.approx((falls + 24) * H)),)
    assert history.dam_state == "breached"  # captured, then breached
    assert history.reservoir_volume_m3 == pytest.approx(0.2e9)
    o = r.outcomes
    assert o["breach_started"] == 1 and o["breach_time_h"] == pytest.approx(cap + 6)
    assert o["breach_depth_fraction"] == 0.5 and o["lines_cut"] == 1
    assert o["plant_outage_h"] == pytest.approx(2 + 120 - (cap + 6))


def test_only_the_breach_modes_that_happen_compete(valley, log):
    """With the quick breach impossible, the full breach comes at +10 h."""
    dam = valley.assets.dam
    modes = {**dam.failure_modes,
             "quick_breach": dam.failure_modes["quick_breach"].model_copy(
                 update={"probability": 0.0})}
    assets = valley.assets.model_copy(update={"dam": dam.model_copy(
        update={"failure_modes": modes})})
    scenario = valley.model_copy(update={"assets": assets})
    r = simulate(scenario, timeline=True)
    cap = r.outcomes["time_to_capture_h"]
    assert log(r, {"breach"}) == [(pytest.approx(cap + 10), "breach", "dam", "dam")]
    assert simulate_history(scenario).breach_mode == "full_breach"
    assert r.outcomes["breach_depth_fraction"] == 1.0


def test_relief_joining_mid_engagement_re_resolves_it(valley, change_force, log):
    """Without mobilisation the relief reaches the dam 4 h after Ford falls, 1 h into the
    fight there. The strengths are brought forward to that moment, the relief's 300 are
    added and the fight is resolved again: the attackers now withdraw."""
    scenario = change_force(valley, "relief", mobilisation_s=0)
    ford = ford_fight()
    falls = 4 + ford.duration_s / H
    a, d = strengths_at(ford.attackers_left, 100, ALPHA, BETA, 1 * H)
    second = resolve(a, d + 300, ALPHA, BETA, 0.2, 0.0)
    assert second.winner == "defender"
    r = simulate(scenario, timeline=True)
    end = falls + 4 + second.duration_s / H
    assert log(r, {"engage", "join", "repulse", "held", "captured"}) == [
        (pytest.approx(4), "engage", "column", "ford"),
        (pytest.approx(falls + 3), "engage", "column", "dam"),
        (pytest.approx(falls + 4), "join", "relief", "dam"),
        (pytest.approx(end), "repulse", "column", "dam"),
        (pytest.approx(end), "held", "dam", "dam"),
    ]
    o = r.outcomes
    assert o["dam_captured"] == 0 and o["dam_held"] == 1 and o["breach_started"] == 0
    assert math.isnan(o["time_to_capture_h"])
    assert o["attacker_losses"] == pytest.approx(400 - second.attackers_left)
    assert o["defender_losses"] == pytest.approx(50 + 400 - second.defenders_left)


def test_undefended_town_falls_on_arrival_and_junctions_never_do(valley, change_force, log):
    """With Ford's guard moved away, the column takes Ford as it arrives (4 h). Sent the
    long way round, it passes the junction without taking it and meets the dam garrison,
    now reinforced by the relief (sent at 4 h, there at 10 h)."""
    scenario = change_force(valley, "ford_guard", start="capital")
    scenario = change_force(scenario, "column", objective=None,
                            route=["border", "ford", "junction", "dam"])
    r = simulate(scenario, timeline=True)
    assert log(r, {"capture", "arrive", "garrison", "engage"})[2:] == [
        (pytest.approx(4), "arrive", "column", "ford"),
        (pytest.approx(4), "capture", "column", "ford"),
        (pytest.approx(8), "arrive", "column", "junction"),  # 1 h halt at Ford, then 3 h
        (pytest.approx(10), "arrive", "relief", "dam"),
        (pytest.approx(10), "garrison", "relief", "dam"),
        (pytest.approx(11), "arrive", "column", "dam"),
        (pytest.approx(11), "engage", "column", "dam"),
    ]
    assert "junction" not in simulate_history(scenario).captures


def test_route_is_the_shortest_expected_time(valley, change_force):
    """Ford to the dam direct (2 h) beats the junction (6 h); an explicit route is kept."""
    legs = prepare(valley).plan.forces[0].legs
    assert [leg.road for leg in legs] == ["border_ford", "ford_dam"]
    scenario = change_force(valley, "column", objective=None,
                            route=["border", "ford", "junction", "dam"])
    legs = prepare(scenario).plan.forces[0].legs
    assert [leg.road for leg in legs] == ["border_ford", "ford_junction", "junction_dam"]


def test_scheduled_trigger_and_a_force_never_sent(valley, change_force, load, log):
    """A relief triggered at 2 h arrives at 2 + 2 + 4 h; one scheduled past the horizon
    never leaves, and its arrival is empty (NaN), not the horizon."""
    scenario = change_force(valley, "relief", trigger=Trigger.model_validate({"time": "2 h"}))
    r = simulate(scenario, timeline=True)
    assert log(r, {"dispatch"}) == [(pytest.approx(2), "dispatch", "relief", "capital")]
    assert r.outcomes["reinforcements_arrival_h"] == pytest.approx(8)
    never = simulate(load("engine_valley.yaml", "no_relief"), timeline=True)
    assert never.outcomes["reinforcements_arrived"] == 0
    assert math.isnan(never.outcomes["reinforcements_arrival_h"])
    assert not [e for e in never.timeline if "relief" in e.actors]


def test_stalemate_runs_to_the_horizon(load, change_force):
    """Equal fighting strengths to the last: nobody wins; losses are counted as they
    stand at the horizon, A = D = 100 exp(-sqrt(alpha beta) T) after T hours of fighting."""
    race = load("race.yaml")
    scenario = change_force(race, "relief", strength=100)
    scenario = change_force(scenario, "column", withdraw_ratio=0)
    for k in range(20):
        r = simulate(scenario, replication=k, consequences=False)
        o = r.outcomes
        capture_h = o["time_to_capture_h"]  # NaN: never captured
        if o["reinforcements_arrival_h"] < (math.inf if math.isnan(capture_h) else capture_h):
            arrived = o["input.network.roads.east_dam.travel_time_s"] / H
            left = 100 * math.exp(-0.05 * (720 - arrived))
            assert o["dam_captured"] == 0 and o["dam_held"] == 0
            assert o["attacker_losses"] == pytest.approx(100 - left)
            assert o["defender_losses"] == pytest.approx(100 - left)
            return
    pytest.fail("the relief never arrived first")


def test_arrival_is_the_sum_of_segment_times(uncertain):
    """With every road, delay and halt random, each arrival equals the departure plus
    the sampled segment times (length over speed, or travel time, plus delay) plus the
    halts at intermediate nodes, read back from the replication's input.* outcomes."""
    checked = 0
    for k in range(40):
        r = simulate(uncertain, replication=k, timeline=True, consequences=False)
        o = r.outcomes

        def road(name, length_m=None, o=o):
            p = f"input.network.roads.{name}."
            drive = length_m / o[p + "speed_mps"] if length_m else o[p + "travel_time_s"]
            return drive + o.get(p + "delay_s", 0.0)

        arrivals = {(e.actors[0], e.place): e.time_s for e in r.timeline if e.kind == "arrive"}
        column_at_alpha = o["input.forces.column.departure_s"] + road("border_alpha", 60e3)
        assert arrivals["column", "alpha"] == pytest.approx(column_at_alpha)
        if o["reinforcements_arrived"]:
            expected = (o["capture_h.alpha"] * H + 4 * H + road("capital_junction", 120e3)
                        + o["input.network.nodes.junction.halt_s"] + road("junction_dam"))
            assert o["reinforcements_arrival_h"] * H == pytest.approx(expected)
            checked += 1
    assert checked > 20
